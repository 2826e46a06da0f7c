"""One figure, one definition, through AppTest: the stock's value on the Inventory health and
Scorecard pages and in the QBR is units x the one unit value of policy/valuation (the unit cost,
else the unit price), and says which; a segment's share reads the same in the matrix, its
heatmap, the QBR and the balanced scorecard, also with SKUs whose returns outweigh their sales;
a KPI no segment can measure is named with the column that would let it, not drawn grey; and
the tables' counts carry their thousands separators."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from segstudio.common import fmt
from segstudio.config.kpi_targets import KPIS
from segstudio.config.policy_table import SegmentPolicy
from segstudio.ui import keys
from tests.builders import build_priced_workspace, build_returns_workspace
from tests.conftest import ROOT, open_page
from tests.ui.shown import problems, table_cells, unseparated

HOLDING_RATE = SegmentPolicy().holding_rate  # every segment's, with the built-in policy table
AT_PRICE = "at price (no unit cost in the data)"


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at: AppTest, kind: str) -> str:
    return " ".join(str(e.value) for e in at.get(kind)).replace("\\", "")  # markdown escapes


def _portfolio(at: AppTest) -> pd.Series:
    """The balanced scorecard's Portfolio row (the Scorecard page)."""
    table = _frame(at, "carrying_cost")
    return table.set_index("segment").loc["Portfolio"]


# --------------------------------------------------------------------------- stock at price
@pytest.fixture(scope="module")
def priced_stock_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("priced_stock")
    return build_priced_workspace(folder / "workspace.duckdb", folder, stock=True)


@pytest.fixture()
def priced_stock_env(
    priced_stock_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    target = tmp_path / "workspace.duckdb"
    shutil.copy(priced_stock_template, target)
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(target))
    monkeypatch.chdir(ROOT)
    return priced_stock_template.parent


def _value_at_price(files: Path) -> float:
    """Units on hand x each SKU's unit price (net revenue / net quantity of its sales lines,
    all in the window), straight from the files; SKUs without a price add nothing."""
    sales = pd.read_csv(files / "priced_sales.csv")
    sales["revenue"] = sales["quantity"] * sales["unit_price"]
    sums = sales.groupby("sku")[["revenue", "quantity"]].sum()
    price = (sums["revenue"] / sums["quantity"]).where(sums["quantity"] > 0)
    price = price.where(price > 0)
    stock = pd.read_csv(files / "priced_inventory.csv")
    units = stock["on_hand"].clip(lower=0).groupby(stock["sku"]).sum()
    return float((units * price.reindex(units.index)).sum())


def test_without_unit_cost_health_values_the_stock_at_price_and_says_so(
    priced_stock_env: Path,
) -> None:
    want = _value_at_price(priced_stock_env)
    assert want > 0
    at = open_page("pages/health.py")
    assert not at.warning, [w.value for w in at.warning]  # the value can be measured
    assert f"Stock valued {AT_PRICE}" in _texts(at, "caption")  # then any SKUs without a price
    per_segment = _frame(at, "value_at_risk_share")
    assert float(per_segment["value"].sum()) == pytest.approx(want, rel=1e-9)
    shown = {m.label: m for m in at.metric}
    assert shown["On-hand value"].value == fmt.compact(want)
    assert shown["On-hand value"].proto.help.startswith("At price (no unit cost in the data)")
    chart = next(c for c in at.get("plotly_chart") if "Value on hand by age" in c.proto.spec)
    assert "Value on hand (at price)" in chart.proto.spec
    assert problems(at) == []


def test_without_unit_cost_the_scorecard_values_the_stock_at_price_and_says_so(
    priced_stock_env: Path,
) -> None:
    want = _value_at_price(priced_stock_env)
    at = open_page("pages/scorecard.py")
    row = _portfolio(at)
    assert row["inventory_value"] == pytest.approx(want, rel=1e-9)
    assert row["carrying_cost"] == pytest.approx(want * HOLDING_RATE, rel=1e-9)
    assert f"valued {AT_PRICE}" in _texts(at, "caption")
    # Turns, days of supply and GMROI hold cost against cost: n/a, naming unit_cost.
    said = _texts(at, "info")
    assert "Inventory turns, Days of supply and GMROI: needs unit_cost" in said
    assert problems(at) == []


def test_without_unit_cost_the_qbr_health_story_says_the_stock_is_at_price(
    priced_stock_env: Path,
) -> None:
    want = _value_at_price(priced_stock_env)
    at = open_page("pages/qbr.py")
    at.radio(key=keys.QBR_STORY).set_value("health").run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Stock valued {AT_PRICE}" in _texts(at, "caption")
    assert fmt.money(want) in _texts(at, "markdown")  # "... of <value> on hand"
    at.radio(key=keys.QBR_STORY).set_value("balanced").run()
    assert f"valued {AT_PRICE}" in _texts(at, "caption")


# --------------------------------------------------------------------------- stock at cost
def _value_at_cost(files: Path) -> float:
    """Units on hand x each inventory row's unit cost, straight from the demo's file."""
    stock = pd.read_csv(files / "inventory.csv")
    return float((stock["on_hand"].clip(lower=0) * stock["unit_cost"]).sum())


