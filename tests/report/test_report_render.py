"""QBR report rendering: PDF, PowerPoint and Excel read back; chart images through Chromium."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from segstudio.errors import SegStudioError
from segstudio.report import images as chart_images_module
from segstudio.report.document import Report, Section, format_value
from segstudio.report.images import (
    NOT_FOUND_MESSAGE,
    ChartImagesUnavailable,
    chromium_path,
    figures_to_png,
)
from segstudio.report.render import FORMATS, chart_images, render
from segstudio.report.workbook import sheet_names

PNG = b"\x89PNG"
RISKY = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"]
CHROMIUM = "/usr/bin/chromium"


def _classes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "class": ["A", "B", "C", "D"],
            "skus": [12, 40, 248, 3],
            "revenue": [1234567.891, 23456.5, 0.01234, 10.0],
            "description": RISKY,
        }
    )


def _long() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": [f"SKU-{i:03d}" for i in range(60)],
            "units": [i * 1000 for i in range(60)],
            "share": [i / 59 for i in range(60)],
        }
    )


def _report() -> Report:
    classes, long = _classes(), _long()
    bar = go.Figure(go.Bar(x=classes["class"], y=classes["revenue"]))
    bar.update_layout(title="Revenue by class")
    line = go.Figure(go.Scatter(x=list(long.index), y=long["share"], mode="lines"))
    rules = pd.DataFrame({"rule": ["minimum units", "review cycle"], "value": ["5", "=1+1"]})
    return Report(
        title="QBR test report",
        subtitle="Demo workspace, 2024 Q3, rules v2",
        sections=[
            Section(
                "Class mix", "ABC classes by revenue", bar, classes, ("A: top 80% of revenue",)
            ),
            Section("Top SKUs by units", "", line, long, ("Sorted by units",)),
            Section("Rules in force", "No chart here", None, rules),
        ],
        sheets={
            "Class mix": classes,
            "Top SKUs: all/60 [units] and a very long name": long,
            "class MIX": rules,
        },
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return _report()


@pytest.fixture(scope="module")
def rendered(report: Report) -> list[bytes | None]:
    """The report's chart images, made once in one Chromium session."""
    images, message = chart_images(report)
    assert message is None
    return images


def _pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# --- chart images ------------------------------------------------------------------------------


def test_figures_to_png_renders_a_batch_with_the_installed_chromium(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert chromium_path() == CHROMIUM
    figures = [
        go.Figure(go.Bar(x=["a", "b"], y=[1, 2])),
        go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2])),
    ]
    pngs = figures_to_png(figures, width=400, height=300)
    assert len(pngs) == 2
    for png in pngs:
        assert png.startswith(PNG)
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (400, 300)
    assert figures_to_png([]) == []


def test_chart_images_gives_one_image_per_figure_and_none_elsewhere(
    rendered: list[bytes | None],
) -> None:
    assert len(rendered) == 3
    assert rendered[0] is not None and rendered[0].startswith(PNG)
    assert rendered[1] is not None and rendered[1].startswith(PNG)
    assert rendered[2] is None  # the section without a figure


def test_chromium_path_prefers_an_existing_browser_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    assert chromium_path() == str(fake)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    assert chromium_path() == CHROMIUM


def test_a_browser_path_that_is_not_there_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The user asked for this browser: say so rather than quietly use another one.
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    with pytest.raises(ChartImagesUnavailable, match="BROWSER_PATH is set to .*no-such-chrome"):
        figures_to_png([go.Figure(go.Bar(x=["a"], y=[1]))])


def test_a_browser_that_does_not_start_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/bin/false")
    with pytest.raises(ChartImagesUnavailable) as caught:
        figures_to_png([go.Figure(go.Bar(x=["a"], y=[1]))])
    message = str(caught.value)
    assert isinstance(caught.value, SegStudioError)
    assert "/bin/false" in message and "did not start" in message
    assert "\n" not in message


