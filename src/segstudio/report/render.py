"""QBR reports: a neutral model (a title page, sections with a chart, a table and notes, and
the underlying tables) and three renderers: PDF (reportlab), PowerPoint (python-pptx) and Excel
(openpyxl through :func:`segstudio.exports.to_xlsx_bytes`).

Chart images are made in one batch through Chromium (:mod:`segstudio.images`); when that is not
possible the PDF and PowerPoint are still made, with a visible "Chart not rendered: <reason>"
line in each chart's place. Table text is written as plain text everywhere: text that looks
like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) is shown verbatim in the PDF and the
slides, where it is inert, and stored as a text cell in the workbook, where it is never run.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import numbers
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from segstudio.report.exports import to_xlsx_bytes
from segstudio.report.images import ChartImagesUnavailable, figures_to_png

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Flowable

FORMATS = ("pdf", "pptx", "xlsx")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

CHART_WIDTH_PX = 1200
CHART_HEIGHT_PX = 650
CHART_SCALE = 1.5  # ~190 dpi across a landscape A4 page
PDF_MAX_COLUMNS = 8
PPTX_MAX_COLUMNS = 10
PPTX_ROWS_WITH_CHART = 12  # a longer table moves to slides of its own
PPTX_ROWS_PER_SLIDE = 15
CELL_MAX_CHARS = 300  # longer cell text is cut (with an ellipsis) in the PDF
PPTX_CELL_MAX_CHARS = 120  # slide tables cannot be measured, so keep their rows short
CONTENTS_SHEET = "Contents"
NO_IMAGE_REASON = "no chart image was made."


@dataclass
class Section:
    """One page (PDF) or slide (PowerPoint) of a report: a chart, a table and short notes."""

    title: str
    subtitle: str = ""
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None  # shown (first `max_rows` rows) under/next to the figure
    notes: tuple[str, ...] = ()  # short bullet lines (definitions, caveats)
    max_rows: int = 25


@dataclass
class Report:
    """A report: title page text, its sections, and the underlying tables for Excel."""

    title: str
    subtitle: str = ""  # e.g. workspace, data window, rules
    sections: list[Section] = field(default_factory=list)
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)  # the tables for Excel


# ---------------------------------------------------------------------------------------------
# Entry points


def render(report: Report, fmt: str, images: list[bytes | None] | None = None, *,
           chart_message: str | None = None) -> bytes:
    """The report as a file of format ``fmt`` (one of :data:`FORMATS`).

    For PDF and PowerPoint, when ``images`` is None the charts are rendered here in one batch
    (:func:`chart_images`); when they cannot be, the document is still made, with the reason in
    each chart's place. ``images`` (one entry per section, None where there is no image) and
    ``chart_message`` (the reason shown for a missing image) let a caller that already called
    :func:`chart_images` reuse its result for several formats. Excel needs no images.
    """
    kind = fmt.lower().lstrip(".")
    if kind not in FORMATS:
        raise ValueError(f"Unknown report format {fmt!r}: use one of {', '.join(FORMATS)}.")
    if kind == "xlsx":
        return to_xlsx(report)
    if images is None:
        images, chart_message = chart_images(report)
    if kind == "pdf":
        return to_pdf(report, images, chart_message=chart_message)
    return to_pptx(report, images, chart_message=chart_message)


def render_with_charts(report: Report, fmt: str) -> tuple[bytes, str | None]:
    """:func:`render`, and the one-line reason the charts are missing from a PDF or PowerPoint
    (None when they are all there, and for Excel, which has none): for a caller that must also
    tell the user."""
    if fmt.lower().lstrip(".") == "xlsx":
        return render(report, fmt), None
    images, message = chart_images(report)
    return render(report, fmt, images, chart_message=message), message


def chart_images(report: Report) -> tuple[list[bytes | None], str | None]:
    """PNG images of every section's figure (None for a section without one), rendered in one
    browser session, and None; or all None and the one-line reason when charts are unavailable.
    """
    images: list[bytes | None] = [None] * len(report.sections)
    positions = [i for i, s in enumerate(report.sections) if s.figure is not None]
    if not positions:
        return images, None
    figures = [s.figure for s in report.sections if s.figure is not None]
    try:
        pngs = figures_to_png(figures, width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX,
                              scale=CHART_SCALE)
    except ChartImagesUnavailable as exc:
        return images, str(exc)
    for i, png in zip(positions, pngs, strict=True):
        images[i] = png
    return images, None


# ---------------------------------------------------------------------------------------------
# Shared helpers: cell text, table views, image sizes


def format_value(value: object) -> str:
    """A table cell as display text: integers and floats with thousands separators, floats with
    at most 3 decimals (3 significant digits below 1), dates as ISO dates, missing as blank;
    text is returned unchanged."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, np.datetime64):
        return format_value(pd.Timestamp(value))
    if isinstance(value, np.timedelta64 | dt.timedelta):  # before numbers: numpy's is an int
        span = pd.Timedelta(value)
        return "" if span is pd.NaT else str(span)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return _format_float(float(value))
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _format_float(v: float) -> str:
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1:
        text = f"{v:,.3f}"
    elif a >= 1e-4:
        text = f"{v:.{2 - math.floor(math.log10(a))}f}"
    else:
        return f"{v:.2e}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.timedelta64)


