"""The Segmentation page after a slider move at 100,000 SKUs: in AppTest (target 0.5 s) and in
a real browser, key press to changed matrix (target 1 s). Prints one JSON line."""

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
    from segstudio import FeatureSettings, SourceFile, Workspace, compute_features
    from segstudio.ingest.demo import generate_demo

    folder = HERE / "out" / f"page_{skus}"
    ws_path = folder / "workspace.duckdb"
    if not ws_path.exists():
        files = generate_demo(folder / "files", skus=skus, weeks=104, fmt="parquet", grain="weekly")
        with Workspace(ws_path) as ws:
            ws.load({k: SourceFile(p) for k, p in files.items() if k != "products"})
            compute_features(ws.con, FeatureSettings())
    return ws_path


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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--apptest-only", action="store_true")
    args = ap.parse_args()
    ws_path = _workspace(args.skus)
    out = {"skus": args.skus}
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
