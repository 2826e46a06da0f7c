"""The ``segstudio load`` command: JSON summary, exit codes, one-line errors, mapping files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from segstudio.cli import main

SALES = "sku,date,quantity\nA,2010-12-01,3\nB,not a date,4\nC,2010-12-02,-1\nC,2010-12-02,-1\n"
INVENTORY = "sku,on_hand\nA,5\nZ,1\n"
ODD_SALES = "StockCode;When;Units Shipped;Shop\n0055-S;2010-12-01;3;north\n85123a;40514;1,5;south\n"
MAPPING_TOML = (
    '# a mapping for an odd export\n[sales]\nsku = "StockCode"\ndate = "When"\n'
    'quantity = "Units Shipped"\nlocation = "Shop"\n'
)
CONSOLE_SCRIPT = Path(sys.executable).parent / "segstudio"


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def query(workspace: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def assert_one_line_error(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("segstudio load: "), err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, err)


# --------------------------------------------------------------------------- success
def test_load_json_summary(tmp_path, capsys):
    ws = tmp_path / "w.duckdb"
    sales, inv = write(tmp_path, "sales.csv", SALES), write(tmp_path, "inv.csv", INVENTORY)
    code, out, err = run(
        capsys, "load", "--workspace", ws, "--sales", sales, "--inventory", inv, "--json"
    )
    assert code == 0, err
    assert err == ""
    assert len(out.strip().splitlines()) == 1
    doc = json.loads(out)
    assert doc["load_id"] == 1
    assert doc["workspace"] == str(ws)
    assert set(doc["files"]) == {"sales", "inventory"}
    s, i = doc["files"]["sales"], doc["files"]["inventory"]
    assert (s["file"], s["read"], s["accepted"], s["rejected"]) == (str(sales), 4, 3, 1)
    assert len(s["warnings"]) == 2
    assert any(w.startswith("2 negative quantities") for w in s["warnings"])
    assert any(w.startswith("1 exact duplicate rows") for w in s["warnings"])
    assert (i["read"], i["accepted"], i["rejected"]) == (2, 2, 0)
    assert i["warnings"] == ["1 SKUs that never sold (Z)"]
    assert query(ws, "SELECT sku, quantity FROM sales") == [("A", 3.0), ("C", -1.0), ("C", -1.0)]
    assert query(ws, "SELECT count(*) FROM inventory") == [(2,)]


def test_load_text_report_and_rejects_file(tmp_path, capsys):
    ws = tmp_path / "w.duckdb"
    sales = write(tmp_path, "sales.csv", SALES)
    rejects = tmp_path / "rejects.csv"
    code, out, err = run(capsys, "load", "--workspace", ws, "--sales", sales, "--rejects", rejects)
    assert code == 0, err
    assert f"Sales lines ({sales}): read 4, accepted 3, rejected 1" in out
    assert "row 3, column 'date': unparseable date ('not a date')" in out
    assert f"Loaded into {ws} (load 1)." in out
    assert rejects.read_text(encoding="utf-8-sig").splitlines() == [
        "row,field,column,value,reason,file",
        f"3,date,date,not a date,unparseable date,{sales}",
    ]


def test_the_rejects_file_escapes_a_value_a_spreadsheet_would_run(tmp_path, capsys):
    ws = tmp_path / "w.duckdb"
    sales = write(tmp_path, "sales.csv", 'sku,date,quantity\nA,2010-12-01,3\nB,"=HYPERLINK(1)",4\n')
    rejects = tmp_path / "rejects.csv"
    code, _, err = run(capsys, "load", "--workspace", ws, "--sales", sales, "--rejects", rejects)
    assert code == 0, err
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("3,date,date,'=HYPERLINK(1),unparseable date"), lines


def test_second_load_keeps_other_tables(tmp_path, capsys):
    ws = tmp_path / "w.duckdb"
    assert (
        run(capsys, "load", "--workspace", ws, "--sales", write(tmp_path, "sales.csv", SALES))[0]
        == 0
    )
    code, out, _ = run(
        capsys,
        "load",
        "--workspace",
        ws,
        "--inventory",
        write(tmp_path, "inv.csv", INVENTORY),
        "--json",
    )
    assert code == 0
    assert json.loads(out)["load_id"] == 2
    assert query(ws, "SELECT count(*) FROM sales") == [(3,)]
    assert query(ws, "SELECT file_key, load_id FROM loads ORDER BY load_id") == [
        ("sales", 1),
        ("inventory", 2),
    ]


def test_mapping_file_maps_odd_headers(tmp_path, capsys):
    ws = tmp_path / "w.duckdb"
    sales = write(tmp_path, "export.csv", ODD_SALES)
    mapping = write(tmp_path, "map.toml", MAPPING_TOML)
    code, out, err = run(
        capsys, "load", "--workspace", ws, "--sales", sales, "--mapping", mapping, "--json"
    )
    assert code == 0, err
    s = json.loads(out)["files"]["sales"]
    assert (s["read"], s["accepted"], s["rejected"]) == (2, 2, 0)
    assert query(ws, "SELECT sku, date::VARCHAR, quantity, location FROM sales") == [
        ("0055-S", "2010-12-01", 3.0, "north"),
        ("85123a", "2010-12-02", 1.5, "south"),
    ]
    # Without the mapping file the same headers cannot be mapped... in a fresh workspace.
    code, _, err = run(capsys, "load", "--workspace", tmp_path / "fresh.duckdb", "--sales", sales)
    assert code == 2
    assert_one_line_error(err, "export.csv", "date")
    # ...but the workspace that saw the mapping offers it again.
    code, out, err = run(capsys, "load", "--workspace", ws, "--sales", sales, "--json")
    assert code == 0, err
    assert json.loads(out)["files"]["sales"]["accepted"] == 2


def test_xlsx_sheet_option(tmp_path, capsys):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active.append(["nothing here"])
    sheet = wb.create_sheet("Orders")
    sheet.append(["Material", "Order Date", "Qty"])
    sheet.append(["00123", 40513, 2])
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    ws = tmp_path / "w.duckdb"
    code, out, err = run(
        capsys, "load", "--workspace", ws, "--sales", path, "--sheet", "sales=Orders", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["files"]["sales"]["accepted"] == 1
    assert query(ws, "SELECT sku, date::VARCHAR, quantity FROM sales") == [
        ("00123", "2010-12-01", 2.0)
    ]


# --------------------------------------------------------------------------- errors
UNUSABLE = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "no-sku": b"foo,bar\n1,2\n",
}


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_unusable_file_exit_2(tmp_path, capsys, case):
    ws = tmp_path / "w.duckdb"
    assert (
        run(capsys, "load", "--workspace", ws, "--sales", write(tmp_path, "good.csv", SALES))[0]
        == 0
    )
    bad = write(tmp_path, f"{case}.csv", UNUSABLE[case])
    code, out, err = run(capsys, "load", "--workspace", ws, "--sales", bad, "--json")
    assert code == 2
    assert out == ""
    assert_one_line_error(err, f"{case}.csv")
    assert query(ws, "SELECT count(*) FROM sales") == [(3,)]
    assert query(ws, "SELECT count(*) FROM loads") == [(1,)]


def test_missing_file_exit_2(tmp_path, capsys):
    code, out, err = run(
        capsys, "load", "--workspace", tmp_path / "w.duckdb", "--sales", tmp_path / "nowhere.csv"
    )
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "nowhere.csv", "not found")


def test_nothing_to_load_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, "load", "--workspace", tmp_path / "w.duckdb")
    assert code == 2
    assert_one_line_error(err, "--sales")


BAD_MAPPINGS = {
    "not-toml": ('[sales\nsku = "StockCode"\n', "not a valid TOML"),
    "unknown-table": ('[orders]\nsku = "StockCode"\n', "unknown table [orders]"),
    "not-text": ("[sales]\nsku = 3\n", "must map field names"),
    "absent-column": (
        '[sales]\nsku = "Nope"\ndate = "When"\nquantity = "Units Shipped"\n',
        "'Nope'",
    ),
    "unknown-field": (MAPPING_TOML + 'colour = "Shop"\n', "unknown field(s) colour"),
    "required-missing": ('[sales]\nsku = "StockCode"\ndate = "When"\n', "quantity"),
    "latin-1-bytes": ('[sales]\nsku = "St\xf6ck"\n'.encode("latin-1"), "not a valid TOML"),
}


@pytest.mark.parametrize("case", list(BAD_MAPPINGS))
def test_bad_mapping_file_exit_2(tmp_path, capsys, case):
    text, needle = BAD_MAPPINGS[case]
    mapping = write(tmp_path, "map.toml", text)
    code, out, err = run(
        capsys,
        "load",
        "--workspace",
        tmp_path / "w.duckdb",
        "--sales",
        write(tmp_path, "export.csv", ODD_SALES),
        "--mapping",
        mapping,
    )
    assert code == 2
    assert out == ""
    assert_one_line_error(err, needle)


def test_missing_mapping_file_exit_2(tmp_path, capsys):
    code, _, err = run(
        capsys,
        "load",
        "--workspace",
        tmp_path / "w.duckdb",
        "--sales",
        write(tmp_path, "export.csv", ODD_SALES),
        "--mapping",
        tmp_path / "none.toml",
    )
    assert code == 2
    assert_one_line_error(err, "none.toml", "not found")


def test_bad_sheet_option_exit_2(tmp_path, capsys):
    code, _, err = run(
        capsys,
        "load",
        "--workspace",
        tmp_path / "w.duckdb",
        "--sales",
        write(tmp_path, "s.csv", SALES),
        "--sheet",
        "orders",
    )
    assert code == 2
    assert_one_line_error(err, "KEY=SHEET")


# --------------------------------------------------------------------------- console script
def test_console_script_entry_point(tmp_path):
    assert CONSOLE_SCRIPT.exists(), CONSOLE_SCRIPT
    ws = tmp_path / "w.duckdb"
    sales = write(tmp_path, "sales.csv", SALES)
    ok = subprocess.run(
        [str(CONSOLE_SCRIPT), "load", "--workspace", str(ws), "--sales", str(sales), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Traceback" not in ok.stderr
    assert json.loads(ok.stdout)["files"]["sales"]["rejected"] == 1

    bad = subprocess.run(
        [
            str(CONSOLE_SCRIPT),
            "load",
            "--workspace",
            str(ws),
            "--sales",
            str(write(tmp_path, "empty.csv", b"")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == [
        f"segstudio load: {tmp_path / 'empty.csv'}: the file is empty"
    ]
    assert bad.stdout == ""
