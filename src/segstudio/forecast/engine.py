"""The rolling-origin backtest, ``auto``'s choice and the future forecast (methods.md,
Forecasting).

The series of every SKU share one calendar, so they are held as one matrix (SKUs x periods,
NaN before an SKU's first period with a positive demand). A backtest window w of H periods
has its cutoff, the last period its forecasts may use: the reported windows 1..N end at the
last complete period, one after the other; window 0, before them, serves ``auto`` only. Every
forecast of window w is fitted on the columns up to its cutoff and nothing after: ``auto``
picks, for window w, the candidate with the lowest squared error over the windows before w
(whose actuals all precede w's cutoff), over the SKUs of the same segment and
demand pattern; for the future over all windows.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segstudio.common.periods import add_periods
from segstudio.errors import SegStudioError
from segstudio.forecast import metrics
from segstudio.forecast.models import (
    BENCHMARKS,
    FITTED,
    INTERVAL_LEVEL,
    INTERVAL_MODELS,
    SEASON,
    benchmark_forecasts,
    candidates,
    make,
)

__all__ = [
    "FREQ",
    "MIN_TRAIN",
    "Plan",
    "Result",
    "Series",
    "run_forecast",
]

FREQ = {"week": "W-MON", "month": "MS"}  # the period's first day, as pandas spells it
MIN_TRAIN = 8  # periods of history a fit needs; an SKU with fewer before a cutoff skips it

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Series:
    """The demand series of the SKUs: ``y`` SKUs x periods (NaN before the SKU's first
    period), ``starts`` the first day of each period, ``period`` week or month."""

    sku: np.ndarray
    y: np.ndarray
    starts: list[dt.date]
    period: str

    @classmethod
    def from_long(cls, long: pd.DataFrame, period: str, end: dt.date) -> Series:
        """From rows (unique_id, ds, y) ending at the period starting ``end``."""
        if long.empty:
            return cls(np.array([], dtype=object), np.zeros((0, 0)), [], period)
        first = pd.Timestamp(long["ds"].min()).date()
        starts = [first]
        while starts[-1] < end:
            starts.append(add_periods(starts[-1], 1, period))
        sku, row = np.unique(long["unique_id"].astype(str).to_numpy(), return_inverse=True)
        days = pd.to_datetime(long["ds"]).to_numpy().astype("datetime64[D]")
        col = np.searchsorted(np.array(starts, dtype="datetime64[D]"), days)
        y = np.full((len(sku), len(starts)), np.nan)
        y[row, col] = long["y"].to_numpy(dtype=float)
        return cls(sku.astype(object), y, starts, period)

    def length_at(self, cutoff: int) -> np.ndarray:
        """Each SKU's periods of history up to column ``cutoff``."""
        return np.sum(np.isfinite(self.y[:, : cutoff + 1]), axis=1)


@dataclass(frozen=True)
class Plan:
    """What to forecast: per SKU its segment, demand pattern and model (``auto`` or one
    name), the horizon and the backtest windows."""

    segment: np.ndarray
    pattern: np.ndarray
    model: np.ndarray
    horizon: int = 13
    windows: int = 3


@dataclass
class Result:
    """The backtest (one row per SKU, window and period), the accuracy per SKU and the future
    forecast (one row per SKU and period)."""

    backtest: pd.DataFrame
    accuracy: pd.DataFrame
    forecast: pd.DataFrame
    period: str
    cutoffs: list[dt.date] = field(default_factory=list)  # the reported windows'


