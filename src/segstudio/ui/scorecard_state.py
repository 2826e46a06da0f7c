"""State of the Scorecard and QBR pages: the per-SKU service counts and the quarterly table
(SQL once per data load and window), and the scorecard and trend of the sliders'
segmentation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from segstudio.config.kpi_targets import KpiTargets
from segstudio.features.build import Window
from segstudio.forecast.store import current_run_token, latest_errors
from segstudio.perform import io as perform_io
from segstudio.perform import kpis, root_causes
from segstudio.perform.kpis import Scorecard

from . import keys
from .policy_state import Context, context, policies, signature
from .state import get_workspace


@st.cache_resource(max_entries=4, show_spinner="Counting order lines per SKU...")
def _service(path: str, version: int, window: Window) -> pa.Table:
    # Shared and read only (an Arrow table cannot be changed): no copy of a million rows per
    # rerun, as st.cache_data would make.
    ws = get_workspace()
    with ws.connect() as con:
        return perform_io.sku_service_table(con, window)


@st.cache_resource(max_entries=4, show_spinner="Summing sales by quarter...")
def _quarters(
    path: str, version: int, weeks: int, exclude: tuple[str, ...], _sku: np.ndarray
) -> kpis.Quarters:
    # The SKUs (and their order) depend on the data, the window and the exclusions only.
    ws = get_workspace()
    with ws.connect() as con:
        table = perform_io.sku_quarters_table(con)
    return kpis.prepare_quarters(table, _sku)


def quarters(ctx: Context) -> kpis.Quarters:
    """The quarterly table, coded for the portfolio's SKUs (once per load and window)."""
    ws = get_workspace()
    return _quarters(
        str(ws.path),
        ws.version(),
        ctx.rules.weeks,
        tuple(sorted(ctx.rules.exclude)),
        ctx.portfolio.sku,
    )


@st.cache_data(max_entries=8, show_spinner="Summing sales by quarter...")
def _trend(
    path: str, version: int, key: str, _ctx: Context, _columns: kpis.ServiceColumns
) -> pd.DataFrame:
    # ``key`` (:func:`perform_io.trend_key`) names the segments and the portfolio; the
    # official segmentation's trend was stored at the load.
    stored = perform_io.stored_trend(get_workspace(), key)
    if stored is not None:
        return stored
    return kpis.quarterly_trend(quarters(_ctx), _ctx.segments, _columns, _ctx.window.last_day)


def trend_table(ctx: Context, columns: kpis.ServiceColumns) -> pd.DataFrame:
    """The quarterly trend of the sliders' segments (:func:`kpis.quarterly_trend`), once per
    segmentation and data version."""
    ws = get_workspace()
    key = perform_io.trend_key(
        ctx.segmentation.codes, ctx.segmentation.labels, ctx.rules.weeks, sorted(ctx.rules.exclude)
    )
    return _trend(str(ws.path), ws.version(), key, ctx, columns)


@dataclass
class ScoreContext:
    ctx: Context
    policies: pd.DataFrame
    scorecard: Scorecard
    base_of: Callable[[], pd.DataFrame] = field(repr=False)  # how to get :attr:`base`
    causes_of: Callable[[], perform_io.Causes] = field(repr=False)  # how to get the causes

    @property
    def base(self) -> pd.DataFrame:
        """The per-SKU base the scorecard was summed from (:func:`kpis.kpi_base`): computed
        when first asked for (the root causes of a miss), once per segmentation and rules."""
        return self.base_of()

    def causes(self) -> perform_io.Causes:
        """The root causes of the misses (:func:`root_causes.root_causes`): (summary, SKUs),
        read from the load's store or computed when first asked for."""
        return self.causes_of()

    @property
    def columns(self) -> kpis.ServiceColumns:
        return self.scorecard.columns

    @property
    def years(self) -> float:
        return kpis.window_years(self.ctx.window)


def set_targets(targets: KpiTargets) -> None:
    st.session_state[keys.rule("kpi")] = targets


@st.cache_resource(max_entries=4, show_spinner="Scoring the segments...")
def _computed(
    path: str, version: int, key: str, _ctx: Context, _policies: pd.DataFrame
) -> tuple[Scorecard, pd.DataFrame]:
    # ``key`` (:func:`perform_io.scorecard_key`) names the segments and the rules (policy
    # table, KPI targets). Shared and read only: every reader only reads them.
    ws = get_workspace()
    return kpis.build_scorecard(
        _ctx.portfolio.features,
        _ctx.segments,
        _service(path, version, _ctx.window),
        _ctx.rules.policy,
        _ctx.rules.kpi,
        _policies,
        _ctx.window,
        ws.stored_columns("sales"),
        _ctx.segmentation.present_labels(),
        latest_errors(ws),
    )


@st.cache_resource(max_entries=8, show_spinner="Scoring the segments...")
def _scorecard(
    path: str, version: int, key: str, _ctx: Context, _policies: pd.DataFrame
) -> tuple[Scorecard, perform_io.Causes | None]:
    # The official segmentation's scorecard and root causes were stored at the load.
    ws = get_workspace()
    columns = kpis.ServiceColumns.from_stored(ws.stored_columns("sales"))
    # (stored at the load, before any forecast: not when a forecast run is scored)
    stored = None if "|forecast " in key else perform_io.stored_scorecard(ws, key, columns)
    if stored is not None:
        return stored
    return _computed(path, version, key, _ctx, _policies)[0], None


@st.cache_resource(max_entries=4, show_spinner="Looking for the root causes...")
def _causes(
    path: str, version: int, key: str, _ctx: Context, _policies: pd.DataFrame
) -> perform_io.Causes:
    sc, base = _computed(path, version, key, _ctx, _policies)
    rules = _ctx.rules
    return root_causes.root_causes(
        base, _ctx.portfolio.features, _policies, sc, rules.xyz_y, rules.leadtime_cov
    )


def score_context() -> ScoreContext | None:
    """The scorecard under the sliders' rules (read from the load's store or computed once per
    segmentation, rules and data version), or None when no sales are loaded."""
    ctx = context()
    if ctx is None:
        return None
    ws = get_workspace()
    path, version = str(ws.path), ws.version()
    pol = policies(ctx, ctx.rules.policy)
    key = perform_io.scorecard_key(
        ctx.segmentation.codes, ctx.segmentation.labels, ctx.rules, ctx.window.period
    )
    forecast = current_run_token(ws)  # a forecast run on this data: its accuracy is scored
    if forecast:
        key += f"|forecast {forecast}"
    sc, causes = _scorecard(path, version, key, ctx, pol)
    return ScoreContext(
        ctx,
        pol,
        sc,
        lambda: _computed(path, version, key, ctx, pol)[1],
        (lambda: causes) if causes is not None else lambda: _causes(path, version, key, ctx, pol),
    )


def simulated_summary(ctx: Context) -> pd.DataFrame | None:
    """The Simulation page's per-segment result (bootstrapped paths, else the history) when
    it was run for these segments and this policy; None before that."""
    done = st.session_state.get(keys.SIM_RESULT)
    if done is None or not str(done[0]).startswith(signature(ctx, ctx.rules.policy) + "|"):
        return None
    run = done[1]
    return run.bootstrap if run.bootstrap is not None else run.history
