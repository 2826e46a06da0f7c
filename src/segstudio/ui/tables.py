"""Tables on the pages: formatted as every other figure, and never more rows than a browser
can take.

- Each number column reads through the formatter of its kind (:mod:`segstudio.report.columns`,
  the one home of a column's kind, shared with the PDF, the slides and the workbook); missing
  values read blank or "n/a", never "None" or "nan". The numbers stay numbers underneath (a
  pandas Styler carries the display text), so a column still sorts by value when clicked;
  except a column with a missing cell, which is sent as its text (the browser draws "None" in
  a missing cell, whatever the Styler says).
- A table longer than :data:`MAX_ROWS_SHOWN` is sent a page at a time with a pager, and with
  ``file_name`` the whole table is a CSV download (formulas escaped): Streamlit refuses a
  message above its size limit, which a million rows exceed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from segstudio.common import fmt
from segstudio.report import columns
from segstudio.report.exports import to_csv_bytes

from . import keys
from .downloads import on_request

__all__ = ["KINDS", "MAX_ROWS_SHOWN", "column_kind", "show", "show_rows", "static", "styled"]

MAX_ROWS_SHOWN = 250
"""The most rows a table sends to the browser at once; longer tables get a pager. Each shown
cell is formatted in Python (common.fmt): at 1,000 rows the per-SKU tables took half a second
of the Data, Policy and Health pages' first views."""


def _text(x: object) -> str:
    if x is None or (not isinstance(x, str | list | tuple | dict) and pd.isna(x)):
        return ""
    return str(x)


def _kind(kind: str) -> Callable[[object], str]:
    return lambda x: columns.cell_text(x, kind)


KINDS: dict[str, Callable[[object], str]] = {
    **{kind: _kind(kind) for kind in columns.KINDS},
    "share2": lambda x: fmt.share(x, 2),  # small distances: 0.02%
    "date": fmt.date,
    "text": _text,
}
"""How a cell of each kind reads: the report's kinds, and dates, text and fine shares."""


def column_kind(name: str, series: pd.Series) -> str:
    """The kind of a column: from its dtype (booleans, dates, text), else from its name."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if not pd.api.types.is_numeric_dtype(series):
        if series.map(lambda v: hasattr(v, "isoformat")).any():
            return "date"
        return "text"
    return columns.column_kind(name)


def _formats(
    df: pd.DataFrame, kinds: dict[str, str] | None
) -> tuple[dict[Any, Callable[[object], str]], list[tuple[Any, np.ndarray]]]:
    """Each column's formatter (none for booleans), and the columns formatted row by row (a
    long table's value/target: the row's unit) with each row's kind."""
    chosen = dict(kinds or {})
    formats: dict[Any, Callable[[object], str]] = {}
    by_row: list[tuple[Any, np.ndarray]] = []
    for col, cells in zip(df.columns, columns.cell_kinds(df), strict=True):
        kind = chosen.get(col) or column_kind(col, df[col])
        if kind == "bool":
            continue
        if col not in chosen and cells is not None and len(set(cells)) > 1:
            by_row.append((col, cells))
        else:
            formats[col] = KINDS[kind]
    return formats, by_row


def styled(df: pd.DataFrame, kinds: dict[str, str] | None = None) -> Styler:
    """``df`` with every column shown through its kind's formatter (``kinds`` overrides)."""
    formats, by_row = _formats(df, kinds)
    style = df.style.format(formats)
    for col, cells in by_row:
        for kind in set(cells):
            rows = df.index[cells == kind]
            style = style.format(KINDS[str(kind)], subset=pd.IndexSlice[rows, [col]])
    if df.index.name is not None:  # a named index (segment) shows as text
        style = style.format_index(_text, axis=0)
    return style


