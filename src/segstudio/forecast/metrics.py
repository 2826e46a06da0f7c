"""Forecast accuracy measures (methods.md, Forecasting): one definition each, for an SKU and
pooled over SKUs. Errors are forecast - actual (positive = over-forecast)."""

from __future__ import annotations

import numpy as np

__all__ = [
    "bias",
    "mase",
    "naive_scales",
    "rmsse",
    "tracking_signal",
    "wape",
]


def naive_scales(history: np.ndarray) -> tuple[float, float]:
    """(mean squared, mean absolute) one-step naive difference of ``history`` (the SKU's
    demand before its first cutoff): the RMSSE and MASE denominators; NaN with fewer than two
    periods.

    >>> naive_scales(np.array([3.0, 5.0, 4.0]))
    (2.5, 1.5)
    """
    h = np.asarray(history, dtype=float)
    if len(h) < 2:
        return float("nan"), float("nan")
    d = np.diff(h)
    return float(np.mean(d * d)), float(np.mean(np.abs(d)))


def rmsse(errors: np.ndarray, scale_sq: float) -> float:
    """sqrt(mean(e^2) / scale_sq), as in the M5 competition; NaN (blank) when the scale is 0
    or unknown, or there is no error to score.

    >>> rmsse(np.array([1.0, -3.0]), 2.5)
    1.4142135623730951
    """
    e = np.asarray(errors, dtype=float)
    if not len(e) or not np.isfinite(scale_sq) or scale_sq <= 0:
        return float("nan")
    return float(np.sqrt(np.mean(e * e) / scale_sq))


def mase(errors: np.ndarray, scale_abs: float) -> float:
    """mean|e| / scale_abs; NaN (blank) when the scale is 0 or unknown.

    >>> mase(np.array([1.0, -3.0]), 1.5)
    1.3333333333333333
    """
    e = np.asarray(errors, dtype=float)
    if not len(e) or not np.isfinite(scale_abs) or scale_abs <= 0:
        return float("nan")
    return float(np.mean(np.abs(e)) / scale_abs)


def wape(errors: np.ndarray, actuals: np.ndarray) -> float:
    """sum|e| / sum A; NaN when the actuals sum to 0 or less.

    >>> wape(np.array([1.0, -3.0]), np.array([4.0, 6.0]))
    0.4
    """
    total = float(np.sum(actuals))
    return float(np.sum(np.abs(errors)) / total) if total > 0 else float("nan")


def bias(errors: np.ndarray, actuals: np.ndarray) -> float:
    """sum(F - A) / sum A (positive: over-forecast); NaN when the actuals sum to 0 or less.

    >>> bias(np.array([1.0, -3.0]), np.array([4.0, 6.0]))
    -0.2
    """
    total = float(np.sum(actuals))
    return float(np.sum(errors) / total) if total > 0 else float("nan")


def tracking_signal(errors: np.ndarray) -> float:
    """The running sum of errors over their mean absolute deviation, sum(F - A) / mean|F - A|
    (positive: over-forecast; beyond +-4 is the usual alarm); NaN without error.

    >>> tracking_signal(np.array([1.0, -3.0]))
    -1.0
    """
    e = np.asarray(errors, dtype=float)
    mad = float(np.mean(np.abs(e))) if len(e) else 0.0
    return float(np.sum(e) / mad) if mad > 0 else float("nan")
