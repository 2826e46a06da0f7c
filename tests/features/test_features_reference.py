"""The SQL feature table against an independent plain-pandas implementation (the one the
benchmark times), on seeded weekly demo data: every sales-derived column must agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segstudio import SourceFile, Workspace, compute_features
from segstudio.ingest.demo import generate_demo
from tests.reference_features import COLUMNS, features_pandas


@pytest.mark.parametrize("grain", ["weekly", "daily"])
def test_sql_features_equal_the_pandas_reference(tmp_path: Path, grain: str) -> None:
    files = generate_demo(tmp_path / "files", skus=300, weeks=70, fmt="parquet", grain=grain)
    sales = pd.read_parquet(files["sales"]).rename(columns={"order_date": "date"})[COLUMNS]
    sales["date"] = pd.to_datetime(sales["date"])  # the demo's history is whole ISO weeks
    expected = features_pandas(sales).set_index("sku")
    reference_file = tmp_path / "sales.parquet"
    sales.assign(date=sales["date"].dt.date).to_parquet(reference_file)
    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.load({"sales": SourceFile(reference_file)})
        got, _ = compute_features(ws.con)
    got = got.set_index("sku").loc[expected.index]
    for col in (
        "quantity",
        "revenue",
        "margin",
        "order_lines",
        "weeks_active",
        "weeks_with_demand",
        "demand_mean",
        "demand_std",
        "cov",
        "adi",
        "cv2",
    ):
        a = expected[col].astype(float).to_numpy()
        b = got[col].astype(float).to_numpy()
        assert np.allclose(
            np.nan_to_num(a, nan=-1.0), np.nan_to_num(b, nan=-1.0), rtol=1e-9, atol=1e-9
        ), col
    assert (expected["pattern"] == got["pattern"]).all()
    assert (expected["is_new"] == got["is_new"]).all()
    assert (expected["is_end_of_life"] == got["is_end_of_life"]).all()
