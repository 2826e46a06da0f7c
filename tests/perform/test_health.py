"""Inventory health (``segstudio.health``): ageing buckets from the inventory snapshot in SQL,
excess under both bases, obsolete stock, write-down exposure without double counting, the
act-on-first order, against hand computation; and its properties.

The fixture is a tiny workspace loaded from CSV files with canonical headers. Weekly sales on
Mondays (one date per week: a bucketed file, so every week is complete): week i starts
MON + 7 i days; the last week is week 39, so the window's last day is Sunday 2024-10-06 and the
data's last sales day Monday 2024-09-30.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.config.policy_table import PolicyTable
from segstudio.features.build import FeatureSettings, compute_features
from segstudio.ingest.workspace import Workspace
from segstudio.perform.health import (
    ACT_ON_FIRST_COLUMNS,
    SEGMENT_HEALTH_COLUMNS,
    SKU_HEALTH_COLUMNS,
    HealthError,
    HealthSettings,
    _matrices,
    act_on_first,
    ageing_chart_data,
    ageing_in_order,
    ageing_note,
    ageing_query,
    align_ageing,
    bucket_keys,
    bucket_labels,
    headline,
    read_ageing,
    segment_health,
    sku_health,
    stock_valuation,
    value_unmeasured,
)
from segstudio.policy.sku import compute_policies
from tests.builders import build_workspace

MON = dt.date(2024, 1, 1)
LAST_WEEK = 39
LAST_DAY = dt.date(2024, 10, 6)  # Sunday of week 39
LAST_SALES_DAY = dt.date(2024, 9, 30)  # Monday of week 39
BUCKETS = ["0_90", "91_180", "181_365", "over_365", "unknown"]
# Cover basis with 4 weeks keeps the hand computation short; rates are the defaults.
COVER = HealthSettings(excess_basis="cover", cover_weeks=4)
SEGMENTS = {"A": "S1", "B": "S1", "E": "S1", "C": "S2", "D": "S2", "N": "S2"}


def wk(i: int) -> dt.date:
    return MON + dt.timedelta(weeks=i)


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-9)


_load = build_workspace  # CSV rows per file key, loaded into folder/w.duckdb


def _sales() -> list[dict]:
    rows = []
    for i in range(LAST_WEEK + 1):
        rows.append({"sku": "A", "date": wk(i), "quantity": 10, "unit_cost": 2.0})
        rows.append({"sku": "E", "date": wk(i), "quantity": 2, "unit_cost": 1.0})
        rows.append({"sku": "D", "date": wk(i), "quantity": 3, "unit_cost": 1.0})
        if i <= 20:  # B's last sale: week 20 (2024-05-20)
            rows.append({"sku": "B", "date": wk(i), "quantity": 5, "unit_cost": 4.0})
        if i <= 5:  # C's last sale: week 5 (2024-02-05)
            rows.append({"sku": "C", "date": wk(i), "quantity": 1, "unit_cost": 3.0})
    return rows


def _stock(
    sku: str,
    loc: str,
    on_hand: float,
    cost: float | None = None,
    age: float | None = None,
    receipt: dt.date | None = None,
    snapshot: dt.date | None = None,
) -> dict:
    return {
        "sku": sku,
        "location": loc,
        "on_hand": on_hand,
        "unit_cost": cost,
        "age_days": age,
        "receipt_date": receipt,
        "snapshot_date": snapshot,
    }


INVENTORY = [
    _stock("A", "L1", 100, 2.0, age=30),  # 0-90
    _stock("A", "L2", 50, 2.0, age=400),  # over 365
    _stock("A", "L3", -5, 2.0, age=10),  # negative: counts as 0 units
    # receipt_date with snapshot_date: 2024-10-01 - 2024-06-01 = 122 days: 91-180
    _stock("B", "L1", 40, 5.0, receipt=dt.date(2024, 6, 1), snapshot=dt.date(2024, 10, 1)),
    # receipt_date without snapshot_date: the last sales day 2024-09-30 - 2023-09-01 = 395 days;
    # no unit cost: valued at the feature table's (B's sales lines: 4.0)
    _stock("B", "L2", 20, None, receipt=dt.date(2023, 9, 1)),
    _stock("C", "L1", 30, 3.0),  # neither age nor receipt: unknown
    _stock("N", "L1", 10, 7.0, age=200),  # never sold; 181-365
    _stock("E", "L1", 10, 1.0, age=90),  # on the edge: 0-90
    _stock("E", "L2", 10, 1.0, age=90.5),  # just over: 91-180
    # received after the snapshot: age -4 counts as 0: 0-90
    _stock("E", "L3", 5, 1.0, receipt=dt.date(2024, 10, 5), snapshot=dt.date(2024, 10, 1)),
]


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _load(tmp_path_factory.mktemp("health"), sales=_sales(), inventory=INVENTORY)


@pytest.fixture(scope="module")
def loaded(ws_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(features, ageing) of the fixture workspace."""
    with Workspace(ws_path) as ws:
        features, window = compute_features(ws.con, FeatureSettings())
        ageing = read_ageing(ws.con)
    assert window.last_day == LAST_DAY
    return features, ageing