def _plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a named index turned into columns and column labels flattened to text."""
    out = df.reset_index() if any(n is not None for n in df.index.names) else df
    labels = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in out.columns]
    if labels != list(out.columns):
        out = out.set_axis(labels, axis=1)
    return out


@dataclass(frozen=True)
class _TableView:
    """The part of a table that is shown, as text, and a caption saying what was left out."""

    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    caption: str


def _table_view(df: pd.DataFrame, max_rows: int, max_cols: int,
                clip: int = CELL_MAX_CHARS) -> _TableView:
    """The first ``max_rows`` rows and ``max_cols`` columns of ``df`` as display text."""
    frame = _plain_frame(df)
    n_rows, n_cols = frame.shape
    shown = frame.iloc[: max(max_rows, 0), :max_cols]
    numeric = []
    for j in range(shown.shape[1]):
        col = shown.iloc[:, j]
        values = [v for v in col.tolist() if format_value(v) != ""]
        numeric.append(bool(values) and all(_is_number(v) for v in values))
    rows = [[_clip(format_value(v), clip) for v in row]
            for row in shown.itertuples(index=False, name=None)]
    parts = []
    if n_cols == 0 or n_rows == 0:
        parts.append("No data" if n_cols == 0 else "No rows")
    elif n_rows > len(rows):
        parts.append(f"First {len(rows):,} of {n_rows:,} rows shown")
    if n_cols > shown.shape[1]:
        parts.append(f"first {shown.shape[1]} of {n_cols} columns shown "
                     f"(all are in the Excel export)")
    caption = "; ".join(parts)
    caption = caption[:1].upper() + caption[1:] + "." if caption else ""
    return _TableView(list(map(str, shown.columns)), rows, numeric, caption)


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    """``text`` without the control characters that PDF, PowerPoint and Excel cannot hold
    (tabs and line breaks are kept; CR LF and CR become LF)."""
    return _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _clip(text: str, limit: int = CELL_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG image, from its header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("Chart image is not a PNG.")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _fit(box_w: float, box_h: float, aspect: float) -> tuple[float, float]:
    """The largest width and height with ``aspect`` (height / width) inside a box."""
    width = min(box_w, box_h / aspect)
    return width, width * aspect


def _share_widths(natural: Sequence[float], available: float) -> list[float]:
    """Column widths: each column its natural width when all fit; otherwise narrow columns keep
    theirs and the wide ones share what is left equally (their text wraps)."""
    if sum(natural) <= available:
        return list(natural)
    widths = list(natural)
    todo = set(range(len(natural)))
    remaining = available
    while todo:
        share = remaining / len(todo)
        narrow = [i for i in todo if natural[i] <= share]
        if not narrow:
            for i in todo:
                widths[i] = share
            break
        for i in narrow:
            remaining -= natural[i]
            todo.discard(i)
    return widths


def _check_images(report: Report, images: list[bytes | None] | None) -> list[bytes | None]:
    if images is None:
        return [None] * len(report.sections)
    if len(images) != len(report.sections):
        raise ValueError(f"{len(images)} chart images for {len(report.sections)} sections.")
    return list(images)


def _missing_chart_line(message: str | None) -> str:
    return f"Chart not rendered: {message or NO_IMAGE_REASON}"


def _generated() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------------
# PDF

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@functools.cache
def _pdf_fonts() -> tuple[str, str]:
    """Regular and bold font names: DejaVu Sans when installed (wide Unicode coverage, e.g.
    "≥", "Ł"), else the built-in Helvetica (Latin-1 only)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        try:
            pdfmetrics.registerFont(TTFont("SegStudioSans", str(regular)))
            pdfmetrics.registerFont(TTFont("SegStudioSans-Bold", str(bold)))
            return "SegStudioSans", "SegStudioSans-Bold"
        except Exception:  # noqa: BLE001 - a damaged font file: fall back to Helvetica
            pass
    return "Helvetica", "Helvetica-Bold"


