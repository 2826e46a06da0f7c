"""Ten browser sessions on one server at once, for a minute (``SEGSTUDIO_SOAK_SECONDS``): each
moves its own A boundary and opens the Policy page, while they share the server's cached
workspace, feature table and portfolio. No session may see an error, nor another session's
segmentation; and a command run beside them (a scheduled job) finds the workspace free.

The sessions act together: every round first sends each page's slider move (the server reruns
them in parallel), then reads each page's result."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from segstudio.cli import main
from segstudio.common import fmt
from segstudio.config.rules import Rules
from segstudio.ingest.workspace import Workspace
from segstudio.segment.decisions import segment_skus
from segstudio.segment.segmentation import alert_count
from tests.conftest import ARTIFACTS
from tests.ui.browser import CHROMIUM, CHROMIUM_FLAGS, segment_counts, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.soak]
SESSIONS = 10
SECONDS = float(os.environ.get("SEGSTUDIO_SOAK_SECONDS", "60"))
START = 0.80  # the A boundary's default
TIMEOUT_MS = 120_000


def _boundary(session: int, step: int) -> float:
    """Session i holds A at 0.80 - 0.03 (i + 1), and one point lower on odd steps."""
    return round(START - 0.03 * (session + 1) - 0.01 * (step % 2), 2)


def _expected(workspace: Path) -> dict[float, tuple[dict[str, str], str]]:
    """Per boundary a session uses: SKUs per segment and the alert count, by the core alone."""
    out = {}
    with Workspace(workspace) as ws:
        for i in range(SESSIONS):
            for step in (0, 1):
                a = _boundary(i, step)
                _, seg = segment_skus(ws, Rules(abc_a=a))
                counts = Counter(str(s) for s in seg.segment)
                out[a] = ({s: fmt.count(n) for s, n in counts.items()}, fmt.count(alert_count(seg)))
    return out


def _alerts(page: Page) -> str:
    """The sidebar's alert count: the session's own rules, shown on every page."""
    metric = page.locator("[data-testid='stSidebar'] [data-testid='stMetric']").filter(
        has_text="Boundary alerts"
    )
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def _no_error(page: Page, where: str) -> None:
    shown = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert shown.count() == 0, f"{where}: {shown.all_inner_texts()}"


def _wait_for(page: Page, read, want, where: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = read()
        except Exception:  # noqa: BLE001 - the element is being redrawn: read again
            seen = None
        if seen == want:
            return
        page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "concurrent_failure.png"), full_page=True)
    raise AssertionError(f"{where}: saw {seen}, expected {want}")


def _open(page: Page, link: str, shows: str) -> None:
    """Click a page's link until the page shows ``shows`` (a click that lands while the
    browser client is busy with a rerun can be dropped: click again)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        page.get_by_role("link", name=link).click(timeout=TIMEOUT_MS)
        try:
            page.get_by_text(shows).first.wait_for(timeout=15_000)
            return
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise


def _value(page: Page) -> float | None:
    raw = page.evaluate(
        "() => document.querySelector('[role=slider]')?.getAttribute('aria-valuenow') ?? null"
    )
    return None if raw is None else round(float(raw), 3)  # the slider moves by half points


def _move_to(page: Page, target: float, where: str) -> None:
    """Key presses on the A slider until it shows ``target``; a press that lands while a
    rerun redraws the slider is retried on the new one."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        now = _value(page)
        if now == target:
            return
        if now is None:
            page.wait_for_timeout(300)
            continue
        try:
            slider = page.get_by_role("slider").first
            slider.focus(timeout=5_000)
            slider.press("ArrowLeft" if now > target else "ArrowRight", timeout=5_000)
            page.wait_for_function(
                f"() => document.querySelector('[role=slider]')?.getAttribute('aria-valuenow')"
                f" !== '{now:g}'",
                timeout=5_000,
            )
        except PlaywrightError:
            page.wait_for_timeout(300)
    raise AssertionError(f"{where}: the slider shows {_value(page)}, not {target}")


def test_ten_sessions_each_see_their_own_segmentation_for_a_minute(
    demo_workspace: Path, tmp_path: Path
) -> None:
    expected = _expected(demo_workspace)
    assert len({tuple(sorted(c.items())) for c, _ in expected.values()}) > SESSIONS
    with serve_app(demo_workspace, tmp_path / "streamlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        pages = [
            browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
            for _ in range(SESSIONS)
        ]
        for pg in pages:
            pg.goto(url)
        for pg in pages:
            pg.get_by_text("Portfolio profile").wait_for(timeout=TIMEOUT_MS)
        for i, pg in enumerate(pages):  # first move: 3 (i + 1) points down from 0.80
            _open(pg, "Segmentation", "Moved vs official")
            _move_to(pg, _boundary(i, 0), f"session {i}, first move")
        deadline = time.monotonic() + SECONDS
        step = 0
        while True:
            for i, pg in enumerate(pages):  # every session's segmentation, then its check
                a = _boundary(i, step)
                where = f"session {i}, step {step}, A at {a}"
                _move_to(pg, a, where)
                counts, alerts = expected[a]
                _wait_for(pg, lambda pg=pg: segment_counts(pg), counts, where)
                _wait_for(pg, lambda pg=pg: _alerts(pg), alerts, where)
                _no_error(pg, where)
            if step == 1:
                # A scheduled job beside the ten sessions: the app does not hold the file
                # between operations, so the command gets it (at most after a short wait).
                out = tmp_path / "alerts.csv"
                assert main(["alerts", "--workspace", str(demo_workspace), "--out", str(out)]) == 0
            for pg in pages:  # every session opens the Policy page at once
                pg.get_by_role("link", name="Inventory policy").click()
            for i, pg in enumerate(pages):
                where = f"session {i}, step {step}, Policy page"
                _open(pg, "Inventory policy", "Inventory against service, per segment")
                _wait_for(pg, lambda pg=pg: _alerts(pg), expected[_boundary(i, step)][1], where)
                _no_error(pg, where)
            step += 1
            if step >= 2 and time.monotonic() > deadline:
                break
            for pg in pages:  # back, and one point up or down
                pg.get_by_role("link", name="Segmentation").click()
            for i, pg in enumerate(pages):
                _open(pg, "Segmentation", "Moved vs official")
                _move_to(pg, _boundary(i, step), f"session {i}, step {step}, move")
        browser.close()
    assert step >= 2
