"""The report as a PowerPoint deck (python-pptx): native tables, charts as pictures."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide


from segstudio.report.document import (
    PPTX_CELL_MAX_CHARS,
    PPTX_MAX_COLUMNS,
    PPTX_ROWS_PER_SLIDE,
    PPTX_ROWS_WITH_CHART,
    Report,
    Section,
    TableView,
    check_images,
    clean_text,
    fit_box,
    generated_stamp,
    missing_chart_line,
    png_size,
    share_widths,
    table_view,
)

__all__ = ["to_pptx"]

# ---------------------------------------------------------------------------------------------
# PowerPoint

_SLIDE_W_IN, _SLIDE_H_IN = 13.333, 7.5
_MARGIN_IN = 0.5
_CONTENT_TOP_IN, _CONTENT_BOTTOM_IN = 1.55, 6.45
_LAYOUT_TITLE, _LAYOUT_TITLE_ONLY = 0, 5  # in python-pptx's default template


def _pptx_title(slide: Slide, text: str) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    title = slide.shapes.title
    assert title is not None  # the "Title Only" and "Title Slide" layouts have one
    title.left, title.top = Inches(_MARGIN_IN), Inches(0.3)
    title.width, title.height = Inches(_SLIDE_W_IN - 2 * _MARGIN_IN), Inches(0.8)
    title.text_frame.text = clean_text(text)
    title.text_frame.word_wrap = True
    para = title.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    for run in para.runs:
        run.font.size, run.font.bold = Pt(28 if len(text) <= 60 else 20), True


def _pptx_text(
    slide: Slide,
    lines: Sequence[str],
    left: float,
    top: float,
    width: float,
    height: float,
    size: float,
    *,
    bullets: bool = False,
    colour: str | None = None,
    bold: bool = False,
) -> None:
    """A text box (inches) with one paragraph per line."""
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = clean_text(("\u2022 " + line) if bullets else line)
        run.font.size, run.font.bold = Pt(size), bold
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)


def _pptx_table(
    slide: Slide,
    view: TableView,
    rows: Sequence[Sequence[str]],
    left: float,
    top: float,
    width: float,
    height: float,
) -> None:
    """A native PowerPoint table of ``rows`` under ``view``'s header, inside a box (inches);
    the default table style gives the header row and the banding."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    size = 11 if len(rows) <= PPTX_ROWS_WITH_CHART and len(view.header) <= 6 else 9.5
    row_h = min(height / (len(rows) + 1), 0.34)
    char_in = size * 0.55 / 72  # a rough average character width
    natural = [
        (max([len(r[j]) for r in rows] + [len(h)]) * char_in + 0.2)
        for j, h in enumerate(view.header)
    ]
    widths = share_widths(natural, width)
    shape = slide.shapes.add_table(
        len(rows) + 1,
        len(view.header),
        Inches(left),
        Inches(top),
        Inches(sum(widths)),
        Inches(row_h * (len(rows) + 1)),
    )
    table = shape.table
    for j, w in enumerate(widths):
        table.columns[j].width = Inches(w)
    for i in range(len(rows) + 1):
        table.rows[i].height = Inches(row_h)
    for i, values in enumerate([view.header, *rows]):
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.05)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.text_frame.word_wrap = True
            para = cell.text_frame.paragraphs[0]
            run = para.add_run()
            run.text = clean_text(value)
            run.font.size = Pt(size)
            if i == 0:
                run.font.bold = True
            if view.numeric[j]:
                para.alignment = PP_ALIGN.RIGHT


def _pptx_picture(
    slide: Slide, image: bytes, left: float, top: float, width: float, height: float
) -> None:
    """The chart image, as large as fits the box (inches), centred in it."""
    from pptx.util import Inches

    px_w, px_h = png_size(image)
    w, h = fit_box(width, height, px_h / px_w)
    slide.shapes.add_picture(
        io.BytesIO(image),
        Inches(left + (width - w) / 2),
        Inches(top + (height - h) / 2),
        Inches(w),
        Inches(h),
    )


def _pptx_notes(slide: Slide, lines: Sequence[str]) -> None:
    frame = slide.notes_slide.notes_text_frame
    if lines and frame is not None:
        frame.text = clean_text("\n".join(lines))


