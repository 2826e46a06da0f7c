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
