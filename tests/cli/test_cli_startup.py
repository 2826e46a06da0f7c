"""`segstudio --help` starts without the heavy libraries: each command imports what it uses, so
asking for help (or a bad argument) never waits for pandas, DuckDB or the renderers."""

from __future__ import annotations

from tests.builders import run_fresh

HEAVY = ("pandas", "numpy", "duckdb", "pyarrow", "plotly", "reportlab", "pptx", "openpyxl")
COMMANDS = ("demo", "load", "features", "classify", "alerts", "policy", "suppliers", "report")


def test_help_lists_every_command_without_importing_a_heavy_library() -> None:
    r = run_fresh(
        "import contextlib, io, json, sys\n"
        "from segstudio.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit as e:\n"
        "        code = e.code\n"
        "print(json.dumps({'code': code, 'help': buf.getvalue(),\n"
        f"    'loaded': [m for m in {HEAVY!r} if m in sys.modules]}}))\n"
    )
    assert r["code"] == 0
    assert r["loaded"] == []
    for command in COMMANDS:
        assert command in r["help"]


def test_the_package_names_stay_importable_and_load_on_first_use() -> None:
    r = run_fresh(
        "import json, sys, segstudio\n"
        "before = 'duckdb' in sys.modules\n"
        "names = {n: type(getattr(segstudio, n)).__name__ for n in segstudio.__all__}\n"
        "print(json.dumps({'before': before, 'after': 'duckdb' in sys.modules,\n"
        "    'names': names, 'dir': sorted(set(segstudio.__all__) - set(dir(segstudio)))}))\n"
    )
    assert r["before"] is False
    assert r["after"] is True  # Workspace, compute_features: imported when first asked for
    assert r["dir"] == []
    assert r["names"]["Workspace"] == "type"
    assert r["names"]["compute_features"] == "function"
