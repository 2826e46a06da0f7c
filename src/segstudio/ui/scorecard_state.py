"""State of the Scorecard and QBR pages: the per-SKU service counts and the quarterly table
(SQL once per data load and window), and the scorecard of the sliders' segmentation."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from segstudio.config.kpi_targets import KpiTargets
from segstudio.features.build import Window
from segstudio.perform import io as perform_io
from segstudio.perform import kpis
from segstudio.perform.kpis import Scorecard

from . import keys
from .policy_state import Context, context, policies
from .seg_state import get_portfolio
from .state import get_workspace


@st.cache_data(max_entries=4, show_spinner="Counting order lines per SKU...")
def _service(path: str, version: int, window: Window) -> pd.DataFrame:
    ws = get_workspace()
    with ws.lock:
        return perform_io.sku_service(ws.con, window)


@st.cache_resource(max_entries=4, show_spinner="Summing sales by quarter...")
def _quarters(path: str, version: int, weeks: int, exclude: tuple[str, ...]) -> kpis.Quarters:
    ws = get_workspace()
    with ws.lock:
        table = perform_io.sku_quarters(ws.con)
    loaded = get_portfolio(weeks, exclude)
    assert loaded is not None  # only called once the portfolio exists
    return kpis.prepare_quarters(table, loaded[0].sku)


def quarters(ctx: Context) -> kpis.Quarters:
    """The quarterly table, coded for the portfolio's SKUs (once per load and window)."""
    ws = get_workspace()
    return _quarters(str(ws.path), ws.version(), ctx.rules.weeks,
                     tuple(sorted(ctx.rules.exclude)))


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
    sc, base = kpis.build_scorecard(ctx.portfolio.features, ctx.segments, service,
                                    ctx.rules.policy, ctx.rules.kpi, pol, ctx.window,
                                    ws.stored_columns("sales"), ctx.segmentation.present_labels())
    return ScoreContext(ctx, pol, base, sc)
