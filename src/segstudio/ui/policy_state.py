"""State shared by the policy and simulation pages: the segmented portfolio under the sliders'
rules, each SKU's policy inputs (once per data load), and the curves (once per policy and
segmentation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from segstudio.config.policy_table import PolicyTable
from segstudio.config.rules import Rules
from segstudio.features.build import FeatureSettings, Window, analysis_window
from segstudio.features.classes import ClassCuts
from segstudio.perform.io import stored_curves
from segstudio.policy.sku import SkuInputs, policies_from_inputs
from segstudio.policy.tradeoff import curves, curves_key
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

    @property
    def segments(self) -> np.ndarray:
        return self.segmentation.segment

    def present_segments(self) -> list[str]:
        return sorted(pd.unique(self.segments).astype(str).tolist())


@st.cache_resource(max_entries=4, show_spinner=False)
def _inputs(
    path: str,
    version: int,
    weeks: int,
    exclude: tuple[str, ...],
    cuts: ClassCuts,
    _portfolio: Portfolio,
) -> SkuInputs:
    return SkuInputs.from_features(_portfolio.features)


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
    x = _inputs(
        str(ws.path),
        ws.version(),
        rules.weeks,
        tuple(sorted(rules.exclude)),
        ClassCuts.from_rules(rules),
        portfolio,
    )
    return Context(portfolio, window, rules, current, x, error)


def set_policy_table(table: PolicyTable) -> None:
    st.session_state[keys.rule("policy")] = table


@st.cache_resource(max_entries=4, show_spinner="Setting each SKU's policy...")
def _shared_policies(
    path: str, version: int, key: str, _ctx: Context, _table: PolicyTable
) -> pd.DataFrame:
    # ``key`` (:func:`curves_key`) names the segments, the rules and each segment's policy.
    return policies_from_inputs(_ctx.inputs, _ctx.segments, _table)  # = compute_policies


def policies(ctx: Context, table: PolicyTable) -> pd.DataFrame:
    """Each SKU's policy under ``table`` (:func:`compute_policies`): computed once per data
    version, segments, rules and policy table, and shared by every page and session (read
    only: the caller gets a shallow copy, whose columns it may replace but never its cells)."""
    ws = get_workspace()
    shared = _shared_policies(str(ws.path), ws.version(), _curves_key(ctx, table), ctx, table)
    return shared.copy(deep=False)


def signature(ctx: Context, table: PolicyTable) -> str:
    """What the policy figures depend on: the segments, the rules with ``table``, the data."""
    return f"{_curves_key(ctx, table)}.{get_workspace().version()}"


def _curves_key(ctx: Context, table: PolicyTable) -> str:
    return curves_key(ctx.segmentation.codes, ctx.segmentation.labels, ctx.rules, table)


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
