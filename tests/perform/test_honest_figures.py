"""The scorecard's figures say what they are and what they cannot tell: root-cause shares add up
to what the page says, achieved and simulated service are two named measures side by side,
and a figure the files cannot give is n/a, never 0 or an "all is well"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from segstudio.config.kpi_targets import KpiTargets
from segstudio.config.policy_table import PolicyTable
from segstudio.features.build import FeatureSettings, compute_features
from segstudio.perform import health, kpis, root_causes
from segstudio.perform import io as perform_io
from segstudio.perform.root_causes import SHARES_ADD_UP, cause_shares
from segstudio.policy.sku import compute_policies
from tests.perform.test_kpis import _cause_case, _workspace

NAMES = ["demand_variability", "supplier_lateness", "policy_setting"]


@st.composite
def shortages(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(0, 40))
    units = draw(hnp.arrays(float, n, elements=st.floats(0, 1e6, allow_nan=False)))
    flags = draw(hnp.arrays(bool, (n, len(NAMES))))
    return units, flags


@given(shortages())
def test_main_cause_shares_add_up_to_all_units_short(case: tuple[np.ndarray, np.ndarray]) -> None:
    units, flags = case
    shares = cause_shares(units, flags, NAMES)
    total = units.sum()
    assert list(shares["cause"]) == [*NAMES, "unexplained"]
    assert shares["main_skus"].sum() == len(units)  # each SKU once
    assert shares["main_units_short"].sum() == pytest.approx(total)
    if total > 0:
        assert shares["main_share"].sum() == pytest.approx(1.0)  # as SHARES_ADD_UP says
        # a SKU counts under each cause it has: those shares are at least the main ones
        assert (shares["share_of_short"] >= shares["main_share"] - 1e-12).all()
        assert (shares["share_of_short"] <= 1 + 1e-12).all()
    else:
        assert shares["main_share"].isna().all()  # nothing short: no share to tell
    assert "100%" in SHARES_ADD_UP


def test_the_summary_main_shares_add_up_to_one_per_segment() -> None:
    base, features, policies, sc = _cause_case()
    summary, skus = root_causes.root_causes(base, features, policies, sc, 1.0, 0.5)
    assert summary["main_share"].sum() == pytest.approx(1.0)
    main = skus.groupby("main_cause")["units_short"].sum()
    s = summary.set_index("cause")
    for cause, units in main.items():
        assert s.loc[cause, "main_units_short"] == units
    assert np.isnan(s.loc["forecast_error", "main_share"])  # not assessed, not 0


def _bare_card(tmp_path: Path) -> kpis.Scorecard:
    """Sales with quantities only: no prices, no costs, no shipped quantities, no stock."""
    ws = _workspace(tmp_path, "sku,date,quantity\nA,2025-01-06,3\nA,2025-01-14,4\n", None)
    features, window = compute_features(ws.con, FeatureSettings(weeks=2))
    seg = np.array(["S"] * len(features))
    table = PolicyTable()
    sc, _ = kpis.build_scorecard(
        features,
        seg,
        perform_io.sku_service(ws.con, window),
        table,
        KpiTargets(),
        compute_policies(features, seg, table),
        window,
        ws.stored_columns("sales"),
    )
    ws.close()
    return sc


def test_without_shipped_qty_service_cannot_be_measured_and_nothing_misses(
    tmp_path: Path,
) -> None:
    sc = _bare_card(tmp_path)
    assert sc.misses().empty  # no red or amber to explain ...
    assert "shipped_qty" in sc.service_unmeasured()  # ... because it cannot be measured


def test_a_measured_service_has_no_unmeasured_note() -> None:
    *_, sc = _cause_case()
    assert sc.service_unmeasured() == ""


def test_balanced_scorecard_reads_n_a_where_the_files_cannot_tell(tmp_path: Path) -> None:
    sc = _bare_card(tmp_path)
    table = kpis.balanced(sc, 14 / 365.25)
    for col in ("revenue", "revenue_share", "gross_margin", "inventory_value", "unit_fill_rate"):
        assert table[col].isna().all(), col


def test_achieved_and_simulated_service_side_by_side() -> None:
    *_, sc = _cause_case()
    before = kpis.service_side_by_side(sc, None)
    assert before["achieved_service"].tolist() == pytest.approx([0.82])
    assert before["simulated_service"].isna().all()
    simulated = pd.DataFrame({"segment": ["S"], "achieved": [0.989]})
    both = kpis.service_side_by_side(sc, simulated)
    assert both.loc[0, "simulated_service"] == 0.989
    assert both.loc[0, "achieved_service"] == pytest.approx(0.82)
    assert kpis.ACHIEVED_SERVICE != kpis.SIMULATED_SERVICE
    for name in (kpis.ACHIEVED_SERVICE, kpis.SIMULATED_SERVICE):
        assert name in kpis.SERVICE_DEFINITIONS  # defined where methods.md defines it


def test_stock_without_a_cost_has_no_value_to_call_healthy() -> None:
    skus = pd.DataFrame({"on_hand": [10.0, 0.0], "value": [0.0, 0.0]})
    assert "unit_cost" in health.value_unmeasured(skus)
    valued = pd.DataFrame({"on_hand": [10.0], "value": [25.0]})
    assert health.value_unmeasured(valued) == ""
    empty = pd.DataFrame({"on_hand": [0.0], "value": [0.0]})
    assert health.value_unmeasured(empty) == ""  # nothing in stock: nothing to value
