"""The sidebar every page shares: which workspace, which data."""

from __future__ import annotations

import streamlit as st

from .seg_state import alert_total
from .state import get_features, get_workspace


def show() -> None:
    ws = get_workspace()
    with st.sidebar:
        st.caption(f"Workspace: `{ws.path}`")
        counts = ws.table_counts()
        result = get_features()
        if result is None:
            st.warning("No sales loaded yet: go to Data.")
            return
        features, window = result
        st.metric("SKUs", f"{len(features):,}")
        st.caption(
            f"Sales lines: {counts.get('sales', 0):,} · window: {window.periods} "
            f"{window.period}s to {window.last_day}"
        )
        n_alerts = alert_total()
        if n_alerts is not None:
            st.metric("Boundary alerts", f"{n_alerts:,}",
                      help="SKUs within the alert band of a segment boundary")
