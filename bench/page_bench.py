"""The pages in a real browser. At 100,000 SKUs: the Segmentation page after a slider move, in
AppTest (target 0.5 s) and in chromium, key press to changed matrix (target 1 s). With
``--first-views`` (1,000,000 SKUs in bench/run.py): a fresh server on a loaded workspace, the
first view of every page, one after the other in one browser session (click to the end of the
page's run, target 3 s each), then a slider move on the Segmentation page (key press to the end
of the rerun, target 0.5 s), and the server's peak memory. Prints one JSON line."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the browser helpers the tests use (tests/ui/browser.py)


def _workspace(skus: int) -> Path:
    from segstudio import SourceFile, Workspace
    from segstudio.ingest.demo import generate_demo
    from segstudio.perform.io import store_after_load

    folder = HERE / "out" / f"page_{skus}"
    ws_path = folder / "workspace.duckdb"
    if not ws_path.exists():
        files = generate_demo(folder / "files", skus=skus, weeks=104, fmt="parquet", grain="weekly")
        with Workspace(ws_path) as ws:
            ws.load({k: SourceFile(p) for k, p in files.items() if k != "products"})
            store_after_load(ws)  # what segstudio load and the Data page do after a load
    return ws_path


def _sku_count(ws_path: Path) -> int:
    """The SKUs a given workspace holds (its sales' distinct SKUs), for the report."""
    from segstudio import Workspace

    with Workspace(ws_path) as ws:
        return int(ws.con.execute("SELECT count(DISTINCT sku) FROM sales").fetchone()[0])


def apptest_seconds(ws_path: Path, moves: int = 5) -> list[float]:
    os.environ["SEGSTUDIO_WORKSPACE"] = str(ws_path)
    os.chdir(ROOT)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/segmentation.py").run()
    at.run()  # warm: portfolio prepared, caches filled
    times = []
    for i in range(moves):
        at.slider(key="seg.abc_a").set_value(round(0.79 - 0.01 * i, 2))
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    return times


def browser_seconds(ws_path: Path, presses: int = 5) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.ui.browser import CHROMIUM, CHROMIUM_FLAGS, serve_app

    with (
        serve_app(ws_path, HERE / "out" / "page_bench_streamlit.log") as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(url)
        try:
            page.get_by_role("link", name="Segmentation").click(timeout=120_000)
            page.locator("[data-testid='stTable']").first.wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path=str(HERE / "out" / "page_bench_failure.png"))
            raise
        table = page.locator("[data-testid='stTable']").first
        slider = page.get_by_role("slider").first
        times = []
        for i in range(presses + 1):  # the first press warms the server: not counted
            before = table.inner_text()
            slider.focus()
            t = time.perf_counter()
            slider.press("ArrowLeft")
            page.wait_for_function(
                "b => document.querySelector(\"[data-testid='stTable']\").innerText !== b",
                arg=before,
                timeout=60_000,
            )
            if i:
                times.append(time.perf_counter() - t)
            page.wait_for_timeout(500)
        browser.close()
    return times


# The app's pages after the Data page (the first), by their link text in the sidebar.
PAGES = (
    "Segmentation",
    "Forecast",
    "Inventory policy",
    "Simulation",
    "Scorecard",
    "Suppliers",
    "Inventory health",
    "QBR",
    "Methods",
)
_WATCH_RUNS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__sawRun = false;
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__sawRun = true;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_RUN_ENDED = """() => window.__sawRun && document.querySelector("[data-testid='stApp']")
    .getAttribute('data-test-script-state') === 'notRunning'"""


def _timed_run(page, action, timeout_ms: int = 600_000) -> float:
    """Seconds from ``action()`` (a click, a key press) to the end of the rerun it starts."""
    page.evaluate("() => { window.__sawRun = false; }")
    t = time.perf_counter()
    action()
    page.wait_for_function(_RUN_ENDED, timeout=timeout_ms, polling=50)
    return time.perf_counter() - t


def _server_peak_mb() -> int | None:
    """VmHWM of this process's streamlit child (the server serve_app started)."""
    pid = os.getpid()
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    for child in children:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"streamlit" not in cmdline and b"segstudio.ui.serve" not in cmdline:
                continue
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return None


def first_views(ws_path: Path, presses: int = 5) -> dict:
    """A fresh server on ``ws_path``: each page's first view, then slider moves (seconds)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from tests.ui.browser import CHROMIUM, CHROMIUM_FLAGS, serve_app

    out: dict = {"first_view_s": {}}
    with (
        serve_app(ws_path, HERE / "out" / "first_views_streamlit.log") as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        try:
            t = time.perf_counter()
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelector(\"[data-testid='stApp']\")"
                "?.getAttribute('data-test-script-state') === 'notRunning'",
                timeout=600_000,
                polling=50,
            )
            out["first_view_s"]["Data"] = round(time.perf_counter() - t, 2)
            page.evaluate(_WATCH_RUNS)
            for name in PAGES:
                link = page.get_by_role("link", name=name, exact=True)
                out["first_view_s"][name] = round(_timed_run(page, link.click), 2)
                print(f"{name}: {out['first_view_s'][name]} s", file=sys.stderr, flush=True)
            page.get_by_role("link", name="Segmentation", exact=True).click()
            page.locator("[data-testid='stTable']").first.wait_for(timeout=600_000)
            page.wait_for_timeout(1000)
            slider = page.get_by_role("slider").first
            moves = []
            for i in range(presses + 1):  # the first press warms the server: not counted
                slider.focus()
                try:
                    seconds = _timed_run(page, lambda: slider.press("ArrowLeft"), 120_000)
                except PlaywrightTimeout:  # a press that started no rerun: not counted
                    continue
                if i:
                    moves.append(seconds)
                page.wait_for_timeout(300)
        except Exception:
            page.screenshot(path=str(HERE / "out" / "first_views_failure.png"))
            raise
        out["slider_s_median"] = round(statistics.median(moves), 3) if moves else None
        out["slider_s_max"] = round(max(moves), 3) if moves else None
        out["server_peak_mb"] = _server_peak_mb()
        browser.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--apptest-only", action="store_true")
    ap.add_argument("--first-views", action="store_true", help="every page's first view")
    ap.add_argument("--workspace", type=Path, help="a loaded workspace to use instead")
    args = ap.parse_args()
    ws_path = args.workspace or _workspace(args.skus)
    out = {"skus": _sku_count(ws_path) if args.workspace else args.skus}
    if args.first_views:
        out.update(first_views(ws_path))
        print(json.dumps(out))
        return 0
    if args.apptest_only:
        at = apptest_seconds(ws_path)
        print(
            json.dumps(
                {
                    "apptest_s_median": round(statistics.median(at), 3),
                    "apptest_s_max": round(max(at), 3),
                }
            )
        )
        return 0
    # AppTest opens the workspace in its own process (DuckDB allows one writer process).
    run = subprocess.run(
        [sys.executable, __file__, "--skus", str(args.skus), "--apptest-only"],
        check=True,
        capture_output=True,
        text=True,
    )
    out.update(json.loads(run.stdout.strip().splitlines()[-1]))
    if Path("/usr/bin/chromium").exists():
        br = browser_seconds(ws_path)
        out["browser_s_median"] = round(statistics.median(br), 3)
        out["browser_s_max"] = round(max(br), 3)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
