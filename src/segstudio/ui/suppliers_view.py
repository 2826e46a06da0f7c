"""The Suppliers page: each supplier's on-time, in-full, OTIF and lead time, the segments it
serves (under the Segmentation sliders' rules), suggested tiers, the quarterly trend and the
SKUs worth a second source."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from segstudio.common import fmt
from segstudio.config.rules import Rules
from segstudio.perform.suppliers import (
    ALL_SUPPLIERS,
    SEGMENT_BASES,
    SEGMENT_MEASURES,
    SupplierError,
    SupplierPerformance,
    TierRule,
    export_frames,
    segment_matrix,
    supplier_trend,
)
from segstudio.report import supplier_charts
from segstudio.report.exports import to_csv_bytes, to_xlsx_bytes

from . import keys, ops_state, tables
from .downloads import on_request
from .ops_settings import SUPPLIER_DEFAULTS, init_widgets
from .policy_state import Context, context
from .text import md_escape

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_MATRIX_ROWS = 40  # suppliers in the heatmap (the largest by spend); the table has all
_PERCENT = [
    "on_time_rate",
    "in_full_rate",
    "otif_rate",
    "spend_share",
    "a_spend_share",
    "sole_source_a_revenue_share",
    "line_share",
    "supplier_otif_rate",
]
_LABELS = {
    "on_time_rate": "On time",
    "in_full_rate": "In full",
    "otif_rate": "OTIF",
    "spend_share": "Share of spend",
    "a_spend_share": "Share of A-class spend",
    "sole_source_a_revenue_share": "Sole source: share of A revenue",
    "line_share": "Share of lines",
    "supplier_otif_rate": "Supplier OTIF",
    "lead_time_mean_days": "Lead time (days)",
    "lead_time_std_days": "Lead time std",
    "lead_time_cov": "Lead time CoV",
    "days_late_mean": "Days late (late lines)",
    "supplier_lead_time_cov": "Supplier lead time CoV",
}


def _columns(frame: pd.DataFrame) -> dict[str, st.column_config.Column]:
    """The headings; the cells are formatted by :func:`tables.show` (shares as %, money)."""
    config: dict[str, st.column_config.Column] = {}
    for col in frame.columns:
        if col in _LABELS:
            config[col] = st.column_config.Column(_LABELS[col])
        elif col in ("spend", "revenue"):
            config[col] = st.column_config.Column(col.capitalize())
    return config


def _kinds(frame: pd.DataFrame) -> dict[str, str]:
    return {c: "share" for c in _PERCENT if c in frame.columns}


def _table(frame: pd.DataFrame, key: str) -> None:
    tables.show(frame, key, kinds=_kinds(frame), column_config=_columns(frame))


def show() -> None:
    if not ops_state.has_receipts():
        st.info(
            "No supplier receipts loaded yet: load a receipts file (supplier, SKU, order "
            "date, receipt date; promised date and quantities for on time and in full) on "
            "the Data page."
        )
        return
    ctx = context()
    if ctx is None:
        st.info(
            "No sales loaded: the suppliers are shown without segments, ABC classes or revenue."
        )
    elif ctx.error:
        st.error(
            f"The segmentation sliders do not make valid rules: {md_escape(ctx.error)}. "
            "Showing the official rules."
        )
    else:
        st.caption(
            f"Segments follow the sliders of the Segmentation page "
            f"({', '.join(ctx.rules.criteria)})."
        )
    tiers, otif_below, basis = _settings()
    perf, sig = ops_state.performance(ctx, tiers, otif_below, basis)
    for note in perf.notes:
        st.info(f"Note: {note}.")
    _headline(perf)
    tabs = st.tabs(["Suppliers and tiers", "Per segment", "Quarterly trend", "Dual sourcing"])
    with tabs[0]:
        _supplier_tab(perf, tiers, sig)
    with tabs[1]:
        _segment_tab(perf)
    with tabs[2]:
        _trend_tab(perf)
    with tabs[3]:
        _dual_tab(perf, otif_below, ctx, sig)


def _settings() -> tuple[TierRule, float, str]:
    """The tier rule, the OTIF threshold of the dual-sourcing screen and the basis of the
    segment mix (the defaults when the values do not make a valid rule)."""
    default = TierRule()
    init_widgets(SUPPLIER_DEFAULTS)  # the QBR reads the same values (ops_settings)
    with st.expander("Tier and dual-sourcing rules"):
        c = st.columns(3)
        strategic = c[0].number_input(
            "Strategic: top share of spend",
            0.05,
            1.0,
            step=0.05,
            format="%.2f",
            key=keys.SUP_STRATEGIC,
            help="In the top suppliers making this share of spend and buys A-class SKUs",
        )
        preferred = c[1].number_input(
            "Preferred: top share of spend",
            0.05,
            1.0,
            step=0.05,
            format="%.2f",
            key=keys.SUP_PREFERRED,
            help="Otherwise in the top suppliers making this share of spend, or buys any "
            "A-class SKU",
        )
        sole = c[2].number_input(
            "Strategic: sole source of this share of A revenue",
            0.0,
            1.0,
            step=0.01,
            format="%.2f",
            key=keys.SUP_SOLE_SOURCE,
            help="The only supplier of A SKUs making at least this share of A-class revenue",
        )
        c = st.columns(2)
        otif_below = c[0].slider(
            "Dual sourcing: supplier OTIF below",
            0.5,
            1.0,
            step=0.01,
            format="%.2f",
            key=keys.SUP_OTIF_BELOW,
            help="Single-sourced A or long-lead-time SKUs whose supplier's OTIF is below this "
            "(or whose lead-time CoV is above the Segmentation page's limit)",
        )
        basis = c[1].radio(
            "Segment mix by",
            list(SEGMENT_BASES),
            format_func=SEGMENT_BASES.get,
            horizontal=True,
            key=keys.SUP_BASIS,
        )
    try:
        tiers = TierRule(strategic, preferred, sole)
    except SupplierError as exc:
        st.error(f"{md_escape(exc)}. Using the default tier rule.")
        tiers = default
    return tiers, otif_below, basis


def _headline(perf: SupplierPerformance) -> None:
    o = perf.overall
    counts = perf.tier_counts()
    c = st.columns(5)
    c[0].metric(
        "Suppliers",
        fmt.count(o["suppliers"]),
        help=", ".join(f"{fmt.count(n)} {t}" for t, n in counts.items()),
    )
    c[1].metric("Receipt lines", fmt.count(o["lines"]), help=fmt.count(o["skus"], "SKU"))
    c[2].metric(
        "OTIF",
        fmt.share(o["otif_rate"]),
        help="Lines on time and in full, over the lines with a promised date and both quantities",
    )
    c[3].metric(
        "On time / in full", f"{fmt.share(o['on_time_rate'])} / {fmt.share(o['in_full_rate'])}"
    )
    c[4].metric(
        "Lead time",
        fmt.days(o["lead_time_mean_days"], 1, suffix=" days"),
        help="Mean over all receipt lines; sample std "
        f"{fmt.days(o['lead_time_std_days'], 1, suffix=' days')}",
    )


def _supplier_tab(perf: SupplierPerformance, tiers: TierRule, sig: str) -> None:
    counts = perf.tier_counts()
    st.caption(
        f"Suggested tiers: {', '.join(f'{fmt.count(n)} {t}' for t, n in counts.items())}. "
        f"Strategic: in the top {fmt.share(tiers.strategic_spend, 0)} of spend and buys "
        "A-class SKUs, or the sole source of A SKUs making "
        f"{fmt.share(tiers.sole_source_a_revenue, 0)} of A revenue or more. Preferred: "
        f"otherwise in the top {fmt.share(tiers.preferred_spend, 0)} of spend, or buys any "
        "A-class SKU. Approved: the rest."
    )
    table = perf.suppliers
    _table(table, keys.SUP_TABLE)
    c = st.columns(2)  # the files' tables are rounded only when one is asked for
    with c[0]:
        on_request(
            "Download the supplier table (CSV)",
            lambda: to_csv_bytes(export_frames(perf)["suppliers"]),
            "suppliers.csv",
            keys.SUP_DL_CSV,
            sig,
        )
    with c[1]:
        on_request(
            "Download all supplier tables (XLSX)",
            lambda: to_xlsx_bytes(export_frames(perf)),
            "suppliers.xlsx",
            keys.SUP_DL_XLSX,
            sig,
            mime=_XLSX,
        )


def _segment_tab(perf: SupplierPerformance) -> None:
    measure = st.selectbox(
        "Measure",
        list(SEGMENT_MEASURES),
        key=keys.SUP_SEGMENT_MEASURE,
        format_func=lambda m: SEGMENT_MEASURES[m][0],
    )
    label, kind = SEGMENT_MEASURES[measure]
    shown = perf.suppliers["supplier"].head(_MAX_MATRIX_ROWS).tolist()
    matrix = segment_matrix(perf.by_segment, measure, shown)
    st.plotly_chart(
        supplier_charts.segment_heatmap(matrix, label, kind), key=keys.SUP_SEGMENT_CHART
    )
    if len(perf.suppliers) > len(shown):
        st.caption(
            f"The {fmt.count(len(shown))} largest suppliers by spend; the table below "
            f"has all {fmt.count(len(perf.suppliers))}."
        )
    _table(perf.by_segment, keys.SUP_SEGMENT_TABLE)


@st.fragment
def _trend_tab(perf: SupplierPerformance) -> None:
    options = [ALL_SUPPLIERS, *perf.suppliers["supplier"].tolist()]
    if st.session_state.get(keys.SUP_TREND_SUPPLIER) not in options:
        st.session_state[keys.SUP_TREND_SUPPLIER] = ALL_SUPPLIERS
    supplier = st.selectbox("Supplier", options, key=keys.SUP_TREND_SUPPLIER)
    rows = supplier_trend(perf.trend, supplier)
    st.plotly_chart(
        supplier_charts.trend_figure(rows, f"{supplier} by quarter"), key=keys.SUP_TREND_CHART
    )
    if not rows["complete"].all():
        st.caption(
            "Open markers and light bars: quarters the receipts only partly cover "
            "(the first and the last of the data); compare them with care."
        )
    _table(rows.drop(columns="supplier"), keys.SUP_TREND_TABLE)


def _dual_tab(perf: SupplierPerformance, otif_below: float, ctx: Context | None, sig: str) -> None:
    rules = ctx.rules if ctx is not None else Rules()
    st.caption(
        f"SKUs with a single supplier in the receipts, class A or with a mean lead time "
        f"above {fmt.plain(rules.leadtime_days)} days, whose supplier's OTIF is below "
        f"{fmt.share(otif_below, 0)} or lead-time CoV above {fmt.plain(rules.leadtime_cov)} "
        "(the lead-time limits are the Segmentation page's). Largest revenue first."
    )
    dual = perf.dual_sourcing
    if dual.empty:
        st.info("No dual-sourcing candidates under these rules.")
        return
    _table(dual, keys.SUP_DUAL_TABLE)
    on_request(
        "Download the candidates (CSV)",
        lambda: to_csv_bytes(dual),
        "dual_sourcing.csv",
        keys.SUP_DL_DUAL,
        sig,
    )
