"""Widget keys have one home: ui/keys.py (or the component that derives them from a key it is
given). A view that writes ``key="sim.go"`` makes a second home for that fact."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "src" / "segstudio" / "ui"
VIEWS = sorted(p for p in UI.glob("*.py") if p.name != "keys.py")
# Calls that take their key positionally: the name called -> the index of the key argument.
_POSITIONAL_KEY = {"form": 0, "on_request": 3}


def _is_literal(node: ast.expr) -> bool:
    """A string literal, or an f-string that starts with one (``f"data.rejects.{key}"``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return bool(node.values) and isinstance(node.values[0], ast.Constant)
    return False


def _called_name(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def literal_keys(source: str) -> list[tuple[int, str]]:
    """(line, text) of every widget key written as a literal in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        candidates = [kw.value for kw in node.keywords if kw.arg == "key"]
        index = _POSITIONAL_KEY.get(_called_name(node) or "")
        if index is not None and len(node.args) > index:
            candidates.append(node.args[index])
        found += [(v.lineno, ast.unparse(v)) for v in candidates if _is_literal(v)]
    return found


def test_the_check_finds_literal_and_f_string_keys_but_not_constants() -> None:
    source = """
st.button("Go", key="sim.go")
st.dataframe(df, key=f"data.rejects.{name}")
st.button("Prepare", key=f"{key}.prepare")
st.button("Run", key=keys.SIM_GO)
st.form("seg.adopt_form")
on_request("label", make, "f.csv", "seg.alerts_dl", sig)
on_request("label", make, "f.csv", keys.SEG_ALERTS_DL, sig)
"""
    assert [line for line, _ in literal_keys(source)] == [2, 3, 6, 7]


@pytest.mark.parametrize("path", VIEWS, ids=[p.name for p in VIEWS])
def test_no_widget_key_is_a_literal_outside_keys_py(path: Path) -> None:
    found = literal_keys(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.name}: widget keys written in place; name them in ui/keys.py: "
        + ", ".join(f"line {line}: {text}" for line, text in found)
    )
