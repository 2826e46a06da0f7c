"""Forecasting a workspace: its SKUs' demand series, each SKU's segment and forecast policy
(the rules' ``[forecast]`` table), the backtest and the future forecast, and the accuracy per
segment against its target. What ``segstudio forecast`` and the Forecast page run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from segstudio.common.periods import add_periods
from segstudio.common.sql import run
from segstudio.config.forecast_table import FORECAST_MODELS
from segstudio.errors import SegStudioError
from segstudio.features.build import FeatureSettings, analysis_window
from segstudio.forecast import metrics
from segstudio.forecast import sql as q
from segstudio.forecast.engine import Plan, Progress, Result, Series, run_forecast

if TYPE_CHECKING:
    from segstudio.config.rules import Rules
    from segstudio.ingest.workspace import Workspace

__all__ = [
    "DEFAULT_WINDOWS",
    "forecast_workspace",
    "load_series",
    "planner_effort",
    "segment_accuracy",
    "sku_history",
]

DEFAULT_WINDOWS = 3


def load_series(ws: Workspace, weeks: int) -> Series:
    """Every SKU's demand series, in the periods of the analysis window (weekly, or monthly
    for a monthly file), from its first period with a positive demand to the last complete
    period."""
    with ws.connect() as con:
        win = analysis_window(con, FeatureSettings(weeks=weeks))
        params = {"end": win.end, "end_next": add_periods(win.end, 1, win.period)}
        long = run(con, q.demand_series(win.period), params).df()
    return Series.from_long(long, win.period, win.end)


def forecast_workspace(
    ws: Workspace,
    rules: Rules | None = None,
    method: str | None = None,
    horizon: int | None = None,
    windows: int = DEFAULT_WINDOWS,
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """The backtest and the forecast of the workspace's SKUs under ``rules`` (default: the
    official rules): each SKU's model from its segment's forecast policy, or ``method`` for
    every SKU; ``horizon`` periods (default: the default policy's), ``windows`` windows."""
    from segstudio.segment.decisions import official_rules, segment_skus

    if method is not None and method not in FORECAST_MODELS:
        raise SegStudioError(f"--method: use one of {', '.join(FORECAST_MODELS)}, not {method!r}")
    rules = rules or official_rules(ws)
    portfolio, seg = segment_skus(ws, rules)
    series = load_series(ws, rules.weeks)
    where = {str(sku): i for i, sku in enumerate(portfolio.sku)}
    keep = np.array([str(sku) in where for sku in series.sku], dtype=bool)
    series = Series(series.sku[keep], series.y[keep], series.starts, series.period)
    idx = np.array([where[str(sku)] for sku in series.sku], dtype=np.intp)
    segment = seg.segment[idx] if len(idx) else np.array([], dtype=object)
    pattern = portfolio.features["pattern"].to_numpy(dtype=object)[idx]
    table = rules.forecast
    model = np.array(
        [method or table.for_segment(str(code)).model for code in segment], dtype=object
    )
    h = horizon or table.default.horizon
    plan = Plan(segment=segment, pattern=pattern, model=model, horizon=h, windows=windows)
    result = run_forecast(series, plan, n_jobs=n_jobs, progress=progress)
    if horizon is None:  # each segment's own horizon, at most the default's
        step = result.forecast.groupby("sku", sort=False).cumcount().to_numpy()
        seg_h = result.forecast["segment"].map(lambda c: min(table.for_segment(str(c)).horizon, h))
        result.forecast = result.forecast[step < seg_h.to_numpy()].reset_index(drop=True)
    return result


def segment_accuracy(accuracy: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Per segment and for the whole portfolio (segment ``Total``): the SKUs scored, the
    models used, RMSSE and MASE (the mean over the SKUs that have one), WAPE and bias (pooled:
    sums over the SKUs), the benchmarks' RMSSE and WAPE, and the segment's accuracy target
    and whether it is met (methods.md, Forecasting)."""
    acc = accuracy
    rows = []
    groups = [(str(code), g) for code, g in acc.groupby("segment", sort=True)]
    groups.append(("Total", acc))
    for code, g in groups:
        scored = g[g["windows"] > 0]
        policy = rules.forecast.for_segment(code) if code != "Total" else rules.forecast.default
        row: dict[str, object] = {
            "segment": code,
            "skus": len(g),
            "skus_scored": len(scored),
            "models": ", ".join(f"{m} {n}" for m, n in scored["model"].value_counts().items()),
            "review_cycle": policy.review_cycle if code != "Total" else "",
            "rmsse": _mean(scored["rmsse"]),
            "mase": _mean(scored["mase"]),
            "wape": _pooled(scored, "abs_error_total"),
            "bias": _pooled(scored, "error_total"),
            "naive_rmsse": _mean(scored["naive_rmsse"]),
            "seasonal_naive_rmsse": _mean(scored["seasonal_naive_rmsse"]),
            "accuracy_metric": policy.accuracy_metric,
            "accuracy_target": policy.accuracy_target,
        }
        value = row[policy.accuracy_metric]
        row["meets_target"] = (
            bool(value <= policy.accuracy_target)
            if isinstance(value, float) and np.isfinite(value)
            else None
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _mean(values: pd.Series) -> float:
    v = values.to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(np.mean(v)) if len(v) else float("nan")


def _pooled(scored: pd.DataFrame, column: str) -> float:
    """sum of ``column`` over the SKUs / their summed actuals (WAPE from abs errors, bias
    from signed errors)."""
    total = np.array([scored[column].sum()])
    actual = np.array([scored["actual_total"].sum()])
    measure = metrics.wape if column == "abs_error_total" else metrics.bias
    return measure(total, actual)


def planner_effort(accuracy: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Where a planner's hour matters most: the SKUs ranked by the value of their backtest
    error (the units missed or over-forecast, summed, times the SKU's unit value: its revenue
    / quantity in the window, else its unit cost), with each one's share of the portfolio's
    error value and the cumulative share (methods.md, Forecasting)."""
    f = features.set_index(features["sku"].astype(str))
    revenue = f["revenue"].astype(float)
    quantity = f["quantity"].astype(float)
    value = (revenue / quantity.where(quantity > 0)).where(revenue > 0)
    if "unit_cost" in f:
        value = value.fillna(f["unit_cost"].astype(float))
    scored = accuracy[accuracy["windows"] > 0].copy()
    scored["unit_value"] = scored["sku"].astype(str).map(value).to_numpy(dtype=float)
    scored["error_units"] = scored["abs_error_total"]
    scored["error_value"] = scored["error_units"] * scored["unit_value"]
    scored = scored.sort_values(["error_value", "sku"], ascending=[False, True], na_position="last")
    total = float(scored["error_value"].sum())
    scored["error_share"] = scored["error_value"] / total if total > 0 else np.nan
    scored["cumulative_share"] = scored["error_share"].cumsum()
    cols = [
        "sku", "segment", "model", "rmsse", "wape", "bias", "error_units", "unit_value",
        "error_value", "error_share", "cumulative_share",
    ]  # fmt: skip
    return scored[cols].reset_index(drop=True)


def sku_history(ws: Workspace, sku: str, weeks: int) -> pd.DataFrame:
    """One SKU's demand series (period_start, demand), as the forecast reads it."""
    with ws.connect() as con:
        win = analysis_window(con, FeatureSettings(weeks=weeks))
        params = {"end": win.end, "end_next": add_periods(win.end, 1, win.period), "sku": sku}
        long = run(con, q.demand_series(win.period, one_sku=True), params).df()
    return pd.DataFrame(
        {"period_start": pd.to_datetime(long["ds"]).dt.date, "demand": long["y"].astype(float)}
    )
