"""The report as a PDF (reportlab): one landscape A4 page per section."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Flowable


from segstudio.report.document import (
    PDF_MAX_COLUMNS,
    Report,
    Section,
    TableView,
    check_images,
    clean_text,
    clip_text,
    fit_box,
    generated_stamp,
    missing_chart_line,
    png_size,
    share_widths,
    table_view,
)

__all__ = ["to_pdf"]

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
        "subtitle": ParagraphStyle(
            "subtitle", fontName=font, fontSize=13, leading=17, textColor=grey, spaceAfter=8
        ),
        "section": ParagraphStyle("section", fontName=bold, fontSize=18, leading=22, spaceAfter=2),
        "section_sub": ParagraphStyle(
            "section_sub", fontName=font, fontSize=10, leading=13, textColor=grey, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=9.6, alignment=TA_LEFT),
        "cell_num": ParagraphStyle(
            "cell_num", fontName=font, fontSize=8, leading=9.6, alignment=TA_RIGHT
        ),
        "head": ParagraphStyle(
            "head", fontName=bold, fontSize=8, leading=9.6, textColor=colors.white
        ),
        "head_num": ParagraphStyle(
            "head_num",
            fontName=bold,
            fontSize=8,
            leading=9.6,
            textColor=colors.white,
            alignment=TA_RIGHT,
        ),
        "caption": ParagraphStyle(
            "caption", fontName=font, fontSize=8, leading=10, textColor=grey, spaceBefore=3
        ),
        "note": ParagraphStyle(
            "note", fontName=font, fontSize=9, leading=11.5, leftIndent=10, bulletIndent=0
        ),
        "missing": ParagraphStyle(
            "missing",
            fontName=bold,
            fontSize=11,
            leading=14,
            textColor=colors.HexColor("#b71c1c"),
            backColor=colors.HexColor("#fdecea"),
            borderPadding=8,
            spaceBefore=10,
            spaceAfter=14,
        ),
        "unmeasured": ParagraphStyle(
            "unmeasured",
            fontName=font,
            fontSize=10,
            leading=13,
            textColor=colors.HexColor("#0d47a1"),
            backColor=colors.HexColor("#e3f2fd"),
            borderPadding=6,
            spaceBefore=8,
            spaceAfter=8,
        ),
    }


def _para(text: str, style: ParagraphStyle, bullet: str | None = None) -> Flowable:
    """A paragraph showing ``text`` verbatim (markup characters escaped, line breaks kept)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(clean_text(text)).replace("\n", "<br/>"), style, bulletText=bullet)


def _pdf_table(view: TableView, width: float) -> tuple[Flowable, float]:
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
    widths = share_widths(natural, width)
    data = [
        [
            _para(h, styles["head_num" if num else "head"])
            for h, num in zip(view.header, view.numeric, strict=True)
        ]
    ]
    for row in view.rows:
        data.append(
            [
                _para(v, styles["cell_num" if num else "cell"])
                for v, num in zip(row, view.numeric, strict=True)
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3b57")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f5f8")]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d1d9")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table, sum(widths)


def _flow_height(flowables: Iterable[Flowable], width: float, height: float) -> float:
    return sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def _pdf_section(
    section: Section, image: bytes | None, message: str | None, width: float, height: float
) -> Flowable:
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
        view = table_view(section.table, section.max_rows, PDF_MAX_COLUMNS)
        if view.header:
            table, table_w = _pdf_table(view, width)
            table_parts.append(table)
        if view.caption:
            table_parts.append(_para(view.caption, styles["caption"]))
    notes: list[Flowable] = []
    if section.notes:
        notes = [Spacer(1, 6)] + [_para(n, styles["note"], bullet="\u2022") for n in section.notes]
    below = [Spacer(1, 6), *table_parts] if table_parts else []
    head += [_para(line, styles["unmeasured"]) for line in section.unmeasured]

    if section.figure is None:
        content = head + below + notes
    elif image is None:
        content = head + [_para(missing_chart_line(message), styles["missing"])] + below + notes
    else:
        aspect = png_size(image)[1] / png_size(image)[0]
        room = height - _flow_height(head + below + notes, width, height) - 8
        if table_parts and room < height * 0.5 and table_w <= width * 0.45:
            gap = 12.0
            side_h = height - _flow_height(head + notes, width, height) - 8
            img_w, img_h = fit_box(width - table_w - gap, side_h, aspect)
            picture = Image(io.BytesIO(image), width=img_w, height=img_h)
            pair = Table(
                [[picture, table_parts]], colWidths=[width - table_w, table_w], hAlign="LEFT"
            )
            pair.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ]
                )
            )
            content = head + [Spacer(1, 4), pair] + notes
        else:
            img_w, img_h = fit_box(width, max(room, height * 0.4), aspect)
            picture = Image(io.BytesIO(image), width=img_w, height=img_h)
            picture.hAlign = "CENTER"
            content = head + [Spacer(1, 4), picture] + below + notes
    return KeepInFrame(width, height, content, mode="shrink", vAlign="TOP")


def to_pdf(
    report: Report, images: list[bytes | None] | None, *, chart_message: str | None = None
) -> bytes:
    """The report as a landscape A4 PDF: a title page, then one page per section (title,
    subtitle, chart scaled to fit, table as real text, notes). A section without its image gets
    a "Chart not rendered: <chart_message>" line in the chart's place."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, KeepInFrame, PageBreak, PageTemplate
    from reportlab.platypus import Spacer as Gap

    pngs = check_images(report, images)
    page_w, page_h = landscape(A4)
    margin = 12 * mm
    frame_w, frame_h = page_w - 2 * margin, page_h - 2 * margin
    styles = _pdf_styles()

    def footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(_pdf_fonts()[0], 7.5)
        canvas.setFillGray(0.45)
        canvas.drawString(margin, margin / 2, clip_text(report.title, 120))
        canvas.drawRightString(page_w - margin, margin / 2, f"Page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=(page_w, page_h),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=report.title,
        subject=report.subtitle,
        author="Segmentation Studio",
        creator="Segmentation Studio",
    )
    frame = Frame(
        margin,
        margin,
        frame_w,
        frame_h,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])

    fit_h = frame_h - 2  # a hair of room, so rounding never pushes a page over
    cover = [Gap(1, frame_h * 0.25), _para(report.title, styles["title"])]
    if report.subtitle:
        cover.append(_para(report.subtitle, styles["subtitle"]))
    cover.append(_para(f"Generated {generated_stamp()}", styles["subtitle"]))
    story: list[Flowable] = [KeepInFrame(frame_w, fit_h, cover, mode="shrink", vAlign="TOP")]
    for section, png in zip(report.sections, pngs, strict=True):
        story += [PageBreak(), _pdf_section(section, png, chart_message, frame_w, fit_h)]
    doc.build(story)
    return buf.getvalue()