def _fitted_forecasts(
    s: Series,
    rows: np.ndarray,
    models: tuple[str, ...],
    cutoff: int,
    horizon: int,
    n_jobs: int,
    level: bool = False,
) -> dict[str, np.ndarray]:
    """statsforecast's forecasts of ``models`` for SKU rows ``rows``, fitted on the columns up
    to ``cutoff``: {name: len(rows) x horizon} (with ``name_lo``/``name_hi`` for the models
    that give intervals, when ``level``)."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    if not len(rows) or not models:
        return {}
    hist = s.y[rows, : cutoff + 1]
    keep = np.isfinite(hist)
    r_idx, c_idx = np.nonzero(keep)
    starts = pd.to_datetime(pd.Series(s.starts[: cutoff + 1]))
    long = pd.DataFrame({"unique_id": r_idx, "ds": starts.to_numpy()[c_idx], "y": hist[keep]})
    sf = StatsForecast(
        models=[make(m) for m in models],
        freq=FREQ[s.period],
        n_jobs=n_jobs,
        fallback_model=Naive(),  # a fit that fails (too short, constant) falls back
    )
    want_level = level and any(m in INTERVAL_MODELS for m in models)
    fc = sf.forecast(h=horizon, df=long, level=[INTERVAL_LEVEL] if want_level else None)
    fc = fc.sort_values(["unique_id", "ds"])
    n = len(rows)
    out: dict[str, np.ndarray] = {}
    for m in models:
        out[m] = np.maximum(fc[m].to_numpy(dtype=float).reshape(n, horizon), 0.0)
        lo, hi = f"{m}-lo-{INTERVAL_LEVEL}", f"{m}-hi-{INTERVAL_LEVEL}"
        if want_level and lo in fc:
            out[f"{m}_lo"] = np.maximum(fc[lo].to_numpy(dtype=float).reshape(n, horizon), 0.0)
            out[f"{m}_hi"] = fc[hi].to_numpy(dtype=float).reshape(n, horizon)
    return out


def _all_forecasts(
    s: Series,
    plan: Plan,
    cutoff: int,
    horizon: int,
    n_jobs: int,
    eligible: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every candidate's forecasts at ``cutoff`` for the eligible SKUs: {model: SKUs x
    horizon}, NaN where a model is not an SKU's candidate or the SKU is not eligible."""
    n = len(s.sku)
    out = {m: np.full((n, horizon), np.nan) for m in (*FITTED, *BENCHMARKS)}
    bench = benchmark_forecasts(s.y, cutoff, horizon, SEASON[s.period])
    for m in BENCHMARKS:
        out[m][eligible] = bench[m][eligible]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in np.flatnonzero(eligible):
        fitted = tuple(m for m in candidates(plan.model[i], plan.pattern[i]) if m in FITTED)
        groups.setdefault(fitted, []).append(int(i))
    for models, idx in groups.items():
        rows = np.array(idx, dtype=np.intp)
        for m, values in _fitted_forecasts(s, rows, models, cutoff, horizon, n_jobs).items():
            out[m][rows] = values
    return out


def _choose(
    sq_err: dict[str, np.ndarray],
    allowed: list[tuple[str, ...]],
    upto: int,
    groups: np.ndarray,
    scale_sq: np.ndarray,
) -> list[str | None]:
    """Per SKU, the allowed model with the lowest mean scaled squared error over windows
    0..upto-1 across the SKUs of its group (``groups``: one key per SKU; ``sq_err[m]``: SKUs x
    windows, NaN where not scored; ``scale_sq``: each SKU's squared-error scale, the RMSSE
    denominator). Chosen for the group, not SKU by SKU: one SKU's few windows are too noisy
    to choose on (on the car parts data the SKU-by-SKU choice scored 15% worse than the best
    single model). None where no SKU of the group was scored."""
    chosen: list[str | None] = [None] * len(allowed)
    ok_scale = np.isfinite(scale_sq) & (scale_sq > 0)
    members: dict[tuple[object, tuple[str, ...]], list[int]] = {}
    for i, models in enumerate(allowed):
        members.setdefault((groups[i], models), []).append(i)
    for (_, models), idx in members.items():
        rows = np.array(idx, dtype=np.intp)
        rows = rows[ok_scale[rows]]
        best, best_err = None, np.inf
        for m in models:
            errs = sq_err[m][rows, :upto] / scale_sq[rows, None]
            errs = errs[np.isfinite(errs)]
            if len(errs) and float(np.mean(errs)) < best_err:
                best, best_err = m, float(np.mean(errs))
        for i in idx:
            chosen[i] = best
    return chosen


