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

import plotly.graph_objects as go

from segstudio.report.document import (
    CHART_FONT_SIZE,
    CHART_HEIGHT_PX,
    CHART_SCALE,
    CHART_WIDTH_PX,
    Report,
)
from segstudio.report.images import ChartImagesUnavailable, figures_to_png
from segstudio.report.pdf import to_pdf
from segstudio.report.slides import to_pptx
from segstudio.report.workbook import to_xlsx

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "chart_images",
    "pack_figure",
    "render",
    "render_with_charts",
]

FORMATS = ("pdf", "pptx", "xlsx")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# ---------------------------------------------------------------------------------------------
# Entry points


def render(
    report: Report,
    fmt: str,
    images: list[bytes | None] | None = None,
    *,
    chart_message: str | None = None,
) -> bytes:
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


def pack_figure(figure: go.Figure) -> go.Figure:
    """A copy of ``figure`` as the pack draws it: at the pack's image size and font size."""
    out = go.Figure(figure)
    out.update_layout(font={"size": CHART_FONT_SIZE}, width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX)
    return out


def chart_images(report: Report) -> tuple[list[bytes | None], str | None]:
    """PNG images of every section's figure (None for a section without one), rendered in one
    browser session, and None; or all None and the one-line reason when charts are unavailable.
    """
    images: list[bytes | None] = [None] * len(report.sections)
    positions = [i for i, s in enumerate(report.sections) if s.figure is not None]
    if not positions:
        return images, None
    figures = [pack_figure(s.figure) for s in report.sections if s.figure is not None]
    try:
        pngs = figures_to_png(
            figures, width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX, scale=CHART_SCALE
        )
    except ChartImagesUnavailable as exc:
        return images, str(exc)
    for i, png in zip(positions, pngs, strict=True):
        images[i] = png
    return images, None
