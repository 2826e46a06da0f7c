"""The Data page through Streamlit's AppTest: the demo data shows, and a load goes end to end."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_data_page_shows_the_demo_portfolio(app_env: Path) -> None:
    at = _run()
    assert at.title[0].value == "Data"
    con = duckdb.connect(str(app_env))
    n_sales = con.execute("SELECT count(*) FROM sales").fetchone()[0]
    n_skus = con.execute(
        "SELECT count(*) FROM (SELECT sku FROM sales UNION SELECT sku FROM inventory)"
    ).fetchone()[0]
    con.close()
    assert _metric(at, "Sales lines") == f"{n_sales:,} rows"
    assert _metric(at, "SKUs") == f"{n_skus:,}"
    subheaders = [s.value for s in at.subheader]
    assert {"Current data", "Portfolio profile", "Load new data", "Per-SKU features"} <= set(
        subheaders
    )
    assert len(at.get("plotly_chart")) == 2


def test_loading_a_file_with_bad_rows_reports_them_and_replaces_only_sales(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGSTUDIO_ALLOWED_FOLDERS", str(tmp_path))
    sales = tmp_path / "orders.csv"
    sales.write_text(
        "Item;OrderDate;Qty;Price\n"
        "0055-S;2024-01-01;3;2.5\n"
        "0055-S;2024-01-09;x;2.5\n"  # row 3: text in a number
        "85123a;not a date;1;1\n"  # row 4: unparseable date
        "85123a;2024-02-05;4;1\n",
        encoding="utf-8",
    )
    at = _run()
    con = duckdb.connect(str(app_env))
    inventory_before = con.execute("SELECT count(*) FROM inventory").fetchone()[0]
    con.close()

    at.text_input(key="data.path.sales").set_value(str(sales)).run()
    assert not at.exception
    # The mapping editor suggests Item -> sku, OrderDate -> date, Qty -> quantity.
    assert at.selectbox(key="data.map.sales.sku").value == "Item"
    assert at.selectbox(key="data.map.sales.date").value == "OrderDate"
    assert at.selectbox(key="data.map.sales.quantity").value == "Qty"
    at.selectbox(key="data.map.sales.unit_price").set_value("Price")
    # The demo's other tables stay: mixing them into the demo is a choice the page names.
    mix = at.checkbox(key="data.into_demo")
    assert "inventory snapshot" in mix.label and "count in your figures" in mix.label
    mix.check().run()
    validate = next(b for b in at.button if b.label == "Validate files")
    validate.click().run()
    assert not at.exception
    assert _metric(at, "Rows read") == "4"
    assert _metric(at, "Accepted") == "2"
    assert _metric(at, "Rejected") == "2"

    at.button(key="data.commit").click().run()
    assert not at.exception
    assert any("is now the current data" in s.value for s in at.success)
    con = duckdb.connect(str(app_env))
    skus = sorted(r[0] for r in con.execute("SELECT DISTINCT sku FROM sales").fetchall())
    rejects = con.execute('SELECT "row", field, reason FROM load_rejects ORDER BY "row"').fetchall()
    inventory_after = con.execute("SELECT count(*) FROM inventory").fetchone()[0]
    con.close()
    assert skus == ["0055-S", "85123a"]
    assert rejects == [(3, "quantity", "text in a number"), (4, "date", "unparseable date")]
    assert inventory_after == inventory_before


def test_an_unusable_file_shows_one_message_and_changes_nothing(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGSTUDIO_ALLOWED_FOLDERS", str(tmp_path))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    at = _run()
    before = _metric(at, "Sales lines")
    at.text_input(key="data.path.sales").set_value(str(empty)).run()
    assert not at.exception
    assert any(r"empty\.csv" in e.value and "empty" in e.value for e in at.error)
    assert _metric(at, "Sales lines") == before


def test_a_header_only_file_is_refused_and_the_sales_stay(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGSTUDIO_ALLOWED_FOLDERS", str(tmp_path))
    empty = tmp_path / "orders.csv"
    empty.write_text("sku,date,quantity\n", encoding="utf-8")
    at = _run()
    before = _metric(at, "Sales lines")
    at.text_input(key="data.path.sales").set_value(str(empty)).run()
    next(b for b in at.button if b.label == "Validate files").click().run()
    assert not at.exception
    assert any("no row was accepted" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Replace current data"]
    at.run()
    assert _metric(at, "Sales lines") == before
    con = duckdb.connect(str(app_env))
    assert con.execute("SELECT count(*) FROM sales").fetchone()[0] > 0
    con.close()
