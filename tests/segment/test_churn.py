"""Churn over time (segstudio.churn) against hand-computed values.

Each test writes a tiny sales CSV, loads it into a fresh workspace and checks the quarterly
features, the classes per quarter and the churn counts against arithmetic written out here
(definitions: methods.md; rules: the defaults, ABC on revenue a = 0.80, b = 0.95, XYZ on CoV
x = 0.5, y = 1.0). The property tests compare the SQL with an independent Python computation
and check the churn counts' invariants on random quarterly tables.
"""

from __future__ import annotations

import csv
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
from segstudio.errors import SegStudioError
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.segment.churn import churn_by_quarter, quarter_classes, sku_churn
from segstudio.segment.io import quarterly_features

D = dt.date


def sstd(xs: list[float]) -> float:
    """Sample standard deviation, written out: sqrt(sum((x - mean)^2) / (n - 1))."""
    m = sum(xs) / len(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-12)


def load(folder: Path, rows: list[dict]) -> Path:
    """Write ``rows`` as sales.csv (canonical headers) and load it into folder/w.duckdb."""
    folder.mkdir(parents=True, exist_ok=True)
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    path = folder / "sales.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else str(r[c]) for c in cols])
    ws_path = folder / "w.duckdb"
    with Workspace(ws_path) as ws:
        _, reports = ws.load({"sales": SourceFile(path)})
    assert reports["sales"].rejected == 0, reports["sales"].rejects
    return ws_path


def quarterly(folder: Path, rows: list[dict], net_returns: bool = True) -> pd.DataFrame:
    ws_path = load(folder, rows)
    with Workspace(ws_path) as ws:
        df = quarterly_features(ws.con, net_returns=net_returns)
    return df


def row(df: pd.DataFrame, sku: str, quarter: dt.date) -> pd.Series:
    hit = df[(df["sku"] == sku) & (df["quarter"] == pd.Timestamp(quarter))]
    assert len(hit) == 1, (sku, quarter, hit)
    return hit.iloc[0]


def sale(sku: str, date: dt.date, qty: float, price: float, cost: float | None = None) -> dict:
    return {"sku": sku, "date": date, "quantity": qty, "unit_price": price, "unit_cost": cost}


# --------------------------------------------------------------------------- three quarters
# 2023: the history runs from the week of Mon 13 March to the week of Mon 24 July, every line
# dated a Monday (a weekly file).
#   Q1 (quarter 2023-01-01): weeks of 13, 20, 27 March            -> 3 of the quarter's 13
#   Q2 (quarter 2023-04-01): 13 weeks, Mon 3 April + 7 j, j 0..12 -> complete
#   Q3 (quarter 2023-07-01): weeks of 3, 10, 17, 24 July           -> 4 of 13
Q1, Q2, Q3 = D(2023, 1, 1), D(2023, 4, 1), D(2023, 7, 1)
Q1_WEEKS = [D(2023, 3, 13), D(2023, 3, 20), D(2023, 3, 27)]
Q2_WEEKS = [D(2023, 4, 3) + dt.timedelta(weeks=j) for j in range(13)]
Q3_WEEKS = [D(2023, 7, 3) + dt.timedelta(weeks=j) for j in range(4)]


def three_quarters() -> list[dict]:
    rows = []
    # A: price 10, cost 6. Q1 10 a week; Q2 10 a week, but in week 0 a return of 4 nets the
    # week to 6; Q3 2 a week.
    rows += [sale("A", w, 10, 10, 6) for w in Q1_WEEKS]
    rows += [sale("A", Q2_WEEKS[0], 10, 10, 6), sale("A", Q2_WEEKS[0], -4, 10, 6)]
    rows += [sale("A", w, 10, 10, 6) for w in Q2_WEEKS[1:]]
    rows += [sale("A", w, 2, 10, 6) for w in Q3_WEEKS]
    # B: price 10, no cost. Q1 3, -, 3; Q2 20 in week 2, a sale of 3 and a return of 5 in
    # week 5 (net -2: the week's demand is 0, not -2), 20 in week 9; Q3 30 a week.
    rows += [sale("B", Q1_WEEKS[0], 3, 10), sale("B", Q1_WEEKS[2], 3, 10)]
    rows += [
        sale("B", Q2_WEEKS[2], 20, 10),
        sale("B", Q2_WEEKS[5], 3, 10),
        sale("B", Q2_WEEKS[5], -5, 10),
        sale("B", Q2_WEEKS[9], 20, 10),
    ]
    rows += [sale("B", w, 30, 10) for w in Q3_WEEKS]
    # C: price 20, launched in Q2 week 5 (Mon 8 May): 5 a week except week 8; Q3 5 a week.
    rows += [sale("C", Q2_WEEKS[j], 5, 20) for j in (5, 6, 7, 9, 10, 11, 12)]
    rows += [sale("C", w, 5, 20) for w in Q3_WEEKS]
    return rows


