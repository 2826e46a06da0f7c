"""Supplier performance (segstudio.suppliers) and ``segstudio suppliers``: on time, in full,
OTIF and lead time against hand-computed values, unmapped columns, the per supplier x segment
roll-up, tiers, dual sourcing and the command's file contract."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from openpyxl import load_workbook

from segstudio.cli import main
from segstudio.common import fmt
from segstudio.config.rules import Rules
from segstudio.errors import SegStudioError
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.perform.suppliers import (
    ALL_SUPPLIERS,
    NOT_SEGMENTED,
    SUPPLIER_COLUMNS,
    SupplierError,
    SupplierPerformance,
    TierRule,
    dual_sourcing,
    pair_table,
    receipt_aggregates,
    segment_matrix,
    segment_table,
    sku_context,
    supplier_performance,
    supplier_table,
    supplier_trend,
)
from segstudio.segment.decisions import segment_skus
from tests.builders import write_sales

# One unit a week for 10 weeks at these prices: revenue 550, 220, 120, 70, 40 (total 1000), so
# the Pareto share before each SKU is 0, .55, .77, .89, .96: S1-S3 are A, S4 B, S5 C; a
# constant demand has CoV 0: X. Segments: S1-S3 AX, S4 BX, S5 CX. S9 has receipts only.
PRICES = {"S1": 55, "S2": 22, "S3": 12, "S4": 7, "S5": 4}
HEADER = "supplier,sku,order_date,promised_date,receipt_date,ordered_qty,received_qty,unit_cost"
RECEIPTS = [
    # supplier, sku, ordered, promised, received on, qty ordered, received, unit cost
    "ACME,S1,2024-01-01,2024-01-11,2024-01-11,10,10,5",  # L1 lead 10, on time, in full
    "ACME,S1,2024-02-01,2024-02-11,2024-02-15,10,10,5",  # L2 lead 14, 4 days late, in full
    "ACME,S2,2024-03-01,2024-03-15,2024-03-13,20,15,2",  # L3 lead 12, on time, short
    "ACME,S2,2024-04-01,,2024-04-21,20,20,2",  # L4 lead 20, no promised date, in full
    "BETA,S3,2024-01-01,2024-01-31,2024-02-05,100,100,1",  # L5 lead 35, 5 days late
    "BETA,S3,2024-04-01,2024-05-01,2024-05-11,100,90,1",  # L6 lead 40, 10 days late, short
    "BETA,S4,2024-05-01,2024-05-31,2024-05-31,50,50,2",  # L7 lead 30, on time
    "BETA,S9,2024-06-01,2024-07-01,2024-06-26,10,10,3",  # L8 lead 25, on time (S9: no sales)
    "=EVIL,S5,2023-12-20,2023-12-30,2023-12-29,5,5,1",  # L9 lead 9, on time
    "=EVIL,S2,2024-02-10,2024-02-20,2024-02-20,5,6,2",  # L10 lead 10, on time, over-delivered
]
# Hand computation, per supplier:
# ACME  lead times 10, 14, 12, 20: mean 56/4 = 14; deviations -4, 0, -2, 6, squares 16 + 0 +
#       4 + 36 = 56, sample variance 56/3, std 4.320494. On time over the 3 lines with a
#       promise (L1-L3): L1, L3 = 2/3. In full over 4: L1, L2, L4 = 3/4. OTIF over the lines
#       with all three (L1-L3): L1 only = 1/3. Late lines: L2 by 4 days. Spend 10x5 + 10x5 +
#       15x2 + 20x2 = 170.
# BETA  lead 35, 40, 30, 25: mean 32.5; deviations 2.5, 7.5, -2.5, -7.5, squares 6.25 +
#       56.25 + 6.25 + 56.25 = 125, variance 125/3, std 6.454972. On time L7, L8 = 2/4; in
#       full L5, L7, L8 = 3/4; OTIF L7, L8 = 2/4; late L5 (5) and L6 (10): 7.5 days. Spend
#       100 + 90 + 100 + 30 = 320.
# =EVIL lead 9, 10: mean 9.5, variance (0.25 + 0.25) / 1, std 0.707107. All on time and in
#       full (6 >= 5): 1.0. Spend 5 + 12 = 17.
HAND = {
    "ACME": dict(
        lines=4,
        skus=2,
        spend=170.0,
        on_time_rate=2 / 3,
        in_full_rate=3 / 4,
        otif_rate=1 / 3,
        lead_time_mean_days=14.0,
        lead_time_std_days=math.sqrt(56 / 3),
        days_late_mean=4.0,
    ),
    "BETA": dict(
        lines=4,
        skus=3,
        spend=320.0,
        on_time_rate=0.5,
        in_full_rate=0.75,
        otif_rate=0.5,
        lead_time_mean_days=32.5,
        lead_time_std_days=math.sqrt(125 / 3),
        days_late_mean=7.5,
    ),
    "=EVIL": dict(
        lines=2,
        skus=2,
        spend=17.0,
        on_time_rate=1.0,
        in_full_rate=1.0,
        otif_rate=1.0,
        lead_time_mean_days=9.5,
        lead_time_std_days=math.sqrt(0.5),
        days_late_mean=float("nan"),
    ),
}
CONTRACT = [
    "supplier",
    "lines",
    "on_time_rate",
    "in_full_rate",
    "otif_rate",
    "lead_time_mean_days",
    "lead_time_std_days",
]


def write_receipts(path: Path, rows: list[str], drop: tuple[str, ...] = ()) -> Path:
    """The receipts CSV without the columns ``drop`` (so the load cannot map them)."""
    cols = HEADER.split(",")
    keep = [i for i, c in enumerate(cols) if c not in drop]
    out = [",".join(cols[i] for i in keep)]
    out += [",".join(r.split(",")[i] for i in keep) for r in rows]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def make_workspace(
    folder: Path,
    rows: list[str] | None = None,
    drop: tuple[str, ...] = (),
    prices: dict[str, float] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "w.duckdb"
    files = {"sales": SourceFile(write_sales(folder / "sales.csv", prices or PRICES))}
    if rows is not None:
        files["suppliers"] = SourceFile(write_receipts(folder / "receipts.csv", rows, drop))
    with Workspace(path) as ws:
        _, reports = ws.load(files)
    assert all(r.rejected == 0 for r in reports.values())
    return path


def analyse(path: Path, rules: Rules | None = None, **kw: object) -> SupplierPerformance:
    with Workspace(path) as ws:
        agg = receipt_aggregates(ws)
        p, s = segment_skus(ws, rules)
    return supplier_performance(agg, sku_context(p, s), s.rules, **kw)


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("hand"), RECEIPTS)


@pytest.fixture(scope="module")
def hand_perf(hand: Path) -> SupplierPerformance:
    return analyse(hand)


def _row(frame: pd.DataFrame, **where: str) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for col, value in where.items():
        mask &= frame[col].eq(value).to_numpy()
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


# --------------------------------------------------------------------------- measures
@pytest.mark.parametrize("supplier", list(HAND))
def test_measures_match_the_hand_computation(hand_perf: SupplierPerformance, supplier: str) -> None:
    row = _row(hand_perf.suppliers, supplier=supplier)
    for col, want in HAND[supplier].items():
        if math.isnan(want):
            assert pd.isna(row[col]), col
        else:
            assert row[col] == pytest.approx(want, rel=1e-12), col
    assert row["lead_time_cov"] == pytest.approx(
        HAND[supplier]["lead_time_std_days"] / HAND[supplier]["lead_time_mean_days"]
    )


def test_supplier_table_shape_and_order(hand_perf: SupplierPerformance) -> None:
    t = hand_perf.suppliers
    assert list(t.columns) == SUPPLIER_COLUMNS
    assert list(t["supplier"]) == ["BETA", "ACME", "=EVIL"]  # by spend: 320, 170, 17
    assert t["spend_share"].to_numpy() == pytest.approx(np.array([320, 170, 17]) / 507)
    acme = _row(t, supplier="ACME")
    assert acme["first_receipt"] == pd.Timestamp("2024-01-11")
    assert acme["last_receipt"] == pd.Timestamp("2024-04-21")
    assert hand_perf.notes == []  # every optional column mapped
    # Overall: 10 lines; OTIF over the 9 lines with all three: L1, L7, L8, L9, L10 = 5/9.
    assert hand_perf.overall["lines"] == 10 and hand_perf.overall["suppliers"] == 3
    assert hand_perf.overall["otif_rate"] == pytest.approx(5 / 9)


def test_segments_served(hand_perf: SupplierPerformance) -> None:
    t = hand_perf.suppliers.set_index("supplier")
    # BETA: S3 (AX) 2 lines, S4 (BX) 1, S9 (not segmented) 1 of 4 lines.
    assert t.loc["BETA", "segments"] == f"AX 50%, BX 25%, {NOT_SEGMENTED} 25%"
    assert t.loc["ACME", "segments"] == "AX 100%"
    # A-class spend: ACME 170 (S1, S2), BETA 190 (S3), =EVIL 12 (S2): total 372.
    assert t.loc["ACME", "a_spend_share"] == pytest.approx(170 / 372)
    assert t.loc["BETA", "a_spend_share"] == pytest.approx(190 / 372)


def test_segment_basis_by_spend(hand: Path) -> None:
    perf = analyse(hand, segment_basis="spend")
    beta = _row(perf.suppliers, supplier="BETA")
    # BETA spend: S3 190 (AX), S4 100 (BX), S9 30: of 320.
    assert beta["segments"] == f"AX 59%, BX 31%, {NOT_SEGMENTED} 9%"
    with pytest.raises(SupplierError):
        analyse(hand, segment_basis="revenue")


def test_quarterly_trend_and_incomplete_quarters(hand_perf: SupplierPerformance) -> None:
    trend = hand_perf.trend
    # Receipts run from 2023-12-29 to 2024-06-26: 2023Q4 and 2024Q2 are partly covered.
    everyone = supplier_trend(trend, ALL_SUPPLIERS)
    assert list(everyone["label"]) == ["2023Q4", "2024Q1", "2024Q2"]
    assert list(everyone["complete"]) == [False, True, False]
    acme = supplier_trend(trend, "ACME")
    assert list(acme["label"]) == ["2024Q1", "2024Q2"]
    q1, q2 = acme.iloc[0], acme.iloc[1]
    # Q1: L1, L2, L3: on time 2/3, in full 2/3, OTIF 1/3, lead 10, 14, 12: mean 12.
    assert q1["lines"] == 3
    assert (q1["on_time_rate"], q1["in_full_rate"], q1["otif_rate"]) == pytest.approx(
        (2 / 3, 2 / 3, 1 / 3)
    )
    assert q1["lead_time_mean_days"] == pytest.approx(12.0)
    # Q2: L4 alone, no promised date: on time and OTIF empty.
    assert q2["lines"] == 1 and q2["in_full_rate"] == 1.0
    assert pd.isna(q2["on_time_rate"]) and pd.isna(q2["otif_rate"])
    assert q2["lead_time_mean_days"] == 20.0
    # 2024Q1 of all suppliers: L1, L2, L3, L5, L10: on time L1, L3, L10 = 3/5.
    assert everyone.iloc[1]["lines"] == 5
    assert everyone.iloc[1]["on_time_rate"] == pytest.approx(3 / 5)


# --------------------------------------------------------------------------- unmapped columns
def test_missing_promised_date_leaves_on_time_and_otif_empty(tmp_path: Path) -> None:
    perf = analyse(make_workspace(tmp_path, RECEIPTS, drop=("promised_date",)))
    t = perf.suppliers
    assert t["on_time_rate"].isna().all() and t["otif_rate"].isna().all()
    assert t["days_late_mean"].isna().all()
    assert _row(t, supplier="ACME")["in_full_rate"] == pytest.approx(3 / 4)
    assert _row(t, supplier="ACME")["lead_time_mean_days"] == pytest.approx(14.0)
    assert pd.isna(perf.overall["otif_rate"])
    assert "on-time and OTIF need promised_date, which the receipts file does not map" in perf.notes
    assert perf.trend["on_time_rate"].isna().all()


def test_missing_quantities_leave_in_full_empty_and_rank_by_lines(tmp_path: Path) -> None:
    perf = analyse(make_workspace(tmp_path, RECEIPTS, drop=("ordered_qty", "received_qty")))
    t = perf.suppliers
    assert t["in_full_rate"].isna().all() and t["otif_rate"].isna().all()
    assert t["spend"].isna().all()
    assert _row(t, supplier="ACME")["on_time_rate"] == pytest.approx(2 / 3)
    assert any("ordered_qty and received_qty" in n for n in perf.notes)
    assert any("ranked by receipt lines" in n for n in perf.notes)
    assert t["tier_reason"].str.contains("of receipt lines").all()


def test_missing_unit_cost_uses_the_skus_unit_cost(tmp_path: Path) -> None:
    perf = analyse(make_workspace(tmp_path, RECEIPTS, drop=("unit_cost",)))
    t = perf.suppliers.set_index("supplier")
    # The sales' unit cost is 1 for every SKU: ACME spend = 10 + 10 + 15 + 20 received units.
    assert t.loc["ACME", "spend"] == pytest.approx(55.0)
    # S9 never sold: no unit cost known, its line adds nothing: BETA = 100 + 90 + 50.
    assert t.loc["BETA", "spend"] == pytest.approx(240.0)
    assert any("does not map unit_cost" in n for n in perf.notes)


# --------------------------------------------------------------------------- roll-ups
def _direct(lines: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The measures straight from receipt lines, the textbook way (pandas std is n - 1)."""
    d = lines.copy()
    d["lt"] = (d["receipt_date"] - d["order_date"]).dt.days.astype(float)
    has_p = d["promised_date"].notna()
    has_q = d["ordered_qty"].notna() & d["received_qty"].notna()
    d["on_time"] = (d["receipt_date"] <= d["promised_date"]).where(has_p)
    d["in_full"] = (d["received_qty"] >= d["ordered_qty"]).where(has_q)
    d["otif"] = (d["on_time"].astype(float) * d["in_full"].astype(float)).where(has_p & has_q)
    d["spend"] = d["received_qty"].fillna(d["ordered_qty"]) * d["unit_cost"]
    g = d.groupby(keys)
    return pd.DataFrame(
        {
            "lines": g.size(),
            "spend": g["spend"].sum(),
            "on_time_rate": g["on_time"].mean(),
            "in_full_rate": g["in_full"].mean(),
            "otif_rate": g["otif"].mean(),
            "lead_time_mean_days": g["lt"].mean(),
            "lead_time_std_days": g["lt"].std(ddof=1),
        }
    ).reset_index()


