"""Shared fixtures: a small demo workspace built once per test session (no ../shared data)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from streamlit.testing.v1 import AppTest

from segstudio.ingest.demo_workspace import build_demo_workspace

# CI runs the property tests with a fixed seed, so a merge is judged on the same examples each
# time; local runs explore new examples (and keep failures in .hypothesis/ to replay).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"


def open_page(page: str, timeout: float = 300) -> AppTest:
    """The app run once, then switched to ``page`` (e.g. "pages/qbr.py"), without exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="session")
def demo_workspace_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace of 300 SKUs x 60 weeks, built once; copy it before changing it."""
    folder = tmp_path_factory.mktemp("demo")
    ws = folder / "workspace.duckdb"
    build_demo_workspace(ws, folder / "files", skus=300, weeks=60)
    return ws


@pytest.fixture()
def demo_workspace(demo_workspace_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace for one test."""
    target = tmp_path / "workspace.duckdb"
    shutil.copy(demo_workspace_template, target)
    return target


@pytest.fixture()
def app_env(demo_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a private demo workspace."""
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(demo_workspace))
    monkeypatch.chdir(ROOT)
    return demo_workspace