def test_quarterly_features_by_hand(tmp_path: Path) -> None:
    df = quarterly(tmp_path, three_quarters())
    assert list(zip(df["sku"], df["quarter"].dt.date, strict=True)) == [
        ("A", Q1),
        ("A", Q2),
        ("A", Q3),
        ("B", Q1),
        ("B", Q2),
        ("B", Q3),
        ("C", Q2),
        ("C", Q3),
    ]
    for q, weeks, complete in ((Q1, 3, False), (Q2, 13, True), (Q3, 4, False)):
        part = df[df["quarter"] == pd.Timestamp(q)]
        assert (part["weeks_in_quarter"] == weeks).all()
        assert (part["calendar_weeks"] == 13).all()  # Mondays in each quarter of 2023
        assert (part["complete"] == complete).all()

    a1, a2, a3 = (row(df, "A", q) for q in (Q1, Q2, Q3))
    assert (a1["quantity"], a1["revenue"], a1["margin"], a1["order_lines"]) == (30, 300, 120, 3)
    assert (a1["demand_mean"], a1["demand_std"], a1["cov"]) == (10, 0, 0)
    # Q2: 10 - 4 + 12 x 10 = 126 units, 1260 revenue, margin 1260 - 126 x 6 = 504; the return
    # is not an order line. Weekly demand [6, 10 x 12].
    assert (a2["quantity"], a2["revenue"], a2["margin"], a2["order_lines"]) == (126, 1260, 504, 13)
    a2_weeks = [6.0] + [10.0] * 12
    assert a2["demand_mean"] == approx(126 / 13)
    assert a2["demand_std"] == approx(sstd(a2_weeks))
    assert a2["cov"] == approx(sstd(a2_weeks) / (126 / 13))  # 1.1094 / 9.6923 = 0.1145
    assert (a3["quantity"], a3["revenue"], a3["margin"], a3["cov"]) == (8, 80, 32, 0)

    b1, b2, b3 = (row(df, "B", q) for q in (Q1, Q2, Q3))
    # Q1 weekly [3, 0, 3]: mean 2, std sqrt((1 + 4 + 1) / 2) = sqrt(3), CoV 0.866.
    assert (b1["quantity"], b1["revenue"], b1["order_lines"], b1["weeks_with_demand"]) == (
        6,
        60,
        2,
        2,
    )
    assert pd.isna(b1["margin"])  # no cost known
    assert b1["demand_mean"] == approx(2)
    assert b1["demand_std"] == approx(math.sqrt(3))
    assert b1["cov"] == approx(math.sqrt(3) / 2)
    # Q2: quantity 20 + 3 - 5 + 20 = 38 (net), but weekly demand nets the return within week 5
    # and floors it at 0: [0, 0, 20, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0], sum 40.
    b2_weeks = [0.0] * 13
    b2_weeks[2] = b2_weeks[9] = 20.0
    assert (b2["quantity"], b2["revenue"], b2["order_lines"], b2["weeks_with_demand"]) == (
        38,
        380,
        3,
        2,
    )
    assert b2["demand_mean"] == approx(40 / 13)
    assert b2["demand_std"] == approx(sstd(b2_weeks))  # 7.5107
    assert b2["cov"] == approx(sstd(b2_weeks) / (40 / 13))  # 2.441
    assert (b3["revenue"], b3["cov"]) == (1200, 0)

    # C launched in Q2 week 5: active weeks 5..12 (8), weekly [5, 5, 5, 0, 5, 5, 5, 5].
    c2, c3 = row(df, "C", Q2), row(df, "C", Q3)
    c2_weeks = [5.0, 5.0, 5.0, 0.0, 5.0, 5.0, 5.0, 5.0]
    assert (c2["weeks_in_quarter"], c2["weeks_active"], c2["weeks_with_demand"]) == (13, 8, 7)
    assert (c2["quantity"], c2["revenue"], c2["order_lines"]) == (35, 700, 7)
    assert c2["demand_mean"] == approx(35 / 8)
    # deviations from 4.375: 0.625 (7 weeks) and -4.375: 7 x 0.390625 + 19.140625 = 21.875
    assert c2["demand_std"] == approx(math.sqrt(21.875 / 7))
    assert c2["demand_std"] == approx(sstd(c2_weeks))
    assert c2["cov"] == approx(math.sqrt(21.875 / 7) / (35 / 8))  # 0.404: X
    assert (c3["weeks_active"], c3["revenue"], c3["cov"]) == (4, 400, 0)