def test_with_unit_cost_health_and_the_scorecard_value_the_stock_at_cost(
    app_env: Path, demo_workspace_template: Path
) -> None:
    want = _value_at_cost(demo_workspace_template.parent / "files")
    at = open_page("pages/health.py")
    assert "Stock valued at cost." in _texts(at, "caption")
    assert float(_frame(at, "value_at_risk_share")["value"].sum()) == pytest.approx(want, rel=1e-9)
    at.switch_page("pages/scorecard.py").run()
    row = _portfolio(at)
    assert row["inventory_value"] == pytest.approx(want, rel=1e-9)
    assert row["carrying_cost"] == pytest.approx(want * HOLDING_RATE, rel=1e-9)
    assert "valued at cost" in _texts(at, "caption") and "at price" not in _texts(at, "caption")


# --------------------------------------------------------------------------- segment shares
@pytest.fixture()
def returns_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = build_returns_workspace(tmp_path / "returns")
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(target))
    monkeypatch.chdir(ROOT)
    return target


def _heatmap_shares(at: AppTest) -> dict[str, tuple[str, str]]:
    """Each heatmap cell's segment -> (its SKU count, its share) as the cell's text reads."""
    chart = next(c for c in at.get("plotly_chart") if '"Segment matrix"' in c.proto.spec)
    trace = json.loads(chart.proto.spec)["data"][0]
    out = {}
    for r, row in zip(trace["y"], trace["text"], strict=True):
        for c, text in zip(trace["x"], row, strict=True):
            count, share = text.split("<br>")
            out[f"{r}{c}"] = (count.removesuffix(" SKUs").removesuffix(" SKU"), share.split()[0])
    return out


def test_the_heatmap_and_every_table_give_a_segment_the_same_share(returns_env: Path) -> None:
    at = open_page("pages/segmentation.py")
    cells = _heatmap_shares(at)
    table = at.table[0].value  # the segment table under the heatmap, as shown
    shown = {seg: (row["skus"], row["share of revenue"]) for seg, row in table.iterrows()}
    assert shown == {seg: cells[seg] for seg in shown}
    assert shown["CX"][0] == "1,050"  # a count of four digits, with its separator
    # CZ nets to 0 (its returns cancel its sales); its share is that of its positive SKUs.
    assert shown["CZ"][1] == fmt.share(2_400 / (606_000 + 12_600 + 2_400)) == "0.4%"
    assert problems(at) == []

    at.switch_page("pages/qbr.py").run()  # the matrix story: heatmap and table
    assert not at.exception, [e.value for e in at.exception]
    cells = _heatmap_shares(at)
    qbr = table_cells(next(d for d in at.dataframe if "revenue_share" in d.value.columns))
    assert {s: (n, p) for s, n, p in qbr[["segment", "skus", "revenue_share"]].to_numpy()} == {
        s: cells[s] for s in qbr["segment"]
    }

    at.switch_page("pages/scorecard.py").run()  # the balanced scorecard's revenue share
    balanced = table_cells(next(d for d in at.dataframe if "carrying_cost" in d.value.columns))
    own = balanced.set_index("segment")["revenue_share"]
    assert own.drop("Portfolio").to_dict() == {s: cells[s][1] for s in own.index if s in cells}
    assert own["Portfolio"] == "100.0%"


# --------------------------------------------------------------------------- unmeasured KPIs
def test_a_scorecard_nothing_can_measure_names_each_kpi_instead_of_grey_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = build_priced_workspace(tmp_path / "workspace.duckdb", tmp_path)  # no stock
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(target))
    monkeypatch.chdir(ROOT)
    at = open_page("pages/scorecard.py")
    assert not any("KPI scorecard by segment" in c.proto.spec for c in at.get("plotly_chart"))
    said = _texts(at, "info")
    assert "no KPI can be measured" in said
    assert all(k.label in said for k in KPIS.values())
    for column in ("shipped_qty", "requested_date", "ship_date", "on_hand", "no forecasts yet"):
        assert column in said
    at.switch_page("pages/qbr.py").run()
    at.radio(key=keys.QBR_STORY).set_value("scorecard").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "no KPI can be measured" in _texts(at, "info")
    assert not any("KPI scorecard by segment" in c.proto.spec for c in at.get("plotly_chart"))


# --------------------------------------------------------------------------- the checker
def _counts_page() -> None:
    import pandas as pd
    import streamlit as st

    from segstudio.ui import tables

    frame = pd.DataFrame(
        {"sku": ["20724", "85123A"], "year": [2011, 2010], "skus": [2034, 12], "load": [1234, 2]}
    )
    st.table(frame)  # raw: the count reads 2034
    tables.static(frame, kinds={"load": "text", "year": "text"})  # through common.fmt
    tables.show(frame, "t")


def test_the_checker_flags_a_count_without_separators_but_not_codes_or_years() -> None:
    at = AppTest.from_function(_counts_page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert unseparated(at) == ["table  [skus]: no thousands separator in '2034'"]
    assert at.table[1].value["skus"].tolist() == ["2,034", "12"]
    assert np.array_equal(table_cells(at.dataframe[0])["skus"].to_numpy(), ["2,034", "12"])
