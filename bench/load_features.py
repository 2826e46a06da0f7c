"""One benchmark run in its own process: load a sales file into a fresh workspace, then build
the feature table. Prints one JSON line: seconds per step and the process's peak memory."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from segstudio import FeatureSettings, SourceFile, Workspace, compute_features


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=Path, required=True)
    ap.add_argument("--workspace", type=Path, required=True)
    ap.add_argument("--memory-limit", default=None)
    args = ap.parse_args()
    for p in (args.workspace, args.workspace.with_name(args.workspace.name + ".wal")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with Workspace(args.workspace, memory_limit=args.memory_limit) as ws:
        _, reports = ws.load({"sales": SourceFile(args.sales)})
        t1 = time.perf_counter()
        with ws.connect() as con:
            df, _ = compute_features(con, FeatureSettings(weeks=52))
        t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r = reports["sales"]
    print(
        json.dumps(
            {
                "rows_read": r.read,
                "rows_accepted": r.accepted,
                "skus": len(df),
                "load_s": round(t1 - t0, 2),
                "features_s": round(t2 - t1, 2),
                "total_s": round(t2 - t0, 2),
                "peak_mb": round(peak_mb),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
