"""Load + feature table as whole processes, the way a user runs them: ``segstudio load`` into a
fresh workspace, then ``segstudio features`` to a Parquet file (each a fresh interpreter, its
start-up included); or, with ``--reference``, the plain-pandas reference script
(tests/reference_features.py) run the same way. Prints one JSON line: wall seconds per process
and the largest peak memory of them."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str]) -> tuple[float, str]:
    """Run ``cmd`` as a child process: (wall seconds from start to exit, its stdout)."""
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return seconds, proc.stdout


def children_peak_mb() -> float:
    """The largest peak memory of the child processes that have ended (this driver's runs)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "segstudio.cli", *args]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sales", type=Path, required=True)
    ap.add_argument("--workspace", type=Path, help="the workspace file to (re)create")
    ap.add_argument("--reference", action="store_true", help="time the pandas reference")
    args = ap.parse_args()
    if args.reference:
        seconds, out = timed(
            [
                sys.executable,
                str(ROOT / "tests" / "reference_features.py"),
                "--sales",
                str(args.sales),
            ]
        )
        skus = json.loads(out.strip().splitlines()[-1])["skus"]
        print(
            json.dumps(
                {"skus": skus, "total_s": round(seconds, 2), "peak_mb": round(children_peak_mb())}
            )
        )
        return 0
    if args.workspace is None:
        ap.error("--workspace is required (without --reference)")
    for p in (args.workspace, args.workspace.with_name(args.workspace.name + ".wal")):
        p.unlink(missing_ok=True)
    out_file = args.workspace.with_name(args.workspace.stem + "_features.parquet")
    load_s, load_out = timed(
        _cli("load", "--workspace", str(args.workspace), "--sales", str(args.sales), "--json")
    )
    feat_s, _ = timed(_cli("features", "--workspace", str(args.workspace), "--out", str(out_file)))
    import pyarrow.parquet as pq

    sales = json.loads(load_out.strip().splitlines()[-1])["files"]["sales"]
    print(
        json.dumps(
            {
                "rows_read": sales["read"],
                "rows_accepted": sales["accepted"],
                "skus": pq.ParquetFile(out_file).metadata.num_rows,
                "load_s": round(load_s, 2),
                "features_s": round(feat_s, 2),
                "total_s": round(load_s + feat_s, 2),
                "peak_mb": round(children_peak_mb()),
            }
        )
    )
    os.remove(out_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
