"""The sidebar every page shares: which workspace, which data."""

from __future__ import annotations

import streamlit as st

from segstudio.common import fmt

from .seg_state import alert_total, current_rules, stored_alert_total
from .state import feature_counts, get_workspace, stored_feature_counts
from .text import md_escape


def data_warnings() -> None:
    """The banner every page shows when the loaded tables barely share SKUs."""
    for warning in get_workspace().overlap_warnings():
        st.warning(md_escape(warning), icon="⚠️")


def show() -> None:
    ws = get_workspace()
    with ws.reading():  # the small reads first, opening the file once
        data_warnings()
        counts = ws.table_counts()
        rules = current_rules()[0]
        result = stored_feature_counts(rules)
        n_alerts = stored_alert_total(rules)
    with st.sidebar:
        st.caption(f"Workspace: `{ws.path}`" + (" (demo data)" if ws.is_demo() else ""))
        if result is None:  # not stored at the load: counted in the table (no copy)
            result = feature_counts(rules)
        if result is None:
            st.warning("No sales loaded yet: go to Data.")
            return
        n_skus, window = result
        st.metric("SKUs", fmt.count(n_skus))
        st.caption(
            f"Sales lines: {fmt.count(counts.get('sales', 0))} · window: "
            f"{fmt.count(window.periods, window.period)} to {fmt.date(window.last_day)}"
        )
        if n_alerts is None:
            n_alerts = alert_total()
        if n_alerts is not None:
            st.metric(
                "Boundary alerts",
                fmt.count(n_alerts),
                help="SKUs within the alert band of a segment boundary",
            )
