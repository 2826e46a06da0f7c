"""The QBR page through AppTest: every story renders with its chart, presentation mode steps
through the stories without the picker, and the export buttons build the packs."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from segstudio.ingest.workspace import Workspace
from segstudio.perform.health import HealthSettings
from segstudio.perform.suppliers import TierRule
from segstudio.report import qbr
from segstudio.report.qbr import STORIES
from tests.conftest import open_page


def _run() -> AppTest:
    return open_page("pages/qbr.py")


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


def _story_table(at: AppTest, story: str) -> pd.DataFrame:
    at.radio(key="qbr.story").set_value(story).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.dataframe[0].value


def test_the_pack_follows_the_suppliers_and_health_settings_the_user_set(app_env: Path) -> None:
    at = _run()
    default_tiers = _story_table(at, "suppliers")["tier"].value_counts()
    default_health = _story_table(at, "health").set_index("segment")

    at.switch_page("pages/suppliers.py").run()
    at.number_input(key="sup.strategic_spend").set_value(0.3).run()
    at.switch_page("pages/health.py").run()
    at.slider(key="health.excess_rate").set_value(100).run()
    at.slider(key="health.obsolete_rate").set_value(0).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/scorecard.py").run()  # another page between: the settings hold
    at.switch_page("pages/qbr.py").run()
    at.run()  # and a rerun of the review itself

    tiers = _story_table(at, "suppliers")["tier"].value_counts()
    assert tiers.get("strategic", 0) < default_tiers.get("strategic", 0)
    health = _story_table(at, "health").set_index("segment")
    assert (health["value"] == default_health["value"]).all()  # the same stock ...
    assert not health["write_down_exposure"].equals(default_health["write_down_exposure"])
    # ... valued under the page's rates (an obsolete unit no longer written down), and the
    # tiers under the page's rule: the figures the core computes under those settings
    expected = qbr.gather(
        Workspace(app_env),
        health_settings=HealthSettings(excess_rate=1.0, obsolete_rate=0.0),
        tiers=TierRule(strategic_spend=0.3),
    )
    want = qbr.story(expected, "health").table.set_index("segment")
    pd.testing.assert_frame_equal(health, want, check_dtype=False)
    want_tiers = qbr.story(expected, "suppliers").table["tier"].value_counts()
    pd.testing.assert_series_equal(tiers, want_tiers)
