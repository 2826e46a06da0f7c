"""Every page through AppTest, on the demo and on a thin extract (no prices, costs, shipped
quantities, stock values or receipts): no shown text, metric or table cell reads "None", "nan",
"-0.0%", "-0", a midnight "00:00:00" or a raw float; metrics fit; and where a figure cannot be
measured, the page says so and names the column that would let it, instead of "all is well"."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from segstudio.common import fmt
from segstudio.perform import kpis
from segstudio.ui import keys, segmentation_view
from tests.builders import build_bare_workspace, build_priced_workspace
from tests.conftest import ROOT, open_page
from tests.ui.shown import metrics, problems, table_cells

PAGES = [
    "data",
    "segmentation",
    "forecast",
    "policy",
    "simulation",
    "scorecard",
    "suppliers",
    "health",
    "qbr",
    "methods",
]


@pytest.fixture(scope="session")
def bare_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bare")
    return build_bare_workspace(folder / "workspace.duckdb", folder)


@pytest.fixture()
def bare_env(bare_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "workspace.duckdb"
    shutil.copy(bare_template, target)
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(target))
    monkeypatch.chdir(ROOT)
    return target


def _walk(at: AppTest) -> dict[str, AppTest]:
    """Each page visited in turn; the problems of each, by page."""
    found: dict[str, list[str]] = {}
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        # the Methods page quotes methods.md, whose prose has figures such as "0.001"
        found[page] = problems(at, skip=("markdown",) if page == "methods" else ())
        if page == "segmentation":  # each of its views: only the chosen one is drawn
            for view in segmentation_view.VIEWS[1:]:
                at.radio(key=keys.SEG_VIEW).set_value(view).run()
                assert not at.exception, (page, view, [e.value for e in at.exception])
                found[page] += [f"{view}: {p}" for p in problems(at)]
            at.radio(key=keys.SEG_VIEW).set_value(segmentation_view.VIEWS[0]).run()
    return found


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in at.get(kind)]


def test_every_page_reads_right_on_the_demo(app_env: Path) -> None:
    found = _walk(open_page("pages/segmentation.py"))
    assert found == {p: [] for p in PAGES}


def test_every_page_reads_right_without_prices_costs_or_shipments(bare_env: Path) -> None:
    found = _walk(open_page("pages/segmentation.py"))
    assert found == {p: [] for p in PAGES}


def test_without_prices_abc_is_on_quantity_and_every_label_says_so(bare_env: Path) -> None:
    at = open_page("pages/segmentation.py")
    assert any("ABC is on quantity, not revenue" in t for t in _texts(at, "info"))
    matrix = at.table[0].value
    assert "share of quantity" in matrix.columns and "revenue_share" not in matrix.columns
    specs = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    at.radio(key=keys.SEG_VIEW).set_value("Variability").run()
    specs += " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "Pareto curve of quantity" in specs and "Variability against quantity" in specs
    assert "% rev." not in specs and "of quantity" in specs


def test_without_shipped_qty_the_scorecard_does_not_say_all_is_well(bare_env: Path) -> None:
    at = open_page("pages/scorecard.py")
    assert not any("meets its service target" in t for t in _texts(at, "success"))
    said = " ".join(_texts(at, "info"))
    assert "cannot be measured" in said and "shipped" in said


def test_without_costs_stock_is_not_called_healthy(bare_env: Path) -> None:
    at = open_page("pages/health.py")
    assert not any("No stock is obsolete" in t for t in _texts(at, "success"))
    assert any("unit_cost" in t for t in _texts(at, "warning"))
    shown = metrics(at)
    assert shown["On-hand value"] == fmt.MISSING and shown["Obsolete"] == fmt.MISSING
    at.switch_page("pages/policy.py").run()
    assert metrics(at)["Safety stock value"] == fmt.MISSING
    per_segment = next(d for d in at.dataframe if "safety_stock_value" in d.value.columns)
    cells = table_cells(per_segment)
    assert (cells[["inventory_value", "revenue"]] == fmt.MISSING).all().all()  # not "0.00"
    assert any("best mix cannot be measured" in t for t in _texts(at, "info"))


def _portfolio_today(at: AppTest) -> float:
    chart = next(c for c in at.get("plotly_chart") if "whole portfolio" in c.proto.spec)
    trace = next(t for t in json.loads(chart.proto.spec)["data"] if t["name"] == "Portfolio today")
    x = trace["x"]
    if isinstance(x, dict):  # plotly's typed array: {"dtype": "f8", "bdata": base64}
        x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]).tolist()
    return float(x[0])


def test_policy_headline_fill_rate_is_the_portfolio_curves_today(app_env: Path) -> None:
    at = open_page("pages/policy.py")
    at.radio(key=keys.POLICY_MEASURE).set_value("fill_rate").run()
    assert not at.exception, [e.value for e in at.exception]
    today = _portfolio_today(at)
    assert metrics(at)["Expected fill rate"] == fmt.share(today)
    assert any(
        f"Portfolio today: {fmt.share(today)} expected fill rate" in c
        for c in _texts(at, "caption")
    )


def test_scorecard_shows_achieved_and_simulated_service_side_by_side(app_env: Path) -> None:
    at = open_page("pages/simulation.py")
    at.slider(key=keys.SIM_PATHS).set_value(0).run()
    at.button(key=keys.SIM_GO).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert problems(at) == []  # the simulation's own tables read right too
    at.switch_page("pages/scorecard.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d for d in at.dataframe if kpis.SIMULATED_SERVICE in d.value.columns)
    cells = table_cells(table).set_index("segment")
    achieved, simulated = cells[kpis.ACHIEVED_SERVICE], cells[kpis.SIMULATED_SERVICE]
    assert (achieved != fmt.MISSING).any() and (simulated != fmt.MISSING).any()
    assert all(v.endswith("%") or v == fmt.MISSING for v in [*achieved, *simulated])
    assert any(kpis.SIMULATED_SERVICE in m.proto.help for m in at.markdown if m.proto.help)


@pytest.fixture()
def priced_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Prices but no unit cost and no inventory, as the public retail transactions come."""
    target = build_priced_workspace(tmp_path / "workspace.duckdb", tmp_path)
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(target))
    monkeypatch.chdir(ROOT)
    return target