def _health(
    loaded: tuple[pd.DataFrame, pd.DataFrame],
    s: HealthSettings = COVER,
    policies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    features, ageing = loaded
    segments = features["sku"].map(SEGMENTS).to_numpy(object)
    return sku_health(features, segments, ageing, LAST_DAY, s, policies).set_index(
        "sku", drop=False
    )


# --------------------------------------------------------------------------- settings, buckets
def test_default_buckets_are_0_90_91_180_181_365_over_365_and_unknown() -> None:
    s = HealthSettings()
    assert s.buckets == BUCKETS
    assert s.aged_bucket == "over_365"
    assert bucket_labels(s.age_edges_days) == [
        "0-90 days",
        "91-180 days",
        "181-365 days",
        "over 365 days",
        "unknown age",
    ]
    assert bucket_keys((30.0, 60.5)) == ["0_30", "31_60p5", "over_60p5", "unknown"]


def test_default_rates_are_documented_values() -> None:
    s = HealthSettings()
    assert (s.obsolete_rate, s.aged_rate, s.excess_rate) == (1.0, 0.5, 0.2)
    assert (s.excess_basis, s.cover_weeks, s.obsolete_weeks) == ("order_up_to", 26.0, 26.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"age_edges_days": (180, 90)},
        {"age_edges_days": ()},
        {"excess_basis": "turns"},
        {"cover_weeks": 0},
        {"obsolete_weeks": -1},
        {"aged_rate": 1.5},
        {"excess_rate": float("nan")},
    ],
)
def test_unusable_settings_are_refused_with_their_name(bad: dict) -> None:
    with pytest.raises(HealthError, match=next(iter(bad))):
        HealthSettings(**bad)


# --------------------------------------------------------------------------- ageing in SQL
def test_ageing_buckets_from_age_days_receipt_dates_or_unknown(loaded) -> None:
    _, ageing = loaded
    a = ageing.set_index("sku")
    assert list(a.index) == ["A", "B", "C", "E", "N"]  # inventory SKUs only, sorted
    units = a[[f"units_{b}" for b in BUCKETS]].to_numpy()
    np.testing.assert_allclose(
        units,
        [
            [100, 0, 0, 50, 0],  # A: age_days 30 and 400; the -5 row counts as 0
            [0, 40, 0, 20, 0],  # B: 122 days (snapshot) and 395 days (last sales day)
            [0, 0, 0, 0, 30],  # C: no age
            [15, 10, 0, 0, 0],  # E: 90 -> 0-90, 90.5 -> 91-180, -4 -> 0 -> 0-90
            [0, 0, 10, 0, 0],  # N: 200
        ],
    )
    # Value at the inventory's cost; B's 20 uncosted units wait for the feature cost.
    assert a.loc["A", "value_0_90"] == 200 and a.loc["A", "value_over_365"] == 100
    assert a.loc["B", "value_91_180"] == 200 and a.loc["B", "value_over_365"] == 0
    assert a.loc["B", "uncosted_over_365"] == 20
    assert a.loc["C", "value_unknown"] == 90


def test_sku_value_falls_back_to_the_feature_unit_cost(loaded) -> None:
    h = _health(loaded)
    # B: 40 x 5.0 (inventory cost) in 91-180, 20 x 4.0 (sales-line cost) over 365.
    assert h.loc["B", "value_91_180"] == approx(200)
    assert h.loc["B", "value_over_365"] == approx(80)
    assert h.loc["B", "value"] == approx(280)
    assert h.loc["B", "uncosted_units"] == 0


