"""Table cell text of the PDF and the slides (report.document.format_value, report.columns):
numbers and dates through segstudio.common.fmt by the column's kind, a missing value as a
blank cell, never a raw float."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segstudio.common import fmt
from segstudio.report.columns import KINDS, cell_text, column_kind, column_label
from segstudio.report.document import format_value, table_view


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (np.int64(1_234_567), "1,234,567"),
        (-0.0, "0"),
        (-1e-5, "0"),
        (0.00312, "0"),
        (371118.1095, "371,118.11"),
        (2.5, "2.5"),
        (float("inf"), "inf"),
        (-float("inf"), "-inf"),
        (np.float32("nan"), ""),
        (pd.NA, ""),
        (True, "True"),
        (np.datetime64("2024-01-02T03:04"), "2024-01-02 03:04"),
        (np.datetime64("NaT"), ""),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 0, 0), "2024-01-02"),
        (pd.Timestamp("2024-01-02 00:00:00"), "2024-01-02"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert format_value(value) == text


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("revenue_share", "share"),
        ("otif_rate", "share"),
        ("margin_pct", "share"),
        ("service_target", "share"),
        ("expected_csl", "share"),
        ("revenue", "money"),
        ("gross_margin", "money"),
        ("inventory_value", "money"),
        ("value_0_90", "money"),
        ("carrying_cost", "money"),
        ("spend", "money"),
        ("skus", "count"),
        ("skus_with_stock", "count"),
        ("lines", "count"),
        ("lead_time_mean_days", "days"),
        ("weeks_since_last_sale", "days"),
        ("gmroi", "ratio"),
        ("lead_time_cov", "ratio"),
        ("on_hand", "quantity"),
        ("excess_units", "quantity"),
        ("whatever", "number"),
    ],
)
def test_a_column_reads_by_its_name(column: str, kind: str) -> None:
    assert column_kind(column) == kind


def test_the_qbr_floats_of_the_issue_read_as_shares_and_money() -> None:
    table = pd.DataFrame(
        {
            "segment": ["AX", "CN"],
            "revenue": [9562027.754, -1.96],
            "revenue_share": [0.505, -1.04e-07],
            "lead_time_mean_days": [44.105, 9.555],
        }
    )
    view = table_view(table, 10, 10)
    assert view.header == ["segment", "revenue", "revenue share", "lead time mean days"]
    assert view.rows == [
        ["AX", "9,562,028", "50.5%", "44.1"],
        ["CN", "-1.96", "0.0%", "9.6"],
    ]


def test_a_long_table_reads_value_and_target_by_the_rows_unit() -> None:
    long = pd.DataFrame(
        {"unit": ["rate", "ratio", "days"], "value": [0.97, 4.162, 87.75], "target": [0.9, 4, 90]}
    )
    view = table_view(long, 10, 10)
    assert [r[1:] for r in view.rows] == [
        ["97.0%", "90.0%"],
        ["4.16", "4.00"],
        ["87.8", "90.0"],
    ]


def test_headings_are_words() -> None:
    assert column_label("value_at_risk_share") == "value at risk share"
    assert column_label("Unit fill rate") == "Unit fill rate"
    assert column_label("OTIF") == "OTIF"


_RAW = re.compile(r"e[-+]\d|\.\d{3,}")  # scientific notation, or more than 2 decimals


@given(
    st.floats(min_value=-1e12, max_value=1e12) | st.just(float("nan")),
    st.sampled_from(KINDS),
)
def test_no_kind_shows_a_raw_float(value: float, kind: str) -> None:
    text = cell_text(value, kind)
    assert not _RAW.search(text), (value, kind, text)
    if not np.isnan(value) and abs(value) >= 1000 and kind != "share":
        assert "," in text, (value, kind, text)
    if kind == "share":
        assert text == fmt.MISSING or text.endswith("%")