def test_rollup_per_supplier_and_segment_equals_a_direct_computation(
    demo_workspace_template: Path, tmp_path: Path
) -> None:
    import shutil

    ws_path = tmp_path / "w.duckdb"
    shutil.copy(demo_workspace_template, ws_path)
    with Workspace(ws_path) as ws:
        agg = receipt_aggregates(ws)
        p, s = segment_skus(ws)
    skus = sku_context(p, s)
    got = segment_table(pair_table(agg, skus))
    raw = pd.read_csv(
        demo_workspace_template.parent / "files" / "suppliers.csv",
        dtype={"sku": str, "supplier": str},
        parse_dates=["order_date", "promised_date", "receipt_date"],
    )
    raw["segment"] = raw["sku"].map(skus.set_index("sku")["segment"]).fillna(NOT_SEGMENTED)
    want = _direct(raw, ["supplier", "segment"])
    assert len(got) == len(want) > 25
    merged = want.merge(got, on=["supplier", "segment"], suffixes=("_want", ""))
    assert len(merged) == len(want)
    for col in [
        "lines",
        "spend",
        "on_time_rate",
        "in_full_rate",
        "otif_rate",
        "lead_time_mean_days",
        "lead_time_std_days",
    ]:
        np.testing.assert_allclose(
            merged[col].to_numpy(dtype=float),
            merged[col + "_want"].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-9,
            err_msg=col,
        )
    # And per supplier, from the same pairs, without SQL.
    per_supplier = supplier_table(pair_table(agg, skus), skus)[0]
    want_sup = _direct(raw, ["supplier"]).set_index("supplier").loc[per_supplier["supplier"]]
    np.testing.assert_allclose(
        per_supplier["lead_time_std_days"].to_numpy(),
        want_sup["lead_time_std_days"].to_numpy(),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        per_supplier["otif_rate"].to_numpy(), want_sup["otif_rate"].to_numpy(), rtol=1e-12
    )


