"""Large tables shown a page at a time, the whole table as a download: a browser cannot take
a million rows in one message (Streamlit refuses messages above its size limit)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from segstudio.common import fmt
from segstudio.report.exports import to_csv_bytes

from . import keys
from .downloads import on_request

MAX_ROWS_SHOWN = 1_000
"""The most rows a table sends to the browser at once; longer tables get a pager."""


def show_table(
    df: pd.DataFrame,
    key: str,
    *,
    file_name: str | None = None,
    signature: str = "",
    label: str = "Download the whole table (CSV)",
    **dataframe_args: Any,
) -> None:
    """``df`` as an ``st.dataframe`` of at most :data:`MAX_ROWS_SHOWN` rows, with a pager when
    it is longer; with ``file_name``, the whole table as a CSV (formulas escaped) prepared on
    request for ``signature`` (what the table depends on)."""
    dataframe_args.setdefault("hide_index", True)
    n = len(df)
    shown = df
    if n > MAX_ROWS_SHOWN:
        pages = math.ceil(n / MAX_ROWS_SHOWN)
        page_key = keys.table_page(key)
        if st.session_state.get(page_key, 1) > pages:  # the table got shorter
            st.session_state[page_key] = pages
        page = int(st.number_input(f"Page (of {fmt.count(pages)})", 1, pages, step=1, key=page_key))
        first = (page - 1) * MAX_ROWS_SHOWN
        shown = df.iloc[first : first + MAX_ROWS_SHOWN]
        st.caption(
            f"Rows {fmt.count(first + 1)} to {fmt.count(first + len(shown))} of "
            f"{fmt.count(n)}" + ("; the download has them all." if file_name else ".")
        )
    st.dataframe(shown, key=key, **dataframe_args)
    if file_name:
        on_request(label, lambda: to_csv_bytes(df), file_name, keys.table_download(key), signature)
