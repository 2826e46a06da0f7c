"""The controls' journeys in a real browser (Debian's chromium): a rules file applied, an adopt
that refreshes the movers, sliders that survive a trip to other pages, and a page's address as
a fresh server's first request going through the app's navigation."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from segstudio.common import fmt
from segstudio.config.rules import Rules, to_toml
from segstudio.ingest.workspace import Workspace
from segstudio.segment.decisions import segment_skus
from tests.conftest import ARTIFACTS
from tests.ui.browser import CHROMIUM, CHROMIUM_FLAGS, segment_counts, serve_app, settled

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000


@pytest.fixture()
def app_url(demo_workspace: Path, tmp_path: Path) -> Iterator[str]:
    with serve_app(demo_workspace, tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture()
def page(app_url: str) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1800})
        browser.close()


def _open_segmentation(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_text("Portfolio profile").wait_for(timeout=TIMEOUT_MS)
    _go(page, "Segmentation", "Moved vs official")
    page.locator("[data-testid='stTable']").first.wait_for(timeout=TIMEOUT_MS)


def _go(page: Page, link: str, shows: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=link).click()
    page.get_by_text(shows).first.wait_for(timeout=TIMEOUT_MS)


def _slider(page: Page, label: str):  # noqa: ANN202
    return page.get_by_role("slider", name=label)


def _value(page: Page, label: str) -> str | None:
    return _slider(page, label).get_attribute("aria-valuenow")


def _metric(page: Page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def _press(page: Page, label: str, key: str, times: int, want: str) -> None:
    slider = _slider(page, label)
    slider.focus()
    for _ in range(times):
        slider.press(key)
    page.wait_for_function(
        f"() => [...document.querySelectorAll('[role=slider]')].some("
        f"s => s.getAttribute('aria-label') === {label!r} "
        f"&& s.getAttribute('aria-valuenow') === {want!r})",
        timeout=TIMEOUT_MS,
    )


def _expected_counts(workspace: Path, rules: Rules) -> dict[str, str]:
    with Workspace(workspace) as ws:
        _, seg = segment_skus(ws, rules)
    return {s: fmt.count(n) for s, n in Counter(str(s) for s in seg.segment).items()}


def _no_error(page: Page) -> None:
    shown = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert shown.count() == 0, shown.all_inner_texts()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_rules_file_applied_sets_the_sliders_and_the_counts(
    page: Page, app_url: str, demo_workspace: Path, tmp_path: Path
) -> None:
    rules = Rules(abc_a=0.7, abc_b=0.935, xyz_x=0.75, weeks=40)
    path = tmp_path / "review.toml"
    path.write_text(to_toml(rules), encoding="utf-8")
    _open_segmentation(page, app_url)
    before = segment_counts(page)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Apply the rules file").click(timeout=TIMEOUT_MS)
    page.get_by_text("Applied review.toml").wait_for(timeout=TIMEOUT_MS)
    after = settled(page, lambda: segment_counts(page), before)
    _shot(page, "rules_file_applied.png")
    _no_error(page)
    assert _value(page, "A stops at (share of the measure)") == "0.7"
    assert _value(page, "B stops at") == "0.935"
    assert _value(page, "X up to CoV") == "0.75"
    assert page.get_by_label("Analysis window (weeks)").input_value() == "40"
    assert after == _expected_counts(demo_workspace, rules)


def _view(page: Page, name: str) -> None:
    """Choose one of the Segmentation page's views (Matrix, Movers, Official rules, ...)."""
    page.get_by_test_id("stRadio").get_by_text(name, exact=True).click(timeout=TIMEOUT_MS)


def test_an_adopt_refreshes_the_movers_at_once(page: Page, app_url: str) -> None:
    _open_segmentation(page, app_url)
    assert _metric(page, "Moved vs official") == "0"
    _press(page, "A stops at (share of the measure)", "ArrowLeft", 20, "0.7")
    moved = settled(page, lambda: _metric(page, "Moved vs official"), "0")
    assert moved != "0"
    _view(page, "Official rules")
    page.get_by_label("Your name").first.fill("Dana")
    page.get_by_label("Why (recorded with the decision)").fill("a tighter A for the review")
    page.get_by_role("button", name="Adopt as official").click()
    page.get_by_text("Adopted as official set").wait_for(timeout=TIMEOUT_MS)
    _shot(page, "adopt_refreshes.png")
    assert _metric(page, "Moved vs official") == "0"
    assert _metric(page, "Revenue at stake") == "0"
    _view(page, "Movers")
    page.get_by_text("No SKU changes segment against the official segmentation").wait_for(
        timeout=TIMEOUT_MS
    )


def _counts_become(page: Page, want: dict[str, str]) -> dict[str, str]:
    """The segment table once it shows ``want`` (a rerun may still be drawing it), or the
    last reading after the timeout."""
    seen: dict[str, str] = {}
    for _ in range(TIMEOUT_MS // 500):
        seen = segment_counts(page)
        if seen == want:
            break
        page.wait_for_timeout(500)
    return seen


def test_sliders_survive_a_trip_to_other_pages(
    page: Page, app_url: str, demo_workspace: Path
) -> None:
    rules = Rules(abc_a=0.77, abc_b=0.965, weeks=30, criteria=("abc", "xyz", "pattern"))
    want = _expected_counts(demo_workspace, rules)
    _open_segmentation(page, app_url)
    _press(page, "A stops at (share of the measure)", "ArrowLeft", 6, "0.77")
    _press(page, "B stops at", "ArrowRight", 3, "0.965")
    window = page.get_by_label("Analysis window (weeks)")
    window.fill("30")
    window.press("Enter")
    page.get_by_text(re.compile("^Window: 30 weeks")).wait_for(timeout=TIMEOUT_MS)
    criteria = page.locator("[data-testid='stMultiSelect'] input").first
    criteria.click()
    criteria.fill("Demand pattern")
    criteria.press("Enter")
    page.get_by_text("Segments: abc, xyz, pattern").wait_for(timeout=TIMEOUT_MS)
    assert _counts_become(page, want) == want
    _go(page, "Inventory policy", "Inventory against service, per segment")
    _go(page, "Scorecard", "Balanced scorecard")
    _go(page, "Segmentation", "Moved vs official")
    page.locator("[data-testid='stTable']").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Segments: abc, xyz, pattern").wait_for(timeout=TIMEOUT_MS)
    _shot(page, "sliders_after_a_trip.png")
    body = page.inner_text("body")
    assert "choose 1 to 3" not in body.lower()
    assert _value(page, "A stops at (share of the measure)") == "0.77"
    assert _value(page, "B stops at") == "0.965"
    assert page.get_by_label("Analysis window (weeks)").input_value() == "30"
    chips = page.locator("[data-testid='stMultiSelect']").first.inner_text()
    assert "Demand pattern" in chips and "XYZ" in chips and "ABC" in chips
    assert _counts_become(page, want) == want
    _no_error(page)


def test_a_page_address_as_the_first_request_shows_the_navigation_and_sidebar(
    page: Page, app_url: str
) -> None:
    page.goto(app_url + "/segmentation")
    page.get_by_text("Moved vs official").wait_for(timeout=TIMEOUT_MS)
    nav = page.locator("[data-testid='stSidebarNav']")
    links = [t.strip() for t in nav.get_by_role("link").all_inner_texts()]
    _shot(page, "first_request_segmentation.png")
    assert any("Inventory policy" in t for t in links), links
    assert not any(t in ("app", "segmentation", "policy") for t in links), links
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Boundary alerts" in sidebar