def test_without_any_age_column_all_stock_is_unknown_and_the_note_names_the_columns(
    tmp_path: Path,
) -> None:
    path = _load(
        tmp_path, sales=_sales()[:20], inventory=[{"sku": "A", "on_hand": 7, "unit_cost": 2.0}]
    )
    with Workspace(path) as ws:
        ageing = read_ageing(ws.con)
        stored = ws.stored_columns("inventory")
    assert ageing.loc[0, "units_unknown"] == 7 and ageing.loc[0, "value_unknown"] == 14
    note = ageing_note(stored)
    assert note is not None and "age_days" in note and "receipt_date" in note


def test_age_notes() -> None:
    assert ageing_note({"sku", "on_hand", "age_days"}) is None
    assert ageing_note({"sku", "on_hand", "receipt_date", "snapshot_date"}) is None
    note = ageing_note({"sku", "on_hand", "receipt_date"})
    assert note is not None and "snapshot_date" in note and "last sales day" in note
    note = ageing_note({"sku", "on_hand", "age_days"}, unknown_share=0.125)
    assert note is not None and "12.5% of the value" in note


def test_no_inventory_gives_an_empty_ageing_table(tmp_path: Path) -> None:
    path = _load(tmp_path, sales=_sales()[:20])
    with Workspace(path) as ws:
        assert read_ageing(ws.con).empty


# --------------------------------------------------------------------------- per SKU
def test_columns_are_documented(loaded) -> None:
    h = _health(loaded)
    listed = [c for c in SKU_HEALTH_COLUMNS if "<bucket>" not in c]
    buckets = [f"{p}_{b}" for p in ("units", "value") for b in BUCKETS]
    assert sorted(h.columns) == sorted(listed + buckets)
    seg = segment_health(h, COVER)
    assert sorted(seg.columns) == sorted(
        [c for c in SEGMENT_HEALTH_COLUMNS if "<" not in c] + [f"value_{b}" for b in BUCKETS]
    )
    assert list(act_on_first(h, COVER).columns) == list(ACT_ON_FIRST_COLUMNS)


def test_excess_on_the_cover_basis(loaded) -> None:
    h = _health(loaded)
    # A: 10 a week, limit 4 x 10 = 40, on hand 150: 110 excess. Taken from the oldest stock
    # first: the 50 aged units (value 100), then 60 of the young ones at 2.0 (120): 220.
    assert h.loc["A", "excess_limit"] == approx(40)
    assert h.loc["A", "excess_units"] == approx(110)
    assert h.loc["A", "excess_value"] == approx(220)
    # B: 105 units over the 40 active weeks = 2.625 a week, limit 10.5, on hand 60: 49.5
    # excess: 20 aged units at 4.0 (80) + 29.5 at 5.0 (147.5) = 227.5.
    assert h.loc["B", "demand_mean"] == approx(2.625)
    assert h.loc["B", "excess_units"] == approx(49.5)
    assert h.loc["B", "excess_value"] == approx(227.5)
    # E: 2 a week, limit 8, on hand 25 (all at 1.0): 17.
    assert h.loc["E", "excess_value"] == approx(17)
    # N never sold: no demand, all 10 units are excess.
    assert h.loc["N", "excess_units"] == approx(10)
    # D has no stock.
    assert h.loc["D", "on_hand"] == 0 and h.loc["D", "excess_units"] == 0
    assert h.loc["D", "reason"] == "no stock"


def test_excess_on_the_order_up_to_basis(loaded) -> None:
    features, _ = loaded
    up_to = {"A": 120.0, "B": 100.0, "C": 0.0, "D": 5.0, "E": 30.0, "N": 0.0}
    pol = pd.DataFrame({"sku": features["sku"], "order_up_to": features["sku"].map(up_to)})
    h = _health(loaded, HealthSettings(), pol)
    # A: 150 - 120 = 30 excess units, all from the 50 aged ones at 2.0: 60.
    assert h.loc["A", "excess_units"] == approx(30)
    assert h.loc["A", "excess_value"] == approx(60)
    # Aged and excess at once: each unit counted once, at the higher rate (aged 50%):
    # exposure = 100 (aged value) x 0.5 = 50; value at risk = the 100 aged, not 160.
    assert h.loc["A", "write_down_exposure"] == approx(50)
    assert h.loc["A", "value_at_risk"] == approx(100)
    assert h.loc["A", "reason"] == "aged"  # aged value 100 >= excess value 60
    assert h.loc["B", "excess_units"] == 0  # 60 on hand, up to 100
    assert h.loc["E", "excess_units"] == 0


