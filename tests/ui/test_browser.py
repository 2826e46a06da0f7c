"""The main journey in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import ARTIFACTS
from tests.ui.browser import CHROMIUM, CHROMIUM_FLAGS, segment_counts, serve_app, settled

pytestmark = pytest.mark.browser


@pytest.fixture()
def app_url(demo_workspace: Path, tmp_path: Path) -> Iterator[str]:
    # A file path may be typed only for files in the folders the operator allows.
    with serve_app(
        demo_workspace, tmp_path / "streamlit.log", SEGSTUDIO_ALLOWED_FOLDERS=str(tmp_path)
    ) as url:
        yield url


@pytest.fixture()
def page(app_url: str) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1800})
        pg.goto(app_url)
        yield pg
        browser.close()


def test_the_data_page_shows_the_demo_data_in_a_real_browser(
    page: Page, demo_workspace: Path
) -> None:
    page.get_by_text("Portfolio profile").wait_for(timeout=60_000)
    page.get_by_text("Pareto curve of revenue").wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "Current data" in body
    assert "Sales lines" in body
    assert "The top 20% of SKUs bring" in body
    # The loads table (st.table is real HTML) names the demo files.
    assert "sales.csv" in body and "inventory.csv" in body
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "data_page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def _validate_path(page: Page, path: Path, report) -> bool:
    """Type a server path, wait for the mapping form, press Validate; True once the report
    shows. A click that lands while the app is still rerunning can be dropped by the browser
    client: click again (validating the same file twice is harmless)."""
    page.get_by_text("Load new data").wait_for(timeout=60_000)
    box = page.get_by_label("or a path on this machine (for large files)").first
    box.fill(str(path))
    box.press("Enter")
    page.get_by_text("(suggested mapping)").or_(page.get_by_text("(saved mapping)")).first.wait_for(
        timeout=60_000
    )
    for _ in range(3):
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Validate files").click()
        try:
            report.wait_for(timeout=20_000)
            return True
        except PlaywrightTimeout:
            continue
    return False


def test_a_file_path_is_validated_and_loaded_in_a_real_browser(page: Page, tmp_path: Path) -> None:
    sales = tmp_path / "shop.csv"
    sales.write_text(
        "StockCode,InvoiceDate,Quantity,UnitPrice\n"
        "A1,12/1/2010 8:26,5,1.5\nA1,12/8/2010 9:00,oops,1.5\nB2,12/9/2010 10:00,2,3\n"
    )
    report = page.get_by_text("Validation report")
    for _ in range(2):  # a lost browser session (slow machine) is reloaded and the journey redone
        if _validate_path(page, sales, report):
            break
        page.reload()
    if not report.count():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "validate_failure.png"), full_page=True)
    report.wait_for(timeout=20_000)
    body = page.inner_text("body")
    assert "Rows read" in body and "Rejected" in body
    done = page.get_by_text("is now the current data")
    replace = page.get_by_role("button", name="Replace current data")
    for _ in range(4):
        page.wait_for_timeout(500)
        if replace.count():  # still there: the last click was dropped during a rerun
            replace.click()
        try:
            done.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            continue
    done.wait_for(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "data_page_after_load.png"), full_page=True)
    assert "shop.csv: 2 rows" in page.inner_text("body")


def test_an_arrow_key_on_a_boundary_slider_updates_the_matrix(page: Page) -> None:
    page.get_by_text("Portfolio profile").wait_for(timeout=60_000)
    page.get_by_role("link", name="Segmentation").click()
    page.get_by_text("Moved vs official").wait_for(timeout=60_000)
    page.locator("[data-testid='stTable']").first.wait_for(timeout=30_000)
    before = segment_counts(page)
    slider = page.get_by_role("slider").first  # "A stops at": the first slider on the page
    assert slider.get_attribute("aria-valuenow") == "0.8"
    slider.focus()
    for _ in range(20):
        slider.press("ArrowLeft")  # 0.80 -> 0.70 by half points
    page.wait_for_function(
        "() => document.querySelector('[role=slider]').getAttribute('aria-valuenow') === '0.7'"
    )
    after = settled(page, lambda: segment_counts(page), before)
    assert after != before
    a_before = sum(int(n.replace(",", "")) for s, n in before.items() if s.startswith("A"))
    a_after = sum(int(n.replace(",", "")) for s, n in after.items() if s.startswith("A"))
    assert a_after < a_before
    assert sum(int(n.replace(",", "")) for n in after.values()) == sum(
        int(n.replace(",", "")) for n in before.values()
    )
    page.screenshot(path=str(ARTIFACTS / "segmentation_after_slider.png"), full_page=True)


def _marker(page: Page) -> tuple[float, float]:
    """SVG position of the first diamond (today's policy of the first segment, AX) in the
    per-segment trade-off chart: the curves are lines, so the only points are the diamonds."""
    transform = (
        page.locator(".js-plotly-plot").first.locator("path.point").first.get_attribute("transform")
    )
    x, y = transform.removeprefix("translate(").removesuffix(")").split(",")
    return float(x), float(y)


def test_moving_a_service_target_moves_todays_marker_on_the_curve(page: Page) -> None:
    page.get_by_text("Portfolio profile").wait_for(timeout=60_000)
    page.get_by_role("link", name="Inventory policy").click()
    page.get_by_text("Inventory against service, per segment").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot path.point").first.wait_for(timeout=30_000)
    before = _marker(page)
    slider = page.get_by_role("slider").first  # the service target of the segment shown (AX)
    # The slider can draw at its minimum for a moment before its value arrives.
    page.wait_for_function(
        "() => document.querySelector('[role=slider]')?.getAttribute('aria-valuenow') === '0.98'",
        timeout=30_000,
    )
    assert slider.get_attribute("aria-valuenow") == "0.98"
    slider.focus()
    for _ in range(15):
        slider.press("ArrowRight")  # 0.980 -> 0.995
    page.wait_for_function(
        "() => document.querySelector('[role=slider]').getAttribute('aria-valuenow') === '0.995'"
    )
    after = settled(page, lambda: _marker(page), before)
    assert after[0] > before[0]  # more service: to the right
    assert after[1] < before[1]  # more inventory: up (SVG y grows downwards)
    page.screenshot(path=str(ARTIFACTS / "policy_after_target.png"), full_page=True)


def test_presentation_mode_shows_one_story_per_screen_without_the_sidebar(page: Page) -> None:
    page.get_by_text("Portfolio profile").wait_for(timeout=60_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.is_visible()
    page.get_by_role("link", name="QBR").click()
    page.get_by_role("button", name="▶ Present").click(timeout=60_000)
    page.get_by_role("button", name="Next ▶").wait_for(timeout=60_000)
    # the story's heading, once (the page's own heading can linger a moment while it redraws)
    page.get_by_role("heading", name="Segment matrix").first.wait_for(timeout=30_000)
    expect(page.get_by_role("heading", name="Segment matrix")).to_have_count(1, timeout=30_000)
    assert not sidebar.is_visible()  # wide: no sidebar, no page navigation
    assert (
        page.locator("[data-testid='stSidebarNav']").count() == 0
        or not page.locator("[data-testid='stSidebarNav']").is_visible()
    )
    assert page.get_by_text("1 / 6").is_visible()
    page.screenshot(path=str(ARTIFACTS / "qbr_present_matrix.png"), full_page=True)
    page.get_by_role("button", name="Next ▶").click()
    page.get_by_role("heading", name="KPI scorecard").wait_for(timeout=30_000)
    page.get_by_text("2 / 6").wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="Segment matrix").count() == 0  # one story a screen
    # The new story's chart replaces the matrix (the old element can linger for a moment).
    page.locator(".js-plotly-plot").filter(has_text="OTIF").first.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length === 1", timeout=30_000
    )
    assert "Segment matrix" not in page.locator(".js-plotly-plot").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "qbr_present_scorecard.png"), full_page=True)
    page.get_by_role("button", name="◀ Previous").click()
    page.get_by_text("1 / 6").wait_for(timeout=30_000)
    page.get_by_role("button", name="Exit").click()
    page.get_by_role("button", name="▶ Present").wait_for(timeout=30_000)
    sidebar.wait_for(state="visible", timeout=30_000)
