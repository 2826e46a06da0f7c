"""KPI scorecard: formulas against hand-computed values on a small fixture (methods.md "KPIs"),
targets and their status, the rules file, the balanced scorecard, the quarterly trend and the
root causes of a miss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segstudio.config.kpi_targets import KPIS, KpiError, KpiTargets
from segstudio.config.policy_table import PolicyTable, SegmentPolicy
from segstudio.config.rules import Rules, RulesError, from_toml, to_toml
from segstudio.features.build import FeatureSettings, compute_features
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.perform import io as perform_io
from segstudio.perform import kpi_display, kpis, root_causes
from segstudio.perform.kpis import ServiceColumns, status
from segstudio.policy.sku import compute_policies

# Two whole weeks, Monday 2025-01-06 to Sunday 2025-01-19.
SALES = """sku,date,quantity,unit_price,unit_cost,ordered_qty,shipped_qty,requested_date,ship_date
A,2025-01-06,10,10,6,10,10,2025-01-08,2025-01-07
A,2025-01-08,10,10,6,10,6,2025-01-10,2025-01-10
A,2025-01-13,5,10,6,5,5,2025-01-14,2025-01-16
A,2025-01-15,-2,10,6,,,,
B,2025-01-07,4,5,2,4,4,2025-01-09,2025-01-09
B,2025-01-19,6,5,2,6,,2025-01-20,
"""
INVENTORY = """sku,on_hand,unit_cost
A,20,6
B,10,2
"""
YEARS = 14 / 365.25


def _workspace(tmp_path: Path, sales: str = SALES, inventory: str | None = INVENTORY) -> Workspace:
    (tmp_path / "sales.csv").write_text(sales)
    files = {"sales": SourceFile(tmp_path / "sales.csv")}
    if inventory:
        (tmp_path / "inventory.csv").write_text(inventory)
        files["inventory"] = SourceFile(tmp_path / "inventory.csv")
    ws = Workspace(tmp_path / "ws.duckdb").hold()
    ws.load(files)
    return ws


@pytest.fixture()
def fixture_card(tmp_path: Path) -> tuple[kpis.Scorecard, pd.DataFrame, Workspace]:
    ws = _workspace(tmp_path)
    features, window = compute_features(ws.con, FeatureSettings(weeks=2))
    assert (window.start.isoformat(), window.last_day.isoformat()) == ("2025-01-06", "2025-01-19")
    segments = np.where(features["sku"] == "A", "S1", "S2")
    table = PolicyTable(
        segments=(
            ("S1", SegmentPolicy(service_target=0.9)),
            ("S2", SegmentPolicy(service_type="fill_rate", service_target=0.5)),
        )
    )
    service = perform_io.sku_service(ws.con, window)
    pol = compute_policies(features, segments, table)
    sc, base = kpis.build_scorecard(
        features, segments, service, table, KpiTargets(), pol, window, ws.stored_columns("sales")
    )
    return sc, base, ws


def _value(sc: kpis.Scorecard, segment: str, kpi: str) -> float:
    row = sc.long[(sc.long["segment"] == segment) & (sc.long["kpi"] == kpi)]
    return float(row["value"].iloc[0])


def test_service_counts_by_hand(fixture_card: tuple) -> None:
    _, base, ws = fixture_card
    b = base.set_index("sku")
    # A: three positive lines (the return is not an order): 25 ordered, 10 + 6 + 5 shipped;
    # complete: lines 1 and 3; all dated; on time and in full: line 1 only.
    assert b.loc[
        "A",
        ["lines", "ordered_units", "shipped_units", "lines_complete", "lines_dated", "lines_otif"],
    ].tolist() == [3, 25, 21, 2, 3, 1]
    # B: line 2 has no shipped quantity or ship date: nothing shipped, not on time.
    assert b.loc[
        "B",
        ["lines", "ordered_units", "shipped_units", "lines_complete", "lines_dated", "lines_otif"],
    ].tolist() == [2, 10, 4, 1, 2, 1]
    ws.close()


def test_kpis_by_hand(fixture_card: tuple) -> None:
    sc, _, ws = fixture_card
    assert _value(sc, "S1", "unit_fill_rate") == pytest.approx(21 / 25)
    assert _value(sc, "S1", "line_fill_rate") == pytest.approx(2 / 3)
    assert _value(sc, "S1", "otif") == pytest.approx(1 / 3)
    assert _value(sc, "Portfolio", "unit_fill_rate") == pytest.approx(25 / 35)
    assert _value(sc, "Portfolio", "line_fill_rate") == pytest.approx(3 / 5)
    assert _value(sc, "Portfolio", "otif") == pytest.approx(2 / 5)
    # A: revenue 23 x 10 = 230, cost of goods 23 x 6 = 138, margin 92; stock 20 x 6 = 120.
    assert _value(sc, "S1", "inventory_turns") == pytest.approx(138 / YEARS / 120)
    assert _value(sc, "S1", "days_of_supply") == pytest.approx(120 / (138 / 14))
    assert _value(sc, "S1", "gmroi") == pytest.approx(92 / YEARS / 120)
    # Portfolio: cost of goods 138 + 10 x 2 = 158, margin 92 + 30, stock 120 + 20.
    assert _value(sc, "Portfolio", "inventory_turns") == pytest.approx(158 / YEARS / 140)
    assert _value(sc, "Portfolio", "gmroi") == pytest.approx(122 / YEARS / 140)
    # Days of supply = 365.25 / turns for the same rows.
    assert _value(sc, "Portfolio", "days_of_supply") == pytest.approx(
        365.25 / _value(sc, "Portfolio", "inventory_turns")
    )
    ws.close()


def test_service_against_the_policy_target(fixture_card: tuple) -> None:
    sc, _, ws = fixture_card
    # S1 has a CSL target (0.9): held against its line fill rate 2/3 -> red.
    # S2 has a fill-rate target (0.5): held against its unit fill rate 4/10 -> red (below 0.475).
    svc = sc.long[sc.long["kpi"] == "service_level"].set_index("segment")
    assert svc.loc["S1", "value"] == pytest.approx(2 / 3)
    assert svc.loc["S1", "target"] == pytest.approx(0.9)
    assert svc.loc["S2", "value"] == pytest.approx(4 / 10)
    assert svc.loc["S2", "target"] == pytest.approx(0.5)
    assert svc.loc["S1", "status"] == "red" and svc.loc["S2", "status"] == "red"
    # Portfolio: line-weighted (3 and 2 lines) achieved and target.
    assert svc.loc["Portfolio", "value"] == pytest.approx((3 * 2 / 3 + 2 * 0.4) / 5)
    assert svc.loc["Portfolio", "target"] == pytest.approx((3 * 0.9 + 2 * 0.5) / 5)
    assert list(sc.misses()["segment"]) == ["S1", "S2"]
    ws.close()


def test_forecast_accuracy_says_there_are_no_forecasts(fixture_card: tuple) -> None:
    sc, _, ws = fixture_card
    fa = sc.long[sc.long["kpi"] == "forecast_accuracy"]
    assert (fa["status"] == "n/a").all()
    assert fa["note"].str.contains("no forecasts yet").all()
    ws.close()


def test_without_shipped_data_the_cells_name_the_missing_column(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path, "sku,date,quantity,unit_price\nA,2025-01-06,3,2\nA,2025-01-14,4,2\n", None
    )
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
    long = sc.long.set_index(["segment", "kpi"])
    for kpi in ("unit_fill_rate", "line_fill_rate", "otif", "service_level"):
        assert long.loc[("S", kpi), "status"] == "n/a"
        assert "shipped_qty" in long.loc[("S", kpi), "note"]
    assert "requested_date" in long.loc[("S", "otif"), "note"]
    # No inventory file either: the stock KPIs say so.
    for kpi in ("inventory_turns", "days_of_supply", "gmroi"):
        assert long.loc[("S", kpi), "status"] == "n/a"
        assert "no inventory snapshot" in long.loc[("S", kpi), "note"]
    # No KPI has a value in any row: each is named with why, the same reasons together.
    missing = kpi_display.unmeasured(sc)
    assert list(missing) == list(KPIS)
    assert "shipped_qty" in missing["service_level"] and "on_hand" in missing["gmroi"]
    (line,) = kpi_display.unmeasured_lines(missing)
    assert line.startswith("No scorecard: no KPI can be measured from these files.")
    assert (
        "Unit fill rate, Line fill rate and Achieved service vs target: needs shipped_qty" in line
    )
    assert line.count("needs shipped_qty, which") == 1  # each reason once
    assert kpi_display.notes(sc, skip=missing) == []  # not said twice
    assert kpi_display.measured_only(sc.wide("status"), missing).shape == (2, 0)
    ws.close()


def test_service_columns_from_what_is_mapped() -> None:
    full = ServiceColumns.from_stored({"sku", "shipped_qty", "requested_date", "ship_date"})
    assert full.fill and full.otif
    no_dates = ServiceColumns.from_stored({"sku", "shipped_qty"})
    assert no_dates.fill and not no_dates.otif
    assert "requested_date, ship_date" in no_dates.missing_otif


def test_status_bands() -> None:
    # Higher is better, target 0.95, band 5%: amber down to 0.9025.
    got = status([0.96, 0.95, 0.91, 0.90, np.nan], 0.95, True, 0.05)
    assert list(got) == ["green", "green", "amber", "red", "n/a"]
    # Lower is better (days of supply), target 90: amber up to 94.5.
    got = status([80, 90, 94, 95], 90, False, 0.05)
    assert list(got) == ["green", "green", "amber", "red"]


@given(v=st.floats(0, 10), t=st.floats(0.01, 10), band=st.floats(0, 0.5), higher=st.booleans())
def test_status_is_monotone_in_the_value(v: float, t: float, band: float, higher: bool) -> None:
    rank = {"red": 0, "amber": 1, "green": 2}
    better = v * 1.1 + 0.01 if higher else v * 0.9
    assert rank[str(status(better, t, higher, band))] >= rank[str(status(v, t, higher, band))]


def test_targets_per_segment_and_in_the_rules_file() -> None:
    targets = KpiTargets().with_target("AX", "otif", 0.95).with_target("default", "gmroi", 3.0)
    assert targets.for_segment("AX")["otif"] == 0.95
    assert targets.for_segment("BY")["otif"] == KpiTargets().for_segment("BY")["otif"]
    assert targets.for_segment("BY")["gmroi"] == 3.0
    rules = Rules(kpi=targets)
    again = from_toml(to_toml(rules))
    assert again.kpi == targets
    text = '[kpi]\namber_band = 0.1\n[kpi.default]\notif = 0.8\n[kpi."AX"]\notif = 0.99\n'
    read = from_toml(text)
    assert read.kpi.amber_band == 0.1
    assert read.kpi.for_segment("AX")["otif"] == 0.99
    assert read.kpi.for_segment("CZ")["otif"] == 0.8
    # Setting a segment's target back to the default's removes its own entry.
    assert targets.with_target("AX", "otif", targets.for_segment("default")["otif"]).segments == ()


@pytest.mark.parametrize(
    "text, message",
    [
        ("[kpi.default]\nturns = 3\n", "unknown KPI"),
        ('[kpi."AX"]\notif = 1.5\n', "between 0 and 1"),
        ('[kpi.default]\ngmroi = "high"\n', "a number"),
        ("[kpi]\namber_band = 2\n", "amber_band"),
        ("[kpi.default]\nservice_level = 0.9\n", "unknown KPI"),
    ],
)
def test_bad_targets_name_the_key(text: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        from_toml(text, "r.toml")


def test_a_bad_target_is_refused_in_code() -> None:
    with pytest.raises(KpiError, match="days_of_supply"):
        KpiTargets().with_target("AX", "days_of_supply", -1)


def test_balanced_scorecard_by_hand(fixture_card: tuple) -> None:
    sc, _, ws = fixture_card
    b = kpis.balanced(sc, YEARS).set_index("segment")
    assert b.loc["S1", "revenue"] == pytest.approx(230)
    assert b.loc["S1", "gross_margin"] == pytest.approx(92)
    assert b.loc["S1", "margin_pct"] == pytest.approx(92 / 230)
    assert b.loc["S1", "inventory_value"] == pytest.approx(120)
    # The default holding rate of the policy table applies to S1's stock.
    rate = SegmentPolicy().holding_rate
    assert b.loc["S1", "carrying_cost"] == pytest.approx(120 * rate)
    assert b.loc["S1", "margin_after_carrying"] == pytest.approx(92 / YEARS - 120 * rate)
    assert b.loc["Portfolio", "revenue"] == pytest.approx(230 + 50)
    assert b.loc["S1", "revenue_share"] + b.loc["S2", "revenue_share"] == pytest.approx(1)
    ws.close()


def test_quarterly_trend_adds_up_to_the_sales(tmp_path: Path) -> None:
    sales = SALES + "A,2025-04-02,3,10,6,3,3,2025-04-03,2025-04-03\n"
    ws = _workspace(tmp_path, sales)
    quarters = perform_io.sku_quarters(ws.con)
    cols = ServiceColumns.from_stored(ws.stored_columns("sales"))
    prepared = kpis.prepare_quarters(quarters, np.array(["A", "B"]))
    trend = kpis.quarterly_trend(
        prepared, np.array(["S1", "S2"]), cols, last_day=pd.Timestamp("2025-04-30").date()
    )
    port = trend[trend["segment"] == "Portfolio"].set_index("quarter")
    assert port.loc["2025Q1", "revenue"] == pytest.approx(230 + 50)
    assert port.loc["2025Q2", "revenue"] == pytest.approx(30)
    assert port.loc["2025Q1", "unit_fill_rate"] == pytest.approx(25 / 35)
    assert port.loc["2025Q2", "otif"] == pytest.approx(1.0)
    # Q1 starts after the first day of the data? No: the data starts on 6 January, so Q1 is
    # partly covered; Q2 ends after the data's last day.
    assert not port.loc["2025Q1", "complete"] and not port.loc["2025Q2", "complete"]
    s1 = trend[trend["segment"] == "S1"].set_index("quarter")
    assert s1.loc["2025Q1", "gross_margin"] == pytest.approx(92)
    ws.close()


def _cause_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, kpis.Scorecard]:
    skus = ["s1", "s2", "s3", "s4", "s5"]
    complete = [5, 8, 9, 9, 10]
    base = pd.DataFrame(
        {
            "sku": skus,
            "segment": "S",
            "revenue": 100.0,
            "margin": 30.0,
            "cogs": 70.0,
            "inventory_value": 10.0,
            "on_order_value": 0.0,
            "carrying_cost": 2.5,
            "lines": 10.0,
            "ordered_units": 10.0,
            "shipped_units": np.array(complete, float),
            "lines_complete": np.array(complete, float),
            "lines_dated": 10.0,
            "lines_otif": np.array(complete, float),
        }
    )
    features = pd.DataFrame(
        {
            "sku": skus,
            "cov": [2.0, 0.3, 0.3, 0.3, 0.3],
            "pattern": ["erratic", "smooth", "smooth", "smooth", "smooth"],
            "on_time_rate": [1.0, 0.5, 1.0, 1.0, 1.0],
            "in_full_rate": 1.0,
            "lead_time_mean_days": 10.0,
            "lead_time_std_days": 1.0,
            "on_hand": 50.0,
        }
    )
    policies = pd.DataFrame(
        {
            "sku": skus,
            "segment": "S",
            "demand_model": "normal",
            "service_target": 0.95,
            "expected_csl": 0.95,
            "expected_fill_rate": 0.99,
            "safety_stock": [5.0, 5.0, 0.0, 5.0, 5.0],
            "reorder_point": 20.0,
        }
    )
    table = PolicyTable(segments=(("S", SegmentPolicy(service_target=0.95)),))
    sc = kpis.scorecard(
        base,
        KpiTargets(),
        table,
        1.0,
        ServiceColumns.from_stored({"shipped_qty", "requested_date", "ship_date"}),
        policies,
    )
    return base, features, policies, sc


def test_root_causes_name_the_skus_behind_a_miss() -> None:
    base, features, policies, sc = _cause_case()
    # Segment line fill = (5 + 8 + 9 + 9 + 10) / 50 = 0.82 against 0.95: red.
    assert sc.misses()["value"].iloc[0] == pytest.approx(0.82)
    summary, skus = root_causes.root_causes(
        base, features, policies, sc, xyz_y=1.0, leadtime_cov=0.5
    )
    by_sku = skus.set_index("sku")
    assert set(by_sku.index) == {"s1", "s2", "s3", "s4"}  # s5 shipped every line complete
    assert by_sku.loc["s1", "causes"] == "demand_variability"
    assert by_sku.loc["s2", "causes"] == "supplier_lateness"
    assert by_sku.loc["s3", "causes"] == "policy_setting"  # no safety stock
    assert by_sku.loc["s4", "causes"] == "unexplained"
    assert list(skus["sku"]) == ["s1", "s2", "s3", "s4"]  # most units short first
    s = summary.set_index("cause")
    assert s.loc["demand_variability", "units_short"] == 5
    assert s.loc["supplier_lateness", "units_short"] == 2
    assert s.loc["policy_setting", "skus"] == 1
    assert s.loc["unexplained", "units_short"] == 1
    assert s.loc["demand_variability", "share_of_short"] == pytest.approx(5 / 9)
    assert "no forecasts yet" in s.loc["forecast_error", "note"]


def test_no_root_causes_when_every_segment_meets_its_target() -> None:
    base, features, policies, _ = _cause_case()
    base["lines_complete"] = base["lines"]
    base["shipped_units"] = base["ordered_units"]
    table = PolicyTable(segments=(("S", SegmentPolicy(service_target=0.95)),))
    sc = kpis.scorecard(
        base, KpiTargets(), table, 1.0, ServiceColumns.from_stored({"shipped_qty"}), policies
    )
    summary, skus = root_causes.root_causes(base, features, policies, sc, 1.0, 0.5)
    assert summary.empty and skus.empty


def test_display_table_shows_value_and_target_with_the_status_beside(
    fixture_card: tuple,
) -> None:
    sc, _, ws = fixture_card
    table = kpi_display.display_table(sc)
    assert table.loc["S1", "Unit fill rate"] == "84.0% / 97.0%"
    assert table.loc["S1", "Days of supply"].endswith("/ 90 d")
    assert table.loc["S1", "Forecast accuracy"].startswith("n/a")
    assert list(table.index) == ["S1", "S2", "Portfolio"]
    status = sc.wide("status")
    assert status.loc["S1", "Unit fill rate"] == "red" and status.shape == table.shape
    notes = kpi_display.notes(sc)
    assert any(n.startswith("Forecast accuracy: no forecasts yet") for n in notes)
    # Only forecast accuracy has no value anywhere: it alone leaves the grid, named.
    missing = kpi_display.unmeasured(sc)
    assert list(missing) == ["forecast_accuracy"]
    assert kpi_display.unmeasured_lines(missing) == (
        f"Left out of the scorecard, as they cannot be measured: Forecast accuracy: "
        f"{kpis.NO_FORECASTS}.",
    )
    shown = kpi_display.measured_only(table, missing)
    assert "Forecast accuracy" not in shown and shown.shape == (3, table.shape[1] - 1)
    assert kpi_display.unmeasured_lines({}) == ()
    ws.close()


def test_the_quarters_from_arrow_are_those_of_the_frame_coded_by_sku_and_quarter(
    demo_workspace: Path,
) -> None:
    """The Arrow path the app takes codes each row as a plain pandas lookup would: its SKU's
    position in the portfolio (rows of other SKUs dropped), its quarter's rank, its sums."""
    with Workspace(demo_workspace) as ws:
        table = perform_io.sku_quarters_table(ws.con)
    frame = table.to_pandas()  # the same rows in the same order (a query's order may vary)
    sku = np.sort(frame["sku"].unique())[::2]  # half the SKUs, in another order than the rows
    q = kpis.prepare_quarters(table, sku)
    pos = pd.Index(sku).get_indexer(frame["sku"])
    keep = pos >= 0
    codes, starts = pd.factorize(pd.to_datetime(frame["quarter"])[keep], sort=True)
    assert keep.sum() < len(frame)
    assert np.array_equal(q.pos, pos[keep])
    assert np.array_equal(q.quarter, codes)
    assert q.starts == tuple(ts.date() for ts in starts)
    for c, v in q.sums.items():
        assert np.array_equal(v, np.nan_to_num(frame[c].to_numpy(dtype=float)[keep]))
    assert q.first_day == pd.to_datetime(frame["first_day"]).min().date()
    from_frame = kpis.prepare_quarters(frame, sku)
    assert np.array_equal(from_frame.pos, q.pos) and from_frame.starts == q.starts
