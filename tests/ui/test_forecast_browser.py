"""A forecast run in a real browser: open the Forecast page, run a short backtest, go to another
page while it runs, come back and see the accuracy by segment, one SKU's chart and the
planner-effort list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from segstudio.forecast.store import latest_run
from segstudio.ingest.workspace import Workspace
from tests.conftest import ARTIFACTS
from tests.ui.browser import app_page

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(demo_workspace: Path, tmp_path: Path) -> Iterator[Page]:
    with app_page(demo_workspace, tmp_path / "streamlit.log", "/forecast") as pg:
        yield pg


def test_a_forecast_runs_in_the_background_and_is_shown(page: Page, demo_workspace: Path) -> None:
    try:
        page.get_by_text("No forecast yet").wait_for(timeout=60_000)
        horizon = page.get_by_label("Horizon (periods)")
        horizon.fill("6")
        page.get_by_label("Backtest windows").fill("2")
        page.get_by_role("button", name="Run the forecast").click()
        page.get_by_text("Forecasting:").first.wait_for(timeout=60_000)
        # another page meanwhile: the run goes on
        page.get_by_role("link", name="Segmentation", exact=True).click()
        page.locator("[data-testid='stTable']").first.wait_for(timeout=60_000)
        page.get_by_role("link", name="Forecast", exact=True).click()
        page.get_by_text("Accuracy by segment").wait_for(timeout=180_000)
        page.get_by_text("Where a planner's hour matters most").wait_for(timeout=30_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        assert page.get_by_text("Traceback").count() == 0
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "forecast_browser_failure.png"), full_page=True)
        raise
    with Workspace(demo_workspace) as ws:
        run = latest_run(ws)
    assert run is not None and len(run.cutoffs) == 2
    assert run.forecast.groupby("sku").size().max() == 6
