"""The built-in demo workspace: what ``make run`` and a first start of the app open."""

from __future__ import annotations

from pathlib import Path

from segstudio.ingest.demo import generate_demo
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.validate import FileReport
from segstudio.ingest.workspace import Workspace

__all__ = ["build_demo_workspace"]


def build_demo_workspace(
    workspace: str | Path, files_dir: str | Path, skus: int = 2000, weeks: int = 104
) -> dict[str, FileReport]:
    """Write the seeded demo files and load them into a fresh workspace file, marked as the
    demo (so that a user's own upload never mixes with it: see ``Workspace.demo_leftovers``)."""
    workspace = Path(workspace)
    for p in (workspace, workspace.with_name(workspace.name + ".wal")):
        p.unlink(missing_ok=True)
    paths = generate_demo(files_dir, skus=skus, weeks=weeks)
    with Workspace(workspace) as ws:
        _, reports = ws.load({k: SourceFile(p) for k, p in paths.items()}, who="demo")
        ws.mark_demo()
    return reports