def test_a_new_segmentation_needs_no_new_sql(hand: Path) -> None:
    with Workspace(hand) as ws:
        agg = receipt_aggregates(ws)
        p, s = segment_skus(ws)
        _, s_abc = segment_skus(ws, Rules(criteria=("abc",)))
    by_cell = segment_table(pair_table(agg, sku_context(p, s)))
    by_abc = segment_table(pair_table(agg, sku_context(p, s_abc)))
    assert set(by_cell["segment"]) == {"AX", "BX", "CX", NOT_SEGMENTED}
    assert set(by_abc["segment"]) == {"A", "B", "C", NOT_SEGMENTED}
    assert by_abc["lines"].sum() == by_cell["lines"].sum() == 10
    acme_a = _row(by_abc, supplier="ACME", segment="A")
    assert acme_a["lead_time_std_days"] == pytest.approx(math.sqrt(56 / 3))
    m = segment_matrix(by_abc, "otif_rate", ["BETA", "ACME", "=EVIL"])
    assert list(m.index) == ["BETA", "ACME", "=EVIL"]
    assert list(m.columns) == ["A", "B", "C", NOT_SEGMENTED]
    assert pd.isna(m.loc["ACME", "B"])  # ACME serves no B SKU
    assert m.loc["ACME", "A"] == pytest.approx(1 / 3)


