"""Forecast speed: ``segstudio forecast`` on N SKUs x 104 weeks (the seeded demo, weekly), the
future forecast plus a 3-window backtest of 13 weeks, as a whole process (start-up, imports and
the first fits included), with its peak memory. Prints one JSON line."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_S = 180.0  # 10,000 SKUs on the 2-core machine


def _workspace(skus: int) -> Path:
    from segstudio.ingest.demo import generate_demo
    from segstudio.ingest.readers import SourceFile
    from segstudio.ingest.workspace import Workspace

    folder = HERE / "out" / f"forecast_{skus}"
    ws_path = folder / "workspace.duckdb"
    if not ws_path.exists():
        files = generate_demo(folder / "files", skus=skus, weeks=104, fmt="parquet", grain="weekly")
        with Workspace(ws_path) as ws:
            ws.load({"sales": SourceFile(files["sales"])})
    return ws_path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=10_000)
    args = ap.parse_args()
    ws = _workspace(args.skus)
    out = HERE / "out" / "forecast_bench.csv"
    acc = HERE / "out" / "forecast_bench_accuracy.csv"
    cmd = [
        sys.executable, "-m", "segstudio.cli", "forecast", "--workspace", str(ws),
        "--horizon", "13", "--windows", "3", "--out", str(out), "--accuracy", str(acc), "--json",
    ]  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"segstudio forecast failed: {proc.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    total = next(r for r in summary if r["segment"] == "Total")
    print(
        json.dumps(
            {
                "skus": args.skus,
                "seconds": round(seconds, 1),
                "peak_mb": round(peak),
                "rmsse": total["rmsse"],
                "naive_rmsse": total["naive_rmsse"],
                "seasonal_naive_rmsse": total["seasonal_naive_rmsse"],
                "wape": total["wape"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
