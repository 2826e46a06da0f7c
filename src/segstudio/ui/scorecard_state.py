"""State of the Scorecard and QBR pages: the per-SKU service counts and the quarterly table
(SQL once per data load and window), and the scorecard and trend of the sliders'
segmentation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from segstudio.config.kpi_targets import KpiTargets
from segstudio.features.build import Window
from segstudio.perform import io as perform_io
from segstudio.perform import kpis
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
    base: pd.DataFrame
    scorecard: Scorecard

    @property
    def columns(self) -> kpis.ServiceColumns:
        return self.scorecard.columns

    @property
    def years(self) -> float:
        return kpis.window_years(self.ctx.window)


def set_targets(targets: KpiTargets) -> None:
    st.session_state[keys.rule("kpi")] = targets


def score_context() -> ScoreContext | None:
    """The scorecard under the sliders' rules, or None when no sales are loaded."""
    ctx = context()
    if ctx is None:
        return None
    ws = get_workspace()
    service = _service(str(ws.path), ws.version(), ctx.window)
    pol = policies(ctx, ctx.rules.policy)
    sc, base = kpis.build_scorecard(
        ctx.portfolio.features,
        ctx.segments,
        service,
        ctx.rules.policy,
        ctx.rules.kpi,
        pol,
        ctx.window,
        ws.stored_columns("sales"),
        ctx.segmentation.present_labels(),
    )
    return ScoreContext(ctx, pol, base, sc)


def simulated_summary(ctx: Context) -> pd.DataFrame | None:
    """The Simulation page's per-segment result (bootstrapped paths, else the history) when
    it was run for these segments and this policy; None before that."""
    done = st.session_state.get(keys.SIM_RESULT)
    if done is None or not str(done[0]).startswith(signature(ctx, ctx.rules.policy) + "|"):
        return None
    run = done[1]
    return run.bootstrap if run.bootstrap is not None else run.history
