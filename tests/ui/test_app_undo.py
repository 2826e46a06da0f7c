"""Loads that cannot destroy, on the pages (AppTest): the undo button, clearing a table, a
first upload into the demo starting the user's own workspace, the SKU overlap banner."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace, own_workspace_path
from tests.conftest import ROOT, open_page

SALES = "sku,date,quantity\nA,2024-01-01,3\nB,2024-01-02,4\n"


def _run() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _count(path: Path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_the_undo_button_puts_the_sales_back(app_env: Path, tmp_path: Path) -> None:
    demo_lines = _count(app_env, "sales")
    (tmp_path / "s.csv").write_text(SALES, encoding="utf-8")
    with Workspace(app_env) as ws:
        load_id, _ = ws.load({"sales": SourceFile(tmp_path / "s.csv")}, who="ann")
    at = _run()
    assert _metric(at, "Sales lines") == "2 rows"
    assert any(f"Load {load_id}" in m.value and "ann" in m.value for m in at.markdown)
    # The demo's own load is earlier on the same table: it waits for this one to be undone.
    assert at.button(key=f"data.undo.{load_id - 1}").disabled
    at.button(key=f"data.undo.{load_id}").click().run()
    assert not at.exception
    assert any(f"Load {load_id} undone" in s.value for s in at.success)
    assert _metric(at, "Sales lines") == f"{demo_lines:,} rows"
    assert _count(app_env, "sales") == demo_lines
    assert at.button(key=f"data.undo.{load_id}").disabled  # already undone


def test_a_table_cleared_on_the_page_comes_back_with_undo(app_env: Path) -> None:
    stock = _count(app_env, "inventory")
    at = _run()
    at.selectbox(key="data.clear_table").set_value("inventory").run()
    assert at.button(key="data.clear").disabled  # not without saying so
    at.checkbox(key="data.clear_confirm").check().run()
    at.button(key="data.clear").click().run()
    assert not at.exception
    assert _metric(at, "Inventory snapshot") == "0 rows" and _count(app_env, "inventory") == 0
    clear_id = Workspace(app_env).version()
    at.button(key=f"data.undo.{clear_id}").click().run()
    assert _metric(at, "Inventory snapshot") == f"{stock:,} rows"
    assert _count(app_env, "inventory") == stock


def test_a_first_upload_into_the_demo_starts_a_workspace_of_ones_own(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGSTUDIO_ALLOWED_FOLDERS", str(tmp_path))
    demo_lines = _count(app_env, "sales")
    own = own_workspace_path(app_env)
    sales = tmp_path / "mine.csv"
    sales.write_text(SALES, encoding="utf-8")
    at = _run()
    at.text_input(key="data.path.sales").set_value(str(sales)).run()
    # The message names the new file (markdown-escaped: shown as text).
    assert any(
        own.name in i.value.replace("\\", "") and "demo stays as it is" in i.value for i in at.info
    )
    assert not own.exists()  # nothing is made before the files are validated
    next(b for b in at.button if b.label == "Validate files").click().run()
    at.button(key="data.commit").click().run()
    assert not at.exception
    assert any("of your own workspace" in s.value for s in at.success)
    assert _count(app_env, "sales") == demo_lines  # the demo is untouched
    assert _count(own, "sales") == 2 and _count(own, "inventory") == 0
    # From now on the app shows the user's workspace, not the demo.
    at = _run()
    assert _metric(at, "Sales lines") == "2 rows"
    assert any(str(own) in c.value and "demo" not in c.value for c in at.sidebar.caption)


def test_a_discarded_first_upload_leaves_no_workspace_behind(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGSTUDIO_ALLOWED_FOLDERS", str(tmp_path))
    sales = tmp_path / "mine.csv"
    sales.write_text(SALES, encoding="utf-8")
    own = own_workspace_path(app_env)
    at = _run()
    at.text_input(key="data.path.sales").set_value(str(sales)).run()
    next(b for b in at.button if b.label == "Validate files").click().run()
    assert own.exists()  # the staging waits in it
    at.button(key="data.discard").click().run()
    assert not at.exception
    assert not own.exists()


def test_the_overlap_banner_shows_on_another_page(app_env: Path, tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text("sku,on_hand\nNOT-SOLD-1,4\nNOT-SOLD-2,1\n", "utf-8")
    with Workspace(app_env) as ws:
        ws.load({"inventory": SourceFile(tmp_path / "inv.csv")})
        n = ws.sku_overlap()[0].sales_skus
    at = open_page("pages/segmentation.py")
    assert any(
        f"0 of {n:,} sales SKUs are in the inventory snapshot" in w.value for w in at.warning
    )