# --------------------------------------------------------------------------- tiers
# Spend by supplier (one unit cost of 10, 2 or 1): T1 500 (S2 400, S3 100), T2 300 (S4 200,
# S5 100), T3 110 (S1), T4 50 (S2), T5 30 (S5), T6 10 (S3); total 1000. Ranked, the share of
# the suppliers above each: T1 0, T2 .50, T3 .80, T4 .91, T5 .96, T6 .99.
# S1 (A, revenue 550 of the A-class 890) has T3 alone; S2 and S3 have two suppliers each.
TIER_RECEIPTS = [
    "T1,S2,2024-01-01,2024-01-10,2024-01-10,40,40,10",
    "T1,S3,2024-01-01,2024-01-10,2024-01-10,10,10,10",
    "T2,S4,2024-01-01,2024-01-10,2024-01-10,100,100,2",
    "T2,S5,2024-01-01,2024-01-10,2024-01-10,100,100,1",
    "T3,S1,2024-01-01,2024-01-10,2024-01-10,11,11,10",
    "T4,S2,2024-01-01,2024-01-10,2024-01-10,5,5,10",
    "T5,S5,2024-01-01,2024-01-10,2024-01-10,30,30,1",
    "T6,S3,2024-01-01,2024-01-10,2024-01-10,1,1,10",
]


