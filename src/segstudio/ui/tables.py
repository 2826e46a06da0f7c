"""Tables on the pages, formatted as every other figure: each number column read through the
formatter of its kind (``common.fmt``), missing values blank or "n/a", never "None" or "nan".

The numbers stay numbers underneath (a pandas Styler carries the display text), so a column
still sorts by value when clicked. A column's kind comes from its name (``revenue`` is money,
``fill_rate`` a share, ``lead_time_mean_days`` days ...) unless ``kinds`` names it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from segstudio.common import fmt

__all__ = ["KINDS", "column_kind", "show", "styled"]


def _number(x: object) -> str:
    """A plain figure (units, a CoV): whole numbers in full, else 2 decimals."""
    text = fmt.fixed(x, 2)
    if text == fmt.MISSING:
        return text
    return fmt.count(x) if float(x).is_integer() else text  # type: ignore[arg-type]


def _text(x: object) -> str:
    if x is None or (not isinstance(x, str | list | tuple | dict) and pd.isna(x)):
        return ""
    return str(x)


KINDS: dict[str, Callable[[object], str]] = {
    "share": fmt.share,
    "money": fmt.money,
    "count": fmt.count,
    "days": lambda x: fmt.fixed(x, 1),
    "ratio": lambda x: fmt.fixed(x, 2),
    "number": _number,
    "share2": lambda x: fmt.share(x, 2),  # small distances: 0.02%
    "date": fmt.date,
    "text": _text,
}
"""How a cell of each kind reads."""

_SHARE_WORDS = ("_share", "_rate", "_pct", "_csl", "share_of_")
_SHARES = {"fill", "achieved", "target", "service_target", "expected_service", "fill_rate"}
_MONEY_WORDS = ("revenue", "spend", "margin", "value", "cost", "working_capital", "price")
_RATIOS = {"gmroi", "cov", "turns", "inventory_turns", "cv2", "adi"}


def column_kind(name: str, series: pd.Series) -> str:
    """The kind of a column from its dtype and name."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if not pd.api.types.is_numeric_dtype(series):
        if series.map(lambda v: hasattr(v, "isoformat")).any():
            return "date"
        return "text"
    n = str(name).lower()
    if n in _SHARES or any(w in n for w in _SHARE_WORDS) or n.startswith("share"):
        return "share"
    if n.endswith("_days") or "_days_" in n or n.startswith("days_"):
        return "days"
    if n in _RATIOS or n.endswith("_cov"):
        return "ratio"
    if any(w in n for w in _MONEY_WORDS):
        return "money"
    if pd.api.types.is_integer_dtype(series):
        return "count"
    return "number"


def styled(df: pd.DataFrame, kinds: dict[str, str] | None = None) -> Styler:
    """``df`` with every column shown through its kind's formatter (``kinds`` overrides)."""
    chosen = dict(kinds or {})
    formats: dict[Any, Callable[[object], str]] = {}
    for col in df.columns:
        kind = chosen.get(col) or column_kind(col, df[col])
        if kind != "bool":
            formats[col] = KINDS[kind]
    style = df.style.format(formats)
    if df.index.name is not None:  # a named index (segment) shows as text
        style = style.format_index(_text, axis=0)
    return style


def show(
    df: pd.DataFrame,
    key: str,
    *,
    kinds: dict[str, str] | None = None,
    style: Callable[[Styler], Styler] | None = None,
    **options: Any,
) -> None:
    """``st.dataframe`` of ``df`` formatted by :func:`styled` (``style``: colours on top)."""
    options.setdefault("hide_index", df.index.name is None)
    s = styled(df, kinds)
    st.dataframe(style(s) if style else s, key=key, **options)
