"""The segment matrix's cell text fits its cells, measured in a real browser: the width of each
drawn text (SVG) against the width of its cell, for 7-digit counts in a 3x3 and a 4x4 matrix (the
chart as the exports and the app draw it), and on the Segmentation page itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest
from playwright.sync_api import Page, sync_playwright

from segstudio.report import charts
from tests.conftest import ARTIFACTS
from tests.ui.browser import CHROMIUM, CHROMIUM_FLAGS, serve_app

pytestmark = pytest.mark.browser

# Per heatmap on the page: its cell width (the x axis' length / its columns) and the width of
# every cell text it draws.
_MEASURE = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(gd => gd.data && gd.data[0] && gd.data[0].type === 'heatmap')
  .map(gd => ({
    cell: gd._fullLayout.xaxis._length / gd.data[0].x.length,
    texts: [...gd.querySelectorAll('g.heatmaplayer text, g.textpoint text')]
      .map(t => t.getBBox().width).filter(w => w > 0),
  }))"""


@pytest.fixture()
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1800})
        browser.close()


def _cells(rows: list[str], cols: list[str], skus: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"abc": r, "xyz": c, "skus": skus + i, "revenue_share": 1.0 / (len(rows) * len(cols))}
            for i, (r, c) in enumerate((r, c) for r in rows for c in cols)
        ]
    )


def _too_wide(measured: list[dict]) -> list[str]:
    """Each drawn text wider than its cell, less 2 pixels either side."""
    assert measured and all(chart["texts"] for chart in measured), "no cell text drawn"
    return [
        f"{w:.0f}px text in a {chart['cell']:.0f}px cell"
        for chart in measured
        for w in chart["texts"]
        if w > chart["cell"] - 4
    ]


@pytest.mark.parametrize(
    ("rows", "cols"),
    [(["A", "B", "C"], ["X", "Y", "Z"]), (["A", "B", "C", "D"], ["X", "Y", "Z", "N"])],
)
def test_seven_digit_counts_fit_their_cells(
    page: Page, tmp_path: Path, rows: list[str], cols: list[str]
) -> None:
    fig = charts.matrix_heatmap(_cells(rows, cols, 1_234_567), rows, cols, "abc", "xyz")
    html = tmp_path / "matrix.html"
    html.write_text(pio.to_html(fig, include_plotlyjs=True, full_html=True), encoding="utf-8")
    page.goto(html.as_uri())
    page.wait_for_selector("g.heatmaplayer text, g.textpoint text")
    measured = page.evaluate(_MEASURE)
    assert len(measured[0]["texts"]) == len(rows) * len(cols)  # a text (of two lines) a cell
    assert _too_wide(measured) == []


def test_the_segmentation_page_matrix_text_too_wide(
    demo_workspace: Path, tmp_path: Path, page: Page
):
    with serve_app(demo_workspace, tmp_path / "streamlit.log") as url:
        page.goto(f"{url}/segmentation")
        page.get_by_text("Segment matrix").first.wait_for(timeout=120_000)
        page.wait_for_selector("g.heatmaplayer text, g.textpoint text", timeout=60_000)
        page.wait_for_timeout(1000)
        measured = page.evaluate(_MEASURE)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "segmentation_matrix.png"))
    assert len(measured) == 1
    assert _too_wide(measured) == []
