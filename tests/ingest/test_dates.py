"""Reading real files right (#11): two-digit years, day/month order, mixed formats in one
column, formats that start past the sampled rows, and the report saying which reading it took."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segstudio import Workspace
from segstudio.ingest import dates
from segstudio.ingest import sql as q
from tests.builders import load_texts

D = dt.date
TWO_DIGIT_FORMATS = [f for f in dates.FORMATS if f.two_digit_year]


def load_text(tmp_path: Path, **texts: str):
    return load_texts(tmp_path, **texts)


def column(ws: Workspace, sql: str) -> list:
    with ws.connect() as con:
        return [r[0] for r in con.execute(sql).fetchall()]


def read_like_the_loader(values: list[str]) -> list[dt.date | None]:
    """Detect a column's reading from its values and parse them, as a load does."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
        reading = dates.detect(con, q.column_head("t", "v"), "__sample")
        expr = q.parse_date_expr("v", "VARCHAR", reading.strptime, reading.serial)
        return [r[0] for r in con.execute(f"SELECT {expr} FROM t ORDER BY i").fetchall()]
    finally:
        con.close()


# --------------------------------------------------------------------------- two-digit years
@pytest.mark.parametrize("fmt", TWO_DIGIT_FORMATS, ids=lambda f: f.label)
def test_every_two_digit_year_pivots_as_python_strptime_does(fmt):
    # Day 13 and later tell a day from a month, so the column's order is the format's own.
    days = [D(2000 + (yy if yy < 69 else yy - 100), 1 + yy % 12, 13 + yy % 15) for yy in range(100)]
    texts = [d.strftime(fmt.strptime) for d in days]
    expected = [dt.datetime.strptime(t, fmt.strptime).date() for t in texts]
    assert read_like_the_loader(texts) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(TWO_DIGIT_FORMATS),
    days=st.lists(st.dates(D(1969, 1, 1), D(2068, 12, 31)), min_size=1, max_size=20),
)
def test_two_digit_years_read_as_percent_y_whatever_the_dates(fmt, days):
    # A day over 12 settles the order; without one the column is month-first (noted).
    texts = [d.strftime(fmt.strptime) for d in days]
    if fmt.order and not any(d.day > 12 for d in days):
        texts.append(D(2001, 2, 25).strftime(fmt.strptime))
    got = read_like_the_loader(texts)
    assert got == [dt.datetime.strptime(t, fmt.strptime).date() for t in texts]


def test_the_purchase_order_of_the_issue_gives_lead_times_in_days_not_millennia(tmp_path):
    text = "supplier,sku,order_date,receipt_date\nS,A,1/10/07,6/27/07\nS,B,6/27/07,7/3/07\n"
    ws, reports = load_text(tmp_path, sales="sku,date,quantity\nA,2007-01-10,1\n", suppliers=text)
    with ws:
        r = reports["suppliers"]
        assert (r.read, r.accepted, r.rejected) == (2, 2, 0)
        assert column(ws, "SELECT receipt_date - order_date FROM receipts ORDER BY sku") == [
            168,
            6,
        ]
        pivot = [n for n in r.notes if "two-digit years" in n]
        assert len(pivot) == 2  # both date columns say so
        assert "00-68 as 2000-2068, 69-99 as 1969-1999" in pivot[0]
        assert "'1/10/07' = 2007-01-10" in pivot[0]
        assert not [w for w in r.warnings if "lead time" in w]


def test_four_digit_years_are_not_cut_to_two(tmp_path):
    text = "sku,date,quantity\nA,1/10/2007,1\nB,6/27/1969,1\nC,2-Jun-2006,1\nD,27-Jun-68,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        assert reports["sales"].rejected == 0
        assert column(ws, "SELECT date FROM sales ORDER BY sku") == [
            D(2007, 1, 10),
            D(1969, 6, 27),
            D(2006, 6, 2),
            D(2068, 6, 27),
        ]


def test_a_short_iso_year_is_not_the_year_7(tmp_path):
    # DuckDB's reader and cast both take '07-25-10' as the year 7: the column's formats read it.
    text = "sku,date,quantity\nA,07-25-10,1\nB,01-02-10,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        assert reports["sales"].rejected == 0
        assert column(ws, "SELECT date FROM sales ORDER BY sku") == [D(2010, 7, 25), D(2010, 1, 2)]


# --------------------------------------------------------------------------- day and month
def test_day_first_column_decided_by_a_first_part_over_12(tmp_path):
    text = "sku,date,quantity\nA,27/6/07,1\nB,1/2/07,1\nC,3/4/07,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        assert column(ws, "SELECT date FROM sales ORDER BY sku") == [
            D(2007, 6, 27),
            D(2007, 2, 1),
            D(2007, 4, 3),
        ]
        note = [n for n in reports["sales"].notes if "read as day/month/year" in n]
        assert note and "'27/6/07'" in note[0] and "column 'date'" in note[0]