@pytest.fixture(scope="module")
def tiered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("tiers"), TIER_RECEIPTS)


def test_tiers_hit_each_branch(tiered: Path) -> None:
    t = analyse(tiered).suppliers.set_index("supplier")
    assert list(t.index) == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert t["tier"].to_dict() == {
        "T1": "strategic",  # top 80% of spend and buys A SKUs
        "T2": "preferred",  # top 80% of spend but no A SKU: the top 95% makes it preferred
        "T3": "strategic",  # outside the top 80%, but the sole source of S1: 62% of A revenue
        "T4": "preferred",  # top 95%
        "T5": "approved",  # outside the top 95%, no A SKU
        "T6": "preferred",  # outside the top 95%, but buys an A SKU
    }
    assert t.loc["T1", "tier_reason"] == "50% of spend (top 80%), 2 A SKUs"
    assert t.loc["T2", "tier_reason"] == "30% of spend (top 80%), no A-class SKUs"
    assert t.loc["T3", "tier_reason"] == (
        "11% of spend (top 95%), 1 A SKU, sole source of 1 A SKU (62% of A revenue)"
    )
    assert t.loc["T5", "tier_reason"] == "3% of spend, no A-class SKUs"
    assert t.loc["T6", "tier_reason"] == "1% of spend, 1 A SKU"
    assert t.loc["T3", "sole_source_a_skus"] == 1
    assert t.loc["T3", "sole_source_a_revenue_share"] == pytest.approx(550 / 890)
    # A-class spend: T1 500, T3 110, T4 50, T6 10 = 670.
    assert t.loc["T1", "a_spend_share"] == pytest.approx(500 / 670)
    assert t.loc["T2", "a_spend_share"] == 0


