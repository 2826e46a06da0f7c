"""Validation: rejects with their row, field, column, value and reason; warnings; dates and
numbers in the forms people export; unusable files; all-or-nothing loads; saved mappings."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

import segstudio.ingest.workspace as workspace_module
from segstudio import SourceFile, UnusableFileError, Workspace, suggest_mapping
from segstudio.ingest.schema import INVENTORY, PRODUCTS, RECEIPTS, SALES

D = dt.date


# --------------------------------------------------------------------------- helpers
def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def load(ws: Workspace, tmp_path: Path, mappings: dict | None = None, **texts: str | bytes):
    """Load files given as text (``sales="..."``) into ``ws``; return the reports."""
    files = {key: SourceFile(write(tmp_path, f"{key}.csv", text)) for key, text in texts.items()}
    _, reports = ws.load(files, mappings)
    return reports


def rows(ws: Workspace, sql: str) -> list[tuple]:
    with ws.connect() as con:
        return con.execute(sql).fetchall()


def rejects_list(report) -> list[list]:
    """Rejects as [row, field, column, value, reason] lists, with NaN/None as None."""
    df = report.rejects[["row", "field", "column", "value", "reason"]]
    return [
        [None if (isinstance(v, float) and v != v) else v for v in r] for r in df.values.tolist()
    ]


def assert_balanced(report) -> None:
    assert report.read == report.accepted + report.rejected


def snapshot(ws: Workspace) -> dict:
    """Everything a user could see of a workspace: data tables, history, rejects, mappings and
    the list of tables (so a leftover staging table shows too)."""
    out = {}
    for t in ("sales", "inventory", "receipts", "products", "load_rejects", "mappings"):
        out[t] = sorted(rows(ws, f"SELECT * FROM {t}"), key=repr)
    out["loads"] = sorted(rows(ws, "SELECT * EXCLUDE (loaded_at) FROM loads"), key=repr)
    out["loaded_at"] = sorted(rows(ws, "SELECT loaded_at FROM loads"), key=repr)
    out["tables"] = sorted(rows(ws, "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"))
    out["version"] = ws.version()
    return out


SALES_OK = "sku,date,quantity\nA,2010-12-01,3\nB,2010-12-02,4\n"
INVENTORY_OK = "sku,on_hand\nA,10\nB,0\n"


def seeded(tmp_path: Path) -> Workspace:
    """A workspace with sales and inventory already loaded (load 1)."""
    ws = Workspace(tmp_path / "w.duckdb")
    seed = tmp_path / "seed"
    seed.mkdir()
    load(ws, seed, sales=SALES_OK, inventory=INVENTORY_OK)
    return ws


# --------------------------------------------------------------------------- row rejects
def test_each_reject_has_row_field_column_value_reason(tmp_path):
    text = (
        "Item,Posting Date,Qty,Price\n"
        "A,2010-12-01,3,1.50\n"  # row 2: fine
        "B,not a date,4,1\n"  # row 3: unparseable date
        "C,2010-12-02,four,1\n"  # row 4: text in a number
        ",2010-12-02,5,1\n"  # row 5: missing SKU
        "   ,2010-12-02,5,1\n"  # row 6: a blank SKU is missing too
        "D,2010-12-03,,1\n"  # row 7: missing quantity
        "E,2010-12-03,2,abc\n"  # row 8: text in an optional number
        "F,,2,1\n"  # row 9: missing date
        "G,31/31/2010,x,1\n"  # row 10: two problems, one rejected row
        "H,2010-12-04,7,2\n"  # row 11: fine
    )
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (10, 2, 8)
        assert rejects_list(r) == [
            [3, "date", "Posting Date", "not a date", "unparseable date"],
            [4, "quantity", "Qty", "four", "text in a number"],
            [5, "sku", "Item", None, "missing SKU"],
            [6, "sku", "Item", None, "missing SKU"],
            [7, "quantity", "Qty", None, "missing quantity"],
            [8, "unit_price", "Price", "abc", "text in a number"],
            [9, "date", "Posting Date", None, "missing date"],
            [10, "date", "Posting Date", "31/31/2010", "unparseable date"],
            [10, "quantity", "Qty", "x", "text in a number"],
        ]
        assert rows(ws, "SELECT sku, date, quantity, unit_price FROM sales") == [
            ("A", D(2010, 12, 1), 3.0, 1.5),
            ("H", D(2010, 12, 4), 7.0, 2.0),
        ]
        # The history keeps the rejects of the load.
        (load_id,) = rows(ws, "SELECT max(load_id) FROM loads")[0]
        saved = ws.rejects(load_id, "sales")
        assert saved[["row", "field", "reason"]].values.tolist()[:2] == [
            [3, "date", "unparseable date"],
            [4, "quantity", "text in a number"],
        ]
        assert len(saved) == 9


def test_required_fields_of_other_tables(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        reports = load(
            ws,
            tmp_path,
            inventory="sku,on_hand,unit_cost\nA,5,1\nB,,2\n,3,1\nC,1O,1\n",
            suppliers=(
                "supplier,sku,order_date,receipt_date\nS1,A,2010-01-01,2010-01-09\n"
                "S1,A,2010-01-01,\n,A,2010-01-01,2010-01-05\n"
            ),
        )
        inv, rc = reports["inventory"], reports["suppliers"]
        assert (inv.read, inv.accepted, inv.rejected) == (4, 1, 3)
        assert rejects_list(inv) == [
            [3, "on_hand", "on_hand", None, "missing on hand"],
            [4, "sku", "sku", None, "missing SKU"],
            [5, "on_hand", "on_hand", "1O", "text in a number"],
        ]
        assert (rc.read, rc.accepted, rc.rejected) == (3, 1, 2)
        assert rejects_list(rc) == [
            [3, "receipt_date", "receipt_date", None, "missing receipt date"],
            [4, "supplier", "supplier", None, "missing supplier"],
        ]
        assert rows(ws, "SELECT supplier, sku, receipt_date - order_date FROM receipts") == [
            ("S1", "A", 8)
        ]


def test_nan_and_infinity_are_rejected(tmp_path):
    text = "sku,date,quantity\nA,2010-12-01,NaN\nB,2010-12-01,inf\nC,2010-12-01,-Infinity\nD,2010-12-01,1e3\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (4, 1, 3)
        assert [x[0:2] + x[3:] for x in rejects_list(r)] == [
            [2, "quantity", "NaN", "text in a number"],
            [3, "quantity", "inf", "text in a number"],
            [4, "quantity", "-Infinity", "text in a number"],
        ]
        assert rows(ws, "SELECT sku, quantity FROM sales") == [("D", 1000.0)]


# --------------------------------------------------------------------------- malformed records
def test_records_with_wrong_number_of_fields(tmp_path):
    text = (
        "sku,date,quantity\n"
        "A,2010-12-01,3\n"  # row 2
        "B,2010-12-01,3,9\n"  # row 3: one field too many
        "C,2010-12-01\n"  # row 4: one field missing
        "D,bad,5\n"  # row 5: unparseable date
        "E,2010-12-02,6\n"  # row 6
        "F,2010-12-02,7,8,9\n"  # row 7: too many
        "G,2010-12-03,x\n"  # row 8: text in a number
    )
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (7, 2, 5)
        got = rejects_list(r)
        assert [x[0] for x in got] == [3, 4, 5, 7, 8]
        assert got[0][:4] == [3, None, None, "B,2010-12-01,3,9"]
        assert "too many" in got[0][4]
        assert got[1][:4] == [4, None, None, "C,2010-12-01"]
        assert "missing" in got[1][4]
        assert got[2] == [5, "date", "date", "bad", "unparseable date"]
        assert got[3][0] == 7 and got[3][3] == "F,2010-12-02,7,8,9"
        assert got[4] == [8, "quantity", "quantity", "x", "text in a number"]
        assert rows(ws, "SELECT sku FROM sales") == [("A",), ("E",)]
        (load_id,) = rows(ws, "SELECT max(load_id) FROM loads")[0]
        assert sorted(ws.rejects(load_id, "sales")["row"].tolist()) == [3, 4, 5, 7, 8]
        assert rows(ws, "SELECT rows_read, rows_accepted, rows_rejected FROM loads") == [(7, 2, 5)]


def test_malformed_first_and_last_records(tmp_path):
    text = "sku,date,quantity\nA,2010-12-01,1,1\nB,2010-12-01,2\nC,2010-12-01,x\nD,2010-12-01\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (4, 1, 3)
        assert [x[0] for x in rejects_list(r)] == [2, 4, 5]
        assert rejects_list(r)[1] == [4, "quantity", "quantity", "x", "text in a number"]


def test_malformed_record_after_a_multiline_field(tmp_path):
    text = (
        'sku,date,quantity,customer\nA,2010-12-01,1,"two\nlines"\n'
        "B,2010-12-01,2,c,extra\nC,bad,3,c\n"
    )
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (3, 1, 2)
        assert [x[0] for x in rejects_list(r)] == [3, 4]


# --------------------------------------------------------------------------- warnings
def test_sales_warnings(tmp_path):
    text = (
        "sku,date,quantity,unit_price\n"
        "A,2010-12-01,3,2\n"
        "A,2010-12-01,-1,2\n"  # a return
        "B,2010-12-02,-2,2\n"  # a return
        "C,2010-12-02,1,0\n"  # zero price
        "C,2010-12-02,1,0\n"  # zero price, and an exact duplicate of the line above
        "C,2010-12-02,1,0\n"  # and another
        "D,bad,-5,0\n"  # rejected: its negative and zero price are not counted
    )
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (7, 6, 1)
        joined = "\n".join(r.warnings)
        assert len(r.warnings) == 3, joined
        assert any(w.startswith("2 negative quantities") for w in r.warnings), joined
        assert any(w.startswith("2 exact duplicate rows") for w in r.warnings), joined
        assert any(w.startswith("3 lines with a zero unit price") for w in r.warnings), joined
        # Warnings keep the rows.
        assert rows(ws, "SELECT count(*), sum(quantity) FROM sales") == [(6, 3.0)]
        assert json.loads(rows(ws, "SELECT warnings_json FROM loads")[0][0]) == r.warnings


def test_no_warnings_for_clean_file(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=SALES_OK)["sales"]
        assert r.warnings == []
        assert r.rejects.empty


def test_duplicates_differ_in_any_column(tmp_path):
    # Rows equal in the mapped fields but not in an unmapped column are not exact duplicates.
    text = "sku,date,quantity,note\nA,2010-12-01,1,x\nA,2010-12-01,1,y\nA,2010-12-01,1,x\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert [w for w in r.warnings if "duplicate" in w][0].startswith("1 exact duplicate")


def test_skus_that_never_sold(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        reports = load(
            ws,
            tmp_path,
            sales=SALES_OK,
            inventory="sku,on_hand\nA,1\nZ,2\nY,3\nY,4\n",
            suppliers=(
                "Vendor,StockCode,PO Date,Receipt Date\n"
                "V1,A,2010-01-01,2010-01-05\nV1,Q,2010-01-01,2010-01-05\n"
            ),
        )
        assert "2 SKUs that never sold (Y, Z)" in reports["inventory"].warnings
        assert "1 SKUs that never sold (Q)" in reports["suppliers"].warnings
        assert not any("never sold" in w for w in reports["sales"].warnings)


def test_never_sold_checked_against_the_loaded_sales(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        load(ws, tmp_path, sales=SALES_OK)
        (tmp_path / "second").mkdir()
        r = load(ws, tmp_path / "second", inventory="sku,on_hand\nA,1\nB,1\nX,1\n")["inventory"]
        assert "1 SKUs that never sold (X)" in r.warnings


def test_receipts_before_their_order(tmp_path):
    text = (
        "supplier,sku,order_date,receipt_date\nS,A,2010-01-10,2010-01-05\n"
        "S,A,2010-01-10,2010-01-15\n"
    )
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=SALES_OK, suppliers=text)["suppliers"]
        assert [w for w in r.warnings if "before their order" in w] == [
            "suppliers.csv, columns 'order_date' to 'receipt_date': 1 receipt dated before "
            "their order (negative lead time; e.g. ordered 2010-01-10, received 2010-01-05 "
            "(-5 days)); rows kept"
        ]
        assert (r.read, r.accepted) == (2, 2)


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            ["2010-12-01", "2010-12-13 08:26:00", "2011-01-31T23:59:59"],
            [D(2010, 12, 1), D(2010, 12, 13), D(2011, 1, 31)],
        ),
        (
            ["12/1/2010 8:26", "12/13/2010 18:26", "1/2/2011 7:00"],
            [D(2010, 12, 1), D(2010, 12, 13), D(2011, 1, 2)],
        ),
        (["2-Jun-06", "15-Jul-06", "31-Dec-06"], [D(2006, 6, 2), D(2006, 7, 15), D(2006, 12, 31)]),
        (["40513", "40514", "40543"], [D(2010, 12, 1), D(2010, 12, 2), D(2010, 12, 31)]),
        (["1998-01", "1998-02", "1998-12"], [D(1998, 1, 1), D(1998, 2, 1), D(1998, 12, 1)]),
        (
            ["13/12/2010", "1/2/2011", "31.01.2011"],
            [D(2010, 12, 13), D(2011, 2, 1), D(2011, 1, 31)],
        ),
        (["20101201", "20110102", "20111231"], [D(2010, 12, 1), D(2011, 1, 2), D(2011, 12, 31)]),
        (
            ["2 June 2006", "15 Jul 2006", "December 31, 2006"],
            [D(2006, 6, 2), D(2006, 7, 15), D(2006, 12, 31)],
        ),
    ],
    ids=["iso", "us", "named", "excel-serial", "month", "day-first", "compact", "long-names"],
)
def test_date_forms(tmp_path, values, expected):
    text = "sku,date,quantity\n" + "".join(f'S{i},"{v}",1\n' for i, v in enumerate(values))
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (3, 3, 0), rejects_list(r)
        assert [d for (d,) in rows(ws, "SELECT date FROM sales")] == expected


def test_us_dates_reported_and_ambiguous_ones_follow_the_column(tmp_path):
    # 12/13 can only be month-first, so 12/1 is the first of December, not the 12th of January.
    text = "sku,date,quantity\nA,12/1/2010,1\nB,12/13/2010,1\nC,13/13/2010,1\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert rows(ws, "SELECT sku, date FROM sales") == [
            ("A", D(2010, 12, 1)),
            ("B", D(2010, 12, 13)),
        ]
        assert rejects_list(r) == [[4, "date", "date", "13/13/2010", "unparseable date"]]


def test_day_first_column_is_noted(tmp_path):
    text = "sku,date,quantity\nA,1/12/2010,1\nB,13/12/2010,1\nC,25/12/2010,1\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert [d for (d,) in rows(ws, "SELECT date FROM sales")] == [
            D(2010, 12, 1),
            D(2010, 12, 13),
            D(2010, 12, 25),
        ]
        assert any("day/month" in n for n in r.notes)


def test_mixed_iso_and_serial_dates(tmp_path):
    text = "sku,date,quantity\nA,2010-12-01,1\nB,40514,1\nC,12345,1\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        # 12345 is outside the Excel serial range (1954..2119): not a date.
        assert rows(ws, "SELECT sku, date FROM sales") == [
            ("A", D(2010, 12, 1)),
            ("B", D(2010, 12, 2)),
        ]
        assert rejects_list(r) == [[4, "date", "date", "12345", "unparseable date"]]


def test_dates_out_of_years_1_to_9999_are_unparseable(tmp_path):
    # '0/1' fits %Y/%m as year 0 (1 BC): found by the property test, it stopped the load.
    text = "sku,date,quantity\nA,0/1,1\nB,2010-12-01,1\nC,10000-01-01,1\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (3, 1, 2)
        assert rejects_list(r) == [
            [2, "date", "date", "0/1", "unparseable date"],
            [4, "date", "date", "10000-01-01", "unparseable date"],
        ]
        assert rows(ws, "SELECT sku, date FROM sales") == [("B", D(2010, 12, 1))]


def test_times_are_dropped(tmp_path):
    text = "sku,date,quantity\nA,2010-12-01 23:59:59,1\nB,2010-12-02 00:00:01,1\n"
    with Workspace(tmp_path / "w.duckdb") as ws:
        load(ws, tmp_path, sales=text)
        assert rows(ws, "SELECT typeof(date), date FROM sales") == [
            ("DATE", D(2010, 12, 1)),
            ("DATE", D(2010, 12, 2)),
        ]


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3", 3.0),
        ("-2.5", -2.5),
        ("1,234.50", 1234.5),
        ("$1,200", 1200.0),
        ("€3.50", 3.5),
        ("1.234,50", 1234.5),
        ("(12.50)", -12.5),
        ("£7", 7.0),
        ("USD 5", 5.0),
        ("2,5", 2.5),
        ("1,234,567", 1234567.0),
        ("1.234.567,5", 1234567.5),
        (" 42 ", 42.0),
        ("1e3", 1000.0),
        ("($1,234.50)", -1234.5),
        ("1 234,50", 1234.5),
    ],
)
def test_number_forms(tmp_path, raw, value):
    text = f'sku,date,quantity,unit_price\nA,2010-12-01,"{raw}","{raw}"\n'
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (1, 1, 0), rejects_list(r)
        assert rows(ws, "SELECT quantity, unit_price FROM sales") == [(value, value)]


@pytest.mark.parametrize("raw", ["abc", "12abc", "1,2,3.4.5", "--3", "$", "()", "1.2.3"])
def test_not_numbers(tmp_path, raw):
    text = f'sku,date,quantity\nA,2010-12-01,"{raw}"\nB,2010-12-01,1\n'
    with Workspace(tmp_path / "w.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (2, 1, 1)
        assert rejects_list(r) == [[2, "quantity", "quantity", raw, "text in a number"]]


# --------------------------------------------------------------------------- unusable files
UNUSABLE = {
    "empty": b"",
    "blank-lines-only": b"\r\n\r\n  \n",
    "binary": bytes(range(256)) * 8,
    "random-bytes": os.urandom(4096) + b"\x00",
    "no-sku-column": b"foo,bar,baz\n1,2,3\n",
    "sku-but-no-quantity": b"sku,date\nA,2010-12-01\n",
    "truncated-gzip": b"\x1f\x8b\x08\x00" + b"\x01" * 30,
}


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_unusable_file_leaves_workspace_as_it_was(tmp_path, case):
    ws = seeded(tmp_path)
    with ws:
        before = snapshot(ws)
        bad = write(tmp_path, "bad_upload.csv", UNUSABLE[case])
        with pytest.raises(UnusableFileError, match="bad_upload.csv"):
            ws.load({"sales": SourceFile(bad)})
        assert snapshot(ws) == before
    with Workspace(tmp_path / "w.duckdb") as again:  # and on disk
        assert snapshot(again) == before


def test_unusable_second_file_stages_nothing(tmp_path):
    ws = seeded(tmp_path)
    with ws:
        before = snapshot(ws)
        good = write(tmp_path, "new_sales.csv", "sku,date,quantity\nN,2011-01-01,1\n")
        bad = write(tmp_path, "inv.csv", b"")
        with pytest.raises(UnusableFileError, match="inv.csv"):
            ws.load({"sales": SourceFile(good), "inventory": SourceFile(bad)})
        assert snapshot(ws) == before
        assert rows(ws, "SELECT sku FROM sales ORDER BY sku") == [("A",), ("B",)]


def test_missing_required_mapping_is_unusable(tmp_path):
    ws = seeded(tmp_path)
    with ws:
        before = snapshot(ws)
        p = write(tmp_path, "odd.csv", "Code,When,HowMany\nA,2010-12-01,1\n")
        with pytest.raises(UnusableFileError, match="odd.csv.*date"):
            ws.load({"sales": SourceFile(p)}, {"sales": {"sku": "Code", "quantity": "HowMany"}})
        with pytest.raises(UnusableFileError, match="odd.csv.*'Nope'"):
            ws.load(
                {"sales": SourceFile(p)},
                {"sales": {"sku": "Nope", "date": "When", "quantity": "HowMany"}},
            )
        with pytest.raises(UnusableFileError, match="odd.csv.*unknown field"):
            ws.load(
                {"sales": SourceFile(p)},
                {"sales": {"sku": "Code", "date": "When", "quantity": "HowMany", "x": "Code"}},
            )
        assert snapshot(ws) == before


def test_missing_file_is_unusable(tmp_path):
    ws = seeded(tmp_path)
    with ws:
        before = snapshot(ws)
        with pytest.raises(UnusableFileError, match="nowhere.csv"):
            ws.load({"sales": SourceFile(tmp_path / "nowhere.csv")})
        assert snapshot(ws) == before


# --------------------------------------------------------------------------- all or nothing
def test_commit_failing_midway_rolls_back(tmp_path, monkeypatch):
    ws = seeded(tmp_path)
    with ws:
        before = snapshot(ws)
        new_sales = write(tmp_path, "s2.csv", "sku,date,quantity\nN,2011-01-01,1\nM,x,1\n")
        new_inv = write(tmp_path, "i2.csv", "sku,on_hand\nN,7\n")
        staging = ws.stage({"sales": SourceFile(new_sales), "inventory": SourceFile(new_inv)})
        assert staging.reports["sales"].accepted == 1

        real = workspace_module.layout_key
        calls = []

        def failing_layout_key(key, columns):
            # Called once per file inside _commit_file, after that file's table was swapped in.
            calls.append(key)
            if len(calls) == 2:
                raise OSError("disk full")
            return real(key, columns)

        monkeypatch.setattr(workspace_module, "layout_key", failing_layout_key)
        with pytest.raises(OSError, match="disk full"):
            ws.commit(staging)
        assert calls == ["sales", "inventory"]
        monkeypatch.undo()
        assert snapshot(ws) == before
        # The workspace still works: the same files load afterwards.
        _, reports = ws.load({"sales": SourceFile(new_sales), "inventory": SourceFile(new_inv)})
        assert rows(ws, "SELECT sku FROM sales") == [("N",)]
        assert rows(ws, "SELECT sku, on_hand FROM inventory") == [("N", 7.0)]
    with Workspace(tmp_path / "w.duckdb") as again:
        assert rows(again, "SELECT sku FROM sales") == [("N",)]


def test_discarded_staging_changes_nothing(tmp_path):
    ws = seeded(tmp_path)
    with ws:
        before = snapshot(ws)
        p = write(tmp_path, "s2.csv", "sku,date,quantity\nN,2011-01-01,1\n")
        staging = ws.stage({"sales": SourceFile(p)})
        ws.discard(staging)
        assert snapshot(ws) == before


def test_loading_only_inventory_keeps_sales(tmp_path):
    ws = seeded(tmp_path)
    with ws:
        sales_before = rows(ws, "SELECT * FROM sales")
        p = write(tmp_path, "inv2.csv", "sku,on_hand\nA,99\n")
        _, reports = ws.load({"inventory": SourceFile(p)})
        assert rows(ws, "SELECT * FROM sales") == sales_before
        assert rows(ws, "SELECT sku, on_hand FROM inventory") == [("A", 99.0)]
        assert ws.table_counts() == {"sales": 2, "inventory": 1, "suppliers": 0, "products": 0}
        latest = ws.latest_loads().set_index("file_key")
        assert latest.loc["sales", "load_id"] == 1 and latest.loc["inventory", "load_id"] == 2
        assert reports["inventory"].warnings == []  # A sold in the earlier sales


# --------------------------------------------------------------------------- mappings
def test_saved_mapping_is_offered_again(tmp_path):
    text = "Ref,When,HowMany,Money\nA,2010-12-01,1,5\n"
    mapping = {"sku": "Ref", "date": "When", "quantity": "HowMany", "revenue": "Money"}
    with Workspace(tmp_path / "w.duckdb") as ws:
        columns = ["Ref", "When", "HowMany", "Money"]
        suggested, origin = ws.mapping_for("sales", columns)
        assert origin == "suggested"
        assert "sku" not in suggested
        load(ws, tmp_path, {"sales": mapping}, sales=text)
        assert ws.mapping_for("sales", columns) == (mapping, "saved")
        # Same layout: header case, spacing and order do not matter.
        assert ws.mapping_for("sales", ["money", "HOWMANY", "when", "ref"])[1] == "saved"
        # ... and the mapping offered names the columns as this file spells them.
        assert ws.mapping_for("sales", ["money", "HOW_MANY", "when", "ref"])[0] == {
            "sku": "ref",
            "date": "when",
            "quantity": "HOW_MANY",
            "revenue": "money",
        }
        # A different layout is a suggestion, and the mapping is per file kind.
        assert ws.mapping_for("sales", columns + ["Extra"])[1] == "suggested"
        assert ws.mapping_for("inventory", columns)[1] == "suggested"
        # A later file with the same layout loads without giving the mapping again.
        (tmp_path / "again").mkdir()
        r = load(ws, tmp_path / "again", sales="Ref,When,HowMany,Money\nB,2010-12-02,2,6\n")
        assert r["sales"].accepted == 1
        assert rows(ws, "SELECT sku, revenue FROM sales") == [("B", 6.0)]
        (tmp_path / "respelt").mkdir()
        r = load(ws, tmp_path / "respelt", sales="REF,when,How Many,money\nC,2010-12-03,3,7\n")
        assert rows(ws, "SELECT sku, date, quantity, revenue FROM sales") == [
            ("C", D(2010, 12, 3), 3.0, 7.0)
        ]


@pytest.mark.parametrize(
    ("table", "columns", "expected"),
    [
        (
            SALES,
            [
                "StockCode",
                "InvoiceDate",
                "Quantity",
                "UnitPrice",
                "CustomerID",
                "InvoiceNo",
                "Country",
                "Description",
            ],
            {
                "sku": "StockCode",
                "date": "InvoiceDate",
                "quantity": "Quantity",
                "unit_price": "UnitPrice",
                "customer": "CustomerID",
                "order_id": "InvoiceNo",
                "location": "Country",
            },
        ),
        (
            SALES,
            ["Item", "Order Date", "Qty"],
            {"sku": "Item", "date": "Order Date", "quantity": "Qty"},
        ),
        (
            SALES,
            ["Material", "Posting_Date", "units_sold"],
            {"sku": "Material", "date": "Posting_Date", "quantity": "units_sold"},
        ),
        (
            INVENTORY,
            ["Material", "Plant", "Unrestricted"],
            {"sku": "Material", "on_hand": "Unrestricted", "location": "Plant"},
        ),
        (
            RECEIPTS,
            ["Vendor", "Item", "PO Date", "GR Date", "PO Qty"],
            {
                "supplier": "Vendor",
                "sku": "Item",
                "order_date": "PO Date",
                "receipt_date": "GR Date",
                "ordered_qty": "PO Qty",
            },
        ),
        (
            PRODUCTS,
            ["Item Number", "Item Description", "Category", "Vendor"],
            {
                "sku": "Item Number",
                "description": "Item Description",
                "family": "Category",
                "supplier": "Vendor",
            },
        ),
    ],
)
def test_mapping_suggestions(table, columns, expected):
    assert suggest_mapping(table, columns) == expected


def test_exact_name_beats_synonym():
    # "quantity" is the field's own name; "sales" is only a synonym for it.
    assert suggest_mapping(SALES, ["sku", "date", "sales", "quantity"])["quantity"] == "quantity"


def test_a_duplicate_line_in_a_weekly_file_is_counted_once_and_kept(tmp_path) -> None:
    # One row per SKU and week, except one exact repeat: the per-SKU day bitmap must find it.
    lines = ["sku,date,quantity"]
    for sku in ("A", "B", "C"):
        lines += [f"{sku},2024-01-{day:02d},{day}" for day in (1, 8, 15, 22)]
    lines.append("B,2024-01-15,15")  # identical to an earlier row
    lines.append("C,2024-01-22,99")  # same SKU and week, other quantity: not a duplicate
    path = tmp_path / "weekly.csv"
    path.write_text("\n".join(lines) + "\n")
    ws = Workspace(tmp_path / "w.duckdb")
    _, reports = ws.load({"sales": SourceFile(path)})
    r = reports["sales"]
    assert (r.read, r.accepted, r.rejected) == (14, 14, 0)
    assert any(w.startswith("1 exact duplicate rows") for w in r.warnings)
    ws.close()


# --------------------------------------------------------------------------- typed fast path
def _long_sales(n: int, bad: dict[int, tuple[str, str, str]] | None = None) -> str:
    """A clean ISO-dated, plain-number sales file of ``n`` rows (so the sniffer types the
    columns), with ``bad`` rows (0-based data row -> (sku, date, quantity)) replaced late in it,
    beyond the rows the sniffer samples."""
    lines = ["sku,date,quantity,unit_price"]
    for i in range(n):
        sku, date, qty = (bad or {}).get(
            i, (f"S{i % 50:03d}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", str(1 + i % 9))
        )
        lines.append(f"{sku},{date},{qty},2.5")
    return "\n".join(lines) + "\n"


def _spy_parses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, str]]:
    """Record each parse attempt: (typed, "ok" or the exception's class name)."""
    import segstudio.ingest.validate as validate

    calls: list[tuple[bool, str]] = []
    real = validate._parse_file

    def spy(*args, check_typed: bool = False, **kwargs):
        try:
            out = real(*args, check_typed=check_typed, **kwargs)
        except Exception as exc:
            calls.append((check_typed, type(exc).__name__))
            raise
        calls.append((check_typed, "ok"))
        return out

    monkeypatch.setattr(validate, "_parse_file", spy)
    return calls


def test_a_late_bad_value_falls_back_to_exact_rejects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 30,000 rows: the sniffer sees numbers and ISO dates, so the typed read is tried first; the
    # text in row 28,002 and the impossible date in row 29,502 send the file down the exact
    # route, with spreadsheet row numbers (header = row 1).
    bad = {28_000: ("S001", "2024-03-03", "abc"), 29_500: ("S002", "2024-13-45", "4")}
    calls = _spy_parses(monkeypatch)
    with Workspace(tmp_path / "ws.duckdb") as ws:
        reports = load(ws, tmp_path, sales=_long_sales(30_000, bad))
        r = reports["sales"]
        assert_balanced(r)
        assert (r.read, r.rejected) == (30_000, 2)
        got = {(row[0], row[1]) for row in rejects_list(r)}
        assert got == {(28_002, "quantity"), (29_502, "date")}
        assert rows(ws, "SELECT count(*) FROM sales")[0][0] == 29_998
    assert calls[0] == (True, "_ReadAgain") and calls[-1] == (False, "ok")  # typed, then text


def test_a_clean_long_file_takes_the_typed_path_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _long_sales(25_000)
    calls = _spy_parses(monkeypatch)
    with Workspace(tmp_path / "ws.duckdb") as ws:
        r = load(ws, tmp_path, sales=text)["sales"]
        assert (r.read, r.accepted, r.rejected) == (25_000, 25_000, 0)
        stored = rows(
            ws, "SELECT sum(quantity), min(date), max(date), count(DISTINCT sku) FROM sales"
        )[0]
    want = sum(1 + i % 9 for i in range(25_000))
    assert stored == (want, dt.date(2024, 1, 1), dt.date(2024, 12, 28), 50)
    assert calls == [(True, "ok")]  # one typed pass
