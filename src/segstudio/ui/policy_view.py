"""The Inventory policy page: the policy table per segment, what it costs, the trade-off curves,
the best mix of targets, seasonal safety stock and the per-SKU parameters for an ERP."""

from __future__ import annotations

from dataclasses import fields

import streamlit as st

from segstudio.common import fmt
from segstudio.config.policy_table import (
    DEMAND_MODELS,
    DEMAND_SOURCES,
    ORDER_RULES,
    SERVICE_TYPES,
    STRATEGIES,
    PolicyError,
    PolicyTable,
    SegmentPolicy,
)
from segstudio.config.rules import to_toml
from segstudio.policy import inputs, planning
from segstudio.policy.erp import erp_table
from segstudio.policy.tradeoff import (
    MEASURES,
    PORTFOLIO,
    Mix,
    PolicyFigures,
    apply_mix,
    best_mix_for_budget,
    chart_data,
    least_inventory_for_service,
    mix_comparison,
    portfolio_today,
)
from segstudio.policy.valuation import Valuation
from segstudio.report import charts
from segstudio.report.exports import to_csv_bytes, to_xlsx_bytes

from . import keys, results, tables
from .downloads import on_request
from .guard import no_sales
from .policy_state import (
    Context,
    context,
    curve_table,
    figures,
    full_window,
    policies,
    set_policy_table,
    signature,
)
from .seg_state import clear_policy_editor
from .state import get_workspace
from .text import md_escape

_MAX_ROWS_SHOWN = tables.MAX_ROWS_SHOWN  # one cap for every table
_CHOICES = {
    "strategy": STRATEGIES,
    "service_type": SERVICE_TYPES,
    "order_rule": ORDER_RULES,
    "demand_model": DEMAND_MODELS,
    "demand_source": DEMAND_SOURCES,
}
_NUMBERS = {  # field: (label, min, max, step, format)
    "review_period_days": ("Review period (days, 0 = continuous)", 0.0, 365.0, 1.0, "%.0f"),
    "periods_of_supply_weeks": ("Periods of supply (weeks per order)", 0.5, 52.0, 0.5, "%.1f"),
    "holding_rate": ("Holding rate (per year, share of the unit value)", 0.01, 1.0, 0.01, "%.2f"),
    "order_cost": ("Order cost (per order)", 0.0, 100_000.0, 5.0, "%.2f"),
    "stockout_cost": ("Stockout cost (per unit short, share of price)", 0.0, 20.0, 0.05, "%.2f"),
    "fallback_lead_time_days": ("Lead time without receipts (days)", 0.0, 730.0, 1.0, "%.0f"),
}
_TEXTS = {
    "network": "Fulfilment network",
    "transport_mode": "Transport mode",
    "supplier_tier": "Supplier tier",
}


def show() -> None:
    ctx = context()
    if ctx is None:
        no_sales()
        return
    if ctx.error:
        st.error(
            f"The segmentation sliders do not make valid rules: {md_escape(ctx.error)}. "
            "Showing the official rules."
        )
    st.caption(
        f"Segments follow the sliders of the Segmentation page "
        f"({', '.join(ctx.rules.criteria)}). The policy table is saved with the rules: "
        "adopt them as official on the Segmentation page, or download them here."
    )
    left, main = st.columns([1, 3], gap="large")
    with left:
        table = _editor(ctx)
        st.download_button(
            "Download the rules with this policy (TOML)",
            to_toml(ctx.rules.with_(policy=table)).encode(),
            "rules.toml",
            "application/toml",
            key=keys.POLICY_RULES_DL,
        )
    pol = policies(ctx, table)
    fig = figures(ctx, table, pol)
    with main:
        _headline(pol, fig)
        tabs = st.tabs(
            [
                "Trade-off curves",
                "Best mix",
                "Per segment",
                "Per SKU and export",
                "Seasonal safety stock",
            ]
        )
        curves = curve_table(ctx, table)
        with tabs[0]:
            _tradeoff_tab(curves, fig.today, fig.unvalued, fig.valued)
        with tabs[1]:
            _mix_tab(curves, fig.today, table, fig.unmeasured_mix)
        with tabs[2]:
            _segment_tab(fig, table, ctx)
        with tabs[3]:
            _sku_tab(ctx, table, pol)
        with tabs[4]:
            _seasonal_tab(ctx, table)


