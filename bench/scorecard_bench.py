"""Scorecard and QBR speed at 100,000 SKUs: the Scorecard page's rerun once the data is loaded
(AppTest, target 1 s), and the full review export to PDF, PowerPoint and Excel (target 15 s
each, from the workspace file to the written pack). Prints one JSON line."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from page_bench import _workspace  # noqa: E402


def page_seconds(ws_path: Path, edits: int = 5) -> dict:
    os.environ["SEGSTUDIO_WORKSPACE"] = str(ws_path)
    os.chdir(ROOT)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    t = time.perf_counter()
    at.switch_page("pages/scorecard.py").run()
    first = time.perf_counter() - t  # fills the caches: SQL once per load
    assert not at.exception, at.exception
    times = []
    for i in range(edits):
        at.session_state["seg.abc_a"] = round(0.79 - 0.01 * i, 2)  # a boundary move
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    at.switch_page("pages/qbr.py").run()
    qbr = []
    for _ in range(3):
        t = time.perf_counter()
        at.run()
        qbr.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    return {
        "page_first_s": first,
        "page_s_median": statistics.median(times),
        "page_s_max": max(times),
        "qbr_s_median": statistics.median(qbr),
    }


def export_seconds(ws_path: Path, out: Path) -> dict:
    from segstudio.cli import main

    result = {}
    for fmt in ("pdf", "pptx", "xlsx"):
        t = time.perf_counter()
        code = main(
            [
                "report",
                "--workspace",
                str(ws_path),
                "--format",
                fmt,
                "--out",
                str(out / f"qbr.{fmt}"),
            ]
        )
        assert code == 0
        result[f"export_{fmt}_s"] = time.perf_counter() - t
        result[f"export_{fmt}_kb"] = (out / f"qbr.{fmt}").stat().st_size // 1024
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--what", choices=["page", "export"], default="page")
    args = ap.parse_args()
    ws_path = _workspace(args.skus)
    r = page_seconds(ws_path) if args.what == "page" else export_seconds(ws_path, HERE / "out")
    r["skus"] = args.skus
    r["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