@functools.cache
def _pdf_styles() -> dict[str, ParagraphStyle]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    font, bold = _pdf_fonts()
    grey = colors.HexColor("#555555")
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=28, leading=34, spaceAfter=14),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=13, leading=17,
                                   textColor=grey, spaceAfter=8),
        "section": ParagraphStyle("section", fontName=bold, fontSize=18, leading=22,
                                  spaceAfter=2),
        "section_sub": ParagraphStyle("section_sub", fontName=font, fontSize=10, leading=13,
                                      textColor=grey, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=9.6, alignment=TA_LEFT),
        "cell_num": ParagraphStyle("cell_num", fontName=font, fontSize=8, leading=9.6,
                                   alignment=TA_RIGHT),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8, leading=9.6,
                               textColor=colors.white),
        "head_num": ParagraphStyle("head_num", fontName=bold, fontSize=8, leading=9.6,
                                   textColor=colors.white, alignment=TA_RIGHT),
        "caption": ParagraphStyle("caption", fontName=font, fontSize=8, leading=10,
                                  textColor=grey, spaceBefore=3),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=11.5, leftIndent=10,
                               bulletIndent=0),
        "missing": ParagraphStyle("missing", fontName=bold, fontSize=11, leading=14,
                                  textColor=colors.HexColor("#b71c1c"),
                                  backColor=colors.HexColor("#fdecea"), borderPadding=8,
                                  spaceBefore=10, spaceAfter=14),
    }


def _para(text: str, style: ParagraphStyle, bullet: str | None = None) -> Flowable:
    """A paragraph showing ``text`` verbatim (markup characters escaped, line breaks kept)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(_clean(text)).replace("\n", "<br/>"), style, bulletText=bullet)


def _pdf_table(view: _TableView, width: float) -> tuple[Flowable, float]:
    """The shown rows as a reportlab table of wrapping text cells, and its width (points)."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Table, TableStyle

    styles = _pdf_styles()
    font, bold = _pdf_fonts()
    pad = 8.0  # 4 pt each side
    natural = []
    for j, head in enumerate(view.header):
        longest = max([stringWidth(r[j], font, 8) for r in view.rows] or [0.0])
        natural.append(max(longest, stringWidth(head, bold, 8), 12.0) + pad + 1)
    widths = _share_widths(natural, width)
    data = [[_para(h, styles["head_num" if num else "head"])
             for h, num in zip(view.header, view.numeric, strict=True)]]
    for row in view.rows:
        data.append([_para(v, styles["cell_num" if num else "cell"])
                     for v, num in zip(row, view.numeric, strict=True)])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3b57")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f5f8")]),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d1d9")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table, sum(widths)


def _flow_height(flowables: Iterable[Flowable], width: float, height: float) -> float:
    return sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter()
               for f in flowables)


