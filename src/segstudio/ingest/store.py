"""Results of the queries that depend only on the loaded data, stored once per load.

A page's first view should not wait for work that only the data decides (the feature table
under the official window, the distinct sale dates, ...). Right after a load commits, such a
query's result is written into a table of the workspace (:func:`store_result`), keyed by the
query's text, its parameters and the data version (the latest load id). A reader asking the
same query of the same data reads that table (:func:`read_or_query`); any other question (another
window, data loaded since, a workspace from before the store) runs the query itself. The stored
table is the query's own output: there is one definition, the SQL.

Storing is a write in its own transaction after the load's: if it fails, the load stands, the
stored result keeps its older key and is never read for the new data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb

from segstudio.common.sql import ident, literal, one_row, run
from segstudio.ingest import sql as q

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "ONE_CHUNK",
    "STORE_DDL",
    "data_version",
    "derived_key",
    "holds",
    "read_or_query",
    "result_key",
    "store_frame",
    "store_frames",
    "store_result",
    "stored_frame",
    "stored_frame_table",
    "stored_frames",
    "stored_or_query",
    "stored_table",
]

ONE_CHUNK = 1 << 26  # rows_per_batch of read_or_query: a million SKUs come as one chunk
STORE_DDL = """CREATE TABLE IF NOT EXISTS stored_results (
    name VARCHAR PRIMARY KEY, key VARCHAR, version BIGINT, stored_at TIMESTAMP)"""
_STORED_KEY = "SELECT key, version FROM stored_results WHERE name = {name}"
_SAVE = "INSERT OR REPLACE INTO stored_results VALUES (?, ?, ?, current_timestamp::TIMESTAMP)"
_HAS_STORE = (
    "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'stored_results' "
    "AND database_name = current_database() AND schema_name = 'main'"
)


def stored_table(name: str) -> str:
    """The workspace table that holds the stored result ``name``."""
    return f"__stored_{name}"


def _text(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return repr(value)


def result_key(sql: str, params: Mapping[str, object] | None = None) -> str:
    """What identifies a query's result on given data: its text and its parameters."""
    h = hashlib.blake2b(sql.encode(), digest_size=16)
    for k, v in sorted((params or {}).items()):
        h.update(f"\x1f{k}={_text(v)}".encode())
    return h.hexdigest()


def derived_key(base: str, *parts: str) -> str:
    """A key for a result computed from what ``base`` (another key) names and from ``parts``
    (settings written as text): each part kept apart, so that ("ab", "c") and ("a", "bc")
    differ.

    >>> derived_key("k", "ab", "c") != derived_key("k", "a", "bc"), len(derived_key("k"))
    (True, 32)
    """
    h = hashlib.blake2b(base.encode(), digest_size=16)
    for part in parts:
        h.update(f"\x1f{len(part)}:{part}".encode())
    return h.hexdigest()


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version of the data a stored result is recorded for: the latest load's id. A key
    computed with it (before the computation) is never matched by a later load's data, even
    when that load commits while the computation runs."""
    return int(one_row(con, q.CURRENT_VERSION)[0])


def holds(
    con: duckdb.DuckDBPyConnection, name: str, sql: str, params: Mapping[str, object]
) -> bool:
    """Whether ``name`` holds this query's result on the current data."""
    return _holds_key(con, name, result_key(sql, params))


def _holds_key(con: duckdb.DuckDBPyConnection, name: str, key: str) -> bool:
    if int(one_row(con, _HAS_STORE)[0]) == 0:  # a workspace from before the store
        return False
    # The name as a literal: a parametrised query makes DuckDB import pandas (0.3 s).
    row = con.execute(_STORED_KEY.format(name=literal(name))).fetchone()
    return row is not None and row[0] == key and row[1] == data_version(con)


