"""How a table's figures read, from their column names: one kind per column (a share, money,
a count, days, a ratio, a quantity), so the PDF, the slides, the workbook and the QBR page show
``revenue_share`` 0.505 as 50.5% and ``revenue`` 9562027.754 as 9,562,028 alike.

The text comes from :mod:`segstudio.common.fmt`; the workbook keeps numbers as numbers and
gives them the matching Excel number format (:data:`XLSX_FORMATS`).

>>> column_kind("revenue_share"), column_kind("spend"), column_kind("lead_time_mean_days")
('share', 'money', 'days')
>>> cell_text(0.505, "share"), cell_text(-1.04e-07, "share"), cell_text(371118.1095, "money")
('50.5%', '0.0%', '371,118')
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from segstudio.common import fmt

__all__ = [
    "CSV_DECIMALS",
    "KINDS",
    "XLSX_FORMATS",
    "cell_kinds",
    "cell_text",
    "column_kind",
    "column_label",
]

KINDS = ("share", "money", "count", "days", "ratio", "quantity", "number")

CSV_DECIMALS = {
    "share": 8,
    "money": 2,
    "count": 0,
    "days": 6,
    "ratio": 8,
    "quantity": 8,
    "number": 10,
}
"""Decimals a CSV export keeps per kind: money to the cent, the rest with room to compute on,
and never a float's noise (694.7199999999999 reads 694.72)."""

XLSX_FORMATS = {
    "share": "0.0%",
    "money": "#,##0.00",
    "count": "#,##0",
    "days": "#,##0.0",
    "ratio": "#,##0.00",
    "quantity": "#,##0.0",
    "number": "#,##0.00",
}

# A name is lower-cased with spaces as underscores, then checked kind by kind, in this order.
_SHARE_ENDS = ("_share", "_rate", "_pct", "fill_rate", "accuracy", "_csl", "_service")
_SHARE_NAMES = {"share", "rate", "otif", "csl", "service_target", "service_level", "target"}
_SHARE_NAMES |= {"achieved", "service_vs_target", "expected_service", "fill"}
_DAYS_ENDS = ("_days", "_weeks")
_DAYS_STARTS = ("days_", "weeks_")
_RATIO_NAMES = {"cov", "cv2", "adi", "gmroi", "inventory_turns", "turns", "ratio"}
_RATIO_ENDS = ("_cov", "_ratio", "_turns")
_COUNT_NAMES = {"skus", "lines", "rows", "rows_in_full", "columns", "rank", "orders"}
_COUNT_NAMES |= {"customers", "suppliers", "sections"}
_COUNT_PARTS = ("skus_", "_skus")
_MONEY_PARTS: tuple[str, ...] = ("revenue", "margin", "spend", "value", "cost", "price")
_MONEY_PARTS += ("exposure", "capital", "amount", "budget", "saving")
_QUANTITY_PARTS: tuple[str, ...] = (
    "units",
    "quantity",
    "qty",
    "on_hand",
    "on_order",
    "stock",
    "reorder",
)
_QUANTITY_PARTS += ("order_up_to", "demand")
# The unit column of a long table (the scorecard's) names each row's kind.
_UNIT_KINDS = {"rate": "share", "share": "share", "ratio": "ratio", "days": "days"}
_PER_ROW = ("value", "target")


def column_kind(name: object) -> str:
    """The kind of a numeric column from its name (one of :data:`KINDS`; "number" when the
    name says nothing)."""
    n = re.sub(r"\s+", "_", str(name).strip().lower())
    if n in _SHARE_NAMES or n.endswith(_SHARE_ENDS) or n.startswith("share_"):
        return "share"
    if n.endswith(_DAYS_ENDS) or n.startswith(_DAYS_STARTS):
        return "days"
    if n in _RATIO_NAMES or n.endswith(_RATIO_ENDS):
        return "ratio"
    if n in _COUNT_NAMES or any(part in n for part in _COUNT_PARTS):
        return "count"
    if any(part in n for part in _MONEY_PARTS):
        return "money"
    if any(part in n for part in _QUANTITY_PARTS):
        return "quantity"
    return "number"


def column_label(name: object) -> str:
    """A column's heading for people: ``lead_time_mean_days`` reads "lead time mean days"."""
    return str(name).replace("_", " ").strip() or str(name)


def cell_kinds(df: pd.DataFrame) -> list[np.ndarray | None]:
    """Each column's kind, cell by cell (an object array of kinds; None for a column of
    dates, booleans or categories), by position: by the column's name, except a long table's
    ``value`` and ``target``, whose kind is the row's ``unit`` (rate, ratio, days)."""
    out: list[np.ndarray | None] = []
    units = (
        df["unit"].map(lambda u: _UNIT_KINDS.get(str(u))).to_numpy(dtype=object)
        if "unit" in df.columns
        else None
    )
    for j, col in enumerate(df.columns):
        series = df.iloc[:, j]
        if pd.api.types.is_bool_dtype(series) or not (
            pd.api.types.is_numeric_dtype(series) or series.dtype == object
        ):
            out.append(None)
            continue
        kinds = np.full(len(df), column_kind(col), dtype=object)
        if units is not None and str(col) in _PER_ROW:
            kinds = np.where(pd.isna(units), kinds, units)
        out.append(kinds)
    return out


def cell_text(value: object, kind: str) -> str:
    """A number as text of its kind ("" for a missing or non-finite value is the caller's
    choice: this returns :data:`fmt.MISSING`)."""
    if kind == "share":
        return fmt.share(value)
    if kind == "money":
        return fmt.money(value)
    if kind == "count":
        return fmt.count(value)
    if kind == "days":
        return fmt.fixed(value, 1)
    if kind == "ratio":
        return fmt.fixed(value, 2)
    if kind == "quantity":
        v = float(value)  # type: ignore[arg-type]
        return fmt.fixed(value, 0 if not np.isfinite(v) or v == round(v) else 1)
    return _plain_number(value)


def _plain_number(value: object) -> str:
    """A number of no known kind: thousands separators and at most 2 decimals, trailing zeros
    dropped, never scientific: 1,234.57, 2.5, 7; a value too small to show reads 0."""
    text = fmt.fixed(value, 2)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