def test_order_up_to_basis_uses_the_policy_levels(loaded) -> None:
    features, _ = loaded
    segments = features["sku"].map(SEGMENTS).to_numpy(object)
    pol = compute_policies(features, segments, PolicyTable())
    h = _health(loaded, HealthSettings(), pol)
    np.testing.assert_allclose(h["excess_limit"], pol["order_up_to"].clip(lower=0))
    np.testing.assert_allclose(
        h["excess_units"], (h["on_hand"] - pol["order_up_to"].to_numpy()).clip(lower=0)
    )
    with pytest.raises(HealthError, match="policies"):
        _health(loaded, HealthSettings(), None)


def test_obsolete_by_weeks_since_last_sale_and_never_sold(loaded) -> None:
    h = _health(loaded)
    # B: last sale 2024-05-20, 139 days = 19.86 weeks before 2024-10-06.
    assert h.loc["B", "weeks_since_last_sale"] == approx(139 / 7)
    # C: last sale 2024-02-05, 244 days = 34.86 weeks: obsolete at 26 weeks. N never sold.
    assert h["obsolete"].to_dict() == {
        "A": False,
        "B": False,
        "C": True,
        "D": False,
        "E": False,
        "N": True,
    }
    assert np.isnan(h.loc["N", "weeks_since_last_sale"])
    # D sold last week but holds no stock: nothing to flag either way.
    assert h.loc["C", "obsolete_value"] == approx(90) and h.loc["N", "obsolete_value"] == approx(70)
    # 19 weeks = 133 days <= 139: B obsolete; 20 weeks = 140 days > 139: not.
    assert _health(loaded, HealthSettings(excess_basis="cover", obsolete_weeks=19)).loc[
        "B", "obsolete"
    ]
    assert not _health(loaded, HealthSettings(excess_basis="cover", obsolete_weeks=20)).loc[
        "B", "obsolete"
    ]


def test_write_down_exposure_counts_each_unit_once(loaded) -> None:
    h = _health(loaded)
    # A (not obsolete): 50 aged units that are also excess (value 100) at max(50%, 20%) = 50;
    # 60 excess young units (120) at 20% = 24; the other 40 at 0: 74. At risk: 100 + 120.
    assert h.loc["A", "write_down_exposure"] == approx(74)
    assert h.loc["A", "value_at_risk"] == approx(220)
    # B: 20 aged-and-excess units (80) at 50% = 40; 29.5 excess young (147.5) at 20% = 29.5.
    assert h.loc["B", "write_down_exposure"] == approx(69.5)
    assert h.loc["B", "value_at_risk"] == approx(227.5)
    # C and N are obsolete: all their value at 100%, even though all of it is also excess
    # (and N's is 181-365 days old): 90 and 70, not more.
    assert h.loc["C", "write_down_exposure"] == approx(90)
    assert h.loc["N", "write_down_exposure"] == approx(70)
    # E: 17 excess units at 1.0 x 20% = 3.4.
    assert h.loc["E", "write_down_exposure"] == approx(3.4)
    assert h.loc["A", "aged_value"] == approx(100) and h.loc["E", "aged_value"] == 0
    # Obsolete B (19 weeks): 280 x 100%, nothing added for its aged or excess units.
    b = _health(loaded, HealthSettings(excess_basis="cover", cover_weeks=4, obsolete_weeks=19))
    assert b.loc["B", "write_down_exposure"] == approx(280)
    assert b.loc["B", "value_at_risk"] == approx(280)


def test_segment_table_and_headline(loaded) -> None:
    h = _health(loaded)
    seg = segment_health(h, COVER).set_index("segment")
    # S1 = A + B + E: value 300 + 280 + 25; exposure 74 + 69.5 + 3.4; at risk 220 + 227.5 + 17.
    assert seg.loc["S1", "skus"] == 3 and seg.loc["S1", "skus_with_stock"] == 3
    assert seg.loc["S1", "value"] == approx(605)
    assert seg.loc["S1", "value_0_90"] == approx(200 + 15)  # A's 100 x 2.0, E's 15 x 1.0
    assert seg.loc["S1", "value_91_180"] == approx(200 + 10)  # B's 40 x 5.0, E's 10 x 1.0
    assert seg.loc["S1", "value_over_365"] == approx(100 + 80)
    assert seg.loc["S1", "write_down_exposure"] == approx(146.9)
    assert seg.loc["S1", "value_at_risk"] == approx(464.5)
    assert seg.loc["S1", "value_at_risk_share"] == approx(464.5 / 605)
    # S2 = C + D + N: 90 + 0 + 70, all obsolete.
    assert seg.loc["S2", "skus"] == 3 and seg.loc["S2", "skus_with_stock"] == 2
    assert seg.loc["S2", "value"] == approx(160)
    assert seg.loc["S2", "obsolete_value"] == approx(160)
    assert seg.loc["S2", "value_unknown"] == approx(90)
    assert seg.loc["S2", "value_at_risk_share"] == approx(1.0)
    total = headline(h)
    assert total["value"] == approx(765)
    assert total["write_down_exposure"] == approx(146.9 + 160)
    assert total["obsolete_value"] == approx(160)
    assert total["skus_at_risk"] == 5
    assert total["unknown_age_share"] == approx(90 / 765)  # C's stock
    chart = ageing_chart_data(segment_health(h, COVER), COVER)
    assert chart.groupby("segment")["value"].sum().to_dict() == approx({"S1": 605, "S2": 160})
    assert list(dict.fromkeys(chart["bucket"])) == bucket_labels(COVER.age_edges_days)