def test_tier_rule_parameters(tiered: Path) -> None:
    # A sole source must cover 70% of A revenue now: T3 (62%) falls back to preferred.
    t = analyse(tiered, tiers=TierRule(sole_source_a_revenue=0.7)).suppliers
    assert _row(t, supplier="T3")["tier"] == "preferred"
    # The top 50% of spend is T1 alone (T2 starts at 50%); the top 60% is T1 and T2.
    t = analyse(
        tiered, tiers=TierRule(strategic_spend=0.5, preferred_spend=0.6, sole_source_a_revenue=1.0)
    ).suppliers
    assert t.set_index("supplier")["tier"].to_dict() == {
        "T1": "strategic",
        "T2": "preferred",
        "T3": "preferred",
        "T4": "preferred",
        "T5": "approved",
        "T6": "preferred",
    }
    with pytest.raises(SupplierError):
        TierRule(strategic_spend=0.9, preferred_spend=0.8)
    with pytest.raises(SupplierError):
        TierRule(sole_source_a_revenue=1.5)


# --------------------------------------------------------------------------- dual sourcing
def test_dual_sourcing_candidates(hand_perf: SupplierPerformance) -> None:
    d = hand_perf.dual_sourcing
    # Single-sourced: S1 (ACME), S3 (BETA), S4 (BETA), S5 (=EVIL), S9 (BETA). S2 has two
    # suppliers. OTIF: ACME 1/3, BETA 1/2 (both below 90%), =EVIL 1.
    # The lead time is the feature table's: the SKU's own with 3 receipts or more, else its
    # main supplier's (methods.md). Every SKU here has fewer: S1 takes ACME's 14 days, S3 and
    # S4 BETA's 32.5, S5 =EVIL's 9.5; S9 (no sales, not in the features) its own 25.
    # S1: class A, ACME unreliable -> in. S3: class A and 32.5 days > 30 -> in.
    # S4: class B, 32.5 days > 30, BETA unreliable -> in. S5: class C, 9.5 days -> out.
    # S9: 25 days, no class -> out.
    assert list(d["sku"]) == ["S1", "S3", "S4"]  # by revenue: 550, 120, 70
    assert list(d["supplier"]) == ["ACME", "BETA", "BETA"]
    assert list(d["revenue"]) == [550.0, 120.0, 70.0]
    assert d["lead_time_mean_days"].tolist() == pytest.approx([14.0, 32.5, 32.5])
    assert d["supplier_otif_rate"].tolist() == pytest.approx([1 / 3, 0.5, 0.5])
    assert d.loc[0, "reason"] == "class A; single supplier with OTIF 33% < 90%"
    assert d.loc[1, "reason"] == (
        "class A and lead time 32 days > 30; single supplier with OTIF 50% < 90%"
    )
    assert d.loc[2, "reason"] == "lead time 32 days > 30; single supplier with OTIF 50% < 90%"


def test_dual_sourcing_thresholds(hand: Path, hand_perf: SupplierPerformance) -> None:
    with Workspace(hand) as ws:
        agg = receipt_aggregates(ws)
        p, s = segment_skus(ws)
    pairs = pair_table(agg, sku_context(p, s))
    sup = hand_perf.suppliers
    # Nobody below 30% OTIF and lead-time CoV (ACME .31, BETA .20) under the default 0.5.
    assert dual_sourcing(pairs, sup, Rules(), otif_below=0.3).empty
    # A lead-time CoV limit of 0.25 flags ACME (CoV 4.32 / 14 = 0.31) but not BETA (0.20).
    d = dual_sourcing(pairs, sup, Rules(leadtime_cov=0.25), otif_below=0.3)
    assert list(d["sku"]) == ["S1"]
    assert d.loc[0, "reason"] == "class A; single supplier with lead-time CoV 0.31 > 0.25"
    # A longer lead-time limit leaves S4 (class B, 32.5 days) out.
    d = dual_sourcing(pairs, sup, Rules(leadtime_days=35))
    assert list(d["sku"]) == ["S1", "S3"]
    # The screen follows the lead-time limit of the rules passed to supplier_performance.
    assert list(analyse(hand, Rules(leadtime_days=35)).dual_sourcing["sku"]) == ["S1", "S3"]


