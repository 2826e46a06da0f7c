"""The workspace: one DuckDB file with the loaded tables, the mappings and a history of loads.

A load has two steps. :meth:`Workspace.stage` reads and validates the files into staging
tables and reports; nothing the user had is touched. :meth:`Workspace.commit` replaces the
tables of the staged files in one transaction: if anything fails, the workspace is as it was.
Tables of files not in the load keep their previous data.

Undo. Every load and every clear keeps the tables it replaced (renamed, not copied:
``__before<load id>_<file key>``), so :meth:`Workspace.undo` puts back exactly the rows a
table had before it. Undo goes in order: a load whose table a later load or clear (still in
force) replaced again is refused, naming that later one; undo it first. An undo is itself an
entry of the history (who, when, which load) and is not undone in turn (load the file again
instead). Only the last ``undo_keep`` loads and clears (default 5, or
``SEGSTUDIO_UNDO_KEEP``) keep their earlier tables: a large sales table costs its size once
per kept load.

Sharing the file. The app and the ``segstudio`` command may work on the same file. DuckDB lets
one process at a time open it, so nothing holds it between operations: every read and write
opens a connection for as long as it runs (:meth:`Workspace.connect`, :meth:`Workspace.writing`)
and closes it. A process that finds the file held by another one waits and retries for
``busy_seconds`` (default 10 s, or ``SEGSTUDIO_BUSY_SECONDS``), then raises
:class:`WorkspaceBusyError` with one clear line. Inside one process, connections to the file
share one database, so threads read in parallel; writes take a per-file lock. A caller that does
many operations in a row (the command line, a test) may hold one connection for a block with
``with Workspace(path) as ws:``, which every method then uses.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import duckdb

from segstudio.common.sql import drop_table, ident, literal, one_row, run, table_columns
from segstudio.errors import SegStudioError, UnusableFileError
from segstudio.ingest import sql as q
from segstudio.ingest.mapping import Mapping, check_mapping, layout_key, normalise, suggest_mapping
from segstudio.ingest.overlap import SkuOverlap, overlap_warnings, read_overlap
from segstudio.ingest.paths import DEFAULT_WORKSPACE
from segstudio.ingest.readers import SourceFile, stage_file
from segstudio.ingest.schema import TABLES
from segstudio.ingest.validate import FileReport, ParsedFile, parse_file

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BUSY_SECONDS_ENV",
    "DEFAULT_BUSY_SECONDS",
    "DEFAULT_UNDO_KEEP",
    "DEFAULT_USER",
    "DEFAULT_WORKSPACE",
    "EmptyLoadError",
    "Staging",
    "UNDO_KEEP_ENV",
    "UndoError",
    "Workspace",
    "WorkspaceBusyError",
    "default_user",
    "own_workspace_path",
]

BUSY_SECONDS_ENV = "SEGSTUDIO_BUSY_SECONDS"
DEFAULT_BUSY_SECONDS = 10.0
UNDO_KEEP_ENV = "SEGSTUDIO_UNDO_KEEP"
DEFAULT_UNDO_KEEP = 5  # loads and clears whose replaced tables are kept for an undo
DEFAULT_USER = "local"  # who a load is by when nobody is named (accounts come later)
_META_DEMO, _META_SUCCESSOR = "demo", "successor"
_CLEARED = "(cleared)"  # the file label of a clear in the history
_RETRY_FIRST_S, _RETRY_MAX_S = 0.05, 0.5
_LOCK_HELD = re.compile(r"Could not set lock on file|Conflicting lock is held", re.IGNORECASE)
_HOLDER = re.compile(r"\(PID (\d+)\)")
T = TypeVar("T")
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_OPEN_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class EmptyLoadError(UnusableFileError):
    """A load with a file of no accepted row: refused, so that it cannot empty a table."""


class WorkspaceBusyError(SegStudioError):
    """Another program held the workspace file for longer than the wait allows."""


class UndoError(SegStudioError):
    """An undo or a clear that cannot be done (no such load, already undone, a later load in
    the way, its earlier tables no longer kept, nothing to clear); nothing was changed."""


def default_user() -> str:
    """Who a command's load is by when ``--user`` is not given: the login name, else 'local'."""
    try:
        return getpass.getuser() or DEFAULT_USER
    except (OSError, KeyError):  # no login name in this environment
        return DEFAULT_USER