def test_classes_and_churn_by_hand(tmp_path: Path) -> None:
    df = quarterly(tmp_path, three_quarters())
    # ABC on the quarter's revenue: share_before = revenue of the SKUs ranked above / total.
    # Q1: A 300 (0 -> A), B 60 (300/360 = 0.833 -> B). XYZ: A 0 -> X, B 0.866 -> Y.
    # Q2: A 1260 (0 -> A), C 700 (1260/2340 = 0.538 -> A), B 380 (1960/2340 = 0.838 -> B).
    #     XYZ: A 0.114 -> X, C 0.404 -> X (over all 13 weeks it would be 0.964: Y), B 2.44 -> Z.
    # Q3: B 1200 (0 -> A), C 400 (1200/1680 = 0.714 -> A), A 80 (1600/1680 = 0.952 -> C).
    #     XYZ: all 0 -> X.
    classes = quarter_classes(df, Rules())
    got = {(r.sku, r.quarter.date()): r.segment for r in classes.itertuples()}
    assert got == {
        ("A", Q1): "AX",
        ("A", Q2): "AX",
        ("A", Q3): "CX",
        ("B", Q1): "BY",
        ("B", Q2): "BZ",
        ("B", Q3): "AX",
        ("C", Q2): "AX",
        ("C", Q3): "AX",
    }

    churn = churn_by_quarter(df, Rules())
    # Q2 vs Q1: A and B (C not yet classified); B moved Y -> Z.
    # Q3 vs Q2: A, B, C; A moved A -> C, B moved B -> A and Z -> X.
    assert churn["quarter"].dt.date.tolist() == [Q2, Q3]
    assert churn["weeks_in_quarter"].tolist() == [13, 4]
    assert churn["complete"].tolist() == [False, False]  # Q1 and Q3 are partial
    assert churn["skus"].tolist() == [2, 3]
    assert churn["changed_abc"].tolist() == [0, 2]
    assert churn["changed_xyz"].tolist() == [1, 1]
    assert churn["changed_segment"].tolist() == [1, 2]
    assert churn["churn_share"].tolist() == [approx(1 / 2), approx(2 / 3)]

    per_sku = sku_churn(df, Rules())
    assert per_sku.to_dict("records") == [
        {"sku": "B", "quarters": 3, "changes": 2, "path": "BY > BZ > AX"},
        {"sku": "A", "quarters": 3, "changes": 1, "path": "AX > AX > CX"},
        {"sku": "C", "quarters": 2, "changes": 0, "path": "AX > AX"},
    ]


