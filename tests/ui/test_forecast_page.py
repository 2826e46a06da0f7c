"""The Forecast page: a run started on the page goes on in the background and lands in the
workspace; the page then shows each segment's accuracy as the core computes it, one SKU's
chart, and the planner-effort list."""

from __future__ import annotations

from pathlib import Path

import pytest

from segstudio.forecast.stage import segment_accuracy
from segstudio.forecast.store import latest_run
from segstudio.ingest.workspace import Workspace
from segstudio.report.columns import cell_text
from segstudio.segment.decisions import official_rules
from segstudio.ui import forecast_view
from tests.conftest import ROOT, open_page
from tests.ui.shown import problems, table_cells


@pytest.fixture()
def env(demo_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(demo_workspace))
    monkeypatch.chdir(ROOT)
    return demo_workspace


def test_a_run_started_on_the_page_lands_and_is_shown(env: Path) -> None:
    at = open_page("pages/forecast.py")
    assert any("No forecast yet" in i.value for i in at.info)
    at.number_input(key="forecast.horizon").set_value(6)
    at.number_input(key="forecast.windows").set_value(2)
    at.button[0].click().run()
    job = forecast_view._jobs()[str(env)]
    assert job.thread is not None
    job.thread.join(timeout=240)
    assert job.error is None, job.error
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    heads = [s.value for s in at.subheader]
    assert heads == ["Accuracy by segment", "One SKU", "Where a planner's hour matters most"]
    with Workspace(env) as ws:
        run = latest_run(ws)
        rules = official_rules(ws)
    assert run is not None and run.made_by == "local" and len(run.cutoffs) == 2
    assert run.forecast.groupby("sku").size().max() == 6
    expected = segment_accuracy(run.accuracy, rules).set_index("segment")
    shown = table_cells(at.table[0])
    total = shown.loc["Total"]
    assert total["rmsse"] == cell_text(expected.loc["Total", "rmsse"], "number")
    assert total["wape"] == cell_text(expected.loc["Total", "wape"], "share")
    assert not problems(at), problems(at)
    assert len(at.get("plotly_chart")) == 1
