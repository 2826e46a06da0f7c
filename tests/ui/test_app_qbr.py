"""The QBR page through AppTest: every story renders with its chart, presentation mode steps
through the stories without the picker, and the export buttons build the packs."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from segstudio.report.qbr import STORIES
from tests.conftest import open_page


def _run() -> AppTest:
    return open_page("app_pages/qbr.py")


def test_every_story_renders_with_a_chart_and_a_table(app_env: Path) -> None:
    at = _run()
    for key, (title, _) in STORIES.items():
        at.radio(key="qbr.story").set_value(key).run()
        assert not at.exception, (key, [e.value for e in at.exception])
        headings = [h.value for h in at.subheader]
        assert any(h.startswith(title.split()[0]) for h in headings), (key, headings)
        assert len(at.get("plotly_chart")) == 1, key
        assert len(at.dataframe) == 1, key


def test_presentation_mode_steps_through_the_stories(app_env: Path) -> None:
    at = _run()
    at.button(key="qbr.start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Segment matrix"]
    assert not at.radio  # no picker: one story per screen
    at.button(key="qbr.next").click().run()
    assert [h.value for h in at.header] == ["KPI scorecard"]
    at.button(key="qbr.prev").click().run()
    at.button(key="qbr.prev").click().run()
    assert [h.value for h in at.header] == ["Inventory health"]  # wraps round
    at.button(key="qbr.exit").click().run()
    assert at.radio(key="qbr.story").value == "health"  # back where the presenter was


def test_the_excel_pack_is_built_on_request(app_env: Path) -> None:
    at = _run()
    at.selectbox(key="qbr.format").set_value("xlsx").run()
    at.button(key="qbr.export.build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    _, content, message = at.session_state["qbr.export.prepared"]
    assert message is None
    wb = load_workbook(io.BytesIO(content))
    assert {"scorecard", "balanced", "suppliers", "health_by_segment"} <= set(wb.sheetnames)
