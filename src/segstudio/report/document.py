"""The neutral model of a report (a title page, sections with a chart, a table and notes, and
the underlying tables) and the helpers its renderers share: cell text, table views, image sizes.

Table text is written as plain text everywhere: text that looks like a spreadsheet formula
(``=``, ``+``, ``-``, ``@``) is shown verbatim in the PDF and the slides, where it is inert, and
stored as a text cell in the workbook, where it is never run.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from segstudio.common import fmt
from segstudio.report.columns import cell_kinds, cell_text, column_label

__all__ = [
    "CHART_FONT_SIZE",
    "CHART_HEIGHT_PX",
    "CHART_SCALE",
    "CHART_WIDTH_PX",
    "CONTENTS_SHEET",
    "CONTROL_CHARS",
    "PDF_MAX_COLUMNS",
    "PPTX_CELL_MAX_CHARS",
    "PPTX_MAX_COLUMNS",
    "PPTX_ROWS_PER_SLIDE",
    "PPTX_ROWS_WITH_CHART",
    "Report",
    "Section",
    "TableView",
    "check_images",
    "clean_text",
    "clip_text",
    "fit_box",
    "format_value",
    "generated_stamp",
    "is_number",
    "missing_chart_line",
    "plain_frame",
    "png_size",
    "share_widths",
    "table_view",
]

CHART_WIDTH_PX = 1200
CHART_HEIGHT_PX = 650
CHART_SCALE = 1.5  # ~190 dpi across a landscape A4 page
CHART_FONT_SIZE = 15  # CSS pixels: the charts' text stays readable on a page or a slide
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
    # What the chart cannot show and the column that would let it, each line shown in every
    # format (in the chart's place when nothing can be measured, and there is then no figure).
    unmeasured: tuple[str, ...] = ()


@dataclass
class Report:
    """A report: title page text, its sections, and the underlying tables for Excel."""

    title: str
    subtitle: str = ""  # e.g. workspace, data window, rules
    sections: list[Section] = field(default_factory=list)
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)  # the tables for Excel


# ---------------------------------------------------------------------------------------------
# Shared helpers: cell text, table views, image sizes


def format_value(value: object, kind: str = "number") -> str:
    """A table cell as display text: numbers of ``kind`` (:mod:`segstudio.report.columns`: a
    share as 50.5%, money with at most 2 decimals, ...; "number": thousands separators, at most
    2 decimals, never scientific), dates as :func:`segstudio.common.fmt.date`; a missing value
    is a blank cell (not "n/a": a table with gaps reads better blank) and an infinite one "inf";
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
    if isinstance(value, numbers.Real):
        if not isinstance(value, numbers.Integral) and math.isinf(value):
            return "inf" if float(value) > 0 else "-inf"
        text = cell_text(value, kind)
        return "" if text == fmt.MISSING else text
    if isinstance(value, dt.date):  # pd.Timestamp included
        return fmt.date(value)
    return str(value)


def is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.timedelta64)


def plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a named index turned into columns and column labels flattened to text."""
    out = df.reset_index() if any(n is not None for n in df.index.names) else df
    labels = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in out.columns]
    if labels != list(out.columns):
        out = out.set_axis(labels, axis=1)
    return out


@dataclass(frozen=True)
class TableView:
    """The part of a table that is shown, as text, and a caption saying what was left out."""

    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    caption: str


def table_view(
    df: pd.DataFrame, max_rows: int, max_cols: int, clip: int = CELL_MAX_CHARS
) -> TableView:
    """The first ``max_rows`` rows and ``max_cols`` columns of ``df`` as display text."""
    frame = plain_frame(df)
    n_rows, n_cols = frame.shape
    shown = frame.iloc[: max(max_rows, 0), :max_cols]
    numeric = []
    for j in range(shown.shape[1]):
        col = shown.iloc[:, j]
        values = [v for v in col.tolist() if format_value(v) != ""]
        numeric.append(bool(values) and all(is_number(v) for v in values))
    columns = cell_kinds(shown)
    rows = [
        [
            clip_text(format_value(v, "number" if col_kinds is None else col_kinds[i]), clip)
            for v, col_kinds in zip(row, columns, strict=True)
        ]
        for i, row in enumerate(shown.itertuples(index=False, name=None))
    ]
    parts = []
    if n_cols == 0 or n_rows == 0:
        parts.append("No data" if n_cols == 0 else "No rows")
    elif n_rows > len(rows):
        parts.append(f"First {len(rows):,} of {n_rows:,} rows shown")
    if n_cols > shown.shape[1]:
        parts.append(
            f"first {shown.shape[1]} of {n_cols} columns shown (all are in the Excel export)"
        )
    caption = "; ".join(parts)
    caption = caption[:1].upper() + caption[1:] + "." if caption else ""
    return TableView([column_label(c) for c in shown.columns], rows, numeric, caption)


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """``text`` without the control characters that PDF, PowerPoint and Excel cannot hold
    (tabs and line breaks are kept; CR LF and CR become LF)."""
    return CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clip_text(text: str, limit: int = CELL_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG image, from its header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("Chart image is not a PNG.")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def fit_box(box_w: float, box_h: float, aspect: float) -> tuple[float, float]:
    """The largest width and height with ``aspect`` (height / width) inside a box."""
    width = min(box_w, box_h / aspect)
    return width, width * aspect


def share_widths(natural: Sequence[float], available: float) -> list[float]:
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


def check_images(report: Report, images: list[bytes | None] | None) -> list[bytes | None]:
    if images is None:
        return [None] * len(report.sections)
    if len(images) != len(report.sections):
        raise ValueError(f"{len(images)} chart images for {len(report.sections)} sections.")
    return list(images)


def missing_chart_line(message: str | None) -> str:
    return f"Chart not rendered: {message or NO_IMAGE_REASON}"


def generated_stamp() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")
