"""The Simulation page: replay each SKU's policy on its own demand and on bootstrapped paths,
and share out scarce stock among an SKU's orders."""

from __future__ import annotations

import streamlit as st

from segstudio.common import fmt
from segstudio.perform import kpis
from segstudio.policy import inputs, planning
from segstudio.policy.allocation import RULES, allocate
from segstudio.policy.valuation import valuation
from segstudio.report import charts
from segstudio.report.exports import to_csv_bytes

from . import controls, keys, results, tables
from .guard import no_sales
from .policy_state import context, policies, signature, skus_by_revenue_of
from .state import get_workspace
from .text import md_escape

_RULE_LABELS = {
    "priority": "Customer class first (A customers, then B, then C)",
    "key_accounts": "Key accounts first",
    "fair_share": "Fair share (same fill for every order)",
}
_SUMMARY_COLUMNS = [
    "segment",
    "skus",
    "service_type",
    "service_target",
    "achieved",
    "achieved_fill_rate",
    "planned_fill_rate",
    "achieved_csl",
    "planned_csl",
    "average_inventory_value",
    "stockout_weeks",
    "misses_target",
]


_SKUS_LISTED = 1_000  # SKUs in the allocation's list (most revenue first); others are typed

_SIMULATED_NAMES = {  # the simulation's figures, named as the simulated measure they are
    "achieved": "simulated_service",
    "achieved_fill_rate": "simulated_fill_rate",
    "achieved_csl": "simulated_csl",
}


@st.cache_resource(max_entries=2, show_spinner=False)
def _customers(path: str, version: int):
    ws = get_workspace()
    with ws.connect() as con:
        revenue = inputs.customer_revenue(con)
    return planning.customer_priorities(revenue)


def show() -> None:
    ctx = context()
    if ctx is None:
        no_sales()
        return
    table = ctx.rules.policy
    pol = policies(ctx, table)
    tabs = st.tabs(["Simulation", "Shortage allocation"])
    with tabs[0]:
        _simulation(ctx, table, pol)
    with tabs[1]:
        _allocation(ctx)


def _simulation(ctx, table, pol) -> None:
    st.caption(
        f"Each stocked SKU's policy (Inventory policy page) replayed week by week over "
        f"the {fmt.count(ctx.window.periods, ctx.window.period)} it was set on, and over "
        "bootstrapped paths of the same weeks; each order's lead time is drawn from the "
        "SKU's receipts (else its main supplier's). Stock is checked once a "
        f"{ctx.window.period}: a continuous-review policy is replayed as a weekly check "
        "and so undershoots its reorder point."
    )
    c = st.columns(3)
    paths = c[0].slider("Bootstrapped paths per SKU", 0, 50, 20, key=keys.SIM_PATHS)
    seed = c[1].number_input("Random seed", 0, 1_000_000, 0, key=keys.SIM_SEED)
    stocked = int((pol["demand_model"] != "none").sum())
    c[2].metric(
        "SKUs to simulate",
        fmt.count(min(stocked, planning.MAX_SIMULATED_SKUS)),
        help=f"Portfolios above {fmt.count(planning.MAX_SIMULATED_SKUS)} stocked SKUs are "
        "simulated on a seeded sample",
    )
    sig = f"{signature(ctx, table)}|{paths}|{seed}"
    if st.button("Run the simulation", type="primary", key=keys.SIM_GO):
        bar = st.progress(0.0, text="Starting...")
        ws = get_workspace()
        rows, sampled = planning.simulated_rows(pol, seed=int(seed))
        bar.progress(0.0, text="Reading each SKU's demand and lead times...")
        with ws.connect() as con:  # read, then simulate with the file closed
            data = inputs.simulation_inputs(
                con, ctx.portfolio.features, pol, ctx.window, rows, sampled
            )
        run = planning.run_simulation(
            data,
            paths=int(paths),
            seed=int(seed),
            progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
        )
        bar.empty()
        results.keep(keys.SIM_RESULT, sig, run)
    run = results.last(
        keys.SIM_RESULT,
        sig,
        "Simulated for an earlier policy, segmentation or setting: run it again.",
    )
    if run is None:
        return
    summary = run.bootstrap if run.bootstrap is not None else run.history
    source = (
        fmt.count(run.paths, "bootstrapped path") if run.bootstrap is not None else "the history"
    )
    misses = summary.loc[summary["misses_target"], "segment"].tolist()
    if misses:
        st.error(f"Below target by more than one point on {source}: {', '.join(misses)}.")
    else:
        st.success(f"Every segment meets its target on {source}.")
    if run.sampled:
        st.caption(
            f"Simulated on a sample of {fmt.count(planning.MAX_SIMULATED_SKUS, 'stocked SKU')}."
        )
    st.plotly_chart(charts.service_vs_target_figure(summary), key=keys.SIM_CHART)
    st.caption(
        f"{kpis.SIMULATED_SERVICE}: not the Scorecard's {kpis.ACHIEVED_SERVICE.lower()}; "
        "the Scorecard shows both side by side."
    )
    with st.expander("How the simulated service differs from the achieved service"):
        st.markdown(kpis.SERVICE_DEFINITIONS)
    st.markdown(f"**Per segment, on {source}**", help=kpis.SERVICE_DEFINITIONS)
    st.caption(f"Average inventory value {valuation(pol).label}.")
    tables.show(summary[_SUMMARY_COLUMNS].rename(columns=_SIMULATED_NAMES), keys.SIM_SUMMARY)
    st.markdown("**Per segment, replaying the history once**")
    tables.show(run.history[_SUMMARY_COLUMNS].rename(columns=_SIMULATED_NAMES), keys.SIM_HISTORY)
    st.markdown("**Per SKU**")
    tables.show(
        run.per_sku.head(tables.MAX_ROWS_SHOWN).rename(columns=_SIMULATED_NAMES), keys.SIM_SKUS
    )
    st.download_button(
        "Download the per-SKU results (CSV)",
        to_csv_bytes(run.per_sku),
        "simulation.csv",
        "text/csv",
        key=keys.SIM_DL,
    )


