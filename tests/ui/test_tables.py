"""ui/tables.show_table alone (AppTest.from_function): a long table is sent a page at a time,
with the whole table as a download whose formulas are escaped."""

from __future__ import annotations

import io

import pandas as pd
from streamlit.testing.v1 import AppTest

from segstudio.ui.tables import MAX_ROWS_SHOWN


def _app(rows: int) -> None:
    import pandas as pd

    from segstudio.ui.tables import show_table

    df = pd.DataFrame({"sku": [f"S{i}" for i in range(rows)], "n": range(rows)})
    df.loc[0, "sku"] = "=HYPERLINK(1)"
    show_table(df, "t.big", file_name="big.csv", signature=str(rows))


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