# --------------------------------------------------------------------------- act on first
def test_act_on_first_order_and_actions(loaded) -> None:
    act = act_on_first(_health(loaded), COVER)
    # Value at risk: B 227.5, A 220, C 90, N 70, E 17; D has none and is not listed.
    assert list(act["sku"]) == ["B", "A", "C", "N", "E"]
    assert list(act["rank"]) == [1, 2, 3, 4, 5]
    actions = act.set_index("sku")["action"]
    # B: 60 on hand / 2.625 a week = 22.9 weeks of cover.
    assert actions["B"] == (
        "excess: 23 weeks of cover (limit 4): stop replenishment / return to supplier"
    )
    assert actions["A"].startswith("excess: 15 weeks of cover")
    assert actions["C"] == "obsolete: no sale in 35 weeks: sell off / write down"
    assert actions["N"] == "obsolete: never sold: sell off / write down"
    assert act_on_first(_health(loaded), COVER, limit=2)["sku"].tolist() == ["B", "A"]


def test_act_on_first_aged_and_order_up_to_actions(loaded) -> None:
    features, _ = loaded
    up_to = {"A": 120.0, "B": 24.0, "C": 0.0, "D": 5.0, "E": 10.0, "N": 0.0}
    pol = pd.DataFrame({"order_up_to": features["sku"].map(up_to)})
    act = act_on_first(_health(loaded, HealthSettings(), pol), HealthSettings())
    actions = act.set_index("sku")["action"]
    # A: 50 of its 150 units are over 365 days old.
    assert actions["A"] == (
        "aged: 33% over 365 days: discount, bundle or move it to where it sells"
    )
    # B: 60 on hand / 24 = 2.5x (36 excess units: 80 + 16 x 5 = 160 > aged 80).
    assert actions["B"].startswith("excess: 2.5x order-up-to: stop replenishment")
    # E: 25 / 10.
    assert actions["E"].startswith("excess: 2.5x order-up-to")


def test_act_on_first_breaks_ties_by_sku() -> None:
    skus = _synthetic(4, value_at_risk=[5.0, 9.0, 5.0, 0.0], sku=["Z", "M", "B", "A"])
    assert act_on_first(skus, HealthSettings())["sku"].tolist() == ["M", "B", "Z"]
    # A limit cutting through a tie keeps the tie's first SKU.
    assert act_on_first(skus, HealthSettings(), limit=2)["sku"].tolist() == ["M", "B"]
    assert act_on_first(skus, HealthSettings(), limit=0).empty


def test_ageing_aligned_once_gives_the_same_table(loaded) -> None:
    features, ageing = loaded
    aligned = align_ageing(ageing, features["sku"])
    assert aligned["sku"].tolist() == features["sku"].tolist()
    assert aligned.set_index("sku").loc["D"].sum() == 0  # no inventory rows
    segments = features["sku"].map(SEGMENTS).to_numpy(object)
    pd.testing.assert_frame_equal(
        sku_health(features, segments, aligned, LAST_DAY, COVER),
        sku_health(features, segments, ageing, LAST_DAY, COVER),
    )