def test_month_first_column_decided_by_a_second_part_over_12(tmp_path):
    text = "sku,date,quantity\nA,6/27/07,1\nB,1/2/07,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        assert column(ws, "SELECT date FROM sales ORDER BY sku") == [D(2007, 6, 27), D(2007, 1, 2)]
        assert any("read as month/day/year" in n for n in reports["sales"].notes)


def test_a_column_no_value_decides_is_read_month_first_and_says_so(tmp_path):
    text = "sku,date,quantity\nA,1/2/07,1\nB,3/4/07,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        assert column(ws, "SELECT date FROM sales ORDER BY sku") == [D(2007, 1, 2), D(2007, 3, 4)]
        note = [n for n in reports["sales"].notes if "month/day/year" in n]
        assert note and "no value tells" in note[0]


def test_the_minority_order_is_rejected_and_named(tmp_path):
    text = "sku,date,quantity\nA,6/27/07,1\nB,6/28/07,1\nC,27/6/07,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        r = reports["sales"]
        assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
        assert r.rejects[["row", "value", "reason"]].values.tolist() == [
            [4, "27/6/07", "unparseable date"]
        ]
        note = [n for n in r.notes if "month/day/year" in n][0]
        assert "1 other value, such as '27/6/07', fit only day/month/year" in note


# --------------------------------------------------------------------------- mixed formats
def test_mixed_formats_in_one_column_each_read_by_the_one_that_fits(tmp_path):
    text = "sku,date,quantity\nA,2-Jun-06,1\nB,8/27/14,1\nC,15-Jul-06,1\nD,2014-08-28,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        r = reports["sales"]
        assert (r.accepted, r.rejected) == (4, 0)
        assert column(ws, "SELECT date FROM sales ORDER BY sku") == [
            D(2006, 6, 2),
            D(2014, 8, 27),
            D(2006, 7, 15),
            D(2014, 8, 28),
        ]
        mixed = [w for w in r.warnings if "mixes" in w]
        assert len(mixed) == 1, r.warnings
        assert mixed[0].startswith("sales.csv, column 'date' mixes 3 date formats")
        assert "d-Mon-yy (2 rows, e.g. '15-Jul-06' = 2006-07-15)" in mixed[0]
        assert "m/d/yy (1 row, e.g. '8/27/14' = 2014-08-27)" in mixed[0]
        assert "yyyy-mm-dd (1 row, e.g. '2014-08-28' = 2014-08-28)" in mixed[0]


def test_dates_with_and_without_times_are_one_format(tmp_path):
    text = "sku,date,quantity\nA,12/1/2010 8:26,1\nB,12/13/2010,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        assert not [w for w in reports["sales"].warnings if "mixes" in w]
        assert column(ws, "SELECT date FROM sales ORDER BY sku") == [
            D(2010, 12, 1),
            D(2010, 12, 13),
        ]


def test_a_format_that_starts_past_the_sampled_rows_is_read_too(tmp_path, monkeypatch):
    monkeypatch.setattr(q, "DATE_SAMPLE_ROWS", 3)
    lines = [f"A{i},2010-12-0{i + 1},1" for i in range(3)] + ["B,13.12.2010,1", "C,14.12.2010,1"]
    ws, reports = load_text(tmp_path, sales="sku,date,quantity\n" + "\n".join(lines) + "\n")
    with ws:
        r = reports["sales"]
        assert (r.read, r.accepted, r.rejected) == (5, 5, 0)
        assert column(ws, "SELECT date FROM sales WHERE sku >= 'B' ORDER BY sku") == [
            D(2010, 12, 13),
            D(2010, 12, 14),
        ]
        mixed = [w for w in r.warnings if "mixes" in w][0]
        assert "yyyy-mm-dd (3 rows" in mixed and "d.m.yyyy (2 rows" in mixed


def test_text_past_the_sample_that_no_format_reads_stays_a_reject(tmp_path, monkeypatch):
    monkeypatch.setattr(q, "DATE_SAMPLE_ROWS", 2)
    text = "sku,date,quantity\nA,2010-12-01,1\nB,2010-12-02,1\nC,soon,1\n"
    ws, reports = load_text(tmp_path, sales=text)
    with ws:
        r = reports["sales"]
        assert (r.read, r.accepted, r.rejected) == (3, 2, 1)
        assert r.rejects[["row", "value", "reason"]].values.tolist() == [
            [4, "soon", "unparseable date"]
        ]


def test_labels_read_as_people_write_formats():
    labels = {f.strptime: f.label for f in dates.FORMATS}
    assert labels["%m/%d/%y"] == "m/d/yy"
    assert labels["%d-%b-%y"] == "d-Mon-yy"
    assert labels["%Y-%m-%d %H:%M:%S"] == "yyyy-mm-dd hh:mm:ss"
    assert dates.DateFormat("%m/%d/%Y %H:%M").date_label == "m/d/yyyy"