def _allocation(ctx) -> None:
    st.caption(
        "An SKU short of stock: share what is available across its recent orders. "
        "Customer classes rank customers by revenue (A: the first 80%); key accounts "
        f"are the largest customers making {fmt.share(planning.KEY_ACCOUNT_SHARE, 0)} of "
        "revenue."
    )
    ws = get_workspace()
    ranked, known = skus_by_revenue_of(ctx)
    # A list of a million SKUs would be sent to the browser at every run: the list holds the
    # SKUs of most revenue, and any other SKU can be typed. The list stays the same whatever
    # is chosen (another list would be another widget, back at its first SKU).
    skus = ranked[:_SKUS_LISTED].tolist()
    typed = len(ranked) > len(skus)
    c = st.columns(4)
    if not typed:  # a typed code that is no SKU (or one gone with a load) is told below
        controls.fit(keys.ALLOC_SKU, skus)  # a kept SKU may have gone with a load
    sku = c[0].selectbox(
        "SKU",
        skus,
        key=keys.ALLOC_SKU,
        accept_new_options=typed,
        help=f"The {fmt.count(_SKUS_LISTED)} SKUs of most revenue, most first; type the "
        "code of any other"
        if typed
        else "Most revenue first",
    )
    if sku is None or (sku not in skus and sku not in known):  # the list first: no look-up
        st.warning(f"{md_escape(sku)} is not an SKU of this portfolio.")
        return
    days = c[1].number_input("Orders of the last (days)", 1, 365, 28, key=keys.ALLOC_DAYS)
    rule = c[3].radio("Rule", list(RULES), format_func=_RULE_LABELS.get, key=keys.ALLOC_RULE)
    customers = _customers(str(ws.path), ws.version())
    with ws.connect() as con:
        lines = inputs.order_lines(con, sku, int(days))
    orders = planning.with_priorities(lines, customers)
    if orders.empty:
        st.info(
            f"{md_escape(sku)} has no orders in the last {fmt.count(days, 'day')} of its sales."
        )
        return
    total = float(orders["quantity"].sum())
    available = c[2].number_input(
        "Available", 0.0, value=float(round(total / 2)), step=1.0, key=keys.ALLOC_AVAILABLE
    )
    whole = bool((orders["quantity"] % 1 == 0).all())
    result = allocate(available, orders, rule, whole_units=whole)
    m = st.columns(3)
    m[0].metric("Ordered", fmt.count(total))  # units (a fractional total is rounded)
    m[1].metric("Allocated", fmt.count(result["allocated"].sum()))
    m[2].metric("Short", fmt.count(result["short"].sum()))
    st.plotly_chart(charts.allocation_figure(result), key=keys.ALLOC_CHART)
    tables.show(result, keys.ALLOC_TABLE, kinds={"priority": "count", "tier": "count"})