def test_the_ageing_kept_in_the_portfolios_order_reads_back_as_aligned(loaded) -> None:
    """What a load stores (the aligned ageing's value columns, in the portfolio's order) gives
    the aligned ageing again, without a lookup; and the same health."""
    features, ageing = loaded
    aligned = align_ageing(ageing, features["sku"])
    values = pa.Table.from_pandas(aligned.drop(columns="sku"), preserve_index=False)
    back = ageing_in_order(values, features["sku"])
    pd.testing.assert_frame_equal(back, aligned, check_exact=True)
    segments = features["sku"].map(SEGMENTS).to_numpy(object)
    pd.testing.assert_frame_equal(
        sku_health(features, segments, back, LAST_DAY, COVER),
        sku_health(features, segments, aligned, LAST_DAY, COVER),
        check_exact=True,
    )
    with pytest.raises(HealthError, match="ageing rows"):
        ageing_in_order(values.slice(1), features["sku"])


def test_the_unit_values_passed_in_give_the_health_computed_from_the_features(loaded) -> None:
    from segstudio.policy.sku import SkuInputs
    from segstudio.policy.valuation import feature_unit_values

    features, ageing = loaded
    x = SkuInputs.from_features(features)
    for given_values, computed in zip(
        (x.unit_cost, x.valued_at), feature_unit_values(features), strict=True
    ):
        np.testing.assert_array_equal(given_values, computed)
    segments = features["sku"].map(SEGMENTS).to_numpy(object)
    up_to = pd.DataFrame({"order_up_to": np.linspace(0, 50, len(features))})
    for settings_ in (COVER, HealthSettings()):
        pd.testing.assert_frame_equal(
            sku_health(
                features, segments, ageing, LAST_DAY, settings_, up_to, (x.unit_cost, x.valued_at)
            ),
            sku_health(features, segments, ageing, LAST_DAY, settings_, up_to),
            check_exact=True,
        )


def _reference_align(ageing: pd.DataFrame, skus: pd.Series) -> pd.DataFrame:
    """The pandas alignment align_ageing replaced (one Index lookup, one fancy-indexed matrix)."""
    values = ageing.drop(columns="sku")
    where = pd.Index(ageing["sku"]).get_indexer(skus)
    matrix = np.zeros((len(values) + 1, values.shape[1]))
    matrix[:-1] = values.to_numpy(float)
    out = pd.DataFrame(matrix[np.where(where < 0, len(values), where)], columns=values.columns)
    out.insert(0, "sku", skus.to_numpy())
    return out


_CODES = st.text(alphabet="ABCxyz0é-", min_size=1, max_size=4)