def test_churn_follows_the_rules(tmp_path: Path) -> None:
    df = quarterly(tmp_path, three_quarters())
    # ABC alone: the segment is the ABC class.
    abc = churn_by_quarter(df, Rules(), criteria=("abc",))
    assert "changed_xyz" not in abc
    assert abc["changed_abc"].tolist() == abc["changed_segment"].tolist() == [0, 2]
    # b = 0.96: A's Q3 share_before 0.952 is now B, still a change from A.
    # a = 0.85: B's Q1 share_before 0.833 and Q2 0.838 are A; Q3 unchanged -> no ABC change
    # at all in Q2, and in Q3 only A (A -> C).
    rules = Rules(abc_a=0.85, abc_b=0.96)
    got = churn_by_quarter(df, rules)
    assert got["changed_abc"].tolist() == [0, 1]
    assert got["changed_segment"].tolist() == [1, 2]  # B's XYZ still changes in Q2 and Q3
    # XYZ y = 2.5: B's Q2 CoV 2.44 is Y: B is BY, BY, AX.
    got = sku_churn(df, Rules(xyz_y=2.5))
    assert got.set_index("sku").loc["B", "path"] == "BY > BY > AX"
    # A measure with no values (all margins unknown for B and C): still classified.
    assert churn_by_quarter(df, Rules(abc_measure="margin"))["skus"].tolist() == [2, 3]
    with pytest.raises(ValueError, match="leadtime"):
        churn_by_quarter(df, Rules(), criteria=("abc", "leadtime"))


def test_partial_weeks_quarter_of_the_monday_and_daily_lines(tmp_path: Path) -> None:
    # Daily data (several dates per week): the first week (Wed 22 March) and the last week
    # (Wed 19 April) are only partly covered and left out. History: weeks of 27 March, 3 and
    # 10 April. The week of Mon 27 March runs to Sun 2 April: it is Q1's, April days included.
    rows = [
        sale("X", D(2023, 3, 22), 100, 2),  # first positive sale, in the dropped week
        sale("X", D(2023, 3, 27), 3, 2),
        sale("X", D(2023, 4, 1), 4, 2),  # Saturday, in Q1's last week
        sale("X", D(2023, 4, 2), -1, 2),  # Sunday: a return netted in the same week
        sale("X", D(2023, 4, 3), 5, 2),
        sale("X", D(2023, 4, 6), 2, 2),  # two lines in one week: summed to 7
        sale("X", D(2023, 4, 19), 50, 2),  # dropped week
        sale("Y", D(2023, 3, 22), 5, 1),  # only sale in the dropped first week
        sale("Z", D(2023, 4, 13), 9, 1),  # first sale in the last week
        sale("W", D(2023, 4, 19), 8, 1),  # only in the dropped last week: no rows
    ]
    df = quarterly(tmp_path, rows)
    assert sorted(zip(df["sku"], df["quarter"].dt.date, strict=True)) == [
        ("X", Q1),
        ("X", Q2),
        ("Y", Q1),
        ("Y", Q2),
        ("Z", Q2),
    ]
    x1, x2 = row(df, "X", Q1), row(df, "X", Q2)
    assert (x1["weeks_in_quarter"], x1["calendar_weeks"], x1["complete"]) == (1, 13, False)
    # Q1: the week of 27 March: 3 + 4 - 1 = 6; one week: no std, no CoV.
    assert (x1["quantity"], x1["revenue"], x1["order_lines"], x1["weeks_active"]) == (6, 12, 2, 1)
    assert x1["demand_mean"] == 6
    assert pd.isna(x1["demand_std"]) and pd.isna(x1["cov"])
    # Q2: weeks of 3 April (5 + 2 = 7) and 10 April (0); 19 April is outside the history.
    assert (x2["weeks_in_quarter"], x2["weeks_active"], x2["weeks_with_demand"]) == (2, 2, 1)
    assert (x2["quantity"], x2["revenue"], x2["order_lines"]) == (7, 14, 2)
    assert x2["demand_mean"] == approx(3.5)
    assert x2["demand_std"] == approx(sstd([7.0, 0.0]))
    assert x2["cov"] == approx(sstd([7.0, 0.0]) / 3.5)
    # Y sold before the history: active from its first week, with no demand in it.
    y1, y2 = row(df, "Y", Q1), row(df, "Y", Q2)
    assert (y1["quantity"], y1["revenue"], y1["margin"], y1["weeks_active"]) == (0, 0, 0, 1)
    assert (y2["weeks_active"], y2["demand_mean"], y2["order_lines"]) == (2, 0, 0)
    assert pd.isna(y2["cov"])
    z2 = row(df, "Z", Q2)
    assert (z2["weeks_active"], z2["quantity"], z2["demand_mean"]) == (1, 9, 9)
    # Classes: Y has no demand in either quarter (N); Q2 vs Q1 compares X and Y.
    churn = churn_by_quarter(df, Rules())
    assert churn["skus"].tolist() == [2]
    classes = quarter_classes(df, Rules()).set_index(["sku", "quarter"])["xyz"]
    assert classes.loc[("Y", pd.Timestamp(Q1))] == classes.loc[("Y", pd.Timestamp(Q2))] == "N"


