"""Exports: tables to CSV and XLSX, with spreadsheet formula injection escaped (the QBR pack's
PDF, PowerPoint and workbook are in :mod:`segstudio.report`)."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from segstudio.report.columns import CSV_DECIMALS, XLSX_FORMATS, cell_kinds, column_kind

__all__ = [
    "csv_ready",
    "escape_formula",
    "escape_formulas",
    "to_csv_bytes",
    "to_xlsx_bytes",
    "write_csv",
]

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


def csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as a CSV export writes it: text that a spreadsheet would run as a formula
    escaped, and each float column rounded to the decimals of its kind
    (:data:`~segstudio.report.columns.CSV_DECIMALS`), so no float noise reaches the file."""
    out = escape_formulas(df)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(CSV_DECIMALS[column_kind(col)])
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM, so spreadsheets read accents right), formulas escaped, numbers
    rounded by kind (:func:`csv_ready`)."""
    return csv_ready(df).to_csv(index=False).encode("utf-8-sig")


def write_csv(df: pd.DataFrame, out: Path) -> None:
    """``df`` to the file ``out`` as :func:`to_csv_bytes` writes it (the command's CSVs)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_csv_bytes(df))


XLSX_MAX_ROWS = 1_048_575  # a worksheet's limit, less the header
# Control characters a workbook cannot hold (tab, newline and carriage return it can).
_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _column_values(series: pd.Series) -> tuple[list, str | None]:
    """A column as Python values for the writer (NaN and NaT as None), and its number format
    (dates and times get one, so they show as dates)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dt.tz_localize(None) if series.dt.tz is not None else series
        known = values.dropna()
        midnight = bool((known == known.dt.normalize()).all())
        return [None if pd.isna(v) else v.to_pydatetime() for v in values], (
            "yyyy-mm-dd" if midnight else "yyyy-mm-dd hh:mm"
        )
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values = series.astype(object).where(series.notna(), None).tolist()
        return [v.item() if hasattr(v, "item") else v for v in values], None
    text = series.astype(object)
    is_text = text.map(type).eq(str)
    if is_text.any():
        text = text.where(~is_text, text[is_text].str.replace(_ILLEGAL, "", regex=True))
    values = text.astype(object).where(text.notna(), None).tolist()
    fmt = "yyyy-mm-dd" if any(isinstance(v, dt.date) for v in values[:50]) else None
    return values, fmt


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table (name -> frame), header row frozen.

    Text is always written as text: a cell that starts with ``=``, ``+``, ``-`` or ``@`` comes
    back exactly as written and a spreadsheet never runs it (the writer's formula, URL and
    number conversions are off). Numbers stay numbers, with the number format of their kind
    (:mod:`segstudio.report.columns`: shares as 0.0%, money and other decimals as #,##0.00,
    counts as #,##0, days as #,##0.0). Written column by column with XlsxWriter, which is several
    times faster than openpyxl for large tables."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
        },
    )
    formats: dict[str, object] = {}
    for name, df in sheets.items():
        ws = wb.add_worksheet(name[:31])
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, [re.sub(_ILLEGAL, "", str(c)) for c in df.columns])
        body = df.head(XLSX_MAX_ROWS)
        kinds = cell_kinds(body)

        def style(num_format: str | None) -> object:
            if num_format and num_format not in formats:
                formats[num_format] = wb.add_format({"num_format": num_format})
            return formats.get(num_format) if num_format else None

        for j in range(body.shape[1]):
            values, num_format = _column_values(body.iloc[:, j])
            fmt = style(num_format)
            col_kinds = [] if kinds[j] is None else kinds[j].tolist()  # type: ignore[union-attr]
            by_kind = {k: style(XLSX_FORMATS.get(k)) for k in set(col_kinds)}
            one = next(iter(by_kind.values())) if len(by_kind) == 1 else None
            for i, v in enumerate(values, start=1):
                if v is None or (isinstance(v, float) and not math.isfinite(v)):
                    continue
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                elif isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, int | float):
                    number_style = (
                        one if one is not None or not by_kind else by_kind[col_kinds[i - 1]]
                    )
                    ws.write_number(i, j, v, number_style)
                elif isinstance(v, dt.datetime | dt.date):
                    ws.write_datetime(i, j, v, fmt)
                else:
                    ws.write_string(i, j, str(v))
    wb.close()
    return buf.getvalue()