def own_workspace_path(demo: Path) -> Path:
    """Where a user's first own upload into the demo workspace ``demo`` starts their own: a
    new file beside it (``workspace-own.duckdb``, then ``-own-2`` ... if taken)."""
    n = 1
    while True:
        tail = "-own" if n == 1 else f"-own-{n}"
        candidate = demo.with_name(f"{demo.stem}{tail}{demo.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def _write_lock(path: Path) -> threading.RLock:
    """One write lock per workspace file in this process, whatever object opened it."""
    key = str(path.resolve())
    with _LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.RLock())


def _open_lock(path: Path) -> threading.Lock:
    """One lock per workspace file in this process around opening and closing a connection:
    DuckDB shares one database among a process's connections to a file, and two threads that
    open it at the same moment (or one while another closes the last connection) would each
    try to attach it ("Unique file handle conflict")."""
    key = str(path.resolve())
    with _LOCKS_GUARD:
        return _OPEN_LOCKS.setdefault(key, threading.Lock())


def _undo_keep(value: int | None) -> int:
    if value is not None:
        return max(int(value), 0)
    try:
        return max(int(os.environ.get(UNDO_KEEP_ENV, DEFAULT_UNDO_KEEP)), 0)
    except ValueError:
        return DEFAULT_UNDO_KEEP


def _busy_seconds(value: float | None) -> float:
    if value is not None:
        return float(value)
    try:
        return float(os.environ.get(BUSY_SECONDS_ENV, DEFAULT_BUSY_SECONDS))
    except ValueError:
        return DEFAULT_BUSY_SECONDS


@dataclass
class Staging:
    """Files validated and waiting for :meth:`Workspace.commit` (or :meth:`Workspace.discard`)."""

    files: dict[str, ParsedFile] = field(default_factory=dict)
    temp_tables: list[str] = field(default_factory=list)
    tag: str = ""

    @property
    def reports(self) -> dict[str, FileReport]:
        return {k: p.report for k, p in self.files.items()}

    def refusal(self) -> str | None:
        """Why this load must not replace anything, or None: a file with no accepted row
        would empty its table (a header-only file once wiped 130,252 sales lines)."""
        empty = [p.report for p in self.files.values() if p.report.accepted == 0]
        if not empty:
            return None
        return (
            "; ".join(
                f"{r.file_label}: no row was accepted ({r.read:,} read, {r.rejected:,} rejected), so "
                f"it would empty the {TABLES[r.file_key].label.lower()}"
                for r in empty
            )
            + ". Nothing was loaded; the current data is kept."
        )


