"""Loads that cannot destroy: the history (``segstudio loads``), undo in order
(``segstudio undo``), clearing on purpose (``segstudio clear``), the demo kept apart from a
user's data, and the warning when the loaded tables barely share SKUs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segstudio.cli import main
from segstudio.ingest.overlap import MIN_SKU_OVERLAP
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import UNDO_KEEP_ENV, UndoError, Workspace, own_workspace_path

SALES_1 = "sku,date,quantity\nA,2024-01-01,3\nB,2024-01-02,4\nB,2024-01-09,1\n"
SALES_2 = "sku,date,quantity,unit_price\nC,2024-02-01,7,2.5\n"
INVENTORY = "sku,on_hand\nA,5\nB,1\n"
FOREIGN_INVENTORY = "sku,on_hand\nX1,5\nX2,1\nX3,8\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rows(workspace: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def sales(workspace: Path) -> list[tuple]:
    return rows(workspace, "SELECT sku, date, quantity, unit_price FROM sales ORDER BY ALL")


def history(workspace: Path) -> list[tuple]:
    return rows(workspace, "SELECT sku, first_sale, last_sale FROM sales_history ORDER BY sku")


def one_line_error(err: str, command: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"segstudio {command}: "), err
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- empty files
def test_a_header_only_file_exits_2_and_leaves_the_table_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "w.duckdb"
    assert (
        run(capsys, "load", "--workspace", ws, "--sales", write(tmp_path, "s.csv", SALES_1))[0] == 0
    )
    before, before_history = sales(ws), history(ws)
    header_only = write(tmp_path, "orders.csv", "sku,date,quantity\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "segstudio.cli",
            "load",
            "--workspace",
            str(ws),
            "--sales",
            str(header_only),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    line = one_line_error(proc.stderr, "load")
    assert "orders.csv" in line and "no row was accepted" in line and "sales lines" in line
    assert sales(ws) == before and history(ws) == before_history
    assert rows(ws, "SELECT count(DISTINCT load_id) FROM loads") == [(1,)]


# --------------------------------------------------------------------------- the history
def test_loads_lists_id_when_who_files_and_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "w.duckdb"
    s1, inv = write(tmp_path, "s1.csv", SALES_1), write(tmp_path, "inv.csv", INVENTORY)
    run(capsys, "load", "--workspace", ws, "--sales", s1, "--inventory", inv, "--user", "ann")
    run(capsys, "clear", "--workspace", ws, "--table", "inventory", "--user", "bob")
    code, out, err = run(capsys, "loads", "--workspace", ws)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split("\t") == ["load", "when", "who", "action", "files", "rows", "note"]
    clear, load = (line.split("\t") for line in lines[1:])
    assert (clear[0], clear[2], clear[3], clear[5]) == ("2", "bob", "clear", "0")
    assert (load[0], load[2], load[3]) == ("1", "ann", "load")
    assert load[4] == f"inventory: {inv}; sales: {s1}" and load[5] == "5"  # 3 sales + 2 stock
    code, out, _ = run(capsys, "loads", "--workspace", ws, "--json")
    doc = json.loads(out)
    assert [e["load"] for e in doc["loads"]] == [2, 1]
    assert set(doc["loads"][0]) == {
        "load",
        "when",
        "who",
        "action",
        "files",
        "rows",
        "undoes",
        "undone_by",
    }


def test_who_defaults_to_the_login_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import getpass

    ws = tmp_path / "w.duckdb"
    run(capsys, "load", "--workspace", ws, "--sales", write(tmp_path, "s.csv", SALES_1))
    assert rows(ws, "SELECT who FROM loads") == [(getpass.getuser(),)]


# --------------------------------------------------------------------------- undo
def test_undo_restores_exactly_the_rows_before_the_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "w.duckdb"
    s1, s2 = write(tmp_path, "s1.csv", SALES_1), write(tmp_path, "s2.csv", SALES_2)
    inv = write(tmp_path, "inv.csv", INVENTORY)
    run(capsys, "load", "--workspace", ws, "--sales", s1)
    first, first_history = sales(ws), history(ws)
    run(capsys, "load", "--workspace", ws, "--sales", s2, "--inventory", inv)
    assert len(sales(ws)) == 1 and rows(ws, "SELECT count(*) FROM inventory") == [(2,)]

    code, out, err = run(capsys, "undo", "--workspace", ws, "--load", 2, "--user", "cy")
    assert code == 0, err
    assert out.strip() == "Undid load 2 (load 3): inventory snapshot 0 rows, sales lines 3 rows."
    assert sales(ws) == first and history(ws) == first_history
    assert rows(ws, "SELECT count(*) FROM inventory") == [(0,)]
    # unit_price was not in load 1's file: it reads as missing again, as before load 2.
    assert all(r[3] is None for r in sales(ws))
    # The undo is an entry of its own; load 2 is marked undone by it.
    assert rows(ws, "SELECT DISTINCT who, action, undoes FROM loads WHERE load_id = 3") == [
        ("cy", "undo", 2)
    ]
    assert rows(ws, "SELECT DISTINCT undone_by FROM loads WHERE load_id = 2") == [(3,)]
    with Workspace(ws) as w:
        assert w.latest_loads()["load_id"].tolist() == [1]  # sales from load 1 again


def test_undo_goes_in_order_and_names_the_later_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "w.duckdb"
    run(capsys, "load", "--workspace", ws, "--sales", write(tmp_path, "s1.csv", SALES_1))
    run(capsys, "load", "--workspace", ws, "--sales", write(tmp_path, "s2.csv", SALES_2))
    second = sales(ws)
    code, _, err = run(capsys, "undo", "--workspace", ws, "--load", 1)
    assert code == 2
    line = one_line_error(err, "undo")
    assert "load 2 replaced the sales lines after load 1" in line and "undo load 2 first" in line
    assert sales(ws) == second
    assert run(capsys, "undo", "--workspace", ws, "--load", 2)[0] == 0
    assert run(capsys, "undo", "--workspace", ws, "--load", 1)[0] == 0
    assert sales(ws) == [] and history(ws) == []
    for load, needle in ((1, "already undone (by load 4)"), (4, "is an undo"), (9, "no load 9")):
        code, _, err = run(capsys, "undo", "--workspace", ws, "--load", load)
        assert code == 2 and needle in one_line_error(err, "undo")


def test_a_clear_is_recorded_and_undone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "w.duckdb"
    run(
        capsys,
        "load",
        "--workspace",
        ws,
        "--sales",
        write(tmp_path, "s1.csv", SALES_1),
        "--inventory",
        write(tmp_path, "inv.csv", INVENTORY),
    )
    before, before_history = sales(ws), history(ws)
    code, out, err = run(capsys, "clear", "--workspace", ws, "--table", "sales")
    assert code == 0, err
    assert "Cleared the sales lines (load 2)" in out and "--load 2" in out
    assert sales(ws) == [] and history(ws) == []
    assert rows(ws, "SELECT count(*) FROM inventory") == [(2,)]  # only the table asked for
    code, _, err = run(capsys, "clear", "--workspace", ws, "--table", "sales")
    assert code == 2 and "already empty" in one_line_error(err, "clear")
    assert run(capsys, "undo", "--workspace", ws, "--load", 2)[0] == 0
    assert sales(ws) == before and history(ws) == before_history


def test_only_the_last_loads_keep_their_earlier_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(UNDO_KEEP_ENV, "2")
    ws = tmp_path / "w.duckdb"
    for i in range(4):
        text = "sku,date,quantity\n" + "".join(f"S{j},2024-01-0{j + 1},1\n" for j in range(i + 1))
        assert (
            run(capsys, "load", "--workspace", ws, "--sales", write(tmp_path, f"{i}.csv", text))[0]
            == 0
        )
    kept = rows(
        ws,
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, '__before') ORDER BY 1",
    )
    assert kept == [
        ("__before3_sales",),
        ("__before3_sales_history",),
        ("__before4_sales",),
        ("__before4_sales_history",),
    ]
    assert run(capsys, "undo", "--workspace", ws, "--load", 4)[0] == 0
    assert rows(ws, "SELECT count(*) FROM sales") == [(3,)]
    assert run(capsys, "undo", "--workspace", ws, "--load", 3)[0] == 0
    assert rows(ws, "SELECT count(*) FROM sales") == [(2,)]
    code, _, err = run(capsys, "undo", "--workspace", ws, "--load", 2)
    line = one_line_error(err, "undo")
    assert code == 2 and "can no longer be undone" in line and UNDO_KEEP_ENV in line
    assert rows(ws, "SELECT count(*) FROM sales") == [(2,)]


_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("load"), st.sampled_from(["sales", "inventory"]), st.integers(1, 4)),
        st.tuples(st.just("clear"), st.sampled_from(["sales", "inventory"]), st.just(0)),
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_OPS)
def test_undoing_every_entry_latest_first_walks_back_through_each_state(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, str, int]]
) -> None:
    folder = tmp_path_factory.mktemp("undo")
    ws = Workspace(folder / "w.duckdb", undo_keep=10)

    def state() -> tuple:
        with ws.connect() as con:
            return tuple(
                con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("sales", "inventory", "sales_history")
            )

    states, entries = [state()], []
    for i, (op, key, n) in enumerate(ops):
        if op == "load":
            text = (
                "sku,date,quantity\n"
                + "".join(f"K{i}{j},2024-03-0{j + 1},{j + 1}\n" for j in range(n))
                if key == "sales"
                else "sku,on_hand\n" + "".join(f"K{i}{j},{j}\n" for j in range(n))
            )
            entry, _ = ws.load({key: SourceFile(write(folder, f"{i}.csv", text))})
        else:
            try:
                entry = ws.clear([key])
            except UndoError:  # already empty: nothing recorded
                continue
        entries.append(entry)
        states.append(state())
    for entry in reversed(entries):
        ws.undo(entry)
        states.pop()
        assert state() == states[-1]
    assert state() == states[0]


# --------------------------------------------------------------------------- the demo apart
@pytest.fixture()
def demo(demo_workspace: Path) -> Path:
    return demo_workspace


def test_a_load_into_the_demo_is_refused_naming_what_would_mix(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rows(demo, "SELECT count(*) FROM sales")
    mine = write(tmp_path, "mine.csv", SALES_1)
    code, _, err = run(capsys, "load", "--workspace", demo, "--sales", mine)
    line = one_line_error(err, "load")
    assert code == 2 and "is the demo workspace" in line
    assert "inventory snapshot, supplier receipts, product master" in line
    assert str(own_workspace_path(demo)) in line and "--into-demo" in line
    assert rows(demo, "SELECT count(*) FROM sales") == before
    # On purpose, it mixes.
    assert run(capsys, "load", "--workspace", demo, "--sales", mine, "--into-demo")[0] == 0
    assert rows(demo, "SELECT count(*) FROM sales") == [(3,)]


def test_a_load_that_replaces_every_demo_table_is_not_a_mix(
    demo: Path, demo_workspace_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = demo_workspace_template.parent / "files"
    args = [
        f"--{k}={p}"
        for k in ("sales", "inventory", "suppliers", "products")
        for p in files.glob(f"{k}.*")
    ]
    assert len(args) == 4
    code, _, err = run(capsys, "load", "--workspace", demo, *args)
    assert code == 0, err


def test_the_demo_builder_marks_the_demo(demo: Path, tmp_path: Path) -> None:
    assert Workspace(demo).is_demo()
    assert not Workspace(tmp_path / "mine.duckdb").is_demo()
    assert Workspace(tmp_path / "mine.duckdb").demo_leftovers(["sales"]) == []


# --------------------------------------------------------------------------- SKU overlap
def test_a_load_whose_tables_barely_share_skus_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "w.duckdb"
    s1 = write(tmp_path, "s.csv", SALES_1)
    code, out, _ = run(
        capsys,
        "load",
        "--workspace",
        ws,
        "--sales",
        s1,
        "--inventory",
        write(tmp_path, "inv.csv", FOREIGN_INVENTORY),
        "--json",
    )
    assert code == 0
    (warning,) = json.loads(out)["overlap_warnings"]
    assert warning.startswith("0 of 2 sales SKUs are in the inventory snapshot")
    code, out, _ = run(
        capsys, "load", "--workspace", ws, "--inventory", write(tmp_path, "i2.csv", INVENTORY)
    )
    assert "sales SKUs are in" not in out
    assert Workspace(ws).overlap_warnings() == []


def test_the_overlap_threshold_is_one_share_of_the_sales_skus(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "w.duckdb")
    n = 10
    sales_text = "sku,date,quantity\n" + "".join(f"S{i},2024-01-01,1\n" for i in range(n))
    ws.load({"sales": SourceFile(write(tmp_path, "s.csv", sales_text))})
    for found in range(n + 1):
        text = "sku,on_hand\n" + "".join(f"S{i},1\n" for i in range(found)) + "OTHER,1\n"
        ws.load({"inventory": SourceFile(write(tmp_path, f"i{found}.csv", text))})
        (overlap,) = ws.sku_overlap()
        assert (overlap.file_key, overlap.sales_skus, overlap.found) == ("inventory", n, found)
        assert bool(ws.overlap_warnings()) == (found / n < MIN_SKU_OVERLAP)


def test_the_overlap_is_stored_at_the_load_and_never_read_stale(tmp_path: Path) -> None:
    from segstudio.ingest.overlap import read_overlap
    from segstudio.ingest.store import stored_table
    from segstudio.perform.after_load import store_for_commands

    path = tmp_path / "w.duckdb"
    ws = Workspace(path)
    ws.load(
        {
            "sales": SourceFile(write(tmp_path, "s.csv", SALES_1)),
            "inventory": SourceFile(write(tmp_path, "i.csv", FOREIGN_INVENTORY)),
        }
    )
    store_for_commands(ws)
    assert rows(path, f"SELECT * FROM {stored_table('sku_overlap')}") == [(2, 0)]
    with ws.connect() as con:
        assert [(o.file_key, o.sales_skus, o.found) for o in read_overlap(con)] == [
            ("inventory", 2, 0)
        ]
    # a load the store did not follow: the stored overlap is of older data, so it is not read
    ws.load({"inventory": SourceFile(write(tmp_path, "i2.csv", INVENTORY))})
    with ws.connect() as con:
        assert [(o.file_key, o.sales_skus, o.found) for o in read_overlap(con)] == [
            ("inventory", 2, 2)
        ]
