"""The page tables helper (ui/tables.py) and the reader of what a page shows (tests/ui/shown.py):
a raw frame reads wrong and is caught; the same frame through ``tables.show`` reads right."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from segstudio.ui import tables
from tests.ui.shown import problems, table_cells


def _raw_page() -> None:
    import pandas as pd
    import streamlit as st

    st.dataframe(
        pd.DataFrame({"inventory_value": [371118.1095, None], "fill_rate": [0.00312, 0.5]})
    )
    st.metric("Inventory", "1,019,234")
    st.caption("margin -0.0% on 2024-01-31 00:00:00")


def _formatted_page() -> None:
    import pandas as pd

    from segstudio.ui import tables

    frame = pd.DataFrame(
        {
            "sku": ["A", None],
            "inventory_value": [371118.1095, None],
            "fill_rate": [0.00312, 0.5],
            "lead_time_mean_days": [12.345, float("nan")],
            "units": [2762.360794, 3.0],
            "skus": [1, 2],
            "first_sale": pd.to_datetime(["2024-01-31", None]),
            "late": [True, False],
        }
    )
    tables.show(frame, "t")


def test_a_raw_frame_and_an_untruncated_metric_are_caught() -> None:
    at = AppTest.from_function(_raw_page).run()
    found = " ".join(problems(at))
    for what in ("raw float", "None", "-0.0%", "00:00:00", "does not fit a metric"):
        assert what in found, what


def test_the_same_frame_through_tables_show_reads_right() -> None:
    at = AppTest.from_function(_formatted_page).run()
    assert not at.exception
    assert problems(at) == []
    cells = table_cells(at.dataframe[0])
    assert cells.loc[0, "inventory_value"] == "371,118" and cells.loc[1, "inventory_value"] == "n/a"
    assert cells.loc[0, "fill_rate"] == "0.3%" and cells.loc[1, "fill_rate"] == "50.0%"
    assert cells.loc[0, "lead_time_mean_days"] == "12.3"
    assert cells.loc[0, "units"] == "2,762.36" and cells.loc[1, "units"] == "3"
    assert cells.loc[0, "first_sale"] == "2024-01-31" and cells.loc[1, "sku"] == ""
    # the numbers stay numbers underneath, so a column still sorts by value
    assert at.dataframe[0].value["inventory_value"].dtype == float


def test_column_kinds_follow_the_names() -> None:
    frame = pd.DataFrame(
        {
            "revenue": [1.0],
            "otif_rate": [0.5],
            "gmroi": [1.2],
            "lead_time_cov": [0.3],
            "days_late_mean": [2.0],
            "skus": [3],
            "share_with_this_cause": [0.2],
        }
    )
    kinds = {c: tables.column_kind(c, frame[c]) for c in frame.columns}
    assert kinds == {
        "revenue": "money",
        "otif_rate": "share",
        "gmroi": "ratio",
        "lead_time_cov": "ratio",
        "days_late_mean": "days",
        "skus": "count",
        "share_with_this_cause": "share",
    }
