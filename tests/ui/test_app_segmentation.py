"""The Segmentation page through AppTest: sliders change the matrix and movers; overrides
survive a data reload; adopting rules makes them the baseline."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from segstudio import SourceFile, Workspace
from segstudio.common import fmt
from segstudio.features.build import compute_features
from segstudio.segment import decisions
from segstudio.ui.text import md_escape
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/segmentation.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _view(at: AppTest, name: str) -> AppTest:
    """Choose one of the page's views (Matrix, Movers, Alerts, ...) as a click would."""
    at.radio(key="seg.view").set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _matrix_rows(at: AppTest) -> dict[str, int]:
    table = at.table[0].value  # the segment table under the heatmap
    return {seg: int(n) for seg, n in zip(table.index, table["skus"], strict=True)}


def test_moving_the_a_boundary_changes_the_movers_and_the_matrix(app_env: Path) -> None:
    at = _run()
    assert _metric(at, "Moved vs official") == "0"
    before = _matrix_rows(at)
    at.slider(key="seg.abc_a").set_value(0.60).run()
    assert not at.exception
    moved = int(_metric(at, "Moved vs official").replace(",", ""))
    after = _matrix_rows(at)
    assert moved > 0
    a_before = sum(n for seg, n in before.items() if seg.startswith("A"))
    a_after = sum(n for seg, n in after.items() if seg.startswith("A"))
    assert a_after < a_before  # fewer SKUs fit under a lower A boundary
    assert a_before - a_after <= moved
    assert sum(after.values()) == sum(before.values())


def test_only_the_chosen_view_is_drawn_and_it_holds_through_a_slider_move(
    app_env: Path,
) -> None:
    at = _run()
    assert at.radio(key="seg.view").value == "Matrix"
    assert len(at.table) == 1  # the matrix's segment table; no movers or alerts table behind it
    at.slider(key="seg.abc_a").set_value(0.60).run()
    _view(at, "Movers")
    moved = int(_metric(at, "Moved vs official").replace(",", ""))
    assert not at.table  # the matrix is not drawn under the movers
    assert any(f"{fmt.count(moved, 'SKU')} change segment" in c.value for c in at.caption)
    at.slider(key="seg.abc_a").set_value(0.62).run()
    assert at.radio(key="seg.view").value == "Movers"  # a slider move keeps the view
    _view(at, "Alerts")
    assert any("within the band of a boundary" in c.value for c in at.caption)
    assert not any("change segment; revenue" in c.value for c in at.caption)


def test_an_override_survives_a_reload_of_the_data(app_env: Path, tmp_path: Path) -> None:
    with Workspace(app_env) as ws:
        features, _ = compute_features(ws.con)
    sku = features.sort_values("revenue", ascending=False)["sku"].iloc[0]
    at = _view(_run(), "Overrides")
    at.text_input(key="seg.ovr_sku").set_value(sku)
    at.selectbox(key="seg.ovr_segment").set_value("CZ")
    at.text_input(key="seg.ovr_reason").set_value("phase-out agreed with sales")
    at.text_input(key="seg.ovr_who").set_value("Dana")
    next(b for b in at.button if b.label == "Save override").click().run()
    assert not at.exception
    assert any(md_escape(sku) in s.value for s in at.success)
    # A new sales file arrives: the override is still applied.
    from segstudio.ui.state import _open_workspace

    ws = _open_workspace(str(app_env))
    sales = tmp_path / "sales.csv"
    ws.query_df("SELECT sku, date, quantity, unit_price FROM sales").to_csv(sales, index=False)
    ws.load({"sales": SourceFile(sales)})
    assert decisions.active_overrides(ws)[sku] == "CZ"
    _view(at, "Matrix")
    assert not at.exception
    moved = int(_metric(at, "Moved vs official").replace(",", ""))
    assert moved == 0  # the override applies to the official and the current segmentation
    assert _matrix_rows(at).get("CZ", 0) >= 1