def test_every_page_reads_right_with_prices_but_no_cost_or_stock(priced_env: Path) -> None:
    found = _walk(open_page("pages/segmentation.py"))
    assert found == {p: [] for p in PAGES}


def test_without_cost_the_policy_says_its_stock_is_at_price(priced_env: Path) -> None:
    at = open_page("pages/policy.py")
    helps = {m.label: m.proto.help for m in at.metric}
    assert helps["Safety stock value"].startswith("At price (no unit cost in the data)")
    specs = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "at price" in specs and "at cost" not in specs
    assert any("valued at price" in t for t in _texts(at, "caption"))


_BALANCED_TITLE = "What each segment earns and ties up"  # the balanced chart's title


def test_the_balanced_scorecard_without_cost_or_stock_is_not_an_empty_chart(
    priced_env: Path,
) -> None:
    at = open_page("pages/qbr.py")
    at.radio(key=keys.QBR_STORY).set_value("balanced").run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(_texts(at, "info")).replace("\\", "")  # shown as text: markdown escaped
    assert "none of its figures can be measured" in said and "unit_cost" in said
    assert not any(_BALANCED_TITLE in c.proto.spec for c in at.get("plotly_chart"))
    at.switch_page("pages/scorecard.py").run()
    assert "none of its figures can be measured" in " ".join(_texts(at, "info"))
    assert not any(_BALANCED_TITLE in c.proto.spec for c in at.get("plotly_chart"))