def test_without_chromium_the_documents_say_why_the_charts_are_missing(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, chromium-browser or google-chrome
    monkeypatch.setattr(chart_images_module, "DEBIAN_CHROMIUM", str(tmp_path / "chromium"))
    assert chromium_path() is None

    images, message = chart_images(report)
    assert images == [None, None, None]
    assert message == NOT_FOUND_MESSAGE
    assert "BROWSER_PATH" in message and "\n" not in message

    pages = _pdf_pages(render(report, "pdf"))
    assert len(pages) == 1 + len(report.sections)
    for i in (1, 2):  # the two sections with a figure
        assert f"Chart not rendered: {NOT_FOUND_MESSAGE}" in " ".join(pages[i].split())
    assert "Chart not rendered" not in pages[3]
    assert "First 25 of 60 rows shown." in pages[2]  # the rest of the page is still there

    deck = Presentation(io.BytesIO(render(report, "pptx")))
    texts = [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert sum(t.startswith("Chart not rendered: Chart images need Chromium") for t in texts) == 2
    assert not any(
        shape.shape_type == MSO_SHAPE_TYPE.PICTURE
        for slide in deck.slides
        for shape in slide.shapes
    )


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_has_a_title_page_and_one_page_per_section(
    report: Report, rendered: list[bytes | None]
) -> None:
    data = render(report, "pdf", rendered)
    pages = _pdf_pages(data)
    assert len(pages) == 1 + len(report.sections)
    assert "QBR test report" in pages[0] and "Demo workspace, 2024 Q3, rules v2" in pages[0]
    assert "Generated " in pages[0]
    for page, section in zip(pages[1:], report.sections, strict=True):
        assert section.title in page
        assert "Chart not rendered" not in page
    reader = PdfReader(io.BytesIO(data))
    assert [len(p.images) for p in reader.pages] == [0, 1, 1, 0]

    classes = pages[1]
    assert "ABC classes by revenue" in classes
    for text in [
        "class",
        "skus",
        "revenue",
        "description",
        "1,234,568",  # money: whole units from 100 up, else cents
        "23,456",
        "0.01",
        "10.00",
        "248",
        *RISKY,
    ]:
        assert text in classes, text
    assert "A: top 80% of revenue" in classes

    top = pages[2]
    assert "SKU-000" in top and "SKU-024" in top and "24,000" in top
    assert "SKU-025" not in top  # max_rows=25
    assert "First 25 of 60 rows shown." in top
    assert "Sorted by units" in top

    rules = pages[3]
    assert "minimum units" in rules and "=1+1" in rules and "No chart here" in rules


def test_pdf_wraps_long_text_cuts_very_long_text_and_keeps_eight_columns() -> None:
    long_text = " ".join(f"word{i}" for i in range(35))  # 234 characters: wraps, kept whole
    wide = pd.DataFrame({f"col{i}": [i, i + 0.5] for i in range(12)})
    wide["col1"] = [long_text, "x" * 1000]  # one unbreakable word, far too long
    report = Report("Wide", sections=[Section("Wide table", table=wide)])
    pages = _pdf_pages(render(report, "pdf"))  # no figure: no browser needed
    assert len(pages) == 2
    page = pages[1]
    assert "First 8 of 12 columns shown" in page
    assert "col7" in page and "col8" not in page
    words = page.split()
    assert all(f"word{i}" in words for i in range(35))
    assert not any("word0" in line and "word34" in line for line in page.splitlines())  # wrapped
    cut = re.findall(r"x{10,}\u2026?", page)  # the x's, split over lines by the wrap
    assert sum(run.count("x") for run in cut) == 299 and cut[-1].endswith("\u2026")


# --- PowerPoint --------------------------------------------------------------------------------


def _slide_titles(deck: object) -> list[str]:
    return [slide.shapes.title.text for slide in deck.slides]  # type: ignore[attr-defined]


def _tables(slide: object) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in shape.table.rows]
        for shape in slide.shapes
        if shape.has_table
    ]  # type: ignore[attr-defined]


def test_pptx_slides_titles_tables_and_pictures(
    report: Report, rendered: list[bytes | None]
) -> None:
    deck = Presentation(io.BytesIO(render(report, "pptx", rendered)))
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9
    assert _slide_titles(deck) == [
        "QBR test report",
        "Class mix",
        "Top SKUs by units",
        "Top SKUs by units: table, part 1 of 2",  # 25 rows: too many beside the chart
        "Top SKUs by units: table, part 2 of 2",
        "Rules in force",
    ]
    slides = list(deck.slides)
    assert "Demo workspace, 2024 Q3, rules v2" in slides[0].placeholders[1].text

    pictures = [
        sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes) for slide in slides
    ]
    assert pictures == [0, 1, 1, 0, 0, 0]

    (classes,) = _tables(slides[1])  # short table: native table beside the chart
    assert classes[0] == ["class", "skus", "revenue", "description"]
    assert [row[3] for row in classes[1:]] == RISKY  # verbatim, never evaluated
    assert classes[1][:3] == ["A", "12", "1,234,568"]
    assert "A: top 80% of revenue" in slides[1].notes_slide.notes_text_frame.text

    assert _tables(slides[2]) == []  # the long table is on its own slides
    part1, part2 = _tables(slides[3])[0], _tables(slides[4])[0]
    assert part1[0] == ["sku", "units", "share"] == part2[0]
    assert [r[0] for r in part1[1:] + part2[1:]] == [f"SKU-{i:03d}" for i in range(25)]
    assert "First 25 of 60 rows shown." in slides[2].notes_slide.notes_text_frame.text

    (rules,) = _tables(slides[5])  # no chart: the table on the section slide
    assert rules == [["rule", "value"], ["minimum units", "5"], ["review cycle", "=1+1"]]