def _pdf_section(section: Section, image: bytes | None, message: str | None, width: float,
                 height: float) -> Flowable:
    """One section as a single flowable that fits one page (shrunk to fit when needed).

    The chart takes the room the title, table and notes leave. When a tall table would leave
    the chart less than half the page and the table is narrow, the table goes beside the chart.
    """
    from reportlab.platypus import Image, KeepInFrame, Spacer, Table, TableStyle

    styles = _pdf_styles()
    head = [_para(section.title, styles["section"])]
    if section.subtitle:
        head.append(_para(section.subtitle, styles["section_sub"]))
    table_parts: list[Flowable] = []
    table_w = 0.0
    if section.table is not None:
        view = _table_view(section.table, section.max_rows, PDF_MAX_COLUMNS)
        if view.header:
            table, table_w = _pdf_table(view, width)
            table_parts.append(table)
        if view.caption:
            table_parts.append(_para(view.caption, styles["caption"]))
    notes: list[Flowable] = []
    if section.notes:
        notes = [Spacer(1, 6)] + [_para(n, styles["note"], bullet="\u2022")
                                  for n in section.notes]
    below = [Spacer(1, 6), *table_parts] if table_parts else []

    if section.figure is None:
        content = head + below + notes
    elif image is None:
        content = head + [_para(_missing_chart_line(message), styles["missing"])] + below + notes
    else:
        aspect = _png_size(image)[1] / _png_size(image)[0]
        room = height - _flow_height(head + below + notes, width, height) - 8
        if table_parts and room < height * 0.5 and table_w <= width * 0.45:
            gap = 12.0
            side_h = height - _flow_height(head + notes, width, height) - 8
            img_w, img_h = _fit(width - table_w - gap, side_h, aspect)
            picture = Image(io.BytesIO(image), width=img_w, height=img_h)
            pair = Table([[picture, table_parts]], colWidths=[width - table_w, table_w],
                         hAlign="LEFT")
            pair.setStyle(TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]))
            content = head + [Spacer(1, 4), pair] + notes
        else:
            img_w, img_h = _fit(width, max(room, height * 0.4), aspect)
            picture = Image(io.BytesIO(image), width=img_w, height=img_h)
            picture.hAlign = "CENTER"
            content = head + [Spacer(1, 4), picture] + below + notes
    return KeepInFrame(width, height, content, mode="shrink", vAlign="TOP")


