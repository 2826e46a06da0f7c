"""The Inventory health page: ageing, excess, obsolete stock and write-down exposure per segment,
and the SKUs to act on first. Segments and policies follow the Segmentation sliders and the
policy table (through :mod:`policy_state`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from segstudio.common import fmt
from segstudio.perform.health import (
    EXCESS_BASES,
    METHODS,
    HealthError,
    HealthSettings,
    act_on_first,
    ageing_chart_data,
    ageing_note,
    headline,
    segment_health,
    stock_valuation,
    value_unmeasured,
)
from segstudio.report import health_charts
from segstudio.report.exports import to_csv_bytes

from . import keys, ops_state, tables
from .downloads import on_request
from .guard import no_sales
from .ops_settings import HEALTH_DEFAULTS, init_widgets
from .policy_state import context, signature
from .state import get_workspace
from .text import md_escape

_MAX_ROWS_SHOWN = tables.MAX_ROWS_SHOWN  # one cap for every table
_DEFAULTS = HealthSettings()


def show() -> None:
    ctx = context()
    if ctx is None:
        no_sales()
        return
    ws = get_workspace()
    ageing = ops_state.ageing(ctx, _DEFAULTS.age_edges_days)
    if ageing is None:
        st.info(
            "No inventory loaded: load an inventory snapshot on the Data page to see its "
            "ageing, excess and obsolete stock."
        )
        return
    if ctx.error:
        st.error(
            f"The segmentation sliders do not make valid rules: {md_escape(ctx.error)}. "
            "Showing the official rules."
        )
    st.caption(
        f"Segments follow the sliders of the Segmentation page "
        f"({', '.join(ctx.rules.criteria)}); the order-up-to levels follow the policy "
        "table of the Inventory policy page."
    )
    left, main = st.columns([1, 3], gap="large")
    with left:
        settings = _settings()
    table = ctx.rules.policy
    skus = ops_state.health(ctx, ageing, settings)
    segments = segment_health(skus, settings)
    totals = headline(skus)
    valued = stock_valuation(skus)
    with main:
        note = ageing_note(ws.stored_columns("inventory"), totals["unknown_age_share"])
        if note:
            st.caption(note)
        unvalued = value_unmeasured(skus)
        if unvalued:
            st.warning(f"Inventory health cannot be measured: {unvalued}.")
        else:
            st.caption(f"Stock valued {valued.label}.")
        _headline(totals, settings, unvalued, valued.label)
        st.plotly_chart(
            health_charts.ageing_figure(
                ageing_chart_data(segments, settings), valued_at=valued.short
            ),
            key=keys.HEALTH_CHART,
        )
        st.markdown("**Per segment**")
        # without a cost, the value columns would all read 0: only the counts are shown
        tables.show(
            segments[["segment", "skus", "skus_with_stock"]] if unvalued else segments,
            keys.HEALTH_SEGMENTS,
        )
        _act_on_first(skus, settings, signature(ctx, table) + repr(settings), unvalued)
        with st.expander("How these figures are defined"):
            st.markdown(METHODS)


def _settings() -> HealthSettings:
    st.subheader("Settings")
    init_widgets(HEALTH_DEFAULTS)  # the QBR reads the same values (ops_settings)
    basis = st.radio(
        "Excess above",
        list(EXCESS_BASES),
        key=keys.HEALTH_BASIS,
        format_func=lambda b: "the policy's order-up-to level"
        if b == "order_up_to"
        else "weeks of cover",
        help="; ".join(f"{k}: {v}" for k, v in EXCESS_BASES.items()),
    )
    cover = st.number_input(
        "Cover limit (weeks of demand)",
        1.0,
        520.0,
        step=1.0,
        format="%.0f",
        key=keys.HEALTH_COVER_WEEKS,
        disabled=basis != "cover",
        help="With the weeks-of-cover basis: stock above this many weeks "
        "of mean weekly demand is excess",
    )
    obsolete = st.number_input(
        "Obsolete after (weeks without a sale)",
        1.0,
        520.0,
        step=1.0,
        format="%.0f",
        key=keys.HEALTH_OBSOLETE_WEEKS,
        help="No sale in this many weeks before the window's last day, or never sold",
    )
    st.markdown("**Write-down rates (% of value)**")
    rates = {
        "obsolete_rate": st.slider("Obsolete", 0, 100, key=keys.HEALTH_OBSOLETE_RATE),
        "aged_rate": st.slider(
            f"Aged (over {fmt.plain(_DEFAULTS.age_edges_days[-1])} days)",
            0,
            100,
            key=keys.HEALTH_AGED_RATE,
        ),
        "excess_rate": st.slider("Excess", 0, 100, key=keys.HEALTH_EXCESS_RATE),
    }
    try:
        return HealthSettings(
            excess_basis=basis,
            cover_weeks=float(cover),
            obsolete_weeks=float(obsolete),
            **{k: v / 100 for k, v in rates.items()},
        )
    except HealthError as exc:  # shown, never a traceback; the defaults apply meanwhile
        st.error(md_escape(exc))
        return _DEFAULTS


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _headline(
    totals: dict[str, float], settings: HealthSettings, unvalued: str, valued_at: str
) -> None:
    value = totals["value"]

    def share(x: float) -> str | None:
        return f"{fmt.share(x / value)} of value" if value else None

    def amount(x: float) -> str:  # whole units in a metric, compact: "1.02M", never "1,019,..."
        return fmt.MISSING if unvalued else fmt.compact(x)

    c = st.columns(4)
    c[0].metric(
        "On-hand value",
        amount(value),
        help=_sentence(unvalued)
        if unvalued
        else f"{_sentence(valued_at)}. {fmt.count(totals['skus_at_risk'], 'SKU')} with value "
        f"at risk ({fmt.money(totals['value_at_risk'])})",
    )
    at_risk = (
        ("Excess", "excess_value", _sentence(EXCESS_BASES[settings.excess_basis])),
        (
            "Obsolete",
            "obsolete_value",
            f"No sale in {fmt.plain(settings.obsolete_weeks)} weeks, or never sold",
        ),
        (
            "Write-down exposure",
            "write_down_exposure",
            "Each unit at the highest rate of its categories, never twice",
        ),
    )
    for col, (label, key, help_text) in zip(c[1:], at_risk, strict=True):
        col.metric(
            label,
            amount(totals[key]),
            None if unvalued else share(totals[key]),
            delta_color="off",
            help=help_text,
        )


def _act_on_first(skus: pd.DataFrame, settings: HealthSettings, sig: str, unvalued: str) -> None:
    st.markdown("**Act on first**: the SKUs with the most value at risk")
    if unvalued:
        st.info(f"No list: {unvalued}.")
        return
    shown = act_on_first(skus, settings, limit=_MAX_ROWS_SHOWN)
    if shown.empty:
        st.success("No stock is obsolete, aged or in excess under these settings.")
        return
    tables.show(shown, keys.HEALTH_ACT, kinds={"rank": "count", "weeks_since_last_sale": "days"})
    at_risk = int((skus["value_at_risk"] > 0).sum())
    if at_risk > _MAX_ROWS_SHOWN:
        st.caption(
            f"First {fmt.count(_MAX_ROWS_SHOWN)} of {fmt.count(at_risk, 'SKU')}; "
            "the download has all."
        )
    on_request(
        "Download the act-on-first list (CSV)",
        lambda: to_csv_bytes(act_on_first(skus, settings)),
        "act_on_first.csv",
        keys.HEALTH_ACT_CSV,
        sig,
    )
