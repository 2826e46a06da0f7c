"""The launcher imports what the pages need before the server answers: every segstudio.ui
module a page (or app.py) imports is in its list, and warming leaves them imported."""

from __future__ import annotations

import ast
import sys

from segstudio.ui import serve
from tests.conftest import ROOT


def _ui_imports(path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "segstudio.ui":
            names |= {a.name for a in node.names}
    return names


def test_every_module_a_page_imports_is_warmed():
    wanted = set().union(*(_ui_imports(p) for p in [ROOT / "app.py", *ROOT.glob("pages/*.py")]))
    assert wanted <= set(serve.VIEWS), wanted - set(serve.VIEWS)


def test_warming_imports_them():
    serve.warm()
    assert all(f"segstudio.ui.{name}" in sys.modules for name in serve.VIEWS)
    assert "plotly.graph_objects" in sys.modules and "pandas" in sys.modules


def test_the_official_portfolio_is_prepared_before_the_first_visitor(app_env, monkeypatch):
    from segstudio.segment.decisions import official_rules
    from segstudio.ui.seg_state import get_portfolio
    from segstudio.ui.state import get_workspace

    assert serve.prepare() is None
    calls = []
    monkeypatch.setattr("segstudio.ui.state.compute_features", lambda *a: calls.append(a))
    first = get_portfolio(official_rules(get_workspace()))  # the page's call: a cache hit
    assert first is not None and not calls
    assert len(first[0]) > 0


def test_a_workspace_without_sales_starts_all_the_same(tmp_path, monkeypatch):
    from segstudio import Workspace

    empty = tmp_path / "empty.duckdb"
    Workspace(empty).close()
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(empty))
    assert serve.prepare() == "no sales loaded yet"