def _editor(ctx: Context) -> PolicyTable:
    """One segment's policy at a time; every change applies at once (and to the curves)."""
    table = ctx.rules.policy
    options = ["default", *ctx.present_segments()]
    if st.session_state.get(keys.POLICY_SEGMENT) not in options:
        st.session_state[keys.POLICY_SEGMENT] = options[1] if len(options) > 1 else "default"
    st.subheader("Policy")
    seg = st.selectbox(
        "Segment",
        options,
        key=keys.POLICY_SEGMENT,
        format_func=lambda c: "default (segments not listed)"
        if c == "default"
        else ctx.rules.segment_name(c),
    )
    current = table.default if seg == "default" else table.for_segment(seg)
    values = {}
    for f in fields(SegmentPolicy):
        key = keys.policy_field(seg, f.name)
        if key not in st.session_state:
            st.session_state[key] = getattr(current, f.name)
        if f.name == "service_target":
            values[f.name] = st.slider(
                "Service target",
                0.50,
                0.999,
                step=0.001,
                format="%.3f",
                key=key,
                help="Cycle service level or fill rate, as the service type says",
            )
        elif f.name in _CHOICES:
            choices = _CHOICES[f.name]
            values[f.name] = st.selectbox(
                f.name.replace("_", " ").capitalize(),
                list(choices),
                key=key,
                help="; ".join(f"{k}: {v}" for k, v in choices.items()),
            )
        elif f.name in _NUMBERS:
            label, lo, hi, step, fmt = _NUMBERS[f.name]
            values[f.name] = st.number_input(label, lo, hi, step=step, format=fmt, key=key)
        else:
            values[f.name] = st.text_input(_TEXTS[f.name], key=key)
    try:
        edited = SegmentPolicy(**values)
        edited.check(seg)
    except PolicyError as exc:  # shown, never a traceback; the table keeps the last good policy
        st.error(md_escape(exc))
        return table
    if edited != current:
        table = table.with_segment(seg, edited)
        set_policy_table(table)
    return table


def _headline(pol, fig: PolicyFigures) -> None:
    unstocked = fig.models.get("none", 0)
    fill, csl = portfolio_today(fig.today)
    unvalued = fig.unvalued
    valued_at = fig.valued.label
    c = st.columns(5)
    for col, label, column in (
        (c[0], "Safety stock value", "safety_stock_value"),
        (c[1], "Cycle stock value", "cycle_stock_value"),
    ):
        col.metric(
            label,
            fmt.MISSING if unvalued else fmt.compact(float(pol[column].sum())),
            help=f"Inventory value {unvalued}" if unvalued else valued_at.capitalize(),
        )
    c[2].metric(
        "Expected fill rate",
        fmt.share(fill),
        help="Demand-weighted over the stocked SKUs: the portfolio curve's 'today' marker "
        f"(Fill rate view). Its expected cycle service level is {fmt.share(csl)}.",
    )
    c[3].metric(
        "Stocked SKUs",
        fmt.count(len(pol) - unstocked),
        help=f"{fmt.count(unstocked)} not stocked (make/engineer-to-order or no demand)",
    )
    c[4].metric(
        "Non-normal model",
        fmt.count(fig.models.get("gamma", 0)),
        help="Intermittent and lumpy SKUs use a gamma lead-time demand model",
    )


def _signed(text: str) -> str:
    """A formatted change with its sign: "+0.25", "-0.10" (no sign on "n/a")."""
    return text if text.startswith("-") or text == fmt.MISSING else "+" + text


