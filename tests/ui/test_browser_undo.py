"""A load undone, in a real browser: upload a sales file on the Data page, see the counts
change, press its undo button, see the counts as they were."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import ARTIFACTS
from tests.ui.browser import app_page

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(demo_workspace: Path, tmp_path: Path) -> Iterator[Page]:
    with app_page(demo_workspace, tmp_path / "streamlit.log") as pg:
        yield pg


def _sales_lines(page: Page) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Sales lines").first
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def _press_until(page: Page, name: str, done, attempts: int = 4) -> None:
    """Press the button ``name`` until ``done`` shows (a click that lands during a rerun can be
    dropped by the browser client)."""
    button = page.get_by_role("button", name=name)
    for _ in range(attempts):
        page.wait_for_timeout(500)
        if button.count() and button.first.is_enabled():
            button.first.click()
        try:
            done.wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    done.wait_for(timeout=20_000)


def test_a_load_is_undone_and_the_counts_come_back(
    page: Page, demo_workspace: Path, tmp_path: Path
) -> None:
    con = duckdb.connect(str(demo_workspace), read_only=True)
    demo_lines = con.execute("SELECT count(*) FROM sales").fetchone()[0]
    con.close()
    page.get_by_text("Load new data").wait_for(timeout=60_000)
    assert _sales_lines(page) == f"{demo_lines:,} rows"

    shop = tmp_path / "shop.csv"
    shop.write_text(
        "StockCode,InvoiceDate,Quantity\nA1,2010-12-01,5\nB2,2010-12-02,2\nC3,2010-12-03,1\n"
    )
    page.locator("input[type='file']").first.set_input_files(str(shop))
    page.get_by_text("(suggested mapping)").first.wait_for(timeout=60_000)
    # The demo's other tables would stay: mix into the demo on purpose, so the undo restores it.
    mix = page.get_by_text("Mix them into the demo instead", exact=False)
    mix.wait_for(timeout=30_000)
    mix.click()
    page.wait_for_timeout(1_000)
    _press_until(page, "Validate files", page.get_by_text("Validation report"))
    _press_until(page, "Replace current data", page.get_by_text("is now the current data"))
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stMetric']\")]"
        ".some(m => m.innerText.includes('Sales lines') && m.innerText.includes('3 rows'))",
        timeout=30_000,
    )
    assert _sales_lines(page) == "3 rows"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_page_before_undo.png"), full_page=True)

    con = duckdb.connect(str(demo_workspace), read_only=True)
    load_id = con.execute("SELECT max(load_id) FROM loads").fetchone()[0]
    con.close()
    _press_until(page, f"Undo load {load_id}", page.get_by_text(f"Load {load_id} undone"))
    page.wait_for_function(
        "(n) => [...document.querySelectorAll(\"[data-testid='stMetric']\")]"
        ".some(m => m.innerText.includes('Sales lines') && m.innerText.includes(n))",
        arg=f"{demo_lines:,} rows",
        timeout=30_000,
    )
    assert _sales_lines(page) == f"{demo_lines:,} rows"
    page.screenshot(path=str(ARTIFACTS / "data_page_after_undo.png"), full_page=True)