def to_pdf(report: Report, images: list[bytes | None] | None, *,
           chart_message: str | None = None) -> bytes:
    """The report as a landscape A4 PDF: a title page, then one page per section (title,
    subtitle, chart scaled to fit, table as real text, notes). A section without its image gets
    a "Chart not rendered: <chart_message>" line in the chart's place."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, KeepInFrame, PageBreak, PageTemplate
    from reportlab.platypus import Spacer as Gap

    pngs = _check_images(report, images)
    page_w, page_h = landscape(A4)
    margin = 12 * mm
    frame_w, frame_h = page_w - 2 * margin, page_h - 2 * margin
    styles = _pdf_styles()

    def footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(_pdf_fonts()[0], 7.5)
        canvas.setFillGray(0.45)
        canvas.drawString(margin, margin / 2, _clip(report.title, 120))
        canvas.drawRightString(page_w - margin, margin / 2, f"Page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=(page_w, page_h), leftMargin=margin,
                          rightMargin=margin, topMargin=margin, bottomMargin=margin,
                          title=report.title, subject=report.subtitle,
                          author="Segmentation Studio", creator="Segmentation Studio")
    frame = Frame(margin, margin, frame_w, frame_h, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])

    fit_h = frame_h - 2  # a hair of room, so rounding never pushes a page over
    cover = [Gap(1, frame_h * 0.25), _para(report.title, styles["title"])]
    if report.subtitle:
        cover.append(_para(report.subtitle, styles["subtitle"]))
    cover.append(_para(f"Generated {_generated()}", styles["subtitle"]))
    story: list[Flowable] = [KeepInFrame(frame_w, fit_h, cover, mode="shrink", vAlign="TOP")]
    for section, png in zip(report.sections, pngs, strict=True):
        story += [PageBreak(), _pdf_section(section, png, chart_message, frame_w, fit_h)]
    doc.build(story)
    return buf.getvalue()


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
    title.text_frame.text = _clean(text)
    title.text_frame.word_wrap = True
    para = title.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    for run in para.runs:
        run.font.size, run.font.bold = Pt(28 if len(text) <= 60 else 20), True


def _pptx_text(slide: Slide, lines: Sequence[str], left: float, top: float, width: float,
               height: float, size: float, *, bullets: bool = False,
               colour: str | None = None, bold: bool = False) -> None:
    """A text box (inches) with one paragraph per line."""
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = _clean(("\u2022 " + line) if bullets else line)
        run.font.size, run.font.bold = Pt(size), bold
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)


def _pptx_table(slide: Slide, view: _TableView, rows: Sequence[Sequence[str]], left: float,
                top: float, width: float, height: float) -> None:
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
    widths = _share_widths(natural, width)
    shape = slide.shapes.add_table(len(rows) + 1, len(view.header), Inches(left), Inches(top),
                                   Inches(sum(widths)), Inches(row_h * (len(rows) + 1)))
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
            run.text = _clean(value)
            run.font.size = Pt(size)
            if i == 0:
                run.font.bold = True
            if view.numeric[j]:
                para.alignment = PP_ALIGN.RIGHT


def _pptx_picture(slide: Slide, image: bytes, left: float, top: float, width: float,
                  height: float) -> None:
    """The chart image, as large as fits the box (inches), centred in it."""
    from pptx.util import Inches

    px_w, px_h = _png_size(image)
    w, h = _fit(width, height, px_h / px_w)
    slide.shapes.add_picture(io.BytesIO(image), Inches(left + (width - w) / 2),
                             Inches(top + (height - h) / 2), Inches(w), Inches(h))


def _pptx_notes(slide: Slide, lines: Sequence[str]) -> None:
    frame = slide.notes_slide.notes_text_frame
    if lines and frame is not None:
        frame.text = _clean("\n".join(lines))


def _chunks(rows: list[list[str]], size: int) -> list[list[list[str]]]:
    return [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]


def _pptx_section(prs: PresentationType, section: Section, image: bytes | None,
                  message: str | None) -> None:
    """The slide(s) of one section: the section slide, then table slides when needed."""
    full_w = _SLIDE_W_IN - 2 * _MARGIN_IN
    content_h = _CONTENT_BOTTOM_IN - _CONTENT_TOP_IN
    view = (None if section.table is None
            else _table_view(section.table, section.max_rows, PPTX_MAX_COLUMNS,
                             clip=PPTX_CELL_MAX_CHARS))
    has_chart = section.figure is not None
    beside = (view is not None and has_chart and len(view.rows) <= PPTX_ROWS_WITH_CHART
              and len(view.header) <= 6)
    footer = ([view.caption] if view is not None and view.caption else []) + list(section.notes)
    if view is not None and not view.header:  # a table without columns: only its caption
        view = None

    slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
    _pptx_title(slide, section.title)
    if section.subtitle:
        _pptx_text(slide, [section.subtitle], _MARGIN_IN, 1.1, full_w, 0.4, 14, colour="555555")
    if footer:
        _pptx_text(slide, footer, _MARGIN_IN, _CONTENT_BOTTOM_IN + 0.1, full_w, 0.85, 10.5,
                   bullets=True, colour="333333")
    _pptx_notes(slide, footer)
    if has_chart:
        chart_w = full_w * 0.6 if beside else full_w
        if image is not None:
            _pptx_picture(slide, image, _MARGIN_IN, _CONTENT_TOP_IN, chart_w, content_h)
        else:
            _pptx_text(slide, [_missing_chart_line(message)], _MARGIN_IN,
                       _CONTENT_TOP_IN + content_h / 3, chart_w, 1.0, 16, colour="B71C1C",
                       bold=True)
        if view is not None and beside:
            _pptx_table(slide, view, view.rows, _MARGIN_IN + chart_w + 0.2, _CONTENT_TOP_IN,
                        full_w - chart_w - 0.2, content_h)
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
                _pptx_text(target, [view.caption], _MARGIN_IN, _CONTENT_BOTTOM_IN + 0.1, full_w,
                           0.4, 10.5, colour="333333")
        _pptx_table(target, view, rows, _MARGIN_IN, _CONTENT_TOP_IN, full_w, content_h)


def to_pptx(report: Report, images: list[bytes | None] | None, *,
            chart_message: str | None = None) -> bytes:
    """The report as a 16:9 PowerPoint deck: a title slide, then per section a slide with its
    title, chart picture and (when it is short) the table as a native table beside the chart;
    a longer table, or one without a chart, goes on slides of its own. Notes and the
    "first N of M rows" caption go in a text box at the bottom and in the speaker notes."""
    from pptx import Presentation
    from pptx.util import Emu, Inches

    pngs = _check_images(report, images)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Emu(6_858_000)  # 13.333 x 7.5 in
    prs.core_properties.title = report.title
    prs.core_properties.author = "Segmentation Studio"

    cover = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE])
    cover.shapes.title.left, cover.shapes.title.top = Inches(0.8), Inches(2.2)
    cover.shapes.title.width, cover.shapes.title.height = Inches(11.7), Inches(1.5)
    cover.shapes.title.text = _clean(report.title)
    sub = cover.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.9), Inches(11.7), Inches(1.6)
    sub.text = _clean("\n".join(x for x in (report.subtitle, f"Generated {_generated()}") if x))

    for section, png in zip(report.sections, pngs, strict=True):
        _pptx_section(prs, section, png, chart_message)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Excel

_SHEET_BAD_CHARS = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEETS = (CONTENTS_SHEET, "History")  # "History" is reserved by Excel


def sheet_names(names: Iterable[str], reserved: Iterable[str] = _RESERVED_SHEETS) -> list[str]:
    """Valid, unique Excel sheet names for ``names``, in order: no ``[]:*?/\\`` or control
    characters, no leading/trailing apostrophe, at most 31 characters, unique ignoring case
    (a repeat gets " (2)", " (3)", ...) and none of ``reserved``."""
    taken = {r.casefold() for r in reserved}
    out = []
    for name in names:
        text = "".join(ch for ch in str(name) if ch.isprintable())
        base = _SHEET_BAD_CHARS.sub("_", text).strip().strip("'")[:31].strip().strip("'")
        base = base or "Sheet"
        candidate, k = base, 2
        while candidate.casefold() in taken:
            suffix = f" ({k})"
            candidate = base[: 31 - len(suffix)].rstrip().rstrip("'") + suffix
            k += 1
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def _xlsx_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with control characters removed from its text cells and labels, which a worksheet
    cannot hold (openpyxl refuses them); cells without any are left as they are."""
    out = df.set_axis([_clean(str(c)) for c in df.columns], axis=1)
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if col.dtype != object and not pd.api.types.is_string_dtype(col):
            continue
        is_text = col.map(type).eq(str)
        bad = is_text & col.where(is_text, "").astype(str).str.contains(_CONTROL_CHARS)
        if bad.any():
            out.iloc[bad.to_numpy().nonzero()[0], j] = col[bad].map(_clean).to_numpy()
    return out


def to_xlsx(report: Report) -> bytes:
    """The report's tables as an Excel workbook: a "Contents" sheet (title, subtitle, date, one
    line per sheet: its name, the table's name in the report, rows, columns), then one sheet per
    table of ``report.sheets``. Text that looks like a formula is stored as text (see
    :func:`segstudio.exports.to_xlsx_bytes`); control characters, which a worksheet cannot hold,
    are dropped."""
    names = sheet_names(report.sheets)
    frames = [_xlsx_safe(_plain_frame(df)) for df in report.sheets.values()]
    lines: list[list[object]] = [
        ["Report", report.title, None, None],
        ["Subtitle", report.subtitle, None, None],
        ["Generated", _generated(), None, None],
    ]
    for name, original, frame in zip(names, report.sheets, frames, strict=True):
        lines.append([name, str(original), int(frame.shape[0]), int(frame.shape[1])])
    contents = _xlsx_safe(pd.DataFrame(lines, columns=["Item", "Value", "Rows", "Columns"],
                                       dtype=object))
    return to_xlsx_bytes({CONTENTS_SHEET: contents, **dict(zip(names, frames, strict=True))})
