"""Presentation mode in a real browser at 1440 x 900: every story of the review fits one
screen, without scrolling (neither the page nor the app's main block scrolls)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from segstudio.report.qbr import STORIES
from tests.conftest import ARTIFACTS
from tests.ui.browser import CHROMIUM, CHROMIUM_FLAGS, serve_app

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}

# How far the page, or any of the app's scrolling blocks, overflows its box (pixels).
_OVERFLOW = """() => {
    const boxes = [document.scrollingElement,
                   ...document.querySelectorAll(
                       "[data-testid='stMain'], [data-testid='stAppViewContainer'], "
                       + "[data-testid='stMainBlockContainer'], section.main")];
    return Math.max(...boxes.filter(Boolean).map(b => {
        const style = getComputedStyle(b);
        const scrolls = b === document.scrollingElement
            || ["auto", "scroll"].includes(style.overflowY);
        return scrolls ? b.scrollHeight - b.clientHeight : 0;
    }), document.scrollingElement.scrollHeight - window.innerHeight);
}"""


@pytest.fixture()
def page(demo_workspace: Path, tmp_path: Path) -> Iterator[Page]:
    with serve_app(demo_workspace, tmp_path / "streamlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        pg = browser.new_page(viewport=VIEWPORT)
        pg.goto(url)
        yield pg
        browser.close()


def test_every_story_of_presentation_mode_fits_one_screen_at_1440_by_900(page: Page) -> None:
    page.get_by_text("Portfolio profile").wait_for(timeout=60_000)
    page.get_by_role("link", name="QBR").click()
    page.get_by_role("button", name="▶ Present").click(timeout=60_000)
    overflow = {}
    for i, (key, (title, _)) in enumerate(STORIES.items(), start=1):
        page.get_by_text(f"{i} / {len(STORIES)}").wait_for(timeout=60_000)
        page.get_by_role("heading", name=title).wait_for(timeout=60_000)
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot').length === 1", timeout=30_000
        )
        page.wait_for_timeout(1_000)  # the chart's and the table's final size
        overflow[key] = page.evaluate(_OVERFLOW)
        page.screenshot(path=str(ARTIFACTS / f"qbr_present_{key}_1440x900.png"))
        if i < len(STORIES):
            page.get_by_role("button", name="Next ▶").click()
    assert all(px <= 0 for px in overflow.values()), overflow
