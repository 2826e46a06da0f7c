"""Build the demo workspace: seeded demo files in data/demo, loaded into data/workspace.duckdb.

Run by ``make run`` when the workspace is missing; safe to run again (it rebuilds both).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from segstudio.ingest.demo_workspace import build_demo_workspace
from segstudio.ingest.workspace import Workspace
from segstudio.perform.io import store_after_load

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workspace", type=Path, default=Path("data/workspace.duckdb"))
    ap.add_argument("--files", type=Path, default=Path("data/demo"))
    args = ap.parse_args()
    reports = build_demo_workspace(args.workspace, args.files)
    store_after_load(Workspace(args.workspace))
    for key, r in reports.items():
        print(f"{key}: read {r.read:,}, accepted {r.accepted:,}, rejected {r.rejected:,}")
    sys.exit(0)