def run_forecast(
    s: Series,
    plan: Plan,
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """The backtest of ``plan.windows`` windows of ``plan.horizon`` periods ending at the
    last period of ``s``, each SKU's accuracy over them, and the future forecast of the
    model each SKU uses (``auto``: chosen on the whole backtest)."""
    if plan.horizon < 1 or plan.windows < 1:
        raise SegStudioError("the horizon and the number of windows must be at least 1")
    n_jobs = n_jobs or max(1, os.cpu_count() or 1)
    n, n_periods = s.y.shape if len(s.sku) else (0, 0)
    h, w = plan.horizon, plan.windows
    last = n_periods - 1
    # window k (0 = auto's own, 1..w reported) has its cutoff at last - (w - k + 1) * h
    cutoffs = [last - (w - k + 1) * h for k in range(w + 1)]
    if n and cutoffs[1] < MIN_TRAIN - 1:
        raise SegStudioError(
            f"{n_periods} periods of sales are too few for {w} backtest windows of {h} "
            f"periods: they need at least {(w * h) + MIN_TRAIN}; use fewer windows or a "
            "shorter horizon"
        )
    allowed = [candidates(plan.model[i], plan.pattern[i]) for i in range(n)]
    sq_err = {m: np.full((n, w + 1), np.nan) for m in (*FITTED, *BENCHMARKS)}
    window_fc: list[dict[str, np.ndarray]] = []
    steps = w + 2  # the windows, then the future
    for k, c in enumerate(cutoffs):
        if progress:
            progress(k / steps, f"backtest window {k} of {w}" if k else "auto's first window")
        if c < 0:
            window_fc.append({})
            continue
        eligible = s.length_at(c) >= MIN_TRAIN
        if k == 0:  # only auto's SKUs need the window before the reported ones
            eligible &= plan.model == "auto"
        fc = _all_forecasts(s, plan, c, h, n_jobs, eligible)
        actual = s.y[:, c + 1 : c + 1 + h]
        for m, values in fc.items():
            sq_err[m][:, k] = np.mean((values - actual) ** 2, axis=1)
        window_fc.append(fc)
    # the model of each SKU in each reported window, and for the future: auto chooses per
    # segment and demand pattern, on errors scaled by each SKU's history up to the first
    # reported cutoff (no later data)
    groups = np.array([f"{a}|{b}" for a, b in zip(plan.segment, plan.pattern, strict=True)])
    scale_sq = (
        np.array([metrics.naive_scales(r[np.isfinite(r)])[0] for r in s.y[:, : cutoffs[1] + 1]])
        if n
        else np.zeros(0)
    )
    used: list[list[str | None]] = []
    for k in range(1, w + 1):
        picks = _choose(sq_err, allowed, k, groups, scale_sq)
        used.append(
            [
                (picks[i] or allowed[i][0]) if plan.model[i] == "auto" else str(plan.model[i])
                for i in range(n)
            ]
        )
    future_pick = _choose(sq_err, allowed, w + 1, groups, scale_sq)
    final = [
        (future_pick[i] or allowed[i][0]) if plan.model[i] == "auto" else str(plan.model[i])
        for i in range(n)
    ]
    backtest = _backtest_frame(s, plan, cutoffs, window_fc, used)
    accuracy = _accuracy_frame(s, plan, cutoffs, backtest, final)
    if progress:
        progress((w + 1) / steps, "the future forecast")
    forecast = _future_frame(s, plan, final, n_jobs)
    if progress:
        progress(1.0, "done")
    return Result(backtest, accuracy, forecast, s.period, [s.starts[c] for c in cutoffs[1:]])


def _backtest_frame(
    s: Series,
    plan: Plan,
    cutoffs: list[int],
    window_fc: list[dict[str, np.ndarray]],
    used: list[list[str | None]],
) -> pd.DataFrame:
    h = plan.horizon
    parts = []
    for k in range(1, len(cutoffs)):
        fc, c = window_fc[k], cutoffs[k]
        if not fc:
            continue
        models = np.array(used[k - 1], dtype=object)
        chosen = np.full((len(s.sku), h), np.nan)
        for m in set(models):
            rows = models == m
            chosen[rows] = fc[m][rows]
        scored = np.isfinite(chosen[:, 0])
        rows = np.flatnonzero(scored)
        if not len(rows):
            continue
        reps = len(rows) * h
        parts.append(
            pd.DataFrame(
                {
                    "sku": np.repeat(s.sku[rows], h),
                    "segment": np.repeat(plan.segment[rows], h),
                    "model": np.repeat(models[rows], h),
                    "window": np.full(reps, k),
                    "cutoff": np.full(reps, s.starts[c]),
                    "period_start": np.tile(np.array(s.starts[c + 1 : c + 1 + h]), len(rows)),
                    "actual": s.y[rows, c + 1 : c + 1 + h].ravel(),
                    "forecast": chosen[rows].ravel(),
                    "naive": fc["naive"][rows].ravel(),
                    "seasonal_naive": fc["seasonal_naive"][rows].ravel(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            columns=[
                "sku", "segment", "model", "window", "cutoff", "period_start", "actual",
                "forecast", "naive", "seasonal_naive",
            ]
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _accuracy_frame(
    s: Series, plan: Plan, cutoffs: list[int], backtest: pd.DataFrame, final: list[str]
) -> pd.DataFrame:
    """One row per SKU: the chosen model, the windows scored, and RMSSE, MASE, WAPE, bias and
    the tracking signal of the backtest, with the benchmarks' RMSSE and WAPE beside them. The
    scale is the SKU's history up to the first reported cutoff (methods.md)."""
    first_cut = cutoffs[1]
    by_sku = {sku: g for sku, g in backtest.groupby("sku", sort=False)} if len(backtest) else {}
    rows = []
    for i, sku in enumerate(s.sku):
        hist = s.y[i, : first_cut + 1]
        scale_sq, scale_abs = metrics.naive_scales(hist[np.isfinite(hist)])
        g = by_sku.get(sku)
        row: dict[str, object] = {
            "sku": sku,
            "segment": plan.segment[i],
            "pattern": plan.pattern[i],
            "model": final[i],
            "windows": 0 if g is None else int(g["window"].nunique()),
        }
        if g is None:
            rows.append(row)
            continue
        a = g["actual"].to_numpy(dtype=float)
        for prefix, col in (
            ("", "forecast"),
            ("naive_", "naive"),
            ("seasonal_naive_", "seasonal_naive"),
        ):
            f = g[col].to_numpy(dtype=float)
            ok = np.isfinite(f)
            e = f[ok] - a[ok]
            row[f"{prefix}rmsse"] = metrics.rmsse(e, scale_sq)
            row[f"{prefix}wape"] = metrics.wape(e, a[ok])
            if not prefix:
                row["mase"] = metrics.mase(e, scale_abs)
                row["bias"] = metrics.bias(e, a[ok])
                row["tracking_signal"] = metrics.tracking_signal(e)
                row["actual_total"] = float(np.sum(a))
                row["abs_error_total"] = float(np.sum(np.abs(e)))
                row["error_total"] = float(np.sum(e))
        rows.append(row)
    cols = [
        "sku", "segment", "pattern", "model", "windows", "rmsse", "mase", "wape", "bias",
        "tracking_signal", "naive_rmsse", "naive_wape", "seasonal_naive_rmsse",
        "seasonal_naive_wape", "actual_total", "abs_error_total", "error_total",
    ]  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=cols)


def _future_frame(s: Series, plan: Plan, final: list[str], n_jobs: int) -> pd.DataFrame:
    """The forecast of each SKU's model from the last period on, with the 80% interval where
    the model gives one; an SKU with less than MIN_TRAIN periods gets the naive forecast."""
    n = len(s.sku)
    h = plan.horizon
    if not n:
        return pd.DataFrame(
            columns=["sku", "segment", "model", "period_start", "forecast", "lo_80", "hi_80"]
        )
    last = s.y.shape[1] - 1
    models = np.array(final, dtype=object)
    short = s.length_at(last) < MIN_TRAIN
    models[short] = "naive"
    values = np.full((n, h), np.nan)
    lo = np.full((n, h), np.nan)
    hi = np.full((n, h), np.nan)
    bench = benchmark_forecasts(s.y, last, h, SEASON[s.period], intervals=True)
    for m in BENCHMARKS:
        rows = models == m
        values[rows], lo[rows], hi[rows] = (
            bench[m][rows],
            bench[f"{m}_lo"][rows],
            bench[f"{m}_hi"][rows],
        )
    for m in sorted(set(models) - set(BENCHMARKS)):
        rows = np.flatnonzero(models == m)
        fc = _fitted_forecasts(s, rows, (m,), last, h, n_jobs, level=True)
        values[rows] = fc[m]
        if f"{m}_lo" in fc:
            lo[rows], hi[rows] = fc[f"{m}_lo"], fc[f"{m}_hi"]
    future = [add_periods(s.starts[-1], k + 1, s.period) for k in range(h)]
    return pd.DataFrame(
        {
            "sku": np.repeat(s.sku, h),
            "segment": np.repeat(plan.segment, h),
            "model": np.repeat(models, h),
            "period_start": np.tile(np.array(future), n),
            "forecast": values.ravel(),
            "lo_80": lo.ravel(),
            "hi_80": hi.ravel(),
        }
    )
