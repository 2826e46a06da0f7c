"""Exports: tables to CSV and XLSX, with spreadsheet formula injection escaped (the QBR pack's
PDF, PowerPoint and workbook are in :mod:`segstudio.report`)."""

from __future__ import annotations

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """Prefix a text that a spreadsheet would run as a formula with an apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are safe to open in a spreadsheet (vectorised)."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            is_text = series.map(type).eq(str) if series.dtype == object else series.notna()
            risky = is_text & series.astype(str).str.startswith(_FORMULA_STARTS)
            if risky.any():
                out.loc[risky, col] = "'" + series[risky].astype(str)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM, so spreadsheets read accents right), formulas escaped."""
    return escape_formulas(df).to_csv(index=False).encode("utf-8-sig")


XLSX_MAX_ROWS = 1_048_575  # a worksheet's limit, less the header


def _xlsx_value(ws: object, value: object) -> object:
    """A cell value for openpyxl: text that looks like a formula is written as text (type
    ``s``), so it comes back exactly as written and a spreadsheet never runs it."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a sheet cannot hold
        if value.startswith(_FORMULA_STARTS):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
        return value
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table (name -> frame), header row frozen."""
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        ws.freeze_panes = "A2"
        ws.append([_xlsx_value(ws, str(c)) for c in df.columns])
        for row in df.head(XLSX_MAX_ROWS).itertuples(index=False, name=None):
            ws.append([_xlsx_value(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