def test_no_receipts_is_an_error(tmp_path: Path) -> None:
    path = make_workspace(tmp_path, None)
    with Workspace(path) as ws:
        agg = receipt_aggregates(ws)
    assert agg.empty and agg.pairs.empty
    with pytest.raises(SegStudioError, match="no supplier receipts"):
        supplier_performance(agg)


def test_without_sales_there_are_no_segments(hand: Path) -> None:
    with Workspace(hand) as ws:
        agg = receipt_aggregates(ws)
    perf = supplier_performance(agg)
    assert set(perf.by_segment["segment"]) == {NOT_SEGMENTED}
    assert (perf.suppliers["tier"] != "strategic").all()  # no A-class SKUs known
    assert any("no sales loaded" in n for n in perf.notes)


# --------------------------------------------------------------------------- command line
def _cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_csv_contract(hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "suppliers.csv"
    code, stdout, err = _cli(capsys, "suppliers", "--workspace", hand, "--out", out)
    assert code == 0, err
    assert err == ""
    # Tiers: BETA (63% of spend) and ACME (the next, from 63%) are in the top 80% and buy A
    # SKUs: strategic; =EVIL (from 97%) buys S2 (A): preferred.
    assert stdout == (
        f"3 suppliers (2 strategic, 1 preferred, 0 approved), 10 receipt lines, "
        f"OTIF 55.6%, 3 dual-sourcing candidates -> {out}\n"
    )
    t = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(t.columns[:1]) == ["supplier"]
    assert set(CONTRACT) <= set(t.columns)
    assert list(t.columns) == SUPPLIER_COLUMNS
    # The formula-looking supplier name is escaped for spreadsheets.
    assert list(t["supplier"]) == ["BETA", "ACME", "'=EVIL"]
    acme = _row(t, supplier="ACME")
    for col in CONTRACT[1:]:
        assert acme[col] == pytest.approx(HAND["ACME"][col], abs=1e-4), col


def test_cli_xlsx_reads_back(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "suppliers.xlsx"
    code, _, err = _cli(capsys, "suppliers", "--workspace", hand, "--out", out)
    assert code == 0, err
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["suppliers", "by_segment", "trend", "dual_sourcing"]
    rows = list(wb["suppliers"].iter_rows(values_only=True))
    assert list(rows[0]) == SUPPLIER_COLUMNS
    t = pd.DataFrame(rows[1:], columns=rows[0])
    assert list(t["supplier"]) == ["BETA", "ACME", "=EVIL"]  # text cells, never a formula
    beta = _row(t, supplier="BETA")
    assert beta["otif_rate"] == pytest.approx(0.5)
    assert beta["lead_time_std_days"] == pytest.approx(math.sqrt(125 / 3), abs=1e-4)
    dual = list(wb["dual_sourcing"].iter_rows(values_only=True))
    assert [r[0] for r in dual[1:]] == ["S1", "S3", "S4"]


def test_cli_rules_file_changes_the_segments(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[segments]\ncriteria = ["abc"]\n', encoding="utf-8")
    out = tmp_path / "s.csv"
    code, _, err = _cli(capsys, "suppliers", "--workspace", hand, "--rules", rules, "--out", out)
    assert code == 0, err
    t = pd.read_csv(out).set_index("supplier")
    assert t.loc["BETA", "segments"] == f"A 50%, B 25%, {NOT_SEGMENTED} 25%"


def test_cli_notes_go_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = make_workspace(tmp_path / "ws", RECEIPTS, drop=("promised_date",))
    code, stdout, err = _cli(capsys, "suppliers", "--workspace", ws, "--out", tmp_path / "s.csv")
    assert code == 0
    assert "OTIF n/a" in stdout and len(stdout.strip().splitlines()) == 1
    assert "promised_date" in err


@pytest.mark.parametrize("case", ["missing", "no_receipts", "bad_suffix"])
def test_cli_exit_2_with_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.csv"
    if case == "missing":
        ws = tmp_path / "nope.duckdb"
    else:
        ws = make_workspace(tmp_path / "ws", None if case == "no_receipts" else RECEIPTS)
        if case == "bad_suffix":
            out = tmp_path / "s.txt"
    code, stdout, err = _cli(capsys, "suppliers", "--workspace", ws, "--out", out)
    assert code == 2
    assert stdout == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("segstudio suppliers: ")
    assert not out.exists()
    if case == "missing":
        assert not ws.exists()  # not created by the failed command
        assert "no such workspace" in err
    if case == "no_receipts":
        assert "no supplier receipts" in err


def _reason_one_by_one(a: bool, lead: float, otif: float, cov: float, r: Rules, below: float):
    """The dual-sourcing reason of one SKU, phrase by phrase (the reference of the vectorised
    screen); None when the SKU is not flagged."""
    long, late, erratic = lead > r.leadtime_days, otif < below, cov > r.leadtime_cov
    if not ((a or long) and (late or erratic)):
        return None
    why = (["class A"] if a else []) + (
        [f"lead time {fmt.count(lead, 'day')} > {fmt.plain(r.leadtime_days)}"] if long else []
    )
    risk = ([f"OTIF {fmt.share(otif, 0)} < {fmt.share(below, 0)}"] if late else []) + (
        [f"lead-time CoV {fmt.fixed(cov, 2)} > {fmt.plain(r.leadtime_cov)}"] if erratic else []
    )
    return " and ".join(why) + "; single supplier with " + " and ".join(risk)


@settings(max_examples=60, deadline=None)
@given(
    rows=hst.lists(
        hst.tuples(
            hst.booleans(),
            hst.one_of(hst.floats(0, 400), hst.just(0.5), hst.just(1.5), hst.just(1.0)),
            hst.integers(0, 3),
        ),
        min_size=1,
        max_size=40,
    ),
    quality=hst.lists(
        hst.tuples(hst.one_of(hst.floats(0, 1), hst.just(float("nan"))), hst.floats(0, 2)),
        min_size=4,
        max_size=4,
    ),
    below=hst.floats(0, 1),
)
def test_the_dual_sourcing_reasons_equal_the_one_by_one_phrases(rows, quality, below) -> None:
    suppliers = pd.DataFrame(
        {
            "supplier": [f"V{i}" for i in range(4)],
            "otif_rate": [q[0] for q in quality],
            "lead_time_cov": [q[1] for q in quality],
        }
    )
    pairs = pd.DataFrame(
        {
            "sku": [f"S{i:03d}" for i in range(len(rows))],
            "segment": "AX",
            "abc": ["A" if a else "B" for a, _, _ in rows],
            "supplier": [f"V{v}" for _, _, v in rows],
            "n_suppliers": 1,
            "lt_sum": [lead for _, lead, _ in rows],
            "lt_n": 1,
            "lead_time_mean_days": [lead for _, lead, _ in rows],
            "revenue": [float(i) for i in range(len(rows))],
        }
    )
    r = Rules()
    got = dual_sourcing(pairs, suppliers, r, otif_below=below)
    want = {}
    for i, (a, lead, v) in enumerate(rows):
        text = _reason_one_by_one(a, lead, quality[v][0], quality[v][1], r, below)
        if text is not None:
            want[f"S{i:03d}"] = text
    assert dict(zip(got["sku"], got["reason"], strict=True)) == want


@settings(max_examples=60, deadline=None)
@given(
    rows=hst.lists(hst.integers(0, 12), min_size=0, max_size=30),
    known=hst.lists(hst.integers(0, 12), min_size=0, max_size=13, unique=True),
)
def test_the_pairs_join_their_context_as_a_left_merge_would(rows, known) -> None:
    from segstudio.perform.suppliers import _left_join_on_sku

    pairs = pd.DataFrame({"supplier": ["V"] * len(rows), "sku": [f"S{i}" for i in rows]})
    ctx = pd.DataFrame(
        {
            "sku": [f"S{i}" for i in known],
            "segment": pd.Series([f"G{i % 3}" for i in known], dtype=object),
            "abc": pd.Categorical(["A" if i % 2 else "B" for i in known]),
            "revenue": [float(i) * 1.5 for i in known],
        }
    )
    want = pairs.merge(ctx, on="sku", how="left", validate="many_to_one")
    pd.testing.assert_frame_equal(_left_join_on_sku(pairs, ctx), want)
