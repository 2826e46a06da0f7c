"""What a load stores for the Data page and the sidebar (the feature table's profile, its size,
the official alert count, the table a page at a time) is what the pages would compute from
the feature table; it is read only for the rules and the data it was stored for, and never
for data loaded since."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from segstudio.config.rules import Rules
from segstudio.features.build import (
    FeatureSettings,
    compute_features,
    features_page,
    profile_key,
    store_profile,
    stored_profile,
    stored_size,
)
from segstudio.features.classes import ClassCuts
from segstudio.features.profile import Profile, profile
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.perform.io import store_after_load
from segstudio.segment.decisions import adopt, official_rules, segment_skus, set_override
from segstudio.segment.io import alerts_key, store_alert_count, stored_alert_count
from segstudio.segment.segmentation import Portfolio, alert_count, classify
from tests.builders import MON, write_csv

DEFAULT = FeatureSettings()
CUTS = ClassCuts.from_rules()


def _same_profile(a: Profile, b: Profile) -> None:
    assert a.counts == b.counts
    assert a.top_share == b.top_share
    pd.testing.assert_frame_equal(a.curve, b.curve)
    pd.testing.assert_frame_equal(a.patterns, b.patterns)


def _new_sales(ws: Workspace, folder: Path) -> None:
    """A load of other sales, without the store step."""
    rows = [{"sku": "N1", "date": MON + dt.timedelta(weeks=i), "quantity": 2} for i in range(8)]
    ws.load({"sales": SourceFile(write_csv(folder / "new_sales.csv", rows))})


def test_the_stored_profile_and_size_are_those_of_the_feature_table(demo_workspace: Path) -> None:
    ws = Workspace(demo_workspace)
    with ws.connect() as con:
        assert stored_profile(con, DEFAULT, CUTS) is None  # nothing stored before the load's step
        assert stored_size(con, DEFAULT) is None
    assert store_after_load(ws) is None
    with ws.connect() as con:
        features, window = compute_features(con, DEFAULT, CUTS)
        stored = stored_profile(con, DEFAULT, CUTS)
        size = stored_size(con, DEFAULT)
    assert stored is not None and size is not None
    fresh = profile(features)
    _same_profile(stored[0], fresh)
    assert stored[1] == window and size == (len(features), window)
    assert fresh.counts["skus"] == len(features) >= 300 and len(fresh.patterns) > 1


def test_a_profile_under_other_cut_offs_or_another_window_is_not_read_from_the_store(
    demo_workspace: Path,
) -> None:
    ws = Workspace(demo_workspace)
    assert store_after_load(ws) is None
    other_cuts = ClassCuts.from_rules(Rules(pattern_adi=5.0))
    with ws.connect() as con:
        assert stored_profile(con, DEFAULT, other_cuts) is None
        assert stored_profile(con, FeatureSettings(weeks=26), CUTS) is None
        assert stored_size(con, FeatureSettings(weeks=26)) is None
        assert features_page(con, FeatureSettings(weeks=26), CUTS, 0, 10) is None


def test_each_page_of_the_stored_table_is_that_slice_of_the_whole_table(
    demo_workspace: Path,
) -> None:
    """Any page, with the classes of any cut-offs, equals the rows of the whole table: the
    same values, the same types (a page without a missing count still reads as floats when
    the table has one), the same row numbers."""
    ws = Workspace(demo_workspace)
    assert store_after_load(ws) is None
    other_cuts = ClassCuts.from_rules(Rules(pattern_adi=1.1, lifecycle_new_weeks=30))
    with ws.connect() as con:
        for cuts in (CUTS, other_cuts):
            whole, _ = compute_features(con, DEFAULT, cuts)
            n = len(whole)
            for first, count in ((0, 128), (128, 128), (n - 7, 128), (n, 10)):
                page = features_page(con, DEFAULT, cuts, first, count)
                assert page is not None
                pd.testing.assert_frame_equal(page, whole.iloc[first : first + count])
    assert whole["n_receipts"].isna().any() and whole["n_receipts"].iloc[:5].notna().all()


def test_the_stored_alert_count_is_the_official_segmentations(demo_workspace: Path) -> None:
    """Counted afresh on the official segmentation (with its overrides), and only read for the
    official rules."""
    ws = Workspace(demo_workspace)
    portfolio, seg = segment_skus(ws)
    set_override(ws, str(portfolio.sku[0]), "CZ", "a test", "tester")
    assert store_after_load(ws) is None
    _, seg = segment_skus(ws)
    assert seg.overridden.any()
    official = official_rules(ws)
    with ws.connect() as con:
        stored = stored_alert_count(con, official)
        assert stored_alert_count(con, official.with_(band_relative=0.3)) is None
    assert stored == alert_count(seg) > 0
    plain = classify(segment_skus(ws)[0], official)
    assert stored == alert_count(plain)


def test_new_rules_adopted_after_the_load_are_counted_not_read(demo_workspace: Path) -> None:
    ws = Workspace(demo_workspace)
    assert store_after_load(ws) is None
    moved = official_rules(ws).with_(abc_a=0.7)
    adopt(ws, moved, "tester", "a test")
    with ws.connect() as con:
        assert stored_alert_count(con, official_rules(ws)) is None


def test_a_new_load_is_never_served_what_was_stored_for_the_data_before(
    demo_workspace: Path, tmp_path: Path
) -> None:
    ws = Workspace(demo_workspace)
    assert store_after_load(ws) is None
    official = official_rules(ws)
    with ws.connect() as con:
        assert stored_alert_count(con, official) is not None
    _new_sales(ws, tmp_path)
    with ws.connect() as con:
        assert stored_profile(con, DEFAULT, CUTS) is None
        assert stored_size(con, DEFAULT) is None
        assert features_page(con, DEFAULT, CUTS, 0, 10) is None
        assert stored_alert_count(con, official) is None
        features, _ = compute_features(con, DEFAULT, CUTS)
    assert "N1" in set(features["sku"])


def test_results_computed_while_a_load_commits_are_not_read_for_its_data(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """The keys are taken before the feature table is read: a load that commits between
    the read and the write of the results makes them unreadable, not wrong."""
    ws = Workspace(demo_workspace)
    assert store_after_load(ws) is None
    official = official_rules(ws)
    with ws.connect() as con:
        keys = profile_key(con, DEFAULT, CUTS), alerts_key(con, official)
        features, window = compute_features(con, DEFAULT, CUTS)
    portfolio = Portfolio.from_features(features, window.last_day)
    _new_sales(ws, tmp_path)  # commits meanwhile
    with ws.writing() as con:
        store_profile(con, keys[0], profile(features))
        store_alert_count(con, keys[1], alert_count(classify(portfolio, official)))
    with ws.connect() as con:
        assert stored_profile(con, DEFAULT, CUTS) is None
        assert stored_alert_count(con, official) is None


def test_segstudio_load_leaves_the_data_page_facts_to_the_apps_own_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from segstudio.cli import main

    rows = [
        {"sku": f"S{k}", "date": MON + dt.timedelta(days=3 * i), "quantity": (i * k) % 7 + 1}
        for k in range(1, 6)
        for i in range(60)
    ]
    ws_path = tmp_path / "w.duckdb"
    sales = write_csv(tmp_path / "sales.csv", rows)
    assert main(["load", "--workspace", str(ws_path), "--sales", str(sales)]) == 0
    capsys.readouterr()
    ws = Workspace(ws_path)
    with ws.connect() as con:  # the command stays quick: the app's first visitor computes them
        assert stored_profile(con, DEFAULT, CUTS) is None
    assert store_after_load(ws) is None  # what the app's Data page does after a load
    with ws.connect() as con:
        stored = stored_profile(con, DEFAULT, CUTS)
        features, _ = compute_features(con, DEFAULT, CUTS)
        alerts = stored_alert_count(con, official_rules(ws))
    assert stored is not None
    _same_profile(stored[0], profile(features))
    assert alerts == alert_count(segment_skus(ws)[1])


def test_the_stored_pareto_order_is_the_one_sorted_afresh(
    demo_workspace: Path, tmp_path: Path
) -> None:
    import numpy as np

    from segstudio.segment.io import stored_abc_order
    from segstudio.segment.segmentation import PREPARED_MEASURE

    ws = Workspace(demo_workspace)
    assert store_after_load(ws) is None
    official = official_rules(ws)
    fresh = segment_skus(ws)[0].abc_order(PREPARED_MEASURE)
    with ws.connect() as con:
        stored = stored_abc_order(con, official.weeks, (), PREPARED_MEASURE)
        left_out = stored_abc_order(con, official.weeks, ("S0001",), PREPARED_MEASURE)
        other = stored_abc_order(con, official.weeks, (), "margin")
    assert stored is not None and left_out is None and other is None
    np.testing.assert_array_equal(stored.order, fresh.order)
    np.testing.assert_array_equal(stored.share_before, fresh.share_before)
    assert np.isnan(fresh.share_before).any()  # SKUs without revenue: NaN kept
    _new_sales(ws, tmp_path)
    with ws.connect() as con:
        assert stored_abc_order(con, official.weeks, (), PREPARED_MEASURE) is None