@contextmanager
def _saving(con: duckdb.DuckDBPyConnection, name: str, key: str) -> Iterator[None]:
    """One transaction that writes a stored result's tables (the body) and records them as
    ``name`` for ``key`` on the current data: all of it or, on any error, none."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(STORE_DDL)
        yield
        run(con, _SAVE, [name, key, data_version(con)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _write_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """``frame`` as the table ``table`` (an identifier already quoted), replacing it."""
    con.register("__store_frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE {table} AS FROM __store_frame")
    con.unregister("__store_frame")


def store_frame(con: duckdb.DuckDBPyConnection, name: str, key: str, frame: pd.DataFrame) -> None:
    """Keep ``frame``, a result computed from the current data and what ``key`` names (the
    caller's digest of its other inputs), as ``name``, in one transaction."""
    with _saving(con, name, key):
        _write_frame(con, ident(stored_table(name)), frame)


def stored_frame(con: duckdb.DuckDBPyConnection, name: str, key: str) -> pd.DataFrame | None:
    """The frame :func:`store_frame` kept as ``name`` for ``key`` on the current data, else
    None."""
    if not _holds_key(con, name, key):
        return None
    return con.execute(f"SELECT * FROM {ident(stored_table(name))}").df()


def stored_frame_table(
    con: duckdb.DuckDBPyConnection, name: str, key: str, rows_per_batch: int = ONE_CHUNK
) -> pa.Table | None:
    """:func:`stored_frame` as the Arrow table it is read as (by default one chunk per column,
    read as numpy without a copy): what a reader of a million rows of numbers takes quickest,
    without pandas' conversion. None as :func:`stored_frame`."""
    if not _holds_key(con, name, key):
        return None
    return con.execute(f"SELECT * FROM {ident(stored_table(name))}").fetch_arrow_table(
        rows_per_batch
    )


def _part(name: str, part: str) -> str:
    return ident(f"{stored_table(name)}__{part}")


def store_frames(
    con: duckdb.DuckDBPyConnection, name: str, key: str, frames: Mapping[str, pd.DataFrame]
) -> None:
    """Keep several frames computed from the current data and what ``key`` names, together as
    ``name`` (one table each, and their columns' types, so that an empty frame keeps them
    too), in one transaction."""
    import pandas as pd  # here, not at import: a read of a stored result needs no pandas

    types = pd.DataFrame(
        [(part, str(col), str(t)) for part, f in frames.items() for col, t in f.dtypes.items()],
        columns=["part", "col", "dtype"],
    )
    with _saving(con, name, key):
        for part, frame in {**frames, "__types": types}.items():
            _write_frame(con, _part(name, part), frame)


def stored_frames(
    con: duckdb.DuckDBPyConnection, name: str, key: str
) -> dict[str, pd.DataFrame] | None:
    """The frames :func:`store_frames` kept as ``name`` for ``key`` on the current data, with
    their columns' types, else None."""
    if not _holds_key(con, name, key):
        return None
    import pandas as pd

    types = con.execute(f"SELECT * FROM {_part(name, '__types')}").df()
    out: dict[str, pd.DataFrame] = {}
    for part, own in types.groupby("part", sort=False):
        # Through Arrow: repeated texts become one Python string each, quicker than .df().
        table = con.execute(f"SELECT * FROM {_part(name, str(part))}").fetch_arrow_table()
        frame = table.to_pandas(split_blocks=True, self_destruct=True)
        wanted = dict(zip(own["col"], own["dtype"], strict=True))
        for c, t in wanted.items():  # dates kept as date objects come back as dates
            if t == "object" and pd.api.types.is_datetime64_dtype(frame[c]):
                frame[c] = pd.Series(frame[c].dt.date, index=frame.index, dtype=object)
        differ = {c: t for c, t in wanted.items() if str(frame[c].dtype) != t}
        out[str(part)] = frame.astype(differ) if differ else frame
    return out


def stored_or_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    sql: str,
    params: Mapping[str, object] | None = None,
) -> tuple[str, dict[str, object]]:
    """What to execute for the result of ``sql`` with ``params`` on the current data: a read
    of the stored table when ``name`` holds it, else the query itself. Writes nothing."""
    params = dict(params or {})
    if holds(con, name, sql, params):
        # A store written between the check and the read holds newer data, consistently.
        return f"SELECT * FROM {ident(stored_table(name))}", {}
    return sql, params


def read_or_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    sql: str,
    params: Mapping[str, object] | None = None,
    rows_per_batch: int = 1_000_000,
) -> pa.Table:
    """The result of ``sql`` with ``params`` on the current data, as an Arrow table: the stored
    one when ``name`` holds it, else the query's (:func:`stored_or_query`). A ``rows_per_batch``
    above the row count gives one chunk per column (read as numpy without a copy)."""
    return run(con, *stored_or_query(con, name, sql, params)).fetch_arrow_table(rows_per_batch)


def store_result(
    con: duckdb.DuckDBPyConnection,
    name: str,
    sql: str,
    params: Mapping[str, object] | None = None,
) -> None:
    """Run ``sql`` with ``params`` and keep its result as ``name`` for the current data, in one
    transaction (the rows keep the query's order). Call it on a connection that may write."""
    params = dict(params or {})
    with _saving(con, name, result_key(sql, params)):
        run(con, f"CREATE OR REPLACE TABLE {ident(stored_table(name))} AS {sql}", params)