def test_returns_ignored_without_netting(tmp_path: Path) -> None:
    rows = [sale("B", w, 4, 1) for w in Q2_WEEKS[:3]]
    rows += [sale("B", Q2_WEEKS[1], -6, 1)]  # week 1: 4 - 6 = -2 netted -> 0, ignored -> 4
    netted = quarterly(tmp_path / "net", rows)
    ignored = quarterly(tmp_path / "raw", rows, net_returns=False)
    assert netted["demand_mean"].tolist() == [approx(8 / 3)]  # [4, 0, 4]
    assert ignored["demand_mean"].tolist() == [approx(4)]  # [4, 4, 4]
    assert netted["quantity"].tolist() == ignored["quantity"].tolist() == [6]


def test_monthly_files_are_refused(tmp_path: Path) -> None:
    rows = [sale("A", D(2023, m, 1), 10, 1) for m in range(1, 7)]
    ws_path = load(tmp_path, rows)
    with Workspace(ws_path) as ws, pytest.raises(SegStudioError, match="monthly"):
        quarterly_features(ws.con)


# --------------------------------------------------------------------------- properties
MON0 = D(2022, 12, 5)  # a Monday in Q4 2022: random histories cross two or three quarters


@st.composite
def weekly_sales(draw: st.DrawFn) -> dict[str, list[list[int]]]:
    """Per SKU and week of a random history, 0-3 lines (returns included). SKU "F" has at most
    one line a week (the query's fast path), "G" several (summed per week first)."""
    n = draw(st.integers(2, 30))
    line = st.integers(-6, 25).filter(bool)
    skus = {
        "F": draw(st.lists(st.lists(line, max_size=1), min_size=n, max_size=n)),
        "G": draw(st.lists(st.lists(line, max_size=3), min_size=n, max_size=n)),
    }
    # An anchor selling every week fixes the history to the n weeks.
    skus["ANCHOR"] = [[1]] * n
    return skus