class Workspace:
    """A DuckDB workspace file, opened only while an operation runs (safe across threads and
    beside another process such as a scheduled ``segstudio`` job)."""

    def __init__(
        self,
        path: str | Path = DEFAULT_WORKSPACE,
        memory_limit: str | None = None,
        busy_seconds: float | None = None,
        undo_keep: int | None = None,
    ):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.memory_limit = memory_limit
        self.busy_seconds = _busy_seconds(busy_seconds)
        self.undo_keep = _undo_keep(undo_keep)
        self._held: duckdb.DuckDBPyConnection | None = None
        self._held_by: int | None = None  # the thread that holds it
        self._reads = threading.local()  # a thread's block of reads (:meth:`reading`)
        self._write = _write_lock(self.path)
        self._opening = _open_lock(self.path)
        self._memos: dict[str, tuple[tuple[int, ...], object]] = {}
        self._memo_lock = threading.Lock()
        self._overlap: tuple[int, list[SkuOverlap]] | None = None
        self._init_schema()

    # ------------------------------------------------------------------ connections
    def _open(self) -> duckdb.DuckDBPyConnection:
        """A new connection, waiting while another process holds the file."""
        deadline = time.monotonic() + self.busy_seconds
        pause = _RETRY_FIRST_S
        while True:
            try:
                with self._opening:
                    con = duckdb.connect(str(self.path))
                break
            except duckdb.IOException as exc:
                if not _LOCK_HELD.search(str(exc)):
                    raise SegStudioError(f"{self.path}: cannot open the workspace ({exc})") from exc
                if time.monotonic() >= deadline:
                    holder = _HOLDER.search(str(exc))
                    who = (
                        f"another program (process {holder.group(1)})"
                        if holder
                        else "another program"
                    )
                    raise WorkspaceBusyError(
                        f"{self.path}: the workspace is busy: {who} is using it; waited "
                        f"{self.busy_seconds:g} s. Try again when it has finished "
                        f"(or set {BUSY_SECONDS_ENV} to wait longer)."
                    ) from exc
                time.sleep(pause)
                pause = min(pause * 2, _RETRY_MAX_S)
            except duckdb.Error as exc:
                raise SegStudioError(f"{self.path}: cannot open the workspace ({exc})") from exc
        if self.memory_limit:
            con.execute(f"SET memory_limit = {literal(self.memory_limit)}")
        con.execute("SET enable_progress_bar = false")
        return con

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one operation: the held one inside ``with Workspace(...)`` (on the
        thread that holds it), else a new one, closed when the block ends."""
        if self._held is not None and self._held_by == threading.get_ident():
            yield self._held
            return
        if getattr(self._reads, "active", False):  # inside reading(): its one connection
            if getattr(self._reads, "con", None) is None:
                self._reads.con = self._open()
            yield self._reads.con
            return
        con = self._open()
        try:
            yield con
        finally:
            with self._opening:
                con.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A block of small reads in a row on this thread that opens the file once (at the
        first read that needs it: a block whose reads are all remembered opens nothing) and
        closes it when the block ends. Opening a large workspace costs tens of milliseconds,
        more than each of a page's small reads; put no long computation inside, since the
        file stays open (and closed to other processes) for the whole block."""
        if getattr(self._reads, "active", False):
            yield
            return
        self._reads.active = True
        try:
            yield
        finally:
            self._reads.active = False
            con, self._reads.con = getattr(self._reads, "con", None), None
            if con is not None:
                with self._opening:
                    con.close()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for a write, under this process's write lock of the file."""
        with self._write, self.connect() as con:
            yield con

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """:meth:`writing` inside one transaction: all of it or, on any error, none."""
        with self.writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection held by :meth:`hold` or ``with Workspace(...) as ws`` (the command
        line's and the tests' way of doing many operations in a row)."""
        if self._held is None:
            raise RuntimeError(
                "Workspace.con is only open inside 'with Workspace(...) as ws'; "
                "use 'with ws.connect() as con' for one operation"
            )
        return self._held

    def close(self) -> None:
        if self._held is not None:
            with self._opening:
                self._held.close()
            self._held = self._held_by = None

    def hold(self) -> Workspace:
        """Hold one connection until :meth:`close`, for many operations in a row on this
        thread (what ``with Workspace(...) as ws`` does); other processes wait meanwhile."""
        if self._held is None:
            self._held = self._open()
            self._held_by = threading.get_ident()
        return self

    def __enter__(self) -> Workspace:
        return self.hold()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _init_schema(self) -> None:
        with self.writing() as con:
            for stmt in q.META_DDL:
                con.execute(stmt)
            have = set(table_columns(con, "loads"))
            for column, kind in q.LOAD_COLUMNS_ADDED.items():
                if column not in have:  # a file made before the history had these
                    con.execute(f"ALTER TABLE loads ADD COLUMN {ident(column)} {kind}")
            con.execute(";\n".join(q.DECISIONS_DDL))  # segstudio.segment.decisions' tables
            for table in TABLES.values():
                for stmt in q.create_data_table(table):
                    con.execute(stmt)
            con.execute(q.SALES_HISTORY_DDL)
            # Staged tables of a load that was never committed nor discarded (a process that
            # stopped between the two), once they are older than a working day.
            for (name,) in con.execute(q.STALE_STAGING).fetchall():
                con.execute(drop_table(name))
            con.execute(q.FORGET_STALE_STAGINGS)

    # ------------------------------------------------------------------ reading state
    def state(self) -> tuple[int, ...]:
        """What changes whenever any process commits to the file (its and its WAL's stat):
        a cache key for what the decisions' tables hold, read without a connection."""
        key: list[int] = []
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                s = p.stat()
                key += [s.st_mtime_ns, s.st_size, s.st_ino]
            except FileNotFoundError:
                key += [0, 0, 0]
        return tuple(key)

    def remembered(self, name: str, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """:meth:`_memo` for the other stages' small facts (``name`` unique to the caller)."""
        return self._memo(name, read)

    def _memo(self, name: str, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """``read`` on a connection, remembered until the file changes (any process): the
        pages ask for the same small facts on every rerun, and a stat is cheaper than an
        open. Callers get the same object: treat it as read only."""
        key = self.state()
        with self._memo_lock:
            hit = self._memos.get(name)
            if hit is not None and hit[0] == key:
                return cast(T, hit[1])
        with self.connect() as con:
            value = read(con)
        with self._memo_lock:
            self._memos[name] = (key, value)
        return value

    def version(self) -> int:
        """The data version: the id of the latest committed load (0 when empty). Read again
        only when the file has changed since the last read (a stat, not a connection)."""
        return self._memo("version", lambda con: int(one_row(con, q.CURRENT_VERSION)[0]))

    def table_counts(self) -> dict[str, int]:
        return self._memo("counts", lambda con: dict(con.execute(q.table_counts()).fetchall()))

    def latest_loads(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(q.LATEST_LOADS).df()

    def load_history(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(q.LOAD_HISTORY).df()

    def load_entries(self) -> pd.DataFrame:
        """One row per load, clear or undo, latest first: load, when, who, action, files,
        rows (accepted, or restored), undoes, undone_by."""
        return self._memo("entries", lambda con: con.execute(q.LOAD_ENTRIES).df())

    def undo_blocker(self, load_id: int) -> str | None:
        """Why load ``load_id`` cannot be undone now (one line), or None when it can."""
        with self.connect() as con:
            return self._undo_blocker(con, int(load_id))

    def undo_blockers(self, load_ids: list[int]) -> dict[int, str | None]:
        """:meth:`undo_blocker` of each of ``load_ids`` in one read (the Data page's buttons),
        remembered until the file changes."""
        ids = [int(i) for i in load_ids]
        # One memo, for the ids the page asks (not one per list ever asked).
        got = self._memo("blockers", lambda con: {i: self._undo_blocker(con, i) for i in ids})
        if all(i in got for i in ids):
            return {i: got[i] for i in ids}
        with self.connect() as con:
            return {i: self._undo_blocker(con, i) for i in ids}

    def _undo_blocker(self, con: duckdb.DuckDBPyConnection, load_id: int) -> str | None:
        files = run(con, q.ENTRY_FILES, [load_id]).fetchall()
        if not files:
            return f"there is no load {load_id} (see 'segstudio loads')"
        _, _, action, undone_by = files[0]
        if action == "undo":
            return f"load {load_id} is an undo; an undo is not undone (load the file again)"
        if undone_by is not None:
            return f"load {load_id} was already undone (by load {undone_by})"
        present = {name for (name,) in con.execute(q.SNAPSHOT_TABLES).fetchall()}
        for key, _, _, _ in files:
            (later,) = one_row(con, q.LATER_IN_FORCE, [load_id, key])
            if later is not None:
                return (
                    f"load {int(later)} replaced the {TABLES[key].label.lower()} after load "
                    f"{load_id}: undo load {int(later)} first"
                )
            if q.snapshot_table(load_id, key) not in present:
                return (
                    f"load {load_id} can no longer be undone: only the last "
                    f"{self.undo_keep} loads keep the tables they replaced ({UNDO_KEEP_ENV})"
                )
        return None

    def is_demo(self) -> bool:
        """Whether this is the built-in demo workspace (marked by the demo builder)."""
        return self._meta(_META_DEMO) == "true"

    def successor(self) -> Path | None:
        """The workspace of their own a user's first upload into this demo started, if any."""
        name = self._meta(_META_SUCCESSOR)
        return self.path.with_name(name) if name else None

    def _meta(self, key: str) -> str | None:
        meta = self._memo(
            "meta",
            lambda con: dict(con.execute(q.META_ALL).fetchall()),
        )
        return meta.get(key)

    def demo_leftovers(self, file_keys: list[str] | set[str]) -> list[str]:
        """In the demo workspace: the labels of the demo tables with rows that a load of
        ``file_keys`` would leave in place, to be mixed into the user's figures (none when
        this is not the demo, or the load replaces every one)."""
        if not self.is_demo():
            return []
        counts = self.table_counts()
        return [t.label for k, t in TABLES.items() if counts.get(k, 0) and k not in file_keys]

    def sku_overlap(self) -> list[SkuOverlap]:
        """How many of the sales SKUs each other loaded table holds, read once per data
        version (a scan of the sales lines: not again after a decision is saved)."""
        version = self.version()
        with self._memo_lock:
            if self._overlap is not None and self._overlap[0] == version:
                return self._overlap[1]
        with self.connect() as con:
            value = read_overlap(con)
        with self._memo_lock:
            self._overlap = (version, value)
        return value

    def overlap_warnings(self) -> list[str]:
        """One line per loaded table that holds under half of the sales SKUs."""
        return overlap_warnings(self.sku_overlap())

    def rejects(self, load_id: int, file_key: str) -> pd.DataFrame:
        with self.connect() as con:
            return run(con, q.REJECTS_OF_LOAD, [load_id, file_key]).df()

    def stored_columns(self, file_key: str) -> set[str]:
        """The canonical columns a file key's last load mapped (the others read as NULL)."""
        table = TABLES[file_key]
        fields = {f.name for f in table.fields}
        columns = self._memo(
            f"columns.{file_key}", lambda con: frozenset(table_columns(con, q.data_table(table)))
        )
        return set(columns) & fields

    def query_df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    # ------------------------------------------------------------------ mappings
    def saved_mapping(self, file_key: str, columns: list[str]) -> Mapping | None:
        with self.connect() as con:
            return _saved_mapping(con, file_key, columns)

    def mapping_for(self, file_key: str, columns: list[str]) -> tuple[Mapping, str]:
        """The mapping to offer for a layout: the saved one, else a suggestion."""
        with self.connect() as con:
            return _mapping_for(con, file_key, columns)

    # ------------------------------------------------------------------ loading
    def stage(
        self,
        files: dict[str, SourceFile],
        mappings: dict[str, Mapping] | None = None,
        tag: str = "",
    ) -> Staging:
        """Read and validate ``files`` (file key -> source) into staging tables.

        Every staging gets tables of its own (``tag`` and a random suffix), so concurrent
        stagings (two browser sessions, or the app and a command) never meet. What the commit
        needs is kept in ordinary tables of the workspace, so the commit may come later, on
        another connection. Raises :class:`UnusableFileError` (and stages nothing) when a file
        is unusable.
        """
        mappings = mappings or {}
        unknown = sorted(set(files) - set(TABLES))
        if unknown:
            raise UnusableFileError(
                f"unknown file key(s) {', '.join(unknown)}; use {', '.join(TABLES)}"
            )
        tag = _staging_tag(tag)
        staging = Staging(tag=tag)
        with self.writing() as con:
            run(con, q.REGISTER_STAGING, [tag])
            try:
                for key in TABLES:  # sales first: later files are checked against it
                    if key not in files:
                        continue
                    src = files[key]
                    table = TABLES[key]
                    staged = stage_file(con, src, f"__stage{tag}_{key}")
                    staging.temp_tables += staged.temp_tables
                    mapping = mappings.get(key) or _mapping_for(con, key, staged.columns)[0]
                    check_mapping(table, mapping, staged.columns, src.label)
                    parsed = f"__staged{tag}_{key}"
                    staging.temp_tables += [
                        parsed,
                        parsed + "__sku",
                        parsed + "__lines",
                        parsed + "__rejects",
                        parsed + "__skus",
                    ]
                    staging.files[key] = _keep_for_commit(
                        con, parse_file(con, staged, table, mapping, parsed)
                    )
                self._cross_checks(con, staging)
            except BaseException:
                self._drop_temps(con, staging)
                raise
        return staging

    def _cross_checks(self, con: duckdb.DuckDBPyConnection, staging: Staging) -> None:
        if "sales" in staging.files:
            p = staging.files["sales"]
            sales_source = f"(SELECT sku FROM {ident(p.parsed_table)} WHERE {p.ok_condition})"
        else:
            sales_source = "sales"
        for key in ("inventory", "suppliers"):
            if key not in staging.files:
                continue
            p = staging.files[key]
            skus = [
                r[0]
                for r in con.execute(
                    q.unknown_skus(p.parsed_table, p.ok_condition, sales_source)
                ).fetchall()
            ]
            if skus:
                shown = ", ".join(skus[:5]) + (", ..." if len(skus) > 5 else "")
                p.report.warnings.append(f"{len(skus):,} SKUs that never sold ({shown})")

    def commit(self, staging: Staging, who: str = DEFAULT_USER) -> int:
        """Make the staged files the current data in one transaction; returns the load id.

        Refused (:class:`EmptyLoadError`, the staging discarded, nothing changed) when a file
        has no accepted row: it would empty its table.

        The parsed tables already sit in the workspace: the rejected rows and helper columns
        are dropped, and then, in one transaction, each replaces its current table (a rename)
        with the load history. If anything fails, the workspace is as it was.
        """
        refusal = staging.refusal()
        if refusal is not None:
            self.discard(staging)
            raise EmptyLoadError(refusal)
        with self.writing() as con:
            try:
                for p in staging.files.values():
                    if p.report.accepted < p.report.read:
                        con.execute(q.keep_accepted(p.parsed_table, p.ok_condition))
                    for stmt in q.drop_helper_columns(con, p.parsed_table, p.table):
                        con.execute(stmt)
                con.execute("BEGIN TRANSACTION")
                try:
                    load_id = int(one_row(con, q.NEXT_LOAD_ID)[0])
                    for key, p in staging.files.items():
                        self._commit_file(con, load_id, key, p, who)
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                self._prune_snapshots(con)
            finally:
                self._drop_temps(con, staging)
        return load_id

    def _commit_file(
        self, con: duckdb.DuckDBPyConnection, load_id: int, key: str, p: ParsedFile, who: str
    ) -> None:
        keep = q.snapshot_table(load_id, key) if self.undo_keep else None
        for stmt in q.swap_in(con, p.parsed_table, p.table, keep_as=keep):
            con.execute(stmt)
        if key == "sales":
            if keep:
                con.execute(q.keep_sales_history(keep))
            for stmt in q.replace_sales_history(p.sku_summary):
                con.execute(stmt)
        con.execute(q.insert_rejects(load_id, key, p.parsed_table + "__rejects"))
        if p.report.malformed:  # the CSV reader's malformed records
            rejects = p.report.rejects
            malformed = rejects[rejects["field"].isna()]
            con.register("__malformed", malformed[["row", "value", "reason"]])
            con.execute(
                "INSERT INTO load_rejects SELECT ?, ?, row, NULL, value, reason FROM __malformed",
                [load_id, key],
            )
            con.unregister("__malformed")
        layout = layout_key(key, p.columns)
        mapping_json = json.dumps(p.mapping)
        run(con, q.SAVE_MAPPING, [layout, key, mapping_json])
        r = p.report
        run(
            con,
            q.INSERT_LOAD,
            [
                load_id,
                key,
                r.file_label,
                layout,
                mapping_json,
                r.read,
                r.accepted,
                r.rejected,
                json.dumps(r.warnings + r.notes),
                "loaded",
                _who(who),
                "load",
                None,
            ],
        )

    # ------------------------------------------------------------------ undo and clear
    def undo(self, load_id: int, who: str = DEFAULT_USER) -> int:
        """Put back the tables load ``load_id`` replaced, exactly as they were before it, in
        one transaction; returns the id of the undo's own entry in the history. Raises
        :class:`UndoError` (nothing changed) when it cannot be undone (:meth:`undo_blocker`)."""
        load_id = int(load_id)
        with self.writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                blocker = self._undo_blocker(con, load_id)
                if blocker is not None:
                    raise UndoError(blocker)
                undo_id = int(one_row(con, q.NEXT_LOAD_ID)[0])
                for key, label, action, _ in run(con, q.ENTRY_FILES, [load_id]).fetchall():
                    table = TABLES[key]
                    snapshot = q.snapshot_table(load_id, key)
                    for stmt in q.restore_snapshot(con, snapshot, table):
                        con.execute(stmt)
                    if key == "sales":
                        for stmt in q.restore_sales_history(snapshot):
                            con.execute(stmt)
                    (n,) = one_row(con, f"SELECT count(*) FROM {ident(table.name)}")
                    self._record(
                        con,
                        undo_id,
                        key,
                        f"undo of load {load_id} ({label if action == 'load' else 'a clear'})",
                        n,
                        who,
                        "undo",
                        load_id,
                    )
                run(con, q.MARK_UNDONE, [undo_id, load_id])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return undo_id

    def clear(self, file_keys: list[str], who: str = DEFAULT_USER) -> int:
        """Empty the tables of ``file_keys`` on purpose, as one entry of the history that can be
        undone like a load; returns its id. Raises :class:`UndoError` for an unknown file key
        or a table that is already empty (nothing changed)."""
        unknown = sorted(set(file_keys) - set(TABLES))
        if unknown or not file_keys:
            raise UndoError(
                f"unknown table {', '.join(unknown) or '(none given)'}; use {', '.join(TABLES)}"
            )
        counts = self.table_counts()
        empty = [TABLES[k].label.lower() for k in file_keys if not counts.get(k, 0)]
        if empty:
            raise UndoError(f"nothing to clear: the {', '.join(empty)} is already empty")
        with self.writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                clear_id = int(one_row(con, q.NEXT_LOAD_ID)[0])
                for key in TABLES:
                    if key not in file_keys:
                        continue
                    table = TABLES[key]
                    keep = q.snapshot_table(clear_id, key)
                    con.execute(f"DROP VIEW IF EXISTS {ident(table.name)}")
                    if self.undo_keep:
                        con.execute(
                            f"ALTER TABLE {ident(q.data_table(table))} RENAME TO {ident(keep)}"
                        )
                    else:
                        con.execute(drop_table(q.data_table(table)))
                    for stmt in q.empty_data_table(table):
                        con.execute(stmt)
                    if key == "sales":
                        if self.undo_keep:
                            con.execute(q.keep_sales_history(keep))
                        con.execute("DELETE FROM sales_history")
                    self._record(con, clear_id, key, _CLEARED, 0, who, "clear", None)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            self._prune_snapshots(con)
        return clear_id

    def _record(
        self,
        con: duckdb.DuckDBPyConnection,
        entry_id: int,
        key: str,
        label: str,
        rows: int,
        who: str,
        action: str,
        undoes: int | None,
    ) -> None:
        run(
            con,
            q.INSERT_LOAD,
            [
                entry_id,
                key,
                label,
                None,
                None,
                rows,
                rows,
                0,
                "[]",
                "loaded",
                _who(who),
                action,
                undoes,
            ],
        )

    def _prune_snapshots(self, con: duckdb.DuckDBPyConnection) -> None:
        """Drop the tables kept for an undo beyond the last ``undo_keep`` loads and clears."""
        kept = {int(r[0]) for r in run(con, q.KEPT_ENTRIES, [self.undo_keep]).fetchall()}
        for (name,) in con.execute(q.SNAPSHOT_TABLES).fetchall():
            owner = q.snapshot_load_id(name)
            if owner is not None and owner not in kept:
                con.execute(drop_table(name))

    # ------------------------------------------------------------------ about the workspace
    def mark_demo(self) -> None:
        """Mark this file as the built-in demo (the demo builder does it)."""
        with self.writing() as con:
            run(con, q.SET_META, [_META_DEMO, "true"])

    def set_successor(self, own: Path) -> None:
        """Record that a user's first upload into this demo started the workspace ``own``
        (beside it): the app opens that one from then on."""
        with self.writing() as con:
            run(con, q.SET_META, [_META_SUCCESSOR, own.name])

    def discard(self, staging: Staging) -> None:
        with self.writing() as con:
            self._drop_temps(con, staging)

    def _drop_temps(self, con: duckdb.DuckDBPyConnection, staging: Staging) -> None:
        for table in staging.temp_tables:
            con.execute(drop_table(table))
        staging.temp_tables.clear()
        if staging.tag:
            run(con, q.FORGET_STAGING, [staging.tag])

    def load(
        self,
        files: dict[str, SourceFile],
        mappings: dict[str, Mapping] | None = None,
        who: str = DEFAULT_USER,
    ) -> tuple[int, dict[str, FileReport]]:
        """Stage and commit in one go (the command line's way). Returns (load id, reports)."""
        staging = self.stage(files, mappings)
        reports = staging.reports
        load_id = self.commit(staging, who)
        return load_id, reports


def _who(name: str) -> str:
    return name.strip() or DEFAULT_USER


def _saved_mapping(
    con: duckdb.DuckDBPyConnection, file_key: str, columns: list[str]
) -> Mapping | None:
    row = run(con, q.GET_MAPPING, [layout_key(file_key, columns)]).fetchone()
    return json.loads(row[0]) if row else None


def _mapping_for(
    con: duckdb.DuckDBPyConnection, file_key: str, columns: list[str]
) -> tuple[Mapping, str]:
    saved = _saved_mapping(con, file_key, columns)
    if saved is not None:
        # The layout ignores case and punctuation: name the columns as this file spells them.
        by_norm: dict[str, str] = {}
        for c in columns:
            by_norm.setdefault(normalise(c), c)
        spelt = {f: by_norm.get(normalise(c)) for f, c in saved.items()}
        if all(spelt.values()):
            return spelt, "saved"  # type: ignore[return-value]
    return suggest_mapping(TABLES[file_key], columns), "suggested"


def _staging_tag(prefix: str) -> str:
    """A tag no other staging has: the caller's prefix (letters, digits, _) and random hex."""
    clean = re.sub(r"[^0-9A-Za-z_]", "", prefix)[:24]
    return f"{clean}{uuid.uuid4().hex[:12]}"


def _keep_for_commit(con: duckdb.DuckDBPyConnection, p: ParsedFile) -> ParsedFile:
    """Keep in ordinary tables what the commit reads (the rejects, the per-SKU summary), which
    staging left in temp tables that live only as long as this connection."""
    rejects = p.parsed_table + "__rejects"
    con.execute(q.save_rejects(rejects, p.rejects_sql))
    skus = p.parsed_table + "__skus"
    con.execute(f"CREATE OR REPLACE TABLE {ident(skus)} AS SELECT * FROM {ident(p.sku_summary)}")
    return replace(p, rejects_sql=f"SELECT * FROM {ident(rejects)}", sku_summary=skus)
