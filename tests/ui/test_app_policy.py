"""The Inventory policy and Simulation pages through AppTest: a service target moves the
safety stock and today's point on the curves; the best mix applies to the table; the curves
follow the segmentation sliders; the simulation and the shortage allocation run."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from segstudio.common import fmt
from segstudio.config.rules import Rules, from_toml, to_toml
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _run(page: str = "pages/policy.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _number(at: AppTest, label: str) -> float:
    text = next(m.value for m in at.metric if m.label == label)
    return float(text.replace(",", "").split()[0].rstrip("%"))


def _safety_stock_value(at: AppTest) -> float:
    """The headline's safety stock value, exactly: the total of the per-segment table (the
    metric shows it compact, "169k", and must read as that total does)."""
    table = next(d.value for d in at.dataframe if "safety_stock_value" in d.value.columns)
    total = float(table["safety_stock_value"].sum())
    assert next(m.value for m in at.metric if m.label == "Safety stock value") == fmt.compact(total)
    return total


def _today_marker(at: AppTest, segment: str) -> tuple[float, float]:
    """(service, inventory) of the diamond marking today's policy of ``segment``."""
    chart = next(c for c in at.get("plotly_chart") if "per segment" in c.proto.spec)
    trace = next(
        t for t in json.loads(chart.proto.spec)["data"] if t.get("name") == f"{segment} today"
    )
    return float(_values(trace["x"])[0]), float(_values(trace["y"])[0])


def _values(v: object) -> np.ndarray:
    """Plotly's JSON holds arrays as lists or as typed arrays (dtype + base64 bdata)."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def test_raising_a_service_target_raises_safety_stock_and_moves_todays_point(
    app_env: Path,
) -> None:
    at = _run()
    at.selectbox(key="pol.segment").set_value("AX").run()
    before_ss = _safety_stock_value(at)
    before = _today_marker(at, "AX")
    at.slider(key="pol.edit.AX.service_target").set_value(0.995).run()
    assert not at.exception, [e.value for e in at.exception]
    after = _today_marker(at, "AX")
    assert _safety_stock_value(at) > before_ss
    assert after[0] > before[0] and after[1] > before[1]  # more service, more inventory
    # The edited table is what the rules download carries.
    assert at.session_state["seg.policy"].for_segment("AX").service_target == 0.995


def test_a_fill_rate_policy_is_planned_on_fill_rate(app_env: Path) -> None:
    at = _run()
    at.selectbox(key="pol.segment").set_value("BY").run()
    at.selectbox(key="pol.edit.BY.service_type").set_value("fill_rate").run()
    assert not at.exception
    table = at.session_state["seg.policy"]
    assert table.for_segment("BY").service_type == "fill_rate"
    assert from_toml(to_toml(Rules(policy=table))).policy == table


def test_the_curves_follow_the_segmentation_sliders(app_env: Path) -> None:
    at = _run()
    before = _today_marker(at, "AX")
    at.session_state["seg.abc_a"] = 0.5  # fewer A SKUs
    at.run()
    assert not at.exception
    after = _today_marker(at, "AX")
    assert after[1] < before[1]  # less AX inventory with fewer AX SKUs


def test_applying_the_best_mix_sets_its_targets_in_the_policy_table(app_env: Path) -> None:
    at = _run()
    saved = _number(at, "Same service for")
    assert saved >= 0  # the best mix never needs more than today's policy for its service
    mix = next(d.value for d in at.dataframe if "revenue_share" in d.value.columns)
    ax = mix.set_index("segment").loc["AX"]
    next(b for b in at.button if b.key == "pol.apply_budget").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.session_state["seg.policy"]
    assert table.for_segment("AX").service_type == ax["service_type"]
    assert table.for_segment("AX").service_target == round(float(ax["target"]), 4)


def test_seasonal_profile_has_twelve_months_per_segment(app_env: Path) -> None:
    at = _run()
    next(b for b in at.button if b.key == "pol.seasonal_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "peak_month" in d.value.columns)
    assert {"Jan", "Dec", "year_round"} <= set(table.columns)
    assert (table[["Jan", "Jul", "Dec"]].to_numpy() >= 0).all()


def test_simulation_runs_and_reports_each_segment(app_env: Path) -> None:
    at = _run("pages/simulation.py")
    at.slider(key="sim.paths").set_value(5).run()
    next(b for b in at.button if b.key == "sim.go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    summary = next(d.value for d in at.dataframe if "misses_target" in d.value.columns)
    assert {"AX", "CZ"} <= set(summary["segment"])
    assert summary["simulated_fill_rate"].between(0, 1).all()  # the simulated measure, named
    assert len(at.success) + len(at.error) == 1  # one verdict


def test_shortage_allocation_gives_key_accounts_their_orders_first(app_env: Path) -> None:
    at = _run("pages/simulation.py")
    at.radio(key="alloc.rule").set_value("key_accounts").run()
    assert not at.exception, [e.value for e in at.exception]
    result = next(d.value for d in at.dataframe if "allocated" in d.value.columns)
    assert result["allocated"].sum() <= _number(at, "Ordered")
    assert result["key_account"].iloc[: int(result["key_account"].sum())].all()  # served first
    keyed = result[result["key_account"]]
    others = result[~result["key_account"]]
    if len(keyed) and others["allocated"].sum() > 0:
        assert (keyed["short"] == 0).all()  # the others only get stock once key accounts are full


def test_the_allocation_lists_the_top_skus_and_keeps_any_other_chosen(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million SKUs the list holds the SKUs of most revenue; another SKU can be typed
    (and stays chosen on the way back to the page); a code that is no SKU says so."""
    from segstudio.ui import policy_state

    monkeypatch.setattr("segstudio.ui.simulation_view._SKUS_LISTED", 3)
    ctx = policy_state.context()
    assert ctx is not None
    pol = policy_state.policies(ctx, ctx.rules.policy)
    ranked = pol.sort_values("revenue", ascending=False)["sku"].tolist()
    at = _run("pages/simulation.py")
    box = at.selectbox(key="alloc.sku")
    assert box.options == ranked[:3]
    assert box.value == ranked[0]
    other = ranked[-1]
    box.options.append(other)  # typed: the browser sends a value outside the list
    box.set_value(other).run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="alloc.sku")
    assert box.options == ranked[:3]  # the same list, the typed SKU chosen
    assert box.value == other
    assert not at.warning
    assert any("allocated" in d.value.columns for d in at.dataframe) or at.info
    box.options.append(other)  # AppTest sends a value back by its place in the options
    at.switch_page("pages/policy.py").run()
    at.switch_page("pages/simulation.py").run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="alloc.sku")
    assert box.value == other
    box.options += [other, "NOSUCHSKU"]
    box.set_value("NOSUCHSKU").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("NOSUCHSKU is not an SKU" in w.value for w in at.warning)