def reference(skus: dict[str, list[list[int]]]) -> dict[tuple[str, dt.date], dict]:
    """Per SKU and quarter, computed week by week in Python (methods.md)."""
    out: dict[tuple[str, dt.date], dict] = {}
    n = len(skus["ANCHOR"])
    mondays = [MON0 + dt.timedelta(weeks=i) for i in range(n)]
    quarter = [D(m.year, 3 * ((m.month - 1) // 3) + 1, 1) for m in mondays]
    for sku, weeks in skus.items():
        first = next((i for i, ls in enumerate(weeks) if any(x > 0 for x in ls)), None)
        if first is None:
            continue
        for q in sorted(set(quarter[first:])):
            idx = [i for i in range(n) if quarter[i] == q]
            active = [max(sum(weeks[i]), 0) for i in idx if i >= first]
            mean = sum(active) / len(active)
            std = sstd(active) if len(active) > 1 else None
            out[(sku, q)] = {
                "weeks_in_quarter": len(idx),
                "weeks_active": len(active),
                "quantity": sum(sum(weeks[i]) for i in idx),
                "order_lines": sum(1 for i in idx for x in weeks[i] if x > 0),
                "demand_mean": mean,
                "demand_std": std,
                "cov": std / mean if std is not None and mean > 0 else None,
            }
    return out


@settings(max_examples=40, deadline=None)
@given(skus=weekly_sales())
def test_quarterly_statistics_match_python(skus: dict[str, list[list[int]]]) -> None:
    rows = [
        sale(sku, MON0 + dt.timedelta(weeks=i), x, 1)
        for sku, weeks in skus.items()
        for i, lines in enumerate(weeks)
        for x in lines
    ]
    with tempfile.TemporaryDirectory() as tmp:
        df = quarterly(Path(tmp), rows)
    want = reference(skus)
    got = {(r["sku"], r["quarter"].date()): r for r in df.to_dict("records")}
    assert set(got) == set(want)
    for key, w in want.items():
        g = got[key]
        for col in ("weeks_in_quarter", "weeks_active", "quantity", "order_lines"):
            assert g[col] == w[col], (key, col)
        assert g["demand_mean"] == approx(w["demand_mean"]), key
        for col in ("demand_std", "cov"):
            if w[col] is None:
                assert pd.isna(g[col]), (key, col)
            else:
                assert g[col] == pytest.approx(w[col], rel=1e-9, abs=1e-12), (key, col)


@st.composite
def quarterly_tables(draw: st.DrawFn) -> pd.DataFrame:
    """A random quarterly table: each SKU from a random quarter to the last, with random
    revenue (zero and negative included) and CoV (missing included)."""
    n_quarters = draw(st.integers(2, 5))
    quarters = pd.date_range("2024-01-01", periods=n_quarters, freq="QS")
    n_skus = draw(st.integers(1, 25))
    revenue = st.one_of(st.just(0.0), st.floats(-50, 1000, allow_nan=False))
    cov = st.one_of(st.just(float("nan")), st.floats(0, 3, allow_nan=False))
    records = []
    for s in range(n_skus):
        start = draw(st.integers(0, n_quarters - 1))
        for q in quarters[start:]:
            records.append(
                {
                    "sku": f"S{s:02d}",
                    "quarter": q,
                    "weeks_in_quarter": 13,
                    "revenue": draw(revenue),
                    "cov": draw(cov),
                }
            )
    return pd.DataFrame(records)


@settings(max_examples=80, deadline=None)
@given(table=quarterly_tables(), a=st.floats(0.3, 0.8), x=st.floats(0.2, 1.0))
def test_churn_counts_are_consistent(table: pd.DataFrame, a: float, x: float) -> None:
    rules = Rules(abc_a=a, abc_b=min(a + 0.15, 1.0), xyz_x=x, xyz_y=x * 2)
    churn = churn_by_quarter(table, rules)
    assert (churn["changed_segment"] <= churn["skus"]).all()
    assert (
        churn["changed_segment"] >= np.maximum(churn["changed_abc"], churn["changed_xyz"])
    ).all()
    assert (churn["changed_segment"] <= churn["changed_abc"] + churn["changed_xyz"]).all()
    # The same counts, recounted pair by pair from the classes.
    cls = quarter_classes(table, rules).set_index(["sku", "quarter"])
    quarters = sorted(table["quarter"].unique())
    for r in churn.itertuples():
        prev = quarters[quarters.index(r.quarter) - 1]
        both = [
            s
            for s in cls.index.get_level_values(0).unique()
            if (s, r.quarter) in cls.index and (s, prev) in cls.index
        ]
        assert r.skus == len(both)
        for col in ("abc", "xyz", "segment"):
            n = sum(cls.loc[(s, r.quarter), col] != cls.loc[(s, prev), col] for s in both)
            assert getattr(r, f"changed_{col}") == n
    per_sku = sku_churn(table, rules)
    assert per_sku["changes"].sum() == churn["changed_segment"].sum()
    assert per_sku["quarters"].sum() == len(table)


def test_one_quarter_and_empty_tables() -> None:
    one = pd.DataFrame(
        {
            "sku": ["a", "b"],
            "quarter": [pd.Timestamp("2024-01-01")] * 2,
            "revenue": [1.0, 2.0],
            "cov": [0.1, float("nan")],
        }
    )
    assert churn_by_quarter(one, Rules()).empty  # nothing to compare with
    # b ranks first (share_before 0: A), a after 2/3 of the revenue (A); b has no CoV: N.
    assert sku_churn(one, Rules()).to_dict("records") == [
        {"sku": "a", "quarters": 1, "changes": 0, "path": "AX"},
        {"sku": "b", "quarters": 1, "changes": 0, "path": "AN"},
    ]
    empty = one.iloc[:0]
    assert churn_by_quarter(empty, Rules()).empty
    assert sku_churn(empty, Rules()).empty
    with pytest.raises(ValueError, match="two rows"):
        churn_by_quarter(pd.concat([one, one]), Rules())
