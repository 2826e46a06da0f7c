"""The Scorecard page through AppTest: the grid and tables render on the demo workspace, a
target edit changes the status and is saved with the official rules, the scorecard follows
the Segmentation sliders, and the root-cause tab lists the SKUs behind a miss."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from segstudio.ingest.workspace import Workspace
from segstudio.segment import decisions
from tests.conftest import open_page


def _run() -> AppTest:
    return open_page("pages/scorecard.py")


def _grid(at: AppTest) -> dict:
    chart = next(c for c in at.get("plotly_chart") if "KPI scorecard by segment" in c.proto.spec)
    return json.loads(chart.proto.spec)["data"][0]


def _counts(at: AppTest) -> list[int]:
    text = next(m.value for m in at.metric if m.label == "Green / amber / red")
    return [int(x) for x in text.split(" / ")]


def test_scorecard_renders_every_segment_and_kpi(app_env: Path) -> None:
    at = _run()
    grid = _grid(at)
    assert "Portfolio" in grid["y"] and "AX" in grid["y"]
    assert {"Unit fill rate", "OTIF", "GMROI"} <= set(grid["x"])
    # No forecasts yet: the KPI is named with why, not drawn as a column of grey cells.
    assert "Forecast accuracy" not in grid["x"]
    said = " ".join(i.value for i in at.info).replace("\\", "")
    assert "Left out of the scorecard" in said and "Forecast accuracy: no forecasts yet" in said
    assert sum(_counts(at)) > 0
    labels = [m.label for m in at.metric]
    assert "Unit fill rate" in labels and "Inventory turns" in labels
    assert len(at.dataframe) >= 2  # the scorecard table and the balanced scorecard


def test_a_lower_target_turns_red_cells_green_and_is_saved(app_env: Path) -> None:
    at = _run()
    green, _, red = _counts(at)
    at.selectbox(key="score.target_segment").set_value("default").run()
    at.number_input(key="score.target.default.otif").set_value(0.0).run()
    assert not at.exception, [e.value for e in at.exception]
    green2, _, red2 = _counts(at)
    assert green2 > green and red2 <= red
    at.text_input(key="score.save_who").set_value("Ana")
    at.text_input(key="score.save_why").set_value("workshop agreed")
    at.button(key="FormSubmitter:score.save_form-Save the targets as official").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved" in s.value for s in at.success)
    with Workspace(app_env) as ws:
        saved = decisions.official_rules(ws)
        history = decisions.official_history(ws)
    assert saved.kpi.for_segment("default")["otif"] == 0.0
    assert "KPI targets" in history["reason"].iloc[0]


def test_the_scorecard_follows_the_segmentation_sliders(app_env: Path) -> None:
    at = _run()
    before = _grid(at)["y"]
    at.switch_page("pages/segmentation.py").run()
    at.session_state["seg.criteria"] = ["abc"]
    at.switch_page("pages/scorecard.py").run()
    assert not at.exception, [e.value for e in at.exception]
    after = _grid(at)["y"]
    assert "AX" in before and "AX" not in after and "A" in after


def test_root_cause_lists_the_skus_behind_a_miss(app_env: Path) -> None:
    at = _run()
    seg = at.selectbox(key="score.cause_segment")
    assert seg.options, "the demo has segments below their service target"
    table = next(d for d in at.dataframe if "main_cause" in d.value.columns)
    assert len(table.value) > 0
    assert set(table.value["segment"]) == {seg.value}
