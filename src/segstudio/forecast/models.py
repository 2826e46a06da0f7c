"""The forecasting models, by their rules-file names (config.forecast_table.FORECAST_MODELS),
and the candidates ``auto`` chooses among for each demand pattern. statsforecast fits them;
the two benchmarks (naive, seasonal naive) are computed here, for every SKU at once."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "AUTO_CANDIDATES",
    "BENCHMARKS",
    "FITTED",
    "INTERVAL_LEVEL",
    "INTERVAL_MODELS",
    "SEASON",
    "benchmark_forecasts",
    "candidates",
    "make",
]

SEASON = {"week": 52, "month": 12}  # periods in a season (a year)
BENCHMARKS = ("naive", "seasonal_naive")
# What ``auto`` compares for each demand pattern (methods.md, Forecasting), the benchmarks
# included. ARIMA is left out of auto's choice: AutoARIMA costs about 100 ms a series here
# (ETS 7 ms, the Croston family 0.02 ms), so it is used where a segment or --method names it.
AUTO_CANDIDATES: dict[str, tuple[str, ...]] = {
    "smooth": ("ses", "ets", "naive", "seasonal_naive"),
    "erratic": ("ses", "ets", "naive", "seasonal_naive"),
    "intermittent": ("sba", "croston", "tsb", "adida", "imapa"),
    "lumpy": ("sba", "croston", "tsb", "adida", "imapa"),
    # too few demands in the window to tell the pattern: mostly zeros, so the intermittent
    # family beside smoothing (the Croston family costs nothing to fit)
    "insufficient history": ("ses", "naive", "sba", "tsb", "adida", "imapa"),
}
# The models statsforecast fits (the benchmarks are closed forms, computed in numpy).
FITTED = ("ses", "ets", "arima", "croston", "sba", "tsb", "adida", "imapa")
INTERVAL_MODELS = ("naive", "seasonal_naive", "ets", "arima")  # give prediction intervals
INTERVAL_LEVEL = 80
_Z80 = 1.2815515655446004  # the standard normal's 90% quantile: a central 80% interval


def candidates(model: str, pattern: str) -> tuple[str, ...]:
    """The models an SKU's backtest fits: ``auto``'s candidates for its pattern, else the
    model named; the benchmarks always (their accuracy is reported beside the model's)."""
    chosen = (
        AUTO_CANDIDATES.get(pattern, AUTO_CANDIDATES["smooth"]) if model == "auto" else (model,)
    )
    return tuple(dict.fromkeys(chosen + BENCHMARKS))


def make(name: str) -> Any:
    """The statsforecast model of one fitted model name, its alias the name."""
    from statsforecast import models as m

    if name == "ses":
        return m.SimpleExponentialSmoothingOptimized(alias=name)
    if name == "ets":  # non-seasonal: a season is the seasonal naive's to show
        return m.AutoETS(season_length=1, alias=name)
    if name == "arima":
        return m.AutoARIMA(season_length=1, alias=name)
    if name == "croston":  # Croston (1972): alpha 0.1 on sizes and intervals
        return m.CrostonClassic(alias=name)
    if name == "sba":
        return m.CrostonSBA(alias=name)
    if name == "tsb":
        return m.TSB(alpha_d=0.1, alpha_p=0.1, alias=name)
    if name == "adida":
        return m.ADIDA(alias=name)
    if name == "imapa":
        return m.IMAPA(alias=name)
    raise ValueError(f"no fitted model {name!r}")


def benchmark_forecasts(
    y: np.ndarray, cutoff: int, horizon: int, season: int, intervals: bool = False
) -> dict[str, np.ndarray]:
    """The naive and seasonal naive forecasts of every row of ``y`` (SKUs x periods, NaN
    before an SKU's first period) made at column ``cutoff`` (the last one they may use) for
    ``horizon`` periods: {name: SKUs x horizon}, NaN where an SKU's history is too short
    (seasonal naive needs a whole season). With ``intervals``, also ``name_lo``/``name_hi``:
    the 80% interval of fpp3 (Hyndman & Athanasopoulos, 5.5): sigma of the one-step
    residuals, times sqrt(h) for naive and sqrt(whole seasons ahead + 1) for seasonal naive.
    """
    steps = np.arange(horizon)
    last = y[:, cutoff]
    out = {"naive": np.repeat(last[:, None], horizon, axis=1)}
    if cutoff + 1 >= season:
        cols = cutoff - season + 1 + (steps % season)
        out["seasonal_naive"] = y[:, cols]
    else:
        out["seasonal_naive"] = np.full((len(y), horizon), np.nan)
    if intervals:
        hist = y[:, : cutoff + 1]
        with np.errstate(invalid="ignore"):
            for name, lag, k in (
                ("naive", 1, np.sqrt(steps + 1.0)),
                ("seasonal_naive", season, np.sqrt(steps // season + 1.0)),
            ):
                if hist.shape[1] > lag:
                    res = hist[:, lag:] - hist[:, :-lag]
                    n = np.sum(np.isfinite(res), axis=1)
                    # fpp3's sigma: sqrt(sum of squared residuals / (T - K - M)), no
                    # parameter (K = 0), the first lag periods missing (M = lag): / n
                    sigma = np.sqrt(np.nansum(res * res, axis=1) / np.maximum(n, 1))
                    sigma[n < 1] = np.nan
                else:
                    sigma = np.full(len(y), np.nan)
                half = _Z80 * sigma[:, None] * k[None, :]
                out[f"{name}_lo"] = np.maximum(out[name] - half, 0.0)
                out[f"{name}_hi"] = out[name] + half
    return out