def _missing_as_text(
    df: pd.DataFrame, kinds: dict[str, str] | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``df`` with each column that has a missing cell sent as its display text (and ``kinds``
    with those columns as text): the browser
    draws "None" in a missing cell whatever the Styler's text, so such a column reads "n/a"
    (or blank, for text) only as text. Complete columns stay numbers, and sort by value."""
    chosen = dict(kinds or {})
    out = df
    for j, (col, cells) in enumerate(zip(df.columns, columns.cell_kinds(df), strict=True)):
        series = df.iloc[:, j]
        if pd.api.types.is_bool_dtype(series) or not series.isna().any():
            continue
        kind = chosen.get(col) or column_kind(col, series)
        by_row = col not in chosen and cells is not None and kind not in ("text", "date")
        row_kinds = cells if by_row else [kind] * len(series)
        text = [KINDS[str(k)](v) for k, v in zip(row_kinds, series, strict=True)]
        if out is df:
            out = df.copy()
        out.isetitem(j, pd.Series(text, index=df.index, dtype=object))
        chosen[col] = "text"
    return out, chosen


def _display_text(df: pd.DataFrame, kinds: dict[str, str] | None) -> dict[str, str]:
    """Each cell's text as :func:`styled` writes it, cell id (``row<r>_col<c>``, as the
    Styler names them) -> text, for the cells whose text is not the value's ``str`` (which
    Streamlit writes for the others): the same formatters called on the same values,
    column by column."""
    formats, by_row = _formats(df, kinds)
    per_row = dict(by_row)
    out: dict[str, str] = {}
    for c, col in enumerate(df.columns):
        if col in per_row:
            cells = per_row[col]
            funcs = [KINDS[str(kind)] for kind in cells]
        elif col in formats:
            funcs = [formats[col]] * len(df)
        else:
            continue  # a boolean: the Styler's default text is the value's own
        series = df.iloc[:, c]
        plain = series.astype(str).tolist()
        for r, (value, func, raw) in enumerate(zip(series, funcs, plain, strict=True)):
            text = str(func(value))
            if text != raw:
                out[f"row{r}_col{c}"] = text
    return out


def _prerendered(df: pd.DataFrame, kinds: dict[str, str] | None) -> Styler:
    """What :func:`styled` gives Streamlit, without pandas' rendering of every cell to HTML
    parts (0.3-0.5 s for a page of 1,000 rows of 40 columns, on every rerun): a Styler of
    ``df`` whose translation is only the display text of :func:`_display_text`, which is all
    Streamlit reads of it (no CSS: the plain tables have none). The numbers stay numbers
    underneath."""
    body = [
        [{"id": cell, "display_value": text} for cell, text in _display_text(df, kinds).items()]
    ]
    style = df.style
    style._compute = lambda: style
    style._translate = lambda *args, **kwargs: {"body": body}
    return style


def _pager(n: int, key: str, whole_download: bool) -> tuple[int, int]:
    """The first row and the number of rows of the page the pager shows (all ``n`` rows when
    they are few)."""
    if n <= MAX_ROWS_SHOWN:
        return 0, n
    pages = math.ceil(n / MAX_ROWS_SHOWN)
    page_key = keys.table_page(key)
    if st.session_state.get(page_key, 1) > pages:  # the table got shorter
        st.session_state[page_key] = pages
    page = int(st.number_input(f"Page (of {fmt.count(pages)})", 1, pages, step=1, key=page_key))
    first = (page - 1) * MAX_ROWS_SHOWN
    count = min(MAX_ROWS_SHOWN, n - first)
    st.caption(
        f"Rows {fmt.count(first + 1)} to {fmt.count(first + count)} of {fmt.count(n)}"
        + ("; the download has them all." if whole_download else ".")
    )
    return first, count


def show(
    df: pd.DataFrame,
    key: str,
    *,
    kinds: dict[str, str] | None = None,
    style: Callable[[Styler], Styler] | None = None,
    file_name: str | None = None,
    signature: str = "",
    label: str = "Download the whole table (CSV)",
    **options: Any,
) -> None:
    """``st.dataframe`` of ``df`` formatted by :func:`styled` (``style``: colours on top), at
    most :data:`MAX_ROWS_SHOWN` rows at a time; with ``file_name``, the whole table as a CSV
    (formulas escaped) prepared on request for ``signature`` (what the table depends on)."""
    show_rows(
        len(df),
        lambda first, count: df.iloc[first : first + count],
        key,
        whole=lambda: df,
        kinds=kinds,
        style=style,
        file_name=file_name,
        signature=signature,
        label=label,
        **options,
    )


def show_rows(
    rows: int,
    read: Callable[[int, int], pd.DataFrame],
    key: str,
    *,
    whole: Callable[[], pd.DataFrame] | None = None,
    kinds: dict[str, str] | None = None,
    style: Callable[[Styler], Styler] | None = None,
    file_name: str | None = None,
    signature: str = "",
    label: str = "Download the whole table (CSV)",
    **options: Any,
) -> None:
    """:func:`show` of a table of ``rows`` rows that is read a page at a time:
    ``read(first, count)`` gives the rows the pager shows, and ``whole()`` the table for the
    download (called only when it is prepared)."""
    first, count = _pager(rows, key, file_name is not None)
    page = read(first, count)
    options.setdefault("hide_index", page.index.name is None)
    shown, kinds = _missing_as_text(page, kinds)
    if style is not None or not (shown.index.is_unique and shown.columns.is_unique):
        st.dataframe(
            style(styled(shown, kinds)) if style else styled(shown, kinds), key=key, **options
        )
    else:  # the same text, without pandas' HTML rendering of each cell
        st.dataframe(_prerendered(shown, kinds), key=key, **options)
    if file_name:
        if whole is None:
            raise ValueError("a download (file_name) needs the whole table (whole)")
        table = whole
        on_request(
            label, lambda: to_csv_bytes(table()), file_name, keys.table_download(key), signature
        )


def static(df: pd.DataFrame, kinds: dict[str, str] | None = None) -> None:
    """``st.table`` of a short ``df`` (drawn whole as HTML, not on a canvas), each number
    column's cells as the text of its kind (:func:`column_kind`; ``kinds`` overrides, "text"
    for an identifier such as a load number): counts with thousands separators, shares as %,
    missing as "n/a"."""
    chosen = dict(kinds or {})
    out = df.copy()
    for j, col in enumerate(df.columns):
        series = df.iloc[:, j]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if col in chosen or numeric:
            kind = chosen.get(col) or column_kind(col, series)
            out.isetitem(
                j, pd.Series([KINDS[kind](v) for v in series], index=df.index, dtype=object)
            )
    st.table(out)
