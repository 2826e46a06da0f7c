"""The Segmentation page through AppTest: sliders change the matrix and movers; overrides
survive a data reload; adopting rules makes them the baseline."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from segstudio import SourceFile, Workspace
from segstudio.features.build import compute_features
from segstudio.segment import decisions
from segstudio.ui.text import md_escape
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/segmentation.py").run()
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


def test_an_override_survives_a_reload_of_the_data(app_env: Path, tmp_path: Path) -> None:
    with Workspace(app_env) as ws:
        features, _ = compute_features(ws.con)
    sku = features.sort_values("revenue", ascending=False)["sku"].iloc[0]
    at = _run()
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
    at.run()
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
    at.switch_page("app_pages/policy.py").run()
    assert not at.exception
    at.switch_page("app_pages/scorecard.py").run()
    assert not at.exception
    at.switch_page("app_pages/segmentation.py").run()
    assert not at.exception
    assert at.slider(key="seg.abc_a").value == 0.6
    assert _metric(at, "Moved vs official") == moved
