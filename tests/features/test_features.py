"""The per-SKU feature table against hand-computed values (definitions: methods.md).

Each test writes tiny CSV files with canonical headers, loads them into a fresh workspace and
checks :func:`segstudio.features.compute_features` against arithmetic written out here (or an
independent numpy computation in the property test at the end).
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.config.rules import Rules
from segstudio.features.build import FeatureSettings, Window, compute_features
from segstudio.features.classes import ClassCuts
from segstudio.ingest.workspace import Workspace
from tests.builders import build_workspace

MON = dt.date(2024, 1, 1)  # a Monday: week i of the fixtures starts MON + 7 i days


def wk(i: int, day: int = 0) -> dt.date:
    """Day ``day`` (0 = Monday ... 6 = Sunday) of week ``i``."""
    return MON + dt.timedelta(days=7 * i + day)


def sstd(xs: list[float]) -> float:
    """Sample standard deviation, written out: sqrt(sum((x - mean)^2) / (n - 1))."""
    m = sum(xs) / len(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def features(
    folder: Path,
    fs: FeatureSettings | None = None,
    cuts: ClassCuts | None = None,
    **files: list[dict],
) -> tuple[pd.DataFrame, Window]:
    ws_path = build_workspace(folder, **files)
    with Workspace(ws_path) as ws:
        df, win = compute_features(ws.con, fs or FeatureSettings(), cuts)
    assert df["sku"].is_unique
    return df.set_index("sku", drop=False), win


def sale(sku: str, date: dt.date | str, qty: float, **extra: object) -> dict:
    return {"sku": sku, "date": date, "quantity": qty, **extra}


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------- window
def _daily_partial_sales() -> list[dict]:
    rows = [sale("A", wk(0, 2), 100)]  # Wednesday: the first week is only partly covered
    rows += [sale("A", wk(i, 3), 10) for i in range(1, 6)]
    rows += [sale("A", wk(6, 0), 2), sale("A", wk(6, 6), 1)]  # week 6: 3 (Monday + Sunday)
    # week 7: nothing
    rows += [sale("A", wk(8, 1), 4)]  # week 8: 4
    rows += [sale("A", wk(9, 0), 1), sale("A", wk(9, 6), 1)]  # week 9: 2
    rows += [sale("A", wk(10, 2), 100)]  # Wednesday: the last week is only partly covered
    return rows


def test_daily_data_drops_partial_first_and_last_weeks(tmp_path: Path) -> None:
    df, win = features(tmp_path, FeatureSettings(weeks=4), sales=_daily_partial_sales())
    # Complete ISO weeks are 1..9 (2024-01-08 .. 2024-03-10); the last 4 are weeks 6..9.
    assert win.period == "week"
    assert not win.bucketed
    assert win.start == dt.date(2024, 2, 12)
    assert win.end == dt.date(2024, 3, 4)
    assert win.last_day == dt.date(2024, 3, 10)
    assert win.periods == 4
    a = df.loc["A"]
    weekly = [3, 0, 4, 2]
    assert a["quantity"] == approx(3 + 0 + 4 + 2)
    assert a["weeks_active"] == 4
    assert a["weeks_with_demand"] == 3
    mean = (3 + 0 + 4 + 2) / 4  # 2.25
    std = math.sqrt(((3 - 2.25) ** 2 + (0 - 2.25) ** 2 + (4 - 2.25) ** 2 + (2 - 2.25) ** 2) / 3)
    assert std == approx(sstd(weekly))
    assert a["demand_mean"] == approx(mean)
    assert a["demand_std"] == approx(std)
    assert a["cov"] == approx(std / mean)
    assert a["adi"] == approx(4 / 3)


def test_daily_window_longer_than_history_starts_at_first_complete_week(tmp_path: Path) -> None:
    df, win = features(tmp_path, FeatureSettings(weeks=52), sales=_daily_partial_sales())
    assert win.start == dt.date(2024, 1, 8)  # week 1: week 0 began on a Wednesday
    assert win.end == dt.date(2024, 3, 4)
    assert win.periods == 9
    weekly = [10, 10, 10, 10, 10, 3, 0, 4, 2]
    a = df.loc["A"]
    assert a["quantity"] == approx(5 * 10 + 3 + 4 + 2)
    assert a["weeks_active"] == 9
    assert a["demand_mean"] == approx(59 / 9)
    assert a["demand_std"] == approx(sstd(weekly))


def test_daily_data_covering_whole_weeks_keeps_them(tmp_path: Path) -> None:
    # Monday 2024-01-01 to Sunday 2024-01-28: four complete weeks.
    rows = [
        sale("A", wk(0, 0), 1),
        sale("A", wk(0, 4), 2),
        sale("A", wk(1, 2), 5),
        sale("A", wk(2, 1), 1),
        sale("A", wk(2, 5), 1),
        sale("A", wk(3, 6), 4),
    ]
    df, win = features(tmp_path, FeatureSettings(weeks=52), sales=rows)
    assert not win.bucketed
    assert (win.start, win.end, win.last_day, win.periods) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 22),
        dt.date(2024, 1, 28),
        4,
    )
    weekly = [3, 5, 2, 4]
    assert df.loc["A", "quantity"] == approx(14)
    assert df.loc["A", "demand_mean"] == approx(14 / 4)
    assert df.loc["A", "demand_std"] == approx(sstd(weekly))


@pytest.mark.parametrize("weekday", [0, 3, 6])
def test_weekly_bucketed_file_keeps_its_last_week(tmp_path: Path, weekday: int) -> None:
    # One date per week (Monday, Thursday or Sunday), weeks 0..9; B sells in even weeks only.
    rows = [sale("A", wk(i, weekday), i + 1) for i in range(10)]
    rows += [sale("B", wk(i, weekday), 2) for i in range(0, 10, 2)]
    df, win = features(tmp_path, FeatureSettings(weeks=4), sales=rows)
    assert win.bucketed
    assert win.start == dt.date(2024, 2, 12)  # weeks 6..9
    assert win.end == dt.date(2024, 3, 4)
    assert win.last_day == dt.date(2024, 3, 10)
    assert win.periods == 4
    assert df.loc["A", "quantity"] == approx(7 + 8 + 9 + 10)
    assert df.loc["A", "demand_mean"] == approx((7 + 8 + 9 + 10) / 4)
    assert df.loc["A", "demand_std"] == approx(sstd([7, 8, 9, 10]))
    # B: weeks 6 and 8 -> [2, 0, 2, 0]
    assert df.loc["B", "demand_mean"] == approx(1.0)
    assert df.loc["B", "demand_std"] == approx(math.sqrt((1 + 1 + 1 + 1) / 3))
    assert df.loc["B", "adi"] == approx(2.0)

    df, win = features(tmp_path / "all", FeatureSettings(weeks=52), sales=rows)
    assert win.start == dt.date(2024, 1, 1)  # the first week is kept too
    assert win.periods == 10
    assert df.loc["A", "quantity"] == approx(sum(range(1, 11)))


# --------------------------------------------------------------------------- active weeks
def test_launch_mid_window_counts_active_weeks_from_first_positive_sale(tmp_path: Path) -> None:
    rows = [sale("OLD", wk(i), 1) for i in range(10)]  # Mondays, weeks 0..9
    rows += [
        sale("NEW", wk(2), -1),  # a return before the launch: not a positive sale
        sale("NEW", wk(4), 6),  # first positive sale: week 5 of the window
        sale("NEW", wk(6), 3),
        sale("NEW", wk(9), 3),
    ]
    df, win = features(tmp_path, FeatureSettings(weeks=10), sales=rows)
    assert win.periods == 10 and win.start == MON
    new = df.loc["NEW"]
    active = [6, 0, 3, 0, 0, 3]  # weeks 4..9
    assert new["weeks_active"] == 6
    assert new["weeks_with_demand"] == 3
    assert new["quantity"] == approx(-1 + 6 + 3 + 3)
    assert new["demand_mean"] == approx(12 / 6)
    # deviations from 2: 4, -2, 1, -2, -2, 1 -> squares sum to 30
    assert new["demand_std"] == approx(math.sqrt(30 / 5))
    assert new["demand_std"] == approx(sstd(active))
    assert new["cov"] == approx(math.sqrt(6) / 2)
    assert new["adi"] == approx(6 / 3)
    # non-zero weeks [6, 3, 3]: mean 4, sample variance (4 + 1 + 1) / 2 = 3
    assert new["cv2"] == approx(3 / 16)
    assert new["pattern"] == "intermittent"
    assert pd.Timestamp(new["first_sale"]).date() == wk(4)
    assert df.loc["OLD", "weeks_active"] == 10


# --------------------------------------------------------------------------- returns
def _returns_sales() -> list[dict]:
    return [
        # R: week 0: +5 and -8 (net -3 -> demand 0); week 1: +10 and -4 -> 6; then 2 and 4.
        sale("R", wk(0), 5),
        sale("R", wk(0), -8),
        sale("R", wk(1), 10),
        sale("R", wk(1), -4),
        sale("R", wk(2), 2),
        sale("R", wk(3), 4),
        # S: a week with a return only
        sale("S", wk(0), 4),
        sale("S", wk(1), -2),
        sale("S", wk(2), 4),
        sale("S", wk(3), 4),
    ]


def test_returns_are_netted_within_the_week_and_floored_at_zero(tmp_path: Path) -> None:
    df, _ = features(tmp_path, FeatureSettings(weeks=4), sales=_returns_sales())
    r = df.loc["R"]
    assert r["quantity"] == approx(5 - 8 + 10 - 4 + 2 + 4)  # net: 9
    assert r["order_lines"] == 4  # positive lines only
    weekly = [0, 6, 2, 4]
    assert r["weeks_active"] == 4
    assert r["weeks_with_demand"] == 3
    assert r["demand_mean"] == approx(12 / 4)
    assert r["demand_std"] == approx(math.sqrt((9 + 9 + 1 + 1) / 3))
    assert r["demand_std"] == approx(sstd(weekly))
    assert r["adi"] == approx(4 / 3)
    s = df.loc["S"]
    assert s["quantity"] == approx(10)
    assert s["demand_mean"] == approx(3.0)  # [4, 0, 4, 4]
    assert s["demand_std"] == approx(2.0)  # deviations 1, -3, 1, 1 -> 12 / 3 = 4


def test_net_returns_false_ignores_negative_lines(tmp_path: Path) -> None:
    df, _ = features(tmp_path, FeatureSettings(weeks=4, net_returns=False), sales=_returns_sales())
    r = df.loc["R"]
    weekly = [5, 10, 2, 4]
    assert r["demand_mean"] == approx(21 / 4)
    assert r["demand_std"] == approx(
        math.sqrt(((5 - 5.25) ** 2 + (10 - 5.25) ** 2 + (2 - 5.25) ** 2 + (4 - 5.25) ** 2) / 3)
    )
    assert r["demand_std"] == approx(sstd(weekly))
    assert r["weeks_with_demand"] == 4
    assert r["adi"] == approx(1.0)
    assert r["quantity"] == approx(9)  # the quantity column stays net
    s = df.loc["S"]
    assert s["demand_mean"] == approx(3.0)  # the return-only week counts 0
    assert s["demand_std"] == approx(2.0)
    assert s["weeks_with_demand"] == 3


# --------------------------------------------------------------------------- money
def test_quantity_revenue_margin_and_shares(tmp_path: Path) -> None:
    # Mondays of weeks 0..4, window weeks 1..4 (weeks=4).
    sales = [
        sale("ANCHOR", wk(0), 1, unit_price=1),
        sale("ANCHOR", wk(4), 1, unit_price=1),
        # P1: revenue column wins over qty x price; the second line has no revenue.
        sale("P1", wk(1), 10, revenue=95, unit_price=10, unit_cost=6),
        sale("P1", wk(2), 5, unit_price=12, unit_cost=7),
        # P2: no revenue, no line price, no line cost: product master price 4 and cost 3.
        sale("P2", wk(1), 20),
        sale("P2", wk(3), -5),
        # P3: line price and line cost; the line cost wins over the master's 5.
        sale("P3", wk(2), 10, unit_price=2, unit_cost=1),
        # P4: no cost anywhere.
        sale("P4", wk(3), 5, unit_price=3),
        # P5: sold before the window, returned in it.
        sale("P5", wk(0), 2),
        sale("P5", wk(2), -2),
    ]
    products = [
        {"sku": "P2", "unit_cost": 3, "unit_price": 4},
        {"sku": "P3", "unit_cost": 5, "unit_price": 9},
        {"sku": "P5", "unit_cost": 4, "unit_price": 5},
    ]
    df, win = features(tmp_path, FeatureSettings(weeks=4), sales=sales, products=products)
    assert win.start == wk(1)

    exp = {
        #        quantity, revenue,            margin,                      order_lines
        "P1": (10 + 5, 95 + 5 * 12, (95 + 5 * 12) - (10 * 6 + 5 * 7), 2),
        "P2": (20 - 5, 20 * 4 - 5 * 4, (20 * 4 - 5 * 4) - (20 - 5) * 3, 1),
        "P3": (10, 10 * 2, 10 * 2 - 10 * 1, 1),
        "P4": (5, 5 * 3, None, 1),
        "P5": (-2, -2 * 5, -2 * 5 - (-2) * 4, 0),
        "ANCHOR": (1, 1, None, 1),
    }
    for sku, (qty, rev, margin, lines) in exp.items():
        row = df.loc[sku]
        assert row["quantity"] == approx(qty), sku
        assert row["revenue"] == approx(rev), sku
        assert row["order_lines"] == lines, sku
        if margin is None:
            assert pd.isna(row["margin"]) and pd.isna(row["margin_pct"]), sku
        else:
            assert row["margin"] == approx(margin), sku
            assert row["margin_pct"] == approx(margin / rev), sku

    assert df.loc["P1", "margin"] == approx(60)
    assert df.loc["P2", "unit_cost"] == approx(3)
    # An SKU's unit cost: the product master's, else its sales lines' average, else the stock's
    # (methods.md, "Valued sales lines"); its lines keep their own cost (P3's margin above).
    assert df.loc["P3", "unit_cost"] == approx(5)

    pos_qty = 15 + 15 + 10 + 5 + 1
    pos_rev = 155 + 60 + 20 + 15 + 1
    pos_margin = 60 + 15 + 10
    all_lines = 2 + 1 + 1 + 1 + 0 + 1
    for sku, (qty, rev, margin, lines) in exp.items():
        row = df.loc[sku]
        assert row["quantity_share"] == approx(qty / pos_qty), sku
        assert row["revenue_share"] == approx(rev / pos_rev), sku
        assert row["order_lines_share"] == approx(lines / all_lines), sku
        if margin is not None:
            assert row["margin_share"] == approx(margin / pos_margin), sku
    # Shares sum to 1 over the SKUs with a positive value.
    for col, share in [
        ("quantity", "quantity_share"),
        ("revenue", "revenue_share"),
        ("margin", "margin_share"),
        ("order_lines", "order_lines_share"),
    ]:
        assert df.loc[df[col] > 0, share].sum() == approx(1.0)


# --------------------------------------------------------------------------- patterns
SERIES = {  # window weeks 2..9 (weeks=8 over data weeks 0..9)
    "SMOOTH": [10, 12, 9, 11, 10, 8, 12, 10],
    "ERRATIC": [1, 20, 2, 15, 1, 30, 3, 25],
    "INTERMITTENT": [5, 0, 0, 6, 0, 5, 0, 0],
    "LUMPY": [1, 0, 0, 30, 0, 0, 2, 0],
}


def test_cov_adi_cv2_and_pattern(tmp_path: Path) -> None:
    sales = [sale("ANCHOR", wk(i), 1) for i in range(10)]
    for sku, series in SERIES.items():
        sales += [sale(sku, wk(2 + j), x) for j, x in enumerate(series) if x]
    sales += [sale("SINGLE", wk(4), 7)]  # one non-zero week, first sale in week 3 of the window
    sales += [sale("DEAD", wk(0), 9)]  # sold before the window only
    df, win = features(tmp_path, FeatureSettings(weeks=8), sales=sales)
    assert win.start == wk(2) and win.periods == 8

    expected_pattern = {
        "SMOOTH": "smooth",
        "ERRATIC": "erratic",
        "INTERMITTENT": "intermittent",
        "LUMPY": "lumpy",
    }
    for sku, series in SERIES.items():
        row = df.loc[sku]
        mean = sum(series) / 8
        nz = [x for x in series if x > 0]
        adi = 8 / len(nz)
        cv2 = (sstd(nz) / (sum(nz) / len(nz))) ** 2
        assert row["weeks_active"] == 8, sku
        assert row["weeks_with_demand"] == len(nz), sku
        assert row["demand_mean"] == approx(mean), sku
        assert row["demand_std"] == approx(sstd(series)), sku
        assert row["cov"] == approx(sstd(series) / mean), sku
        assert row["adi"] == approx(adi), sku
        assert row["cv2"] == approx(cv2), sku
        assert row["pattern"] == expected_pattern[sku], sku
    # The series sit clearly on their side of 1.32 and 0.49.
    assert df.loc["SMOOTH", "cv2"] < 0.1 and df.loc["SMOOTH", "adi"] == 1
    assert df.loc["ERRATIC", "cv2"] > 0.7 and df.loc["ERRATIC", "adi"] == 1
    assert df.loc["INTERMITTENT", "cv2"] < 0.1 and df.loc["INTERMITTENT", "adi"] > 2
    assert df.loc["LUMPY", "cv2"] > 1.5 and df.loc["LUMPY", "adi"] > 2
    # SMOOTH by hand: mean 82 / 8 = 10.25; squared deviations 0.0625 + 3.0625 + 1.5625 +
    # 0.5625 + 0.0625 + 5.0625 + 3.0625 + 0.0625 = 13.5
    assert df.loc["SMOOTH", "demand_std"] == approx(math.sqrt(13.5 / 7))

    single = df.loc["SINGLE"]
    assert single["weeks_active"] == 6  # weeks 4..9
    assert single["weeks_with_demand"] == 1
    assert single["pattern"] == "insufficient history"
    assert pd.isna(single["cv2"])
    assert single["adi"] == approx(6.0)
    assert single["demand_mean"] == approx(7 / 6)

    dead = df.loc["DEAD"]
    assert dead["quantity"] == 0
    assert dead["weeks_with_demand"] == 0
    assert dead["demand_mean"] == 0
    assert pd.isna(dead["cov"])
    assert pd.isna(dead["adi"])
    assert dead["pattern"] == "insufficient history"


def test_pattern_cutoffs_are_settings(tmp_path: Path) -> None:
    sales = [sale("ANCHOR", wk(i), 1) for i in range(10)]
    sales += [sale("INTERMITTENT", wk(2 + j), x) for j, x in enumerate(SERIES["INTERMITTENT"]) if x]
    # ADI 8/3 = 2.67 is below a cut-off of 3: smooth.
    df, _ = features(
        tmp_path,
        FeatureSettings(weeks=8),
        ClassCuts.from_rules(Rules(pattern_adi=3.0)),
        sales=sales,
    )
    assert df.loc["INTERMITTENT", "pattern"] == "smooth"


# --------------------------------------------------------------------------- lifecycle
def test_new_and_end_of_life_with_default_13_and_26_weeks(tmp_path: Path) -> None:
    # Mondays of weeks 0..39; the window is all 40 weeks, its last day is Sunday of week 39.
    sales = [sale("ANCHOR", wk(i), 1) for i in range(40)]
    sales += [sale("NEW27", wk(27), 3), sale("NEW27", wk(30), 3)]  # 90 days before the end
    sales += [sale("OLD26", wk(26), 3), sale("OLD26", wk(30), 3)]  # 97 days before the end
    sales += [sale("EOL13", wk(5), 3), sale("EOL13", wk(13), 3)]  # 188 days: not in last 26
    sales += [sale("LIVE14", wk(5), 3), sale("LIVE14", wk(14), 3)]  # 181 days: in the last 26
    sales += [sale("RET", wk(5), 3), sale("RET", wk(13), 3), sale("RET", wk(20), -1)]
    df, win = features(tmp_path, sales=sales)
    assert win.last_day == wk(39, 6)
    assert (win.last_day - wk(27)).days == 90 and (win.last_day - wk(26)).days == 97
    assert (win.last_day - wk(13)).days == 188 and (win.last_day - wk(14)).days == 181
    flags = df[["is_new", "is_end_of_life"]].astype(bool)
    assert tuple(flags.loc["ANCHOR"]) == (False, False)
    assert tuple(flags.loc["NEW27"]) == (True, False)
    assert tuple(flags.loc["OLD26"]) == (False, False)
    assert tuple(flags.loc["EOL13"]) == (False, True)
    assert tuple(flags.loc["LIVE14"]) == (False, False)
    assert tuple(flags.loc["RET"]) == (False, True)  # a return is not a sale
    assert pd.Timestamp(df.loc["RET", "last_sale"]).date() == wk(13)
    assert df.loc["NEW27", "weeks_active"] == 13  # weeks 27..39


def test_new_and_end_of_life_weeks_are_settings(tmp_path: Path) -> None:
    sales = [sale("ANCHOR", wk(i), 1) for i in range(20)]
    sales += [sale("X", wk(14), 3)]  # first and last sale 41 days before the last day
    df, _ = features(
        tmp_path,
        FeatureSettings(weeks=20),
        ClassCuts.from_rules(Rules(lifecycle_new_weeks=5, lifecycle_eol_weeks=5)),
        sales=sales,
    )
    assert bool(df.loc["X", "is_new"]) is False  # 41 days is not fewer than 35
    assert bool(df.loc["X", "is_end_of_life"]) is True  # no sale in the last 35 days
    df, _ = features(
        tmp_path / "b",
        FeatureSettings(weeks=20),
        ClassCuts.from_rules(Rules(lifecycle_new_weeks=6, lifecycle_eol_weeks=6)),
        sales=sales,
    )
    assert bool(df.loc["X", "is_new"]) is True  # 41 < 42
    assert bool(df.loc["X", "is_end_of_life"]) is False


# --------------------------------------------------------------------------- inventory
def test_inventory_on_hand_value_and_days_of_supply(tmp_path: Path) -> None:
    sales = [
        sale("I1", wk(0), 7),
        sale("I1", wk(1), 7),
        sale("I1", wk(2), 14),  # [7, 7, 14, 0]
        sale("I2", wk(3), 4),
        sale("IC", wk(3), 4, unit_price=10),
    ]
    inventory = [
        {"sku": "I1", "location": "L1", "on_hand": 10, "unit_cost": None},
        {"sku": "I1", "location": "L2", "on_hand": 25, "unit_cost": None},
        {"sku": "IC", "location": "L1", "on_hand": 10, "unit_cost": 2},
        {"sku": "IC", "location": "L2", "on_hand": 30, "unit_cost": 4},
        {"sku": "IONLY", "location": "L1", "on_hand": 4, "unit_cost": 5},
    ]
    products = [{"sku": "I1", "unit_cost": 2}]
    df, win = features(
        tmp_path, FeatureSettings(weeks=4), sales=sales, inventory=inventory, products=products
    )
    assert win.periods == 4
    i1 = df.loc["I1"]
    assert i1["demand_mean"] == approx((7 + 7 + 14 + 0) / 4)  # 7 a week, 1 a day
    assert i1["on_hand"] == approx(10 + 25)
    assert i1["inventory_value"] == approx(35 * 2)
    assert i1["days_of_supply"] == approx(35 / (7 / 7))

    i2 = df.loc["I2"]  # sold, not in the inventory file: nothing on hand
    assert i2["on_hand"] == 0
    assert i2["days_of_supply"] == 0

    ic = df.loc["IC"]  # no sales or master cost: the inventory's, weighted by units on hand
    inv_cost = (10 * 2 + 30 * 4) / (10 + 30)  # 3.5
    assert ic["unit_cost"] == approx(inv_cost)
    assert ic["on_hand"] == approx(40)
    assert ic["inventory_value"] == approx(40 * inv_cost)
    assert ic["margin"] == approx(4 * 10 - 4 * inv_cost)
    assert ic["weeks_active"] == 1  # first sale in the window's last week
    assert ic["days_of_supply"] == approx(40 / ((4 / 1) / 7))

    only = df.loc["IONLY"]  # only in inventory: a row with zero sales
    assert only["quantity"] == 0
    assert only["revenue"] == 0
    assert only["order_lines"] == 0
    assert only["weeks_with_demand"] == 0
    assert only["on_hand"] == approx(4)
    assert only["inventory_value"] == approx(4 * 5)
    assert only["margin"] == approx(0)  # revenue 0 - quantity 0 x a known cost
    assert pd.isna(only["days_of_supply"])
    assert pd.isna(only["cov"])
    assert bool(only["is_end_of_life"]) is True


def test_without_inventory_file_on_hand_is_empty(tmp_path: Path) -> None:
    df, _ = features(
        tmp_path, FeatureSettings(weeks=4), sales=[sale("A", wk(i), 2) for i in range(4)]
    )
    assert df["on_hand"].isna().all()
    assert df["inventory_value"].isna().all()
    assert df["days_of_supply"].isna().all()


# --------------------------------------------------------------------------- lead time
def test_lead_time_reliability_and_main_supplier(tmp_path: Path) -> None:
    d = dt.date.fromisoformat
    receipts = [
        # LA: 3 receipts, its own lead times 10, 14, 12; main supplier S3 (2 of 3).
        {
            "supplier": "S3",
            "sku": "LA",
            "order_date": "2023-01-02",
            "receipt_date": "2023-01-12",
            "promised_date": "2023-01-12",
            "ordered_qty": 10,
            "received_qty": 10,
        },
        {
            "supplier": "S3",
            "sku": "LA",
            "order_date": "2023-03-01",
            "receipt_date": "2023-03-15",
            "promised_date": "2023-03-10",
            "ordered_qty": 10,
            "received_qty": 8,
        },
        {
            "supplier": "S1",
            "sku": "LA",
            "order_date": "2023-06-01",
            "receipt_date": "2023-06-13",
            "promised_date": None,
            "ordered_qty": 10,
            "received_qty": 12,
        },
        # LB: 1 receipt (20 days) from S1.
        {
            "supplier": "S1",
            "sku": "LB",
            "order_date": "2023-02-01",
            "receipt_date": "2023-02-21",
            "promised_date": "2023-02-25",
            "ordered_qty": 5,
            "received_qty": 5,
        },
        # LC: 2 receipts, one each from S2 (30 days) and S1 (4 days): the tie goes to S1.
        {"supplier": "S2", "sku": "LC", "order_date": "2023-04-01", "receipt_date": "2023-05-01"},
        {"supplier": "S1", "sku": "LC", "order_date": "2023-07-01", "receipt_date": "2023-07-05"},
        # LD: 2 receipts from S3 (3 and 5 days); the last receipt of the file.
        {"supplier": "S3", "sku": "LD", "order_date": "2023-08-01", "receipt_date": "2023-08-04"},
        {"supplier": "S3", "sku": "LD", "order_date": "2024-01-07", "receipt_date": "2024-01-12"},
    ]
    for r in receipts:
        r.setdefault("promised_date", None)
        r.setdefault("ordered_qty", None)
        r.setdefault("received_qty", None)
    lts = {
        sku: [(d(r["receipt_date"]) - d(r["order_date"])).days for r in receipts if r["sku"] == sku]
        for sku in ("LA", "LB", "LC", "LD")
    }
    assert lts == {"LA": [10, 14, 12], "LB": [20], "LC": [30, 4], "LD": [3, 5]}
    sales = [sale(s, wk(i), 1) for s in ("LA", "LB", "LC", "LD", "LX") for i in range(4)]
    products = [{"sku": "LX", "supplier": "S9"}]
    df, _ = features(
        tmp_path, FeatureSettings(weeks=4), sales=sales, suppliers=receipts, products=products
    )
    years = (d("2024-01-12") - d("2023-01-12")).days / 365.25  # span of the receipts file

    la = df.loc["LA"]
    assert la["lead_time_source"] == "sku"
    assert la["lead_time_mean_days"] == approx((10 + 14 + 12) / 3)
    assert la["lead_time_std_days"] == approx(math.sqrt((4 + 4 + 0) / 2))
    assert la["main_supplier"] == "S3"
    assert la["n_receipts"] == 3
    assert la["on_time_rate"] == approx(1 / 2)  # on time (same day), late; third: no promise
    assert la["in_full_rate"] == approx(2 / 3)  # 10 of 10, 8 of 10, 12 of 10
    assert la["receipts_per_year"] == approx(3 / years)

    s1 = [12, 20, 4]  # all of S1's receipts: LA's third, LB's, LC's second
    lb = df.loc["LB"]
    assert lb["lead_time_source"] == "supplier"
    assert lb["main_supplier"] == "S1"
    assert lb["lead_time_mean_days"] == approx(12.0)
    assert lb["lead_time_std_days"] == approx(math.sqrt((0 + 64 + 64) / 2))
    assert lb["lead_time_std_days"] == approx(sstd(s1))
    assert lb["on_time_rate"] == approx(1.0)
    assert lb["in_full_rate"] == approx(1.0)
    assert lb["receipts_per_year"] == approx(1 / years)

    lc = df.loc["LC"]
    assert lc["main_supplier"] == "S1"
    assert lc["lead_time_source"] == "supplier"
    assert lc["lead_time_mean_days"] == approx(12.0)
    assert lc["lead_time_std_days"] == approx(8.0)
    assert pd.isna(lc["on_time_rate"]) and pd.isna(lc["in_full_rate"])  # no such columns
    assert lc["receipts_per_year"] == approx(2 / years)

    s3 = [10, 14, 3, 5]
    ld = df.loc["LD"]
    assert ld["main_supplier"] == "S3"
    assert ld["lead_time_source"] == "supplier"
    assert ld["lead_time_mean_days"] == approx(32 / 4)
    assert ld["lead_time_std_days"] == approx(math.sqrt((4 + 36 + 25 + 9) / 3))
    assert ld["lead_time_std_days"] == approx(sstd(s3))

    lx = df.loc["LX"]  # no receipts: no lead time; the main supplier from the product master
    assert pd.isna(lx["lead_time_mean_days"]) and pd.isna(lx["lead_time_source"])
    assert pd.isna(lx["n_receipts"])
    assert lx["main_supplier"] == "S9"


# --------------------------------------------------------------------------- customers
def test_customers_and_top_customer_share(tmp_path: Path) -> None:
    sales = [
        sale("CU", wk(0), 100, customer="C2"),  # before the window
        sale("CU", wk(1), 5, customer="C1"),
        sale("CU", wk(2), 3, customer="C2"),
        sale("CU", wk(3), 2, customer="C1"),
        sale("CU", wk(4), -4, customer="C3"),  # a return only: not a buying customer
        sale("CV", wk(1), 6, customer="C1"),
        sale("CV", wk(2), 4, customer="C2"),
        sale("CV", wk(3), 10),  # no customer: its units still count in the SKU's units
        sale("NOC", wk(2), 10),
    ]
    df, win = features(tmp_path, FeatureSettings(weeks=4), sales=sales)
    assert win.start == wk(1)
    assert df.loc["CU", "n_customers"] == 2
    assert df.loc["CU", "top_customer_share"] == approx((5 + 2) / (5 + 3 + 2))
    assert df.loc["CV", "n_customers"] == 2
    assert df.loc["CV", "top_customer_share"] == approx(6 / (6 + 4 + 10))
    assert df.loc["NOC", "n_customers"] == 0
    assert pd.isna(df.loc["NOC", "top_customer_share"])


# --------------------------------------------------------------------------- monthly
def test_monthly_file_uses_monthly_series(tmp_path: Path) -> None:
    months = [f"{1998 + (m // 12)}-{m % 12 + 1:02d}" for m in range(14)]  # 1998-01 .. 1999-02
    m1 = [50, 60, 10, 20, 30, 25, 40, 35, 20, 10, 45, 30, 25, 15]
    m2 = {8: 12, 10: 6, 13: 9}  # first sale 1998-09: month 7 of the 12-month window
    sales = [sale("M1", months[i], x) for i, x in enumerate(m1)]
    sales += [sale("M2", months[i], x) for i, x in m2.items()]
    df, win = features(tmp_path, sales=sales)  # 52 weeks -> 12 months
    assert win.period == "month"
    assert win.periods == 12
    assert win.start == dt.date(1998, 3, 1)
    assert win.end == dt.date(1999, 2, 1)
    assert win.last_day == dt.date(1999, 2, 28)

    monthly = m1[2:]  # 1998-03 .. 1999-02
    mean, std = sum(monthly) / 12, sstd(monthly)
    r = df.loc["M1"]
    assert r["period"] == "month"
    assert r["weeks_active"] == 12
    assert r["weeks_with_demand"] == 12
    assert r["quantity"] == approx(sum(monthly))
    assert r["demand_mean"] == approx(mean * 12 / 52)
    assert r["demand_std"] == approx(std * math.sqrt(12 / 52))
    assert r["cov"] == approx(std / mean)
    assert r["adi"] == approx(1.0)
    assert r["cv2"] == approx((std / mean) ** 2)

    r2 = df.loc["M2"]
    active = [12, 0, 6, 0, 0, 9]  # 1998-09 .. 1999-02
    assert r2["weeks_active"] == 6
    assert r2["weeks_with_demand"] == 3
    assert r2["demand_mean"] == approx(27 / 6 * 12 / 52)
    assert r2["cov"] == approx(sstd(active) / (27 / 6))
    assert r2["adi"] == approx(2.0)

    # 26 weeks -> 6 months; forcing weeks treats each month as one (bucketed) week.
    with Workspace(tmp_path / "w.duckdb") as ws:
        df6, win6 = compute_features(ws.con, FeatureSettings(weeks=26))
        dfw, winw = compute_features(ws.con, FeatureSettings(weeks=4, period="week"))
    assert win6.periods == 6 and win6.start == dt.date(1998, 9, 1)
    assert df6.set_index("sku").loc["M1", "demand_mean"] == approx(sum(m1[8:]) / 6 * 12 / 52)
    assert winw.period == "week" and winw.bucketed
    assert winw.end == dt.date(1999, 2, 1)  # a Monday: the ISO week of 1999-02-01
    assert dfw.set_index("sku").loc["M1", "period"] == "week"


def test_daily_data_in_months_drops_partial_months(tmp_path: Path) -> None:
    d = dt.date.fromisoformat
    sales = [
        sale("D", d("2024-01-15"), 50),  # January is only partly covered
        sale("D", d("2024-02-01"), 4),
        sale("D", d("2024-02-29"), 6),  # February: 10
        sale("D", d("2024-03-10"), 30),  # March: 30
        sale("D", d("2024-04-10"), 50),
    ]  # April is only partly covered
    df, win = features(tmp_path, FeatureSettings(period="month"), sales=sales)
    assert (win.period, win.bucketed) == ("month", False)
    assert (win.start, win.end, win.last_day, win.periods) == (
        d("2024-02-01"),
        d("2024-03-01"),
        d("2024-03-31"),
        2,
    )
    r = df.loc["D"]
    assert r["quantity"] == approx(40)
    assert r["weeks_active"] == 2
    assert r["demand_mean"] == approx((10 + 30) / 2 * 12 / 52)
    assert r["cov"] == approx(math.sqrt((100 + 100) / 1) / 20)  # monthly [10, 30]


# --------------------------------------------------------------------------- property
@st.composite
def weekly_lines(draw: st.DrawFn) -> list[list[float]]:
    """Per week, 0-3 sales lines (returns included) of one SKU; at least one positive line.

    Quantities are whole or in quarters (exact in binary, so "> 0" cannot depend on the order
    of a sum), and sometimes large with a small spread (where a one-pass variance cancels).
    """
    n = draw(st.integers(2, 12))
    scale = draw(st.sampled_from([1.0, 0.25]))
    shift = draw(st.sampled_from([0.0, 250_000.0]))
    raw = draw(
        st.lists(st.lists(st.integers(-6, 25).filter(bool), max_size=3), min_size=n, max_size=n)
    )
    if not any(x > 0 for lines in raw for x in lines):
        raw[draw(st.integers(0, n - 1))].append(draw(st.integers(1, 25)))
    return [[x * scale + (shift if x > 0 else 0.0) for x in lines] for lines in raw]


@settings(max_examples=60, deadline=None)
@given(weeks=weekly_lines(), lead=st.integers(0, 3))
def test_demand_statistics_match_numpy(weeks: list[list[float]], lead: int) -> None:
    n = len(weeks)
    # An anchor SKU sells in each of ``lead`` + n weeks (Mondays): the window is the last n.
    sales = [sale("ANCHOR", wk(i), 1) for i in range(lead + n)]
    for j, lines in enumerate(weeks):
        sales += [sale("T", wk(lead + j), x) for x in lines]
    with tempfile.TemporaryDirectory() as tmp:
        df, win = features(Path(tmp), FeatureSettings(weeks=n), sales=sales)
    assert win.periods == n

    demand = np.array([max(sum(lines), 0.0) for lines in weeks], dtype=float)
    first = next(j for j, lines in enumerate(weeks) if any(x > 0 for x in lines))
    active = demand[first:]
    nonzero = int((active > 0).sum())
    t = df.loc["T"]
    assert t["weeks_active"] == len(active)
    assert t["weeks_with_demand"] == nonzero
    assert t["quantity"] == approx(sum(sum(lines) for lines in weeks))
    assert t["demand_mean"] == approx(float(np.mean(active)))
    if len(active) > 1:
        std = float(np.std(active, ddof=1))
        assert t["demand_std"] == pytest.approx(std, rel=1e-7, abs=1e-9)
    else:
        assert pd.isna(t["demand_std"])
    if active.sum() > 0 and len(active) > 1:
        assert t["cov"] == pytest.approx(std / float(np.mean(active)), rel=1e-7, abs=1e-12)
    else:
        assert pd.isna(t["cov"])
    if nonzero:
        assert t["adi"] == approx(len(active) / nonzero)
    else:
        assert pd.isna(t["adi"])


def test_std_of_large_quantities_with_a_small_spread(tmp_path: Path) -> None:
    weekly = [250000.5, 250001.25, 250000.75]
    df, _ = features(
        tmp_path,
        FeatureSettings(weeks=3),
        sales=[sale("T", wk(i), x) for i, x in enumerate(weekly)],
    )
    # mean 250000.8333...; deviations -1/3, 5/12, -1/12 -> squares 16/144 + 25/144 + 1/144
    std = math.sqrt((16 + 25 + 1) / 144 / 2)
    assert df.loc["T", "demand_std"] == pytest.approx(std, rel=1e-9)
