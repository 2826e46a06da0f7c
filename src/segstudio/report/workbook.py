"""The report as an Excel workbook: a contents sheet and every underlying table."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from segstudio.report.document import (
    CONTENTS_SHEET,
    CONTROL_CHARS,
    Report,
    clean_text,
    generated_stamp,
    plain_frame,
)
from segstudio.report.exports import to_xlsx_bytes

__all__ = ["sheet_names", "to_xlsx"]

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
    out = df.set_axis([clean_text(str(c)) for c in df.columns], axis=1)
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if col.dtype != object and not pd.api.types.is_string_dtype(col):
            continue
        is_text = col.map(type).eq(str)
        bad = is_text & col.where(is_text, "").astype(str).str.contains(CONTROL_CHARS)
        if bad.any():
            out.iloc[bad.to_numpy().nonzero()[0], j] = col[bad].map(clean_text).to_numpy()
    return out


def to_xlsx(report: Report) -> bytes:
    """The report's tables as an Excel workbook: a "Contents" sheet (title, subtitle, date, one
    line per sheet: its name, the table's name in the report, rows, columns, then a "Not
    measured" line per figure a section could not show), then one sheet per
    table of ``report.sheets``. Text that looks like a formula is stored as text (see
    :func:`segstudio.exports.to_xlsx_bytes`); control characters, which a worksheet cannot hold,
    are dropped."""
    names = sheet_names(report.sheets)
    frames = [_xlsx_safe(plain_frame(df)) for df in report.sheets.values()]
    lines: list[list[object]] = [
        ["Report", report.title, None, None],
        ["Subtitle", report.subtitle, None, None],
        ["Generated", generated_stamp(), None, None],
    ]
    for name, original, frame in zip(names, report.sheets, frames, strict=True):
        lines.append([name, str(original), int(frame.shape[0]), int(frame.shape[1])])
    for section in report.sections:  # what a chart of the report could not show, and why
        lines += [["Not measured", f"{section.title}: {u}", None, None] for u in section.unmeasured]
    contents = _xlsx_safe(
        pd.DataFrame(lines, columns=["Item", "Value", "Rows", "Columns"], dtype=object)
    )
    return to_xlsx_bytes({CONTENTS_SHEET: contents, **dict(zip(names, frames, strict=True))})