@given(
    st.lists(_CODES, unique=True, max_size=12),
    st.lists(_CODES, unique=True, max_size=12),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_align_ageing_matches_the_pandas_reference(
    stocked: list[str], portfolio: list[str], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    columns = [f"{p}{k}" for k in BUCKETS for p in ("units_", "value_", "uncosted_")]
    ageing = pd.DataFrame(rng.uniform(0, 50, (len(stocked), len(columns))), columns=columns)
    ageing.insert(0, "sku", pd.Series(stocked, dtype=object))
    skus = pd.Series(portfolio, dtype=object)
    aligned = align_ageing(ageing, skus)
    pd.testing.assert_frame_equal(aligned, _reference_align(ageing, skus))
    # The Arrow table as read (read_ageing_table) aligns the same.
    table = pa.Table.from_pandas(ageing, preserve_index=False)
    pd.testing.assert_frame_equal(align_ageing(table, skus), aligned)
    np.testing.assert_array_equal(
        np.stack(_matrices(aligned, BUCKETS)).reshape(3 * len(BUCKETS), -1),
        _reference_align(ageing, skus)[
            [f"{p}{k}" for p in ("units_", "value_", "uncosted_") for k in BUCKETS]
        ]
        .to_numpy(float)
        .T,
    )


@pytest.mark.parametrize("edges", [(90.0, 180.0, 365.0), (30.0, 400.0)])
def test_read_ageing_matches_the_duckdb_frame(ws_path: Path, edges: tuple[float, ...]) -> None:
    settings_ = HealthSettings(age_edges_days=edges)
    with Workspace(ws_path) as ws:
        sql, params = ageing_query(settings_)
        expected = ws.con.execute(sql, params).df()
        pd.testing.assert_frame_equal(read_ageing(ws.con, settings_), expected)


def test_a_sale_after_the_window_end_counts_as_zero_weeks_ago() -> None:
    features = pd.DataFrame(
        {
            "sku": ["X"],
            "unit_cost": [1.0],
            "demand_mean": [1.0],
            "last_sale": pd.to_datetime([LAST_DAY + dt.timedelta(days=3)]),
        }
    )
    ageing = pd.DataFrame(
        {
            "sku": ["X"],
            **{
                f"{p}_{b}": [1.0 if p == "units" else 0.0]
                for p in ("units", "value", "uncosted")
                for b in BUCKETS
            },
        }
    )
    h = sku_health(features, np.array(["S"], dtype=object), ageing, LAST_DAY, COVER)
    assert h.loc[0, "weeks_since_last_sale"] == 0 and not h.loc[0, "obsolete"]


def _synthetic(n: int, **columns: list) -> pd.DataFrame:
    """A minimal SKU health table for act_on_first."""
    base = {
        "sku": [f"S{i}" for i in range(n)],
        "segment": ["X"] * n,
        "on_hand": [10.0] * n,
        "value": [10.0] * n,
        "aged_units": [0.0] * n,
        "demand_mean": [1.0] * n,
        "excess_limit": [5.0] * n,
        "excess_units": [5.0] * n,
        "excess_value": [5.0] * n,
        "weeks_since_last_sale": [1.0] * n,
        "write_down_exposure": [1.0] * n,
        "reason": ["excess"] * n,
        "value_at_risk": [5.0] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


# --------------------------------------------------------------------------- properties
@st.composite
def portfolios(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 12))
    small = st.floats(0, 1000, allow_nan=False)
    cost = st.one_of(st.just(float("nan")), st.floats(0, 50, allow_nan=False))
    skus = [f"K{i:02d}" for i in range(n)]
    last = [draw(st.one_of(st.none(), st.integers(0, 600))) for _ in range(n)]
    features = pd.DataFrame(
        {
            "sku": skus,
            "unit_cost": [draw(cost) for _ in range(n)],
            "demand_mean": [draw(st.floats(0, 100, allow_nan=False)) for _ in range(n)],
            "last_sale": pd.to_datetime(
                [None if d is None else LAST_DAY - dt.timedelta(days=d) for d in last]
            ),
        }
    )
    with_stock = [s for s in skus if draw(st.booleans())]
    ageing = pd.DataFrame({"sku": with_stock})
    for b in BUCKETS:
        ageing[f"units_{b}"] = [draw(small) for _ in with_stock]
        ageing[f"uncosted_{b}"] = [
            draw(st.floats(0, 1, allow_nan=False)) * u for u in ageing[f"units_{b}"]
        ]
        ageing[f"value_{b}"] = [
            (u - c) * draw(st.floats(0, 50, allow_nan=False))
            for u, c in zip(ageing[f"units_{b}"], ageing[f"uncosted_{b}"], strict=True)
        ]
    policies = pd.DataFrame({"order_up_to": [draw(small) for _ in range(n)]})
    return features, ageing, policies


def _run(p: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], s: HealthSettings) -> pd.DataFrame:
    features, ageing, policies = p
    segments = np.array(["X", "Y"] * len(features), dtype=object)[: len(features)]
    return sku_health(features, segments, ageing, LAST_DAY, s, policies)


RATES = st.floats(0, 1, allow_nan=False)
BASES = st.sampled_from(["order_up_to", "cover"])


@settings(max_examples=100, deadline=None)
@given(portfolios(), BASES, RATES, RATES, RATES, st.floats(1, 100))
def test_exposure_never_exceeds_value_at_risk_nor_value(p, basis, ro, ra, re, weeks) -> None:
    s = HealthSettings(
        excess_basis=basis,
        obsolete_rate=ro,
        aged_rate=ra,
        excess_rate=re,
        cover_weeks=weeks,
        obsolete_weeks=weeks,
    )
    h = _run(p, s)
    tol = 1e-9 * (1 + h["value"].to_numpy())
    assert (h["write_down_exposure"] >= -tol).all()
    assert (h["write_down_exposure"] <= h["value_at_risk"] + tol).all()
    assert (h["value_at_risk"] <= h["value"] + tol).all()
    assert (h["excess_value"] <= h["value"] + tol).all()
    # Value per bucket sums to the SKU's value.
    np.testing.assert_allclose(
        h[[f"value_{b}" for b in BUCKETS]].sum(axis=1), h["value"], rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        h[[f"units_{b}" for b in BUCKETS]].sum(axis=1), h["on_hand"], rtol=1e-9, atol=1e-9
    )
    # The segment table adds up to the headline.
    seg = segment_health(h, s)
    assert seg["value"].sum() == pytest.approx(h["value"].sum())
    assert seg["write_down_exposure"].sum() == pytest.approx(h["write_down_exposure"].sum())


@settings(max_examples=100, deadline=None)
@given(portfolios(), st.floats(1, 100), st.floats(1, 100))
def test_raising_obsolete_weeks_never_increases_obsolete_value(p, a, b) -> None:
    lo, hi = sorted((a, b))
    fewer = _run(p, HealthSettings(obsolete_weeks=hi))
    more = _run(p, HealthSettings(obsolete_weeks=lo))
    assert (fewer["obsolete_value"] <= more["obsolete_value"]).all()
    assert fewer["obsolete_value"].sum() <= more["obsolete_value"].sum()


@settings(max_examples=100, deadline=None)
@given(portfolios(), st.floats(1, 100), st.floats(1, 100))
def test_raising_cover_weeks_never_increases_excess_or_exposure(p, a, b) -> None:
    lo, hi = sorted((a, b))
    tight = _run(p, HealthSettings(excess_basis="cover", cover_weeks=lo))
    loose = _run(p, HealthSettings(excess_basis="cover", cover_weeks=hi))
    tol = 1e-9 * (1 + tight["value"].to_numpy())
    assert (loose["excess_value"] <= tight["excess_value"] + tol).all()
    assert (loose["write_down_exposure"] <= tight["write_down_exposure"] + tol).all()


@settings(max_examples=100, deadline=None)
@given(portfolios(), BASES)
def test_with_all_rates_at_100_percent_exposure_is_the_value_at_risk(p, basis) -> None:
    s = HealthSettings(excess_basis=basis, obsolete_rate=1, aged_rate=1, excess_rate=1)
    h = _run(p, s)
    np.testing.assert_allclose(h["write_down_exposure"], h["value_at_risk"], rtol=1e-9, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(portfolios(), BASES)
def test_act_on_first_is_sorted_by_value_at_risk(p, basis) -> None:
    s = HealthSettings(excess_basis=basis)
    h = _run(p, s)
    act = act_on_first(h, s)
    assert len(act) == int((h["value_at_risk"] > 0).sum())
    risk = act["value_at_risk"].to_numpy()
    assert (np.diff(risk) <= 0).all()
    assert set(act["reason"]) <= {"obsolete", "aged", "excess"}


def test_stock_without_a_unit_cost_is_valued_at_the_unit_price(tmp_path: Path) -> None:
    # P: priced sales, stock without a cost: 10 units x 3.0. K: the inventory row's own cost
    # (2.0) wins over its price. Q: neither a cost nor a price: left out, counted as uncosted.
    sales = []
    for i in range(4):
        sales += [
            {"sku": "P", "date": wk(i), "quantity": 2, "unit_price": 3.0},
            {"sku": "K", "date": wk(i), "quantity": 1, "unit_price": 9.0},
            {"sku": "Q", "date": wk(i), "quantity": 1, "unit_price": None},
        ]
    inventory = [_stock("P", "L1", 10), _stock("K", "L1", 5, 2.0), _stock("Q", "L1", 4)]
    with Workspace(_load(tmp_path, sales=sales, inventory=inventory)) as ws:
        features, window = compute_features(ws.con, FeatureSettings())
        ageing = read_ageing(ws.con)
    segments = np.array(["S"] * len(features), dtype=object)
    h = sku_health(features, segments, ageing, window.last_day, COVER).set_index("sku")
    assert h.loc["P", "value"] == approx(30) and h.loc["P", "valued_at"] == "price"
    assert h.loc["K", "value"] == approx(10) and h.loc["K", "valued_at"] == "cost"
    assert h.loc["Q", "value"] == 0 and h.loc["Q", "uncosted_units"] == 4
    assert h.loc["Q", "valued_at"] == "none"
    valued = stock_valuation(h)
    assert (valued.at_cost, valued.at_price, valued.unvalued) == (1, 1, 1)
    assert valued.label.startswith("at cost, else price (1 SKU of 3 have no unit cost)")
    assert value_unmeasured(h) == ""


def test_without_cost_or_price_the_message_says_which_columns_would_value_the_stock(
    tmp_path: Path,
) -> None:
    sales = [{"sku": "Q", "date": wk(i), "quantity": 1} for i in range(4)]
    with Workspace(_load(tmp_path, sales=sales, inventory=[_stock("Q", "L1", 4)])) as ws:
        features, window = compute_features(ws.con, FeatureSettings())
        ageing = read_ageing(ws.con)
    h = sku_health(features, np.array(["S"]), ageing, window.last_day, COVER)
    said = value_unmeasured(h)
    assert "unit_cost" in said and "unit price" in said and "unit_price" in said
    assert stock_valuation(h).label == "in units (no unit cost or price in the data)"