def _tradeoff_tab(curves, today, unvalued: str, valued: Valuation) -> None:
    measure = st.radio(
        "Service measured as",
        list(MEASURES),
        format_func=MEASURES.get,
        horizontal=True,
        key=keys.POLICY_MEASURE,
    )
    if curves.empty:
        st.info("No stocked SKUs: nothing to trade off.")
        return
    seg_curves, seg_today = chart_data(curves, today, measure, portfolio=False)
    st.plotly_chart(
        charts.tradeoff_figure(
            seg_curves,
            seg_today,
            MEASURES[measure],
            "Inventory against service, per segment",
            valued.short,
        ),
        key=keys.POLICY_CHART_SEGMENTS,
    )
    port_curves, port_today = chart_data(curves, today, measure, portfolio=True)
    st.plotly_chart(
        charts.tradeoff_figure(
            port_curves,
            port_today,
            MEASURES[measure],
            "The whole portfolio at one target",
            valued.short,
        ),
        key=keys.POLICY_CHART_PORTFOLIO,
    )
    fill, csl = portfolio_today(today)
    st.caption(
        "A curve point puts every stocked SKU of the segment at that target; diamonds "
        "mark today's policy. Hover a curve for the cost of the next point of service. "
        f"Portfolio today: {fmt.share(fill)} expected fill rate, {fmt.share(csl)} expected "
        f"cycle service level (demand-weighted, as the headline). Stock valued {valued.label}."
    )
    if unvalued:
        st.info(f"The curves' inventory value {unvalued}.")


def _mix_tab(curves, today, table: PolicyTable, unmeasured: str) -> None:
    if curves.empty:
        st.info("No stocked SKUs.")
        return
    if unmeasured:
        st.info(f"The best mix {unmeasured}.")
        return
    cmp = mix_comparison(curves, today)
    c = st.columns(3)
    c[0].metric(
        "Today, revenue-weighted",
        f"{fmt.share(cmp.today_service, 2)} fill rate",
        f"{fmt.compact(cmp.today_inventory)} inventory",
        delta_color="off",
        help="Fill rate weighted by each segment's revenue, which the best mix trades "
        "against inventory; the headline's expected fill rate is weighted by demand.",
    )
    if cmp.inventory_saved is not None:
        c[1].metric(
            "Same service for",
            f"{fmt.compact(cmp.inventory_saved)} less inventory",
            fmt.share(cmp.inventory_saved / cmp.today_inventory) if cmp.today_inventory else None,
        )
    if cmp.service_gained is not None:
        c[2].metric(
            "Same inventory for",
            f"{_signed(fmt.fixed(cmp.service_gained * 100, 2))} pts fill rate",
            help="Percentage points of revenue-weighted fill rate",
        )
    st.markdown("**Best mix for a budget, or the least inventory for a service level**")
    a, b = st.columns(2)
    budget = a.number_input(
        "Inventory budget",
        min_value=0.0,
        value=float(round(cmp.today_inventory)),
        step=1000.0,
        key=keys.POLICY_BUDGET,
    )
    service = b.number_input(
        "Revenue-weighted fill rate target",
        0.80,
        0.999,
        value=float(min(max(round(cmp.today_service, 3), 0.80), 0.999)),
        step=0.005,
        format="%.3f",
        key=keys.POLICY_SERVICE,
    )
    revenue = today[today["segment"] != PORTFOLIO].set_index("segment")["revenue"]
    by_budget = best_mix_for_budget(curves, revenue, budget)
    by_service = least_inventory_for_service(curves, revenue, service)
    left, right = st.columns(2)
    with left:
        _mix_panel(
            table,
            by_budget,
            "budget",
            "The budget does not cover even an 80% fill rate everywhere.",
            f"Within {fmt.money(budget)}: {{service}} revenue-weighted fill rate for "
            "{inventory} ({method}).",
        )
    with right:
        _mix_panel(
            table,
            by_service,
            "service",
            "Not reachable within a 99.9% target everywhere.",
            f"{fmt.share(service)} for {{inventory}} ({{method}}).",
        )
    st.caption(
        "Equal marginal return: each step of service goes to the segment where it buys "
        "the most revenue-weighted fill rate per unit of inventory; never worse than the "
        "best uniform target."
    )


