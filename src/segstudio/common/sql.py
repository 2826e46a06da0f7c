"""SQL helpers every stage uses: identifier and literal quoting."""

from __future__ import annotations

from typing import Any

import duckdb

__all__ = [
    "SQL_TYPES",
    "distinct_count_small",
    "drop_table",
    "ident",
    "literal",
    "one_row",
    "sample_std_with_zeros",
    "sample_variance",
    "table_columns",
]

SQL_TYPES = {"text": "VARCHAR", "date": "DATE", "number": "DOUBLE"}


def ident(name: str) -> str:
    """Quote an identifier for SQL, doubling any double quote inside it."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(text: str) -> str:
    """Quote a string literal (for the few places DuckDB takes no parameter, e.g. views)."""
    return "'" + str(text).replace("'", "''") + "'"


# --------------------------------------------------------------------------- generic helpers
def drop_table(table: str) -> str:
    return f"DROP TABLE IF EXISTS {ident(table)}"


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {ident(table)}").fetchall()]


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate without GROUP BY, a sniff)."""
    row = con.execute(sql, params).fetchone()
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
