"""What the segmentation says when the data cannot give a figure: ABC falls back to quantity
without prices (and says so), margin and revenue read missing rather than 0, and the boundary
alerts are sorted nearest first on the one scale they state."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segstudio.config.rules import Rules
from segstudio.segment.segmentation import (
    ALERT_SCALE,
    Portfolio,
    abc_measure_note,
    alerts,
    classify,
    matrix,
    scatter_points,
)

LAST_DAY = dt.date(2024, 6, 30)


def _priceless(quantities: list[float]) -> Portfolio:
    """SKUs with units sold but no price or cost: revenue 0 (as the feature query gives it)."""
    rows = [
        {"sku": f"S{i:03d}", "quantity": q, "revenue": 0.0, "margin": np.nan, "cov": 0.3}
        for i, q in enumerate(quantities)
    ]
    return Portfolio.from_features(pd.DataFrame(rows), LAST_DAY)


def test_without_prices_abc_is_on_quantity_and_says_so() -> None:
    p = _priceless([500, 300, 100, 50, 30, 10, 5, 3, 1, 1])
    rules = Rules()
    assert rules.abc_measure == "revenue"
    assert p.abc_measure("revenue") == "quantity"
    note = abc_measure_note(p, "revenue")
    assert "quantity" in note and "unit_price" in note
    s = classify(p, rules)
    # the top seller by units is class A, as quantity's Pareto puts it
    abc = dict(zip(p.sku, s.classes("abc"), strict=True))
    assert abc["S000"] == "A" and abc["S009"] == "C"
    cells = matrix(p, s)
    assert cells["measure_share"].sum() == 1.0
    assert cells["revenue"].isna().all() and cells["margin"].isna().all()
    points = scatter_points(p, s)
    assert len(points) == len(p)  # plotted on quantity, not dropped for having no revenue
    assert points["measure"].tolist() == p.values["quantity"][points.index].tolist()


def test_with_prices_the_requested_measure_is_kept() -> None:
    rows = [{"sku": "A", "quantity": 1, "revenue": 10.0}, {"sku": "B", "quantity": 5, "revenue": 1}]
    p = Portfolio.from_features(pd.DataFrame(rows), LAST_DAY)
    assert p.abc_measure("revenue") == "revenue"
    assert abc_measure_note(p, "revenue") == ""
    assert p.abc_measure("margin") == "quantity"  # no costs: no margin to rank on


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    covs=st.lists(st.floats(0.01, 3.0), min_size=2, max_size=60),
    revenue=st.lists(st.integers(0, 1000), min_size=60, max_size=60),
    band_share=st.floats(0.0, 0.1),
    band_relative=st.floats(0.0, 0.5),
)
def test_alerts_are_sorted_nearest_first_on_the_band_scale(
    covs: list[float], revenue: list[int], band_share: float, band_relative: float
) -> None:
    rows = [
        {"sku": f"S{i:02d}", "quantity": 1 + r, "revenue": float(r), "cov": c}
        for i, (c, r) in enumerate(zip(covs, revenue, strict=False))
    ]
    p = Portfolio.from_features(pd.DataFrame(rows), LAST_DAY)
    rules = Rules().with_(band_share=band_share, band_relative=band_relative)
    near = alerts(p, classify(p, rules))
    scale = near["band_distance"].to_numpy()
    assert (np.diff(scale) >= 0).all()
    assert ((scale >= 0) & (scale <= 1 + 1e-9)).all()  # within the band: 0% to 100% of it
    # the scale is the distance over the criterion's band, whichever criterion is nearest
    band = np.where(near["nearest_boundary"].str.startswith("abc"), band_share, band_relative)
    ok = band > 0
    assert np.allclose(near["boundary_distance"][ok] / band[ok], scale[ok])
    assert "share of its alert band" in ALERT_SCALE
