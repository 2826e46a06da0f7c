"""Exports: tables to CSV (and later XLSX, PDF, PPTX), with spreadsheet formula injection escaped."""

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
