"""SQL helpers every stage uses: identifier and literal quoting."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

__all__ = [
    "SQL_TYPES",
    "bind",
    "distinct_count_small",
    "drop_table",
    "ident",
    "literal",
    "one_row",
    "run",
    "sample_std_with_zeros",
    "sample_variance",
    "table_columns",
    "value_literal",
]

SQL_TYPES = {"text": "VARCHAR", "date": "DATE", "number": "DOUBLE"}


def ident(name: str) -> str:
    """Quote an identifier for SQL, doubling any double quote inside it."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(text: str) -> str:
    """Quote a string literal (for the few places DuckDB takes no parameter, e.g. views)."""
    return "'" + str(text).replace("'", "''") + "'"


def value_literal(value: object) -> str:
    """A Python value as a typed SQL literal: text quoted, numbers as they are (NaN and the
    infinities as DOUBLE), dates and times as DATE / TIMESTAMP, None as NULL."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}::BIGINT" if abs(value) < 2**63 else f"{value}::HUGEINT"
    if isinstance(value, float):
        if math.isfinite(value):
            return f"{value!r}::DOUBLE"
        return f"'{value}'::DOUBLE"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP {literal(value.isoformat(sep=' '))}"
    if isinstance(value, dt.date):
        return f"DATE {literal(value.isoformat())}"
    if isinstance(value, str):
        if "\x00" in value:  # no NUL inside a SQL literal: joined in by chr(0)
            return "(" + " || chr(0) || ".join(map(literal, value.split("\x00"))) + ")"
        return literal(value)
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def bind(sql: str, params: Sequence[object] | Mapping[str, object] | None) -> str:
    """``sql`` with its parameters (``?`` in order, or ``$name``) written in as literals
    (:func:`value_literal`); quoted text, quoted names and ``--`` comments are left as they
    are. What :func:`run` executes: DuckDB 1.4 imports pandas (about 1 s here) the first time
    a query takes parameters, which a command that needs no pandas should not pay."""
    if not params:
        return sql
    by_name: Mapping[str, object] | None = params if isinstance(params, Mapping) else None
    named = by_name is not None
    values = iter(() if isinstance(params, Mapping) else params)
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":  # a quoted text or name, its doubled quotes included
            j = i + 1
            while j < n and not (sql[j] == ch and (j + 1 >= n or sql[j + 1] != ch)):
                j += 2 if sql[j] == ch else 1
            out.append(sql[i : j + 1])
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j])
            i = j
        elif ch == "?" and not named:
            try:
                out.append(value_literal(next(values)))
            except StopIteration:
                raise ValueError(f"more ? than parameters in: {sql.strip()[:80]}") from None
            i += 1
        elif ch == "$" and named and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            assert by_name is not None
            out.append(value_literal(by_name[sql[i + 1 : j]]))
            i = j
        else:
            out.append(ch)
            i += 1
    if not named and next(values, _END) is not _END:
        raise ValueError(f"more parameters than ? in: {sql.strip()[:80]}")
    return "".join(out)


_END = object()


def run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Sequence[object] | Mapping[str, object] | None = None,
) -> duckdb.DuckDBPyConnection:
    """``con.execute(sql, params)`` with the parameters written in (:func:`bind`)."""
    return con.execute(bind(sql, params))


# --------------------------------------------------------------------------- generic helpers
def drop_table(table: str) -> str:
    return f"DROP TABLE IF EXISTS {ident(table)}"


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {ident(table)}").fetchall()]


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate without GROUP BY, a sniff)."""
    row = run(con, sql, params).fetchone()  # type: ignore[arg-type]
    if row is None:
        raise LookupError(f"the query returned no row: {sql.strip()[:80]}")
    return row


def distinct_count_small(idx: str, n: int) -> str:
    """How many distinct values ``idx`` (0 to n - 1, or NULL) takes in a group: a bitmap of
    them, in one or two 64-bit integers when n <= 128 (several times faster than a bitstring)."""
    if n > 128:
        return f"bit_count(bitstring_agg({idx}, 0, {n - 1}) FILTER (WHERE {idx} IS NOT NULL))"
    parts = []
    for j in range(0, n, 64):
        inside = f"{idx} >= {j} AND {idx} < {j + 64}" if n > 64 else f"{idx} IS NOT NULL"
        parts.append(
            f"bit_count(bit_or(CASE WHEN {inside} THEN 1::UBIGINT << "
            f"CAST({idx} - {j} AS UBIGINT) ELSE 0::UBIGINT END))"
        )
    return " + ".join(parts)


def sample_variance(var_pop: str, n: str) -> str:
    """SQL: the sample variance of ``n`` values from their population variance ``var_pop``:
    var_pop x n / (n - 1)."""
    return f"({var_pop} * {n} / ({n} - 1))"


def sample_std_with_zeros(n: str, k: str, nz_var_pop: str, nz_mean: str, mean: str) -> str:
    """SQL: the sample standard deviation of ``n`` periods of which ``k`` have demand (their
    population variance ``nz_var_pop`` and mean ``nz_mean``) and ``n - k`` are zero, ``mean``
    being the mean of all ``n``: the k non-zero periods' sum of squares about ``mean`` (DuckDB's
    stable var_pop, shifted) plus the zeros', over n - 1, without the cancellation of a
    sum-of-squares formula. NULL for fewer than 2 periods. The one variance of demand per
    period (methods.md, CoV) that the feature table and the quarterly table share."""
    squares = f"coalesce({k} * {nz_var_pop} + {k} * ({nz_mean} - {mean}) ^ 2, 0)"
    return (
        f"CASE WHEN {n} > 1 THEN sqrt(greatest(({squares} + ({n} - {k}) * {mean} * {mean})"
        f" / ({n} - 1), 0)) END"
    )
