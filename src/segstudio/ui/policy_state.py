"""State shared by the policy and simulation pages: the segmented portfolio under the sliders'
rules, each SKU's policy inputs (once per data load), and the curves (once per policy and
segmentation)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import streamlit as st

from segstudio.config.policy_table import PolicyTable
from segstudio.config.rules import Rules
from segstudio.features.build import FeatureSettings, Window, analysis_window
from segstudio.features.classes import ClassCuts
from segstudio.forecast.store import current_run_token, plans_on_forecast, policy_demand
from segstudio.perform.io import stored_curves, stored_figures, stored_levels
from segstudio.policy.planning import skus_by_revenue
from segstudio.policy.sku import SkuInputs, policies_from_inputs
from segstudio.policy.tradeoff import PolicyFigures, curves, curves_key, policy_figures
from segstudio.segment.segmentation import Portfolio, Segmentation

from . import keys
from .seg_state import current_rules, get_portfolio, init_rules, official, segmentations
from .state import get_workspace


@dataclass
class Context:
    portfolio: Portfolio
    window: Window
    rules: Rules
    segmentation: Segmentation
    inputs: SkuInputs
    error: str | None  # the sliders' values did not make valid rules (the official ones are used)
    keys: dict[PolicyTable, str] = field(default_factory=dict, repr=False)  # curves_key per table
    forecast: str = ""  # the stored forecast run the inputs hold (current_run_token), "" none

    @property
    def segments(self) -> np.ndarray:
        return self.segmentation.segment

    def present_segments(self) -> list[str]:
        # From the codes: not a million labels spelled out and hashed.
        return sorted(str(label) for label in self.segmentation.present_labels())


@st.cache_resource(max_entries=4, show_spinner=False)
def _inputs(
    path: str,
    version: int,
    weeks: int,
    exclude: tuple[str, ...],
    cuts: ClassCuts,
    forecast: str,
    _portfolio: Portfolio,
) -> SkuInputs:
    # ``forecast``: the stored forecast run the inputs take (current_run_token), "" for none
    ws = get_workspace()
    return SkuInputs.from_features(_portfolio.features, policy_demand(ws) if forecast else None)


def context() -> Context | None:
    """The portfolio segmented under the rules the sliders hold, or None with no sales."""
    init_rules(official())
    rules, error = current_rules()
    loaded = get_portfolio(rules)
    if loaded is None:
        return None
    portfolio, window = loaded
    current, _ = segmentations(portfolio, rules)
    ws = get_workspace()
    forecast = current_run_token(ws)
    x = _inputs(
        str(ws.path),
        ws.version(),
        rules.weeks,
        tuple(sorted(rules.exclude)),
        ClassCuts.from_rules(rules),
        forecast,
        portfolio,
    )
    return Context(portfolio, window, rules, current, x, error, forecast=forecast)


@st.cache_resource(max_entries=4, show_spinner=False)
def _ranked(
    path: str,
    version: int,
    weeks: int,
    exclude: tuple[str, ...],
    cuts: ClassCuts,
    _inputs: SkuInputs,
) -> tuple[np.ndarray, pd.Index]:
    ranked = skus_by_revenue(_inputs.sku, _inputs.revenue)
    return ranked, pd.Index(ranked)


def skus_by_revenue_of(ctx: Context) -> tuple[np.ndarray, pd.Index]:
    """The portfolio's SKUs, most revenue first (:func:`skus_by_revenue`), and the same as an
    index to look an SKU code up in: once per data version and window (read only)."""
    ws = get_workspace()
    rules = ctx.rules
    return _ranked(
        str(ws.path),
        ws.version(),
        rules.weeks,
        tuple(sorted(rules.exclude)),
        ClassCuts.from_rules(rules),
        ctx.inputs,
    )


def set_policy_table(table: PolicyTable) -> None:
    st.session_state[keys.rule("policy")] = table


@st.cache_resource(max_entries=4, show_spinner="Setting each SKU's policy...")
def _shared_policies(
    path: str, version: int, key: str, _ctx: Context, _table: PolicyTable
) -> pd.DataFrame:
    # ``key`` (:func:`curves_key`) names the segments, the rules and each segment's policy;
    # the official ones' service levels were stored at the load.
    known = stored_levels(get_workspace(), key, len(_ctx.inputs))
    return policies_from_inputs(
        _ctx.inputs, _ctx.segments, _table, known_levels=known, read_only=True
    )


def policies(ctx: Context, table: PolicyTable) -> pd.DataFrame:
    """Each SKU's policy under ``table`` (:func:`compute_policies`): computed once per data
    version, segments, rules and policy table, and shared by every page and session (read
    only: the caller gets a shallow copy, whose columns it may replace but never its cells;
    those the inputs give refuse writes)."""
    ws = get_workspace()
    shared = _shared_policies(str(ws.path), ws.version(), _curves_key(ctx, table), ctx, table)
    return shared.copy(deep=False)


def signature(ctx: Context, table: PolicyTable) -> str:
    """What the policy figures depend on: the segments, the rules with ``table``, the data."""
    return f"{_curves_key(ctx, table)}.{get_workspace().version()}"


def _curves_key(ctx: Context, table: PolicyTable) -> str:
    # Once per run and table: the digest reads every SKU's segment code.
    if table not in ctx.keys:
        key = curves_key(ctx.segmentation.codes, ctx.segmentation.labels, ctx.rules, table)
        if ctx.forecast and plans_on_forecast(table):  # not the load's stored figures
            key += f"|forecast {ctx.forecast}"
        ctx.keys[table] = key
    return ctx.keys[table]


@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_figures(path: str, version: int, key: str, _pol: pd.DataFrame) -> PolicyFigures:
    # The official policy's were stored at the load.
    stored = stored_figures(get_workspace(), key)
    return stored if stored is not None else policy_figures(_pol)


def figures(ctx: Context, table: PolicyTable, pol: pd.DataFrame) -> PolicyFigures:
    """The :class:`PolicyFigures` of ``pol`` (:func:`policies` under ``table``): read from the
    load's store or computed once per data version, segments, rules and policy table; each
    caller gets its own frames."""
    ws = get_workspace()
    shared = _shared_figures(str(ws.path), ws.version(), _curves_key(ctx, table), pol)
    return replace(
        shared,
        today=shared.today.copy(),
        by_segment=shared.by_segment.copy(),
        models=dict(shared.models),
    )


def curve_table(ctx: Context, table: PolicyTable) -> pd.DataFrame:
    """The trade-off curves, recomputed only when the segments or the policy table change;
    those of the official segmentation were stored at the load."""
    sig = signature(ctx, table)
    cached = st.session_state.get(keys.POLICY_CURVES)
    if cached is not None and cached[0] == sig:
        return cached[1]
    result = stored_curves(get_workspace(), _curves_key(ctx, table))
    if result is None:
        result = curves(ctx.inputs, ctx.segments, table)
    st.session_state[keys.POLICY_CURVES] = (sig, result)
    return result


def full_window(ctx: Context) -> Window:
    """All complete periods of the sales history (for month-of-year seasonality)."""
    ws = get_workspace()
    with ws.connect() as con:
        return analysis_window(con, FeatureSettings(weeks=520, period=ctx.window.period))