def _chunks(rows: list[list[str]], size: int) -> list[list[list[str]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


def _pptx_section(
    prs: PresentationType, section: Section, image: bytes | None, message: str | None
) -> None:
    """The slide(s) of one section: the section slide, then table slides when needed."""
    full_w = _SLIDE_W_IN - 2 * _MARGIN_IN
    content_h = _CONTENT_BOTTOM_IN - _CONTENT_TOP_IN
    view = (
        None
        if section.table is None
        else table_view(section.table, section.max_rows, PPTX_MAX_COLUMNS, clip=PPTX_CELL_MAX_CHARS)
    )
    has_chart = section.figure is not None
    beside = (
        view is not None
        and has_chart
        and len(view.rows) <= PPTX_ROWS_WITH_CHART
        and len(view.header) <= 6
    )
    footer = (
        list(section.unmeasured)
        + ([view.caption] if view is not None and view.caption else [])
        + list(section.notes)
    )
    if view is not None and not view.header:  # a table without columns: only its caption
        view = None

    slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
    _pptx_title(slide, section.title)
    if section.subtitle:
        _pptx_text(slide, [section.subtitle], _MARGIN_IN, 1.1, full_w, 0.4, 14, colour="555555")
    if footer:
        _pptx_text(
            slide,
            footer,
            _MARGIN_IN,
            _CONTENT_BOTTOM_IN + 0.1,
            full_w,
            0.85,
            10.5,
            bullets=True,
            colour="333333",
        )
    _pptx_notes(slide, footer)
    if has_chart:
        chart_w = full_w * 0.6 if beside else full_w
        if image is not None:
            _pptx_picture(slide, image, _MARGIN_IN, _CONTENT_TOP_IN, chart_w, content_h)
        else:
            _pptx_text(
                slide,
                [missing_chart_line(message)],
                _MARGIN_IN,
                _CONTENT_TOP_IN + content_h / 3,
                chart_w,
                1.0,
                16,
                colour="B71C1C",
                bold=True,
            )
        if view is not None and beside:
            _pptx_table(
                slide,
                view,
                view.rows,
                _MARGIN_IN + chart_w + 0.2,
                _CONTENT_TOP_IN,
                full_w - chart_w - 0.2,
                content_h,
            )
    if view is None or beside:
        return

    # The table on slides of its own; without a chart its first part is on the section slide.
    parts = _chunks(view.rows, PPTX_ROWS_PER_SLIDE)
    for k, rows in enumerate(parts, start=1):
        if k == 1 and not has_chart:
            target = slide
        else:
            target = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
            more = f", part {k} of {len(parts)}" if len(parts) > 1 else ""
            _pptx_title(target, f"{section.title}: table{more}")
            if view.caption:
                _pptx_text(
                    target,
                    [view.caption],
                    _MARGIN_IN,
                    _CONTENT_BOTTOM_IN + 0.1,
                    full_w,
                    0.4,
                    10.5,
                    colour="333333",
                )
        _pptx_table(target, view, rows, _MARGIN_IN, _CONTENT_TOP_IN, full_w, content_h)


def to_pptx(
    report: Report, images: list[bytes | None] | None, *, chart_message: str | None = None
) -> bytes:
    """The report as a 16:9 PowerPoint deck: a title slide, then per section a slide with its
    title, chart picture and (when it is short) the table as a native table beside the chart;
    a longer table, or one without a chart, goes on slides of its own. Notes and the
    "first N of M rows" caption go in a text box at the bottom and in the speaker notes."""
    from pptx import Presentation
    from pptx.util import Emu, Inches

    pngs = check_images(report, images)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Emu(6_858_000)  # 13.333 x 7.5 in
    prs.core_properties.title = report.title
    prs.core_properties.author = "Segmentation Studio"

    cover = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE])
    cover.shapes.title.left, cover.shapes.title.top = Inches(0.8), Inches(2.2)
    cover.shapes.title.width, cover.shapes.title.height = Inches(11.7), Inches(1.5)
    cover.shapes.title.text = clean_text(report.title)
    sub = cover.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.9), Inches(11.7), Inches(1.6)
    sub.text = clean_text(
        "\n".join(x for x in (report.subtitle, f"Generated {generated_stamp()}") if x)
    )

    for section, png in zip(report.sections, pngs, strict=True):
        _pptx_section(prs, section, png, chart_message)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
