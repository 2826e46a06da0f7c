"""`make bench`: the measured figures of the issues' speed and memory targets.

Each measurement runs in a fresh process (so peak memory is that run's own). Large inputs are
generated once into bench/out by the demo generator (seeded) and reused.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from segstudio.demo import generate_demo

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TARGETS = {"parquet": 3.0, "csv": 8.0}
MEMORY_TARGET_MB = 2048


def _dataset(skus: int, fmt: str) -> Path:
    folder = OUT / f"w{skus}_{fmt}"
    sales = folder / f"sales.{fmt}"
    if not sales.exists():
        t = time.perf_counter()
        generate_demo(folder, skus=skus, weeks=104, fmt=fmt, grain="weekly")
        print(f"  (generated {sales} in {time.perf_counter() - t:.1f} s)", flush=True)
    return sales


def _run(script: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, str(HERE / script), *args], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median_run(repeat: int, script: str, *args: str) -> dict:
    """The run with the median total time of ``repeat`` fresh-process runs."""
    runs = sorted((_run(script, *args) for _ in range(repeat)), key=lambda r: r["total_s"])
    return runs[len(runs) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="skip the 1,000,000-SKU run")
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median shown)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ok = True
    print(f"Load + feature table, {args.skus:,} SKUs x 104 weeks "
          f"({args.skus * 104:,} weekly rows), 52-week window; median of {args.repeat} runs:")
    for fmt in ("parquet", "csv"):
        sales = _dataset(args.skus, fmt)
        r = _median_run(args.repeat, "load_features.py", "--sales", str(sales),
                        "--workspace", str(OUT / "bench.duckdb"))
        p = _median_run(args.repeat, "pandas_features.py", "--sales", str(sales))
        ratio = p["total_s"] / r["total_s"]
        met = r["total_s"] <= TARGETS[fmt] and r["peak_mb"] <= MEMORY_TARGET_MB and ratio >= 3
        ok &= met
        print(f"  {fmt:8s} load {r['load_s']:5.2f} s + features {r['features_s']:5.2f} s = "
              f"{r['total_s']:5.2f} s (target {TARGETS[fmt]:.0f} s), peak {r['peak_mb']:,} MB "
              f"(target {MEMORY_TARGET_MB:,}); pandas {p['total_s']:.2f} s, peak "
              f"{p['peak_mb']:,} MB -> {ratio:.1f}x faster (target 3x)  "
              f"{'OK' if met else 'MISSED'}", flush=True)
    if not args.quick:
        sales = _dataset(1_000_000, "parquet")
        r = _run("load_features.py", "--sales", str(sales), "--workspace", str(OUT / "bench1m.duckdb"),
                 "--memory-limit", "8GB")
        print(f"  1,000,000 SKUs ({r['rows_read']:,} rows, parquet): load {r['load_s']:.1f} s + "
              f"features {r['features_s']:.1f} s, peak {r['peak_mb']:,} MB, {r['skus']:,} SKUs "
              "in the feature table", flush=True)
    print("all targets met" if ok else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