def test_named_segments_show_in_the_matrix_table(app_env: Path) -> None:
    at = _run()
    at.session_state["seg.names"] = {"AX": "core runners", "CZ": "long tail"}
    at.run()
    assert not at.exception
    names = dict(zip(at.table[0].value.index, at.table[0].value["name"], strict=True))
    assert names["AX"] == "AX: core runners"
    assert names["CZ"] == "CZ: long tail"
    assert names["BX"] == "BX"


def test_a_boundary_moved_on_the_segmentation_page_holds_on_the_other_pages(app_env: Path) -> None:
    at = _run()
    at.slider(key="seg.abc_a").set_value(0.6).run()
    moved = _metric(at, "Moved vs official")
    at.switch_page("pages/policy.py").run()
    assert not at.exception
    at.switch_page("pages/scorecard.py").run()
    assert not at.exception
    at.switch_page("pages/segmentation.py").run()
    assert not at.exception
    assert at.slider(key="seg.abc_a").value == 0.6
    assert _metric(at, "Moved vs official") == moved


def test_adopting_refreshes_the_movers_in_the_same_run(app_env: Path) -> None:
    at = _run()
    at.slider(key="seg.abc_a").set_value(0.6).run()
    assert int(_metric(at, "Moved vs official").replace(",", "")) > 0
    _view(at, "Official rules")
    at.text_input(key="seg.adopt_who").set_value("Dana")
    at.text_input(key="seg.adopt_why").set_value("a tighter A for the review")
    next(b for b in at.button if b.label == "Adopt as official").click().run()
    assert not at.exception
    assert any("Adopted as official set" in s.value for s in at.success)
    assert _metric(at, "Moved vs official") == "0"
    assert _metric(at, "Revenue at stake") == "0"
    with Workspace(app_env) as ws:
        assert decisions.official_rules(ws).abc_a == 0.6


def test_restoring_an_earlier_set_puts_its_values_in_the_sliders(app_env: Path) -> None:
    with Workspace(app_env) as ws:
        first = decisions.adopt(ws, decisions.official_rules(ws).with_(abc_b=0.935), "a", "b")
        decisions.adopt(ws, decisions.official_rules(ws).with_(abc_b=0.9), "a", "later")
    at = _run()
    assert at.slider(key="seg.abc_b").value == 0.9
    _view(at, "Official rules")
    at.selectbox(key="seg.restore_id").set_value(first)
    at.text_input(key="seg.restore_who").set_value("Dana")
    at.text_input(key="seg.restore_why").set_value("back to the review's set")
    next(b for b in at.button if b.label == "Restore").click().run()
    assert not at.exception
    assert at.slider(key="seg.abc_b").value == 0.935
    assert _metric(at, "Moved vs official") == "0"


def test_the_b_slider_shows_the_official_value_to_three_decimals(app_env: Path) -> None:
    with Workspace(app_env) as ws:
        decisions.adopt(ws, decisions.official_rules(ws).with_(abc_b=0.935), "a", "b")
    at = _run()
    b = at.slider(key="seg.abc_b")
    assert b.value == 0.935
    assert b.proto.format == fmt.BOUNDARY_FORMAT
    assert fmt.BOUNDARY_FORMAT % b.value == fmt.boundary(0.935) == "0.935"


def test_every_page_keeps_its_controls_through_a_trip_to_other_pages(app_env: Path) -> None:
    at = _run()
    at.multiselect(key="seg.criteria").set_value(["abc"]).run()
    at.number_input(key="seg.weeks").set_value(26).run()
    at.switch_page("pages/health.py").run()
    at.slider(key="health.excess_rate").set_value(35).run()
    at.switch_page("pages/policy.py").run()
    at.switch_page("pages/health.py").run()
    assert not at.exception
    assert at.slider(key="health.excess_rate").value == 35
    at.switch_page("pages/segmentation.py").run()
    assert at.multiselect(key="seg.criteria").value == ["abc"]
    assert at.number_input(key="seg.weeks").value == 26
