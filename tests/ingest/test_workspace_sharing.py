"""One workspace file, many users: threads of the app read at once, and another process (a
scheduled ``segstudio`` job) gets the file between the app's operations, waits while it is
held, and gives up with one clear line when it stays held."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from segstudio.cli import main
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace, WorkspaceBusyError
from tests.builders import MON, write_sales

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    Workspace(path).load({"sales": SourceFile(write_sales(tmp_path / "s.csv", {"A": 5, "B": 2}))})
    return path


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    """Another process that holds the file for ``seconds``, started once it holds it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_many_threads_open_read_and_close_at_once(workspace: Path) -> None:
    ws = Workspace(workspace)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(40):
                assert ws.table_counts()["sales"] == 20
                assert len(ws.query_df("SELECT DISTINCT sku FROM sales")) == 2
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]


def test_nothing_holds_the_file_between_operations(workspace: Path) -> None:
    ws = Workspace(workspace, busy_seconds=0)
    ws.table_counts()
    ws.version()
    # Another process can open it right away: the app's object holds no connection.
    _hold(workspace, 0).wait(timeout=30)


def test_a_block_of_reads_opens_the_file_once_and_closes_it_after(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(workspace, busy_seconds=0)
    opened: list[int] = []
    real_open = Workspace._open

    def counted(self: Workspace):  # type: ignore[no-untyped-def]
        opened.append(threading.get_ident())
        return real_open(self)

    monkeypatch.setattr(Workspace, "_open", counted)
    with ws.reading():
        assert ws.table_counts()["sales"] == 20
        assert len(ws.latest_loads()) == 1
        with ws.reading():  # a block inside a block is the same block
            assert ws.version() == 1
        seen: list[int] = []
        other = threading.Thread(target=lambda: seen.append(len(ws.latest_loads())))
        other.start()
        other.join()  # another thread reads on a connection of its own
    assert len(opened) == 2 and opened[0] != opened[1] and seen == [1]
    _hold(workspace, 0).wait(timeout=30)  # closed when the block ended: another process opens it
    with ws.reading():  # remembered reads need no connection at all
        ws.table_counts()
    assert len(opened) == 2


def test_a_reader_waits_while_another_process_holds_the_file(workspace: Path) -> None:
    ws = Workspace(workspace, busy_seconds=20)
    proc = _hold(workspace, 1.5)
    start = time.monotonic()
    assert ws.table_counts()["sales"] == 20
    assert time.monotonic() - start >= 1.0  # it waited for the other process
    proc.wait(timeout=30)


def test_a_file_held_too_long_is_one_clear_error(workspace: Path) -> None:
    ws = Workspace(workspace, busy_seconds=0.5)
    proc = _hold(workspace, 20)
    try:
        with pytest.raises(WorkspaceBusyError, match="busy: another program .*waited 0.5 s"):
            ws.table_counts()
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_a_command_on_a_busy_workspace_exits_2_with_one_line(
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SEGSTUDIO_BUSY_SECONDS", "0.5")
    proc = _hold(workspace, 20)
    try:
        code = main(["classify", "--workspace", str(workspace), "--out", str(tmp_path / "c.csv")])
    finally:
        proc.kill()
        proc.wait(timeout=30)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "busy" in err and "Traceback" not in err


def test_a_command_waits_its_turn_then_writes(workspace: Path, tmp_path: Path) -> None:
    proc = _hold(workspace, 1.5)
    more = tmp_path / "more.csv"
    more.write_text(
        "sku,date,quantity,unit_price\n" + "".join(f"C,{MON},{i + 1},3\n" for i in range(3)),
        encoding="utf-8",
    )
    code = main(["load", "--workspace", str(workspace), "--sales", str(more)])
    proc.wait(timeout=30)
    assert code == 0
    assert Workspace(workspace).table_counts()["sales"] == 3


def test_a_write_by_another_process_is_seen_on_the_next_read(
    workspace: Path, tmp_path: Path
) -> None:
    ws = Workspace(workspace)  # as the app keeps it: one object, no open connection
    before = ws.version()
    more = tmp_path / "more.csv"
    more.write_text(f"sku,date,quantity\nZ,{MON},1\n", encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "segstudio.cli",
            "load",
            "--workspace",
            str(workspace),
            "--sales",
            str(more),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert ws.version() > before
    assert ws.table_counts()["sales"] == 1


# --------------------------------------------------------------------------- loads that cannot destroy
@pytest.mark.parametrize(
    "body",
    ["", "sku,date,quantity\nA,not a date,1\nB,,2\n"],
    ids=["header only", "every row rejected"],
)
def test_a_file_with_no_accepted_row_never_replaces_its_table(
    workspace: Path, tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty_sales.csv"
    empty.write_text(
        "sku,date,quantity\n" + body.split("\n", 1)[1] if body else "sku,date,quantity\n",
        encoding="utf-8",
    )
    before = Workspace(workspace)
    counts, version = before.table_counts(), before.version()
    code = main(["load", "--workspace", str(workspace), "--sales", str(empty)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "no row was accepted" in err and "kept" in err
    after = Workspace(workspace)
    assert after.table_counts() == counts and after.version() == version
    left = after.query_df(
        "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, '__staged')"
    )
    assert left.empty  # the refused staging is gone too