def test_render_makes_the_chart_images_itself_when_not_given(report: Report) -> None:
    deck = Presentation(io.BytesIO(render(report, "pptx")))
    pictures = [
        shape
        for slide in deck.slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    assert len(pictures) == 2
    assert all(p.image.blob.startswith(PNG) for p in pictures)


# --- Excel -------------------------------------------------------------------------------------


def test_xlsx_contents_sheets_text_and_numbers(report: Report) -> None:
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    long_name = "Top SKUs_ all_60 _units_ and a"  # 31 characters, less a trailing space
    assert book.sheetnames == ["Contents", "Class mix", long_name, "class MIX (2)"]
    contents = [[c.value for c in row] for row in book["Contents"].iter_rows()]
    assert contents[0] == ["Item", "Value", "Rows", "Columns"]
    assert contents[1][:2] == ["Report", "QBR test report"]
    assert contents[2][:2] == ["Subtitle", "Demo workspace, 2024 Q3, rules v2"]
    assert contents[4:] == [
        ["Class mix", "Class mix", 4, 4],
        [long_name, "Top SKUs: all/60 [units] and a very long name", 60, 3],
        ["class MIX (2)", "class MIX", 2, 2],
    ]

    sheet = book["Class mix"]
    assert [c.value for c in sheet[1]] == ["class", "skus", "revenue", "description"]
    described = [sheet.cell(row=r, column=4) for r in range(2, 6)]
    assert [c.value for c in described] == RISKY
    assert all(c.data_type == "s" for c in described)
    assert sheet["B2"].value == 12 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == pytest.approx(1234567.891) and sheet["C2"].data_type == "n"
    long = book[long_name]
    assert long.max_row == 61  # every row, not the 25 shown in the PDF
    assert long["B61"].value == 59000
    assert book["class MIX (2)"]["B3"].value == "=1+1"
    assert book["class MIX (2)"]["B3"].data_type == "s"


def test_sheet_names_are_valid_and_unique() -> None:
    names = sheet_names(["a/b", "A_B", "x" * 40, "x" * 40, "Contents", "'quoted'", "", "ok?*"])
    assert names == [
        "a_b",
        "A_B (2)",
        "x" * 31,
        "x" * 27 + " (2)",
        "Contents (2)",
        "quoted",
        "Sheet",
        "ok__",
    ]
    assert all(len(n) <= 31 for n in names)


# --- shared pieces -----------------------------------------------------------------------------


def test_format_value() -> None:
    assert format_value(1234567) == "1,234,567"
    assert format_value(1234.56789) == "1,234.57"
    assert format_value(2.5) == "2.5"
    assert format_value(3.0) == "3"
    assert format_value(0.012345) == "0.01"
    assert format_value(0.505, "share") == "50.5%"
    assert format_value(float("nan")) == ""
    assert format_value(None) == ""
    assert format_value(pd.Timestamp("2024-03-01")) == "2024-03-01"
    assert format_value("=SUM(A1)") == "=SUM(A1)"


def test_render_checks_its_arguments(report: Report) -> None:
    assert FORMATS == ("pdf", "pptx", "xlsx")
    with pytest.raises(ValueError, match="Unknown report format"):
        render(report, "docx")
    with pytest.raises(ValueError, match="2 chart images for 3 sections"):
        render(report, "pdf", [None, None])


def test_control_characters_and_markup_are_shown_as_text_everywhere() -> None:
    table = pd.DataFrame(
        {"text\x01": ["<b>bold</b> &amp; x", "ctl\x00\x0b\x1fend", "\x02=cmd"], "n": [1, 2, 3]}
    )
    before = table.copy()
    report = Report("<T> & co", "sub\x07", [Section("S <1>", table=table)], {"s": table})

    page = _pdf_pages(render(report, "pdf"))[1]
    for text in ["S <1>", "<b>bold</b> &amp; x", "ctlend", "=cmd"]:
        assert text in page, text

    deck = Presentation(io.BytesIO(render(report, "pptx")))
    assert _tables(list(deck.slides)[1]) == [
        [["text", "n"], ["<b>bold</b> &amp; x", "1"], ["ctlend", "2"], ["=cmd", "3"]]
    ]

    sheet = load_workbook(io.BytesIO(render(report, "xlsx")))["s"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["text", "n"],
        ["<b>bold</b> &amp; x", 1],
        ["ctlend", 2],
        ["=cmd", 3],
    ]
    assert sheet["A4"].data_type == "s"
    pd.testing.assert_frame_equal(table, before)  # the caller's frame is left alone


def test_empty_tables_are_said_to_be_empty() -> None:
    report = Report(
        "Empty",
        sections=[
            Section("No columns", table=pd.DataFrame()),
            Section("No rows", table=pd.DataFrame({"a": [], "b": []})),
        ],
        sheets={"none": pd.DataFrame()},
    )
    pages = _pdf_pages(render(report, "pdf"))
    assert len(pages) == 3
    assert "No data." in pages[1] and "No rows." in pages[2] and "a" in pages[2].split()
    deck = Presentation(io.BytesIO(render(report, "pptx")))
    slides = list(deck.slides)
    assert len(slides) == 3
    assert _tables(slides[1]) == [] and _tables(slides[2]) == [[["a", "b"]]]
    assert load_workbook(io.BytesIO(render(report, "xlsx"))).sheetnames == ["Contents", "none"]
