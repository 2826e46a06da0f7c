"""A chart with nothing it can measure is not drawn empty: the review says what cannot be
measured and which column would let it, on the screen, in the PDF, the slides and the workbook;
and the stock of the policy reads as what it is valued at (cost, else price, else units)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader

from segstudio.ingest.workspace import Workspace
from segstudio.perform import kpis
from segstudio.policy.valuation import COST, NONE, PRICE, Valuation, unit_values, valuation
from segstudio.report import qbr
from segstudio.report.document import Report, Section
from segstudio.report.render import render
from tests.builders import build_bare_workspace, build_priced_workspace


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> qbr.QbrData:
    """The review of a workspace with prices but no unit cost and no inventory."""
    folder = tmp_path_factory.mktemp("priced")
    ws = build_priced_workspace(folder / "w.duckdb", folder)
    return qbr.gather(Workspace(ws))


def test_without_cost_or_stock_the_balanced_chart_is_not_drawn_and_says_why(
    priced: qbr.QbrData,
) -> None:
    section = qbr.story(priced, "balanced")
    assert section.figure is None
    (line,) = section.unmeasured
    assert "none of its figures can be measured" in line
    assert "unit_cost" in line and "on_hand" in line  # the columns that would let it
    assert section.table is not None  # the figures it can tell (revenue, SKUs) stay


def test_on_the_demo_the_balanced_chart_is_drawn_whole(demo_workspace_template: Path) -> None:
    section = qbr.story(qbr.gather(Workspace(demo_workspace_template)), "balanced")
    assert section.unmeasured == ()
    assert section.figure is not None and len(section.figure.data) == len(kpis.BALANCED_CHARTED)


def test_a_figure_no_segment_has_is_left_out_of_the_chart_and_named() -> None:
    table = pd.DataFrame(
        {
            "segment": ["AX", "BY", kpis.PORTFOLIO],
            "revenue": [10.0, 5.0, 15.0],
            "gross_margin": [4.0, 1.0, 5.0],
            "inventory_value": [np.nan] * 3,
            "carrying_cost": [np.nan] * 3,
        }
    )
    missing = kpis.balanced_unmeasured(table)
    assert list(missing) == ["inventory_value", "carrying_cost"]
    (line,) = kpis.balanced_unmeasured_lines(missing)
    assert line.startswith("Left out of the chart") and "on_hand" in line
    assert kpis.balanced_unmeasured_lines({}) == ()


def test_the_policy_stock_without_cost_reads_at_price_in_the_review(priced: qbr.QbrData) -> None:
    valued = valuation(priced.policies)
    assert valued.at_cost == 0 and valued.at_price > 0
    section = qbr.story(priced, "tradeoff")
    notes = " ".join(section.notes)
    assert "at price (no unit cost in the data)" in notes and "at cost" not in notes
    assert "at price" in section.figure.layout.yaxis.title.text


def test_the_demo_stock_reads_at_cost(demo_workspace_template: Path) -> None:
    d = qbr.gather(Workspace(demo_workspace_template))
    assert valuation(d.policies).label == "at cost"
    assert "at cost" in qbr.story(d, "tradeoff").figure.layout.yaxis.title.text


def _unmeasured_report() -> Report:
    table = pd.DataFrame({"segment": ["AX", "BY"], "skus": [3, 4]})
    line = "No chart: none of its figures can be measured. Gross margin needs unit_cost."
    return Report(
        "Review",
        "",
        [Section("Balanced scorecard", "per segment", None, table, unmeasured=(line,))],
    )


def test_the_pdf_slides_and_workbook_each_say_what_cannot_be_measured() -> None:
    report = _unmeasured_report()
    (line,) = report.sections[0].unmeasured
    pdf = PdfReader(io.BytesIO(render(report, "pdf")))
    assert "unit_cost" in " ".join(pdf.pages[1].extract_text().split())
    deck = Presentation(io.BytesIO(render(report, "pptx")))
    texts = [s.text_frame.text for s in list(deck.slides)[1].shapes if s.has_text_frame]
    assert any(line in t for t in texts)
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    rows = [[c.value for c in r] for r in book["Contents"].iter_rows()]
    assert ["Not measured", f"Balanced scorecard: {line}", None, None] in rows


# --- what the stock is valued at ----------------------------------------------------------------

_VALUES = st.one_of(st.just(float("nan")), st.floats(-5, 1e6, allow_nan=False))


@given(st.lists(st.tuples(_VALUES, _VALUES), min_size=1, max_size=30))
def test_the_unit_value_is_the_cost_else_the_price_else_none(pairs) -> None:
    cost, price = (np.array(c, float) for c in zip(*pairs, strict=True))
    value, at = unit_values(cost, price)
    for c, p, v, a in zip(cost, price, value, at, strict=True):
        if c > 0:
            assert (v, a) == (c, COST)
        elif p > 0:
            assert (v, a) == (p, PRICE)
        else:
            assert np.isnan(v) and a == NONE


def test_the_label_says_what_the_stock_is_valued_at() -> None:
    assert Valuation(5, 0, 0).label == "at cost"
    assert Valuation(0, 5, 0).label == "at price (no unit cost in the data)"
    assert Valuation(3, 2, 0).label == "at cost, else price (2 SKUs of 5 have no unit cost)"
    assert Valuation(0, 0, 4).label == "in units (no unit cost or price in the data)"
    assert Valuation(0, 4, 1).label.endswith("1 SKU with neither, left out of the value")
    assert [Valuation(*c).short for c in ((1, 0, 0), (0, 1, 0), (1, 1, 0), (0, 0, 1))] == [
        "at cost",
        "at price",
        "at cost, else price",
        "in units",
    ]


def test_the_valuation_counts_the_stocked_skus_only() -> None:
    pol = pd.DataFrame(
        {
            "demand_model": ["normal", "gamma", "none"],
            "valued_at": [PRICE, PRICE, COST],
        }
    )
    assert valuation(pol) == Valuation(at_cost=0, at_price=2, unvalued=0)


# --- the KPI scorecard that cannot measure a KPI --------------------------------------------------


def test_a_kpi_scorecard_nothing_can_measure_is_not_a_grey_grid_in_any_format(
    priced: qbr.QbrData,
) -> None:
    section = qbr.story(priced, "scorecard")
    assert section.figure is None and section.table is None  # no wall of grey "n/a" cells
    (line,) = section.unmeasured
    assert "no KPI can be measured" in line
    for column in ("shipped_qty", "requested_date", "on_hand", "no forecasts yet"):
        assert column in line
    report = qbr.build_report(priced)
    pdf = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(render(report, "pdf"))).pages
    )
    assert "no KPI can be measured" in pdf
    deck = Presentation(io.BytesIO(render(report, "pptx")))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    assert any(line in t for t in texts)
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    rows = [[c.value for c in r] for r in book["Contents"].iter_rows()]
    assert ["Not measured", f"KPI scorecard: {line}", None, None] in rows
    assert "scorecard" in book.sheetnames  # the long table (targets, notes) stays


def test_on_the_demo_only_forecast_accuracy_leaves_the_kpi_grid(
    demo_workspace_template: Path,
) -> None:
    section = qbr.story(qbr.gather(Workspace(demo_workspace_template)), "scorecard")
    (line,) = section.unmeasured
    assert line.startswith("Left out of the scorecard") and "Forecast accuracy" in line
    assert section.figure is not None
    grid = section.figure.data[0]
    assert "Forecast accuracy" not in list(grid.x) and "Unit fill rate" in list(grid.x)
    assert section.table is not None and "Forecast accuracy" not in section.table.columns


def test_stock_without_cost_or_price_is_not_an_empty_ageing_chart_in_the_review(
    tmp_path: Path,
) -> None:
    ws = build_bare_workspace(tmp_path / "w.duckdb", tmp_path, skus=60, weeks=30)
    section = qbr.story(qbr.gather(Workspace(ws)), "health")
    assert section.figure is None
    (line,) = section.unmeasured
    assert "unit_cost" in line and "unit price" in line
    assert "value cannot be measured" in section.subtitle  # not "0.00 of 0.00 on hand"
    assert section.table is not None and list(section.table.columns) == [
        "segment",
        "skus",
        "skus_with_stock",
    ]


def test_stock_at_price_reads_so_in_the_reviews_health_story(tmp_path: Path) -> None:
    ws = build_priced_workspace(tmp_path / "w.duckdb", tmp_path, skus=60, weeks=30, stock=True)
    data = qbr.gather(Workspace(ws))
    section = qbr.story(data, "health")
    assert section.unmeasured == () and section.figure is not None
    assert section.figure.layout.yaxis.title.text == "Value on hand (at price)"
    assert any(
        n.startswith("Stock valued at price (no unit cost in the data)") for n in section.notes
    )
    # The balanced scorecard's stock: the same units x unit price as the health story's.
    balanced = data.balanced.set_index("segment")
    health_value = float(data.health_skus["value"].sum())
    assert balanced.loc[kpis.PORTFOLIO, "inventory_value"] == pytest.approx(health_value)
