"""``segstudio report``: the review pack as PDF, PowerPoint and Excel, read back; text that a
spreadsheet would run as a formula comes back as text; clear errors without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader

from segstudio.cli import main
from segstudio.ingest.workspace import Workspace
from segstudio.report import qbr

FORMULA_NAME = '=HYPERLINK("http://example.com","click")'
FORMULA_DESCRIPTION = "=1+2 bolts, zinc"
FORMULA_SUPPLIER = "=cmd|' /C calc'!A0"  # the classic spreadsheet injection
TITLES = [
    "Segment matrix",
    "KPI scorecard",
    "Service against inventory",
    "Balanced scorecard",
    "Supplier performance",
    "Inventory health",
]


@pytest.fixture(scope="module")
def packs(
    demo_workspace_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The demo workspace with a formula-like segment name (rules) and product description,
    reported in the three formats."""
    tmp = tmp_path_factory.mktemp("report")
    ws_path = tmp / "ws.duckdb"
    ws_path.write_bytes(demo_workspace_template.read_bytes())
    with Workspace(ws_path) as ws:
        skus = qbr.sheets(qbr.gather(ws))["root_cause_skus"]
        sku = str(skus["sku"].iloc[0])
    con = duckdb.connect(str(ws_path))
    con.execute(
        "UPDATE products__data SET description = ? WHERE sku = ?", [FORMULA_DESCRIPTION, sku]
    )
    biggest = con.execute(
        "SELECT supplier FROM receipts GROUP BY supplier ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    con.execute(
        "UPDATE receipts__data SET supplier = ? WHERE supplier = ?", [FORMULA_SUPPLIER, biggest]
    )
    con.close()
    rules = tmp / "rules.toml"
    rules.write_text(f"[segments.names]\nAX = '{FORMULA_NAME}'\n")
    out = {}
    for fmt in ("pdf", "pptx", "xlsx"):
        path = tmp / f"qbr.{fmt}"
        assert (
            main(
                [
                    "report",
                    "--workspace",
                    str(ws_path),
                    "--rules",
                    str(rules),
                    "--format",
                    fmt,
                    "--out",
                    str(path),
                ]
            )
            == 0
        )
        out[fmt] = path
    out["sku"] = Path(sku)
    return out


def test_pdf_has_every_story_as_text(packs: dict[str, Path]) -> None:
    reader = PdfReader(packs["pdf"])
    assert len(reader.pages) >= 1 + len(TITLES)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in TITLES:
        assert title in text
    assert "Quarterly business review" in text
    assert "Unit fill rate" in text and "strategic" in text
    assert FORMULA_NAME in text  # shown verbatim: a PDF runs nothing
    assert FORMULA_SUPPLIER in text
    assert "Chart not rendered" not in text  # Chromium is installed


def test_pptx_has_one_slide_per_story_with_native_tables(packs: dict[str, Path]) -> None:
    deck = Presentation(str(packs["pptx"]))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    for title in TITLES:
        assert any(t.startswith(title) for t in titles), title
    cells = [
        cell.text
        for s in deck.slides
        for shape in s.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert FORMULA_SUPPLIER in cells  # verbatim in a native table: a slide runs nothing
    pictures = [shape for s in deck.slides for shape in s.shapes if shape.shape_type == 13]
    assert len(pictures) >= len(TITLES) - 1  # every story with a chart has its picture


def test_xlsx_holds_the_tables_and_formulas_come_back_as_text(packs: dict[str, Path]) -> None:
    wb = load_workbook(packs["xlsx"])
    for sheet in (
        "scorecard",
        "balanced",
        "trend_by_quarter",
        "segment_matrix",
        "suppliers",
        "root_cause_skus",
        "health_by_segment",
    ):
        assert any(name.startswith(sheet[:31]) for name in wb.sheetnames), sheet
    sup = wb["suppliers"]
    header = [c.value for c in sup[1]]
    names = [row[header.index("supplier")] for row in sup.iter_rows(min_row=2)]
    cell = next(c for c in names if c.value == FORMULA_SUPPLIER)
    assert cell.data_type == "s"  # stored as text, never as a formula
    causes = wb["root_cause_skus"]
    header = [c.value for c in causes[1]]
    descriptions = [row[header.index("description")] for row in causes.iter_rows(min_row=2)]
    cell = next(c for c in descriptions if c.value == FORMULA_DESCRIPTION)
    assert cell.data_type == "s"
    score = wb["scorecard"]
    header = [c.value for c in score[1]]
    values = [row[header.index("value")].value for row in score.iter_rows(min_row=2)]
    assert any(isinstance(v, float) for v in values)  # numbers stay numbers


def test_missing_workspace_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "report",
            "--workspace",
            str(tmp_path / "none.duckdb"),
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        ]
    )
    assert code == 2
    assert "no such workspace" in capsys.readouterr().err


def test_without_chromium_the_pack_is_made_and_the_command_says_so(
    demo_workspace: Path, tmp_path: Path
) -> None:
    out = tmp_path / "qbr.pdf"
    env = {
        "PATH": "/nonexistent",
        "BROWSER_PATH": str(tmp_path / "no-chromium"),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "segstudio.cli",
            "report",
            "--workspace",
            str(demo_workspace),
            "--format",
            "pdf",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "charts not rendered" in done.stderr and "Chromium" in done.stderr
    assert "Traceback" not in done.stderr
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Chart not rendered" in text and "Segment matrix" in text


def test_long_lists_are_cut_and_the_about_sheet_says_where_the_rest_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pandas as pd

    monkeypatch.setattr(qbr, "MAX_SHEET_ROWS", 10)
    tables = {
        "dual_sourcing": pd.DataFrame({"sku": [f"S{i}" for i in range(25)]}),
        "balanced": pd.DataFrame({"segment": ["AX", "BY"]}),
    }
    out = qbr._capped(tables)
    assert list(out["dual_sourcing"]["sku"]) == [f"S{i}" for i in range(10)]  # first rows kept
    assert len(out["balanced"]) == 2
    about = out["about"].set_index("sheet")
    assert about.loc["dual_sourcing", "rows_in_full"] == 25
    assert "segstudio suppliers" in about.loc["dual_sourcing", "note"]
    assert about.loc["balanced", "note"] == ""