def _mix_panel(
    table: PolicyTable, mix: Mix | None, name: str, unreachable: str, caption: str
) -> None:
    """One best-mix result (``caption`` is formatted with the texts of its service, inventory
    and method) and the button that applies it to the policy table."""
    if mix is None:
        st.warning(unreachable)
        return
    st.caption(
        caption.format(
            service=fmt.share(mix.service, 2),
            inventory=fmt.money(mix.total_inventory),
            method=mix.method,
        )
    )
    tables.show(mix.frame(), keys.policy_mix_table(name))
    if st.button("Apply these targets to the policy table", key=keys.policy_mix_apply(name)):
        set_policy_table(apply_mix(table, mix))
        clear_policy_editor()
        st.rerun()


def _segment_tab(fig: PolicyFigures, table: PolicyTable, ctx: Context) -> None:
    tables.show(fig.by_segment, keys.POLICY_SEGMENTS)
    st.markdown("**The policy table**")
    tables.show(
        table.frame(ctx.present_segments()),
        keys.POLICY_TABLE,
        kinds={"stockout_cost": "number", "order_cost": "money"},
    )


def _sku_tab(ctx: Context, table: PolicyTable, pol) -> None:
    whole = st.toggle(
        "Whole units (round levels and quantities up)", value=True, key=keys.POLICY_WHOLE_UNITS
    )
    # Row by row: the rows shown are the first of the whole export, made when downloaded.
    tables.show(erp_table(pol.head(_MAX_ROWS_SHOWN), whole_units=whole), keys.POLICY_SKUS)
    if len(pol) > _MAX_ROWS_SHOWN:
        st.caption(
            f"First {fmt.count(_MAX_ROWS_SHOWN)} of {fmt.count(len(pol), 'SKU')}; "
            "the downloads have all."
        )
    sig = signature(ctx, table) + str(whole)
    c = st.columns(2)
    with c[0]:
        on_request(
            "Download CSV for the ERP",
            lambda: to_csv_bytes(erp_table(pol, whole_units=whole)),
            "policy.csv",
            keys.POLICY_DL_CSV,
            sig,
        )
    with c[1]:
        on_request(
            "Download XLSX",
            lambda: to_xlsx_bytes({"policy": erp_table(pol, whole_units=whole)}),
            "policy.xlsx",
            keys.POLICY_DL_XLSX,
            sig,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def _seasonal_tab(ctx: Context, table: PolicyTable) -> None:
    st.caption(
        "For each calendar month, each SKU's demand mean and variability over that "
        "month's weeks of the whole history replace the year-round figures; the "
        "segment's policy then sets the month's safety stock."
    )
    sig = signature(ctx, table)
    if st.button("Compute the month-by-month profile", key=keys.POLICY_SEASONAL_GO):
        ws = get_workspace()
        window = full_window(ctx)
        with st.spinner("Reading demand by month..."):
            with ws.connect() as con:
                demand = inputs.month_demand(con, ctx.inputs.sku, window)
            profile = planning.seasonal_profile(demand, ctx.inputs, ctx.segments, table, window)
        results.keep(keys.POLICY_SEASONAL, sig, profile)
    profile = results.last(
        keys.POLICY_SEASONAL,
        sig,
        "Computed for an earlier policy or segmentation: press the button again.",
    )
    if profile is None:
        return
    st.plotly_chart(charts.seasonal_figure(profile), key=keys.POLICY_SEASONAL_CHART)
    tables.show(planning.seasonal_table(profile), keys.POLICY_SEASONAL_TABLE)
