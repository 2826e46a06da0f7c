"""The rolling-origin backtest: windows end at the last complete period, one after the other;
no forecast uses data after its cutoff (auto's choice included); the accuracy is the backtest's."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from segstudio.forecast import metrics
from segstudio.forecast.engine import MIN_TRAIN, Plan, Series, run_forecast

START = dt.date(2024, 1, 1)  # a Monday


def _series(y: np.ndarray) -> Series:
    starts = [START + dt.timedelta(weeks=i) for i in range(y.shape[1])]
    return Series(np.array([f"S{i}" for i in range(len(y))], dtype=object), y, starts, "week")


def _demand(seed: int, n: int = 6, periods: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    smooth = rng.normal(40, 8, (n // 2, periods)).clip(0).round()
    lumpy = (rng.random((n - n // 2, periods)) < 0.3) * rng.poisson(6, (n - n // 2, periods))
    y = np.vstack([smooth, lumpy]).astype(float)
    y[0, :10] = np.nan  # a later first sale
    return y


def _plan(n: int, model: str = "auto", horizon: int = 6, windows: int = 3) -> Plan:
    pattern = np.array(["smooth"] * (n // 2) + ["lumpy"] * (n - n // 2), dtype=object)
    return Plan(
        segment=np.array(["AX"] * n, dtype=object),
        pattern=pattern,
        model=np.array([model] * n, dtype=object),
        horizon=horizon,
        windows=windows,
    )


def test_windows_end_at_the_last_period_one_after_the_other() -> None:
    y = _demand(1)
    r = run_forecast(_series(y), _plan(len(y)), n_jobs=1)
    bt = r.backtest
    assert sorted(bt["window"].unique()) == [1, 2, 3]
    last = START + dt.timedelta(weeks=y.shape[1] - 1)
    assert bt["period_start"].max() == last
    for w, g in bt.groupby("window"):
        cutoff = g["cutoff"].iloc[0]
        assert cutoff == last - dt.timedelta(weeks=(3 - w + 1) * 6)  # consecutive windows
        # cutoff: the start of the window's last training period; its periods follow it
        assert g["period_start"].min() == cutoff + dt.timedelta(weeks=1)
        assert g.groupby("sku").size().eq(6).all()
    assert r.cutoffs == sorted(bt["cutoff"].unique().tolist())


@pytest.mark.parametrize("model", ["auto", "ses", "sba", "naive"])
def test_no_forecast_uses_data_after_its_cutoff(model: str) -> None:
    """Changing every actual after a window's cutoff leaves that window's forecasts (and, for
    auto, its choice of model) exactly as they were."""
    y = _demand(2)
    plan = _plan(len(y), model)
    before = run_forecast(_series(y), plan, n_jobs=1).backtest
    cut_col = y.shape[1] - 1 - 2 * plan.horizon  # window 2's cutoff column
    changed = y.copy()
    changed[:, cut_col + 1 :] = changed[:, cut_col + 1 :] * 3 + 17
    after = run_forecast(_series(changed), plan, n_jobs=1).backtest
    for frame in (before, after):
        frame.sort_values(["sku", "window", "period_start"], inplace=True)
    keep = ["sku", "model", "cutoff", "period_start", "forecast", "naive", "seasonal_naive"]
    for w in (1, 2):
        b = before[before["window"] == w][keep].reset_index(drop=True)
        a = after[after["window"] == w][keep].reset_index(drop=True)
        pd.testing.assert_frame_equal(b, a)
    w3_before = before[before["window"] == 3]["forecast"].to_numpy()
    w3_after = after[after["window"] == 3]["forecast"].to_numpy()
    assert not np.allclose(w3_before, w3_after)  # window 3 does see the changed data


def test_accuracy_is_computed_from_the_backtest_rows() -> None:
    y = _demand(3)
    plan = _plan(len(y))
    r = run_forecast(_series(y), plan, n_jobs=1)
    first_cut = y.shape[1] - 1 - plan.windows * plan.horizon
    for _, row in r.accuracy.iterrows():
        g = r.backtest[r.backtest["sku"] == row["sku"]]
        e = (g["forecast"] - g["actual"]).to_numpy()
        i = int(row["sku"][1:])
        hist = y[i, : first_cut + 1]
        scale_sq, _ = metrics.naive_scales(hist[np.isfinite(hist)])
        assert row["rmsse"] == pytest.approx(metrics.rmsse(e, scale_sq), nan_ok=True)
        assert row["wape"] == pytest.approx(metrics.wape(e, g["actual"].to_numpy()), nan_ok=True)
        naive_e = (g["naive"] - g["actual"]).to_numpy()
        assert row["naive_rmsse"] == pytest.approx(metrics.rmsse(naive_e, scale_sq), nan_ok=True)


def test_auto_picks_a_candidate_of_the_pattern_and_forecasts_the_future() -> None:
    y = _demand(4)
    plan = _plan(len(y))
    r = run_forecast(_series(y), plan, n_jobs=1)
    smooth = {"ses", "ets", "naive", "seasonal_naive"}
    lumpy = {"sba", "croston", "tsb", "adida", "imapa", "naive", "seasonal_naive"}
    for _, row in r.accuracy.iterrows():
        assert row["model"] in (smooth if row["pattern"] == "smooth" else lumpy)
    fc = r.forecast
    assert fc.groupby("sku").size().eq(plan.horizon).all()
    assert (fc["forecast"] >= 0).all()
    first_future = START + dt.timedelta(weeks=y.shape[1])
    assert fc["period_start"].min() == first_future


def test_too_short_a_history_is_refused_with_what_it_needs() -> None:
    y = _demand(5, periods=20)
    with pytest.raises(Exception, match="too few"):
        run_forecast(_series(y), _plan(len(y), horizon=6, windows=3), n_jobs=1)
    assert MIN_TRAIN > 1
