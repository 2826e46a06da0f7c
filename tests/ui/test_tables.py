"""The page tables helper (ui/tables.py) and the reader of what a page shows (tests/ui/shown.py):
a raw frame reads wrong and is caught; the same frame through ``tables.show`` reads right."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from segstudio.ui import tables
from segstudio.ui.tables import MAX_ROWS_SHOWN
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
    assert cells.loc[0, "units"] == "2,762.4" and cells.loc[1, "units"] == "3"
    assert cells.loc[0, "first_sale"] == "2024-01-31" and cells.loc[1, "sku"] == ""
    # a complete column's numbers stay numbers underneath, so it still sorts by value; a column
    # with a missing cell goes as its text, as the browser draws "None" in a missing cell
    sent = at.dataframe[0].value
    assert sent["fill_rate"].dtype == float
    assert sent["inventory_value"].tolist() == ["371,118", "n/a"]


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


def _app(rows: int) -> None:
    import pandas as pd

    from segstudio.ui import tables

    df = pd.DataFrame({"sku": [f"S{i}" for i in range(rows)], "n": range(rows)})
    df.loc[0, "sku"] = "=HYPERLINK(1)"
    tables.show(df, "t.big", file_name="big.csv", signature=str(rows))


def _run(rows: int) -> AppTest:
    at = AppTest.from_function(_app, args=(rows,), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_long_table_shows_one_page_and_the_pager_reaches_the_last_rows() -> None:
    rows = 2 * MAX_ROWS_SHOWN + 7
    at = _run(rows)
    first = at.dataframe[0].value
    assert len(first) == MAX_ROWS_SHOWN
    assert first["n"].iloc[0] == 0
    pager = at.number_input(key="t.big.page")
    assert pager.max == 3
    pager.set_value(3).run()
    last = at.dataframe[0].value
    assert list(last["n"]) == list(range(2 * MAX_ROWS_SHOWN, rows))
    assert any(f"of {rows:,}" in c.value for c in at.caption)


def test_a_short_table_is_shown_whole_without_a_pager() -> None:
    at = _run(12)
    assert len(at.dataframe[0].value) == 12
    assert not at.number_input


def test_the_download_has_every_row_with_formulas_escaped() -> None:
    rows = MAX_ROWS_SHOWN + 1
    at = _run(rows)
    next(b for b in at.button if b.label.startswith("Prepare")).click().run()
    assert not at.exception
    prepared = at.session_state["t.big.csv.prepared"]
    table = pd.read_csv(io.BytesIO(prepared[1]), encoding="utf-8-sig")
    assert len(table) == rows
    assert table["sku"].iloc[0] == "'=HYPERLINK(1)"


def _marshalled(style) -> tuple[pd.DataFrame, str, str]:
    from streamlit import dataframe_util
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.Arrow_pb2 import Arrow

    proto = Arrow()
    marshall_styler(proto, style, "uuid")
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(proto.styler.display_values)
    return shown, proto.styler.styles, proto.styler.caption


_numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(min_value=-1e9, max_value=1e9),
)


@st.composite
def _frames(draw) -> tuple[pd.DataFrame, dict[str, str] | None]:
    n = draw(st.integers(0, 12))
    rows = st.lists(_numbers, min_size=n, max_size=n)
    frame = pd.DataFrame(
        {
            "sku": draw(
                st.lists(st.one_of(st.none(), st.text(max_size=6)), min_size=n, max_size=n)
            ),
            "revenue": draw(rows),
            "fill_rate": draw(rows),
            "lead_time_mean_days": draw(rows),
            "units": draw(rows),
            "skus": draw(st.lists(st.integers(-(10**9), 10**9), min_size=n, max_size=n)),
            "late": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "first_sale": pd.to_datetime(
                draw(
                    st.lists(
                        st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1))),
                        min_size=n,
                        max_size=n,
                    )
                )
            ),
        }
    )
    frame["first_sale"] = frame["first_sale"].astype("datetime64[ms]")
    if draw(st.booleans()):  # a long table: value and target read in each row's unit
        frame["unit"] = draw(
            st.lists(
                st.sampled_from(["rate", "ratio", "days", "units", None]), min_size=n, max_size=n
            )
        )
        frame["value"] = draw(rows)
        frame["target"] = draw(rows)
    if draw(st.booleans()):
        frame.index = pd.Index([f"seg{i}" for i in range(n)], name="segment")
    kinds = draw(st.sampled_from([None, {"revenue": "share2", "skus": "count"}]))
    return frame, kinds


@settings(max_examples=60, deadline=None)
@given(_frames())
def test_the_prerendered_table_reads_as_the_styled_one(case) -> None:
    frame, kinds = case
    fast, fast_css, fast_caption = _marshalled(tables._prerendered(frame, kinds))
    slow, slow_css, slow_caption = _marshalled(tables.styled(frame, kinds))
    pd.testing.assert_frame_equal(fast, slow)
    assert (fast_css, fast_caption) == (slow_css, slow_caption)
