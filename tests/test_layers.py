"""The layer rules of the package, checked on the source: a change that breaks one fails here.

- Only ``segstudio.ui`` imports streamlit.
- The maths of ``segment`` and ``policy`` never imports duckdb: only their I/O modules
  (``sql``: the SQL text; ``io`` / ``inputs``: the reads; ``decisions``: the decisions' store)
  touch the workspace.
- No stage imports a later one: the pipeline runs common -> config -> ingest -> features ->
  segment -> forecast -> policy -> perform -> govern -> scenario -> report, and only the
  entry points (``cli``, ``ui``) sit above them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "segstudio"
STAGES = [
    "common",
    "errors",
    "config",
    "ingest",
    "features",
    "segment",
    "forecast",
    "policy",
    "perform",
    "govern",
    "scenario",
    "report",
    "cli",
    "ui",
]
RANK = {name: i for i, name in enumerate(STAGES)}
RANK["errors"] = RANK["common"]  # the error types are shared by every stage
IO_MODULES = {"sql", "io", "inputs", "decisions"}
PURE_STAGES = ("segment", "policy")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _stage(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module an import statement of ``path`` names (absolute), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["segstudio", *path.relative_to(PACKAGE).with_suffix("").parts[:-1]]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((mod, node.lineno))
            out += [(f"{mod}.{a.name}", node.lineno) for a in node.names]
    return out


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{line}"


def test_the_package_has_every_stage_it_names() -> None:
    present = {_stage(p) for p in _modules()} - {"__init__"}
    assert present <= set(RANK), present - set(RANK)
    for stage in (
        "common",
        "config",
        "ingest",
        "features",
        "segment",
        "policy",
        "perform",
        "report",
        "ui",
    ):
        assert (PACKAGE / stage / "__init__.py").exists(), stage


def test_only_ui_imports_streamlit() -> None:
    bad = [
        _where(p, line)
        for p in _modules()
        if _stage(p) != "ui"
        for mod, line in _imports(p)
        if mod.split(".")[0] == "streamlit"
    ]
    assert not bad, f"streamlit imported outside segstudio.ui: {bad}"


@pytest.mark.parametrize("stage", PURE_STAGES)
def test_the_maths_of_segment_and_policy_never_imports_duckdb(stage: str) -> None:
    bad = [
        _where(p, line)
        for p in _modules()
        if _stage(p) == stage and p.stem not in IO_MODULES
        for mod, line in _imports(p)
        if mod.split(".")[0] == "duckdb"
    ]
    assert not bad, f"duckdb imported by the maths of {stage}: {bad}"


def test_no_stage_imports_a_later_one() -> None:
    bad = []
    for p in _modules():
        own = _stage(p)
        if own == "__init__":
            continue
        for mod, line in _imports(p):
            parts = mod.split(".")
            if parts[0] != "segstudio" or len(parts) < 2 or parts[1] not in RANK:
                continue
            if RANK[parts[1]] > RANK[own]:
                bad.append(f"{_where(p, line)} ({own} imports {parts[1]})")
    assert not bad, "a stage imports a later one:\n" + "\n".join(sorted(set(bad)))


def test_the_checks_see_the_imports_they_judge() -> None:
    """The checker itself: it finds relative and absolute imports, and the ui's streamlit."""
    ui = [m for m, _ in _imports(PACKAGE / "ui" / "guard.py")]
    assert "streamlit" in ui and "segstudio.errors.SegStudioError" in ui
    views = [m for m, _ in _imports(PACKAGE / "ui" / "sidebar.py")]
    assert any(m.startswith("segstudio.ui.") for m in views)
