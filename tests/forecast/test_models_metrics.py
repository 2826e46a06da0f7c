"""The forecasting models against published values, the accuracy measures against hand-computed
ones, and the benchmarks' closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segstudio.forecast import metrics
from segstudio.forecast.models import benchmark_forecasts, candidates, make

# methods.md, "Published values": Croston (1972) with alpha 0.1 as R's forecast::croston,
# SBA = 0.95 x Croston, TSB with alpha_d = alpha_p = 0.1.
SERIES = np.array([0, 0, 2, 7, 0, 0, 0, 5, 0, 0, 0, 0, 3], dtype=float)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("croston", 0.8871483375959078), ("sba", 0.84279092), ("tsb", 0.64562843)],
)
def test_intermittent_models_match_published_values(name: str, expected: float) -> None:
    fc = make(name).forecast(y=SERIES, h=3)["mean"]
    assert fc == pytest.approx([expected] * 3, rel=1e-7)


def test_scaled_errors_by_hand() -> None:
    """History 10, 12, 9, 11: naive differences 2, -3, 2 -> mean square 17/3, mean abs 7/3.
    Backtest actual 10, 14 against forecast 11, 11: errors 1, -3."""
    scale_sq, scale_abs = metrics.naive_scales(np.array([10.0, 12.0, 9.0, 11.0]))
    assert scale_sq == pytest.approx(17 / 3)
    assert scale_abs == pytest.approx(7 / 3)
    e = np.array([11.0, 11.0]) - np.array([10.0, 14.0])
    assert metrics.rmsse(e, scale_sq) == pytest.approx(math.sqrt(5 / (17 / 3)))
    assert metrics.mase(e, scale_abs) == pytest.approx(2 / (7 / 3))
    assert metrics.wape(e, np.array([10.0, 14.0])) == pytest.approx(4 / 24)
    assert metrics.bias(e, np.array([10.0, 14.0])) == pytest.approx(-2 / 24)
    assert metrics.tracking_signal(e) == pytest.approx(-2 / 2)


def test_a_scale_of_zero_leaves_the_scaled_measures_blank() -> None:
    scale_sq, scale_abs = metrics.naive_scales(np.array([4.0, 4.0, 4.0]))
    assert math.isnan(metrics.rmsse(np.array([1.0]), scale_sq))
    assert math.isnan(metrics.mase(np.array([1.0]), scale_abs))
    assert math.isnan(metrics.wape(np.array([1.0]), np.array([0.0])))


@given(
    e=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=20),
    k=st.floats(0.01, 100),
    scale=st.floats(0.01, 1e3),
)
def test_rmsse_is_scale_free(e: list[float], k: float, scale: float) -> None:
    """Demand measured in other units (x k) leaves RMSSE unchanged: errors scale by k and the
    mean squared naive difference by k^2."""
    a = np.asarray(e)
    assert metrics.rmsse(a * k, scale * k * k) == pytest.approx(metrics.rmsse(a, scale), rel=1e-9)


@given(st.lists(st.floats(0, 1e3), min_size=1, max_size=20))
def test_a_perfect_forecast_scores_zero(actuals: list[float]) -> None:
    a = np.asarray(actuals)
    zero = np.zeros(len(a))
    assert metrics.rmsse(zero, 1.0) == 0.0
    if a.sum() > 0:
        assert metrics.wape(zero, a) == 0.0 and metrics.bias(zero, a) == 0.0


def test_benchmarks_by_their_definitions() -> None:
    """Naive repeats the last period; seasonal naive repeats the season before (here 4)."""
    y = np.array([[np.nan, 1, 2, 3, 4, 5, 6, 7, 8.0]])
    b = benchmark_forecasts(y, cutoff=8, horizon=5, season=4, intervals=True)
    assert b["naive"].tolist() == [[8.0] * 5]
    assert b["seasonal_naive"].tolist() == [[5.0, 6.0, 7.0, 8.0, 5.0]]
    # fpp3 5.5: the 7 naive residuals are all 1 -> sigma 1; the 80% interval is
    # 8 +- 1.2816 sqrt(h)
    z = 1.2815515655446004
    hi = [8 + z * math.sqrt(h) for h in range(1, 6)]
    assert b["naive_hi"][0].tolist() == pytest.approx(hi)
    # seasonal residuals (lag 4) all 4 -> sigma 4; k = whole seasons ahead + 1
    s_hi = [4 + k + z * 4 * math.sqrt(((k - 1) // 4) + 1) for k in range(1, 5)]
    assert b["seasonal_naive_hi"][0][:4].tolist() == pytest.approx(s_hi)
    short = benchmark_forecasts(y, cutoff=2, horizon=2, season=4)
    assert np.isnan(short["seasonal_naive"]).all()  # less than a season of history


def test_auto_candidates_follow_the_pattern_and_always_hold_the_benchmarks() -> None:
    assert {"sba", "croston", "tsb", "adida", "imapa"} <= set(candidates("auto", "lumpy"))
    assert {"ses", "ets"} <= set(candidates("auto", "smooth"))
    assert candidates("arima", "smooth") == ("arima", "naive", "seasonal_naive")
    for pattern in ("smooth", "erratic", "intermittent", "lumpy", "insufficient history"):
        assert {"naive", "seasonal_naive"} <= set(candidates("auto", pattern))
