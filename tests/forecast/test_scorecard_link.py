"""The Scorecard's forecast accuracy: 1 - WAPE of the latest forecast run's backtest, pooled over
each segment's SKUs, read only while the run is on the data loaded now."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segstudio.forecast.stage import forecast_workspace
from segstudio.forecast.store import current_run_token, latest_errors, latest_run, save_run
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.perform.kpis import PORTFOLIO, forecast_accuracy_by_segment


def test_accuracy_by_segment_by_hand() -> None:
    features = pd.DataFrame({"sku": ["a", "b", "c", "d"]})
    segments = np.array(["AX", "AX", "BY", "CZ"], dtype=object)
    errors = pd.DataFrame(
        {
            "sku": ["a", "b", "c"],
            "abs_error_total": [10.0, 30.0, 80.0],
            "actual_total": [100.0, 100.0, 50.0],
        }
    )
    got = forecast_accuracy_by_segment(features, segments, errors)
    assert got["AX"] == pytest.approx(1 - 40 / 200)
    assert got["BY"] == 0.0  # 1 - 80 / 50 floored at 0
    assert "CZ" not in got  # no SKU of CZ was scored
    assert got[PORTFOLIO] == pytest.approx(1 - 120 / 250)


def test_the_run_counts_only_on_the_data_it_was_made_on(
    demo_workspace: Path, tmp_path: Path
) -> None:
    with Workspace(demo_workspace) as ws:
        assert current_run_token(ws) == "" and latest_errors(ws) is None
        result = forecast_workspace(ws, horizon=4, windows=2, n_jobs=1)
        save_run(ws, result, "planner", {"method": "auto", "horizon": 4, "windows": 2})
        token = current_run_token(ws)
        assert token
        errors = latest_errors(ws)
        assert errors is not None and len(errors) == int((result.accuracy["windows"] > 0).sum())
        stored = latest_run(ws)
        assert stored is not None and stored.made_by == "planner"
        pd.testing.assert_frame_equal(
            stored.accuracy.reset_index(drop=True), result.accuracy.reset_index(drop=True),
            check_dtype=False,
        )  # fmt: skip
        sales = tmp_path / "more.csv"
        sales.write_text("sku,date,quantity\nNEW1,2026-01-05,3\n", encoding="utf-8")
        ws.load({"sales": SourceFile(sales)})  # new data: the run is out of date
        assert current_run_token(ws) == "" and latest_errors(ws) is None
        assert not latest_run(ws).is_current(ws)  # type: ignore[union-attr]
