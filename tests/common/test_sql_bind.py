"""common.sql.bind: parameters written into the SQL as literals give what DuckDB's own binding
gives, and never change quoted text, quoted names or comments."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.common.sql import bind, run, value_literal

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and type(a) is type(b)


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=5))
def test_positional_parameters_read_back_as_duckdb_binds_them(values):
    con = duckdb.connect()
    sql = "SELECT " + ", ".join("?" for _ in values)
    ours = run(con, sql, values).fetchone()
    theirs = con.execute(sql, values).fetchone()
    assert ours is not None and theirs is not None
    assert all(_same(a, b) for a, b in zip(ours, theirs, strict=True)), (ours, theirs)
    assert all(_same(a, v) for a, v in zip(ours, values, strict=True))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), VALUES, min_size=1))
def test_named_parameters_read_back(values):
    con = duckdb.connect()
    sql = "SELECT " + ", ".join(f"${name} AS {name}" for name in values)
    row = run(con, sql, values).fetchone()
    assert row is not None
    assert all(_same(a, v) for a, v in zip(row, values.values(), strict=True))


@given(st.text(st.characters(exclude_characters="\x00"), max_size=30))
def test_quoted_text_names_and_comments_are_left_as_they_are(text):
    con = duckdb.connect()
    quoted = "'" + text.replace("'", "''") + "'"
    name = '"' + text.replace('"', '""') + '?"' if text.strip() else '"x?"'
    sql = f"SELECT {quoted} AS {name}, ? AS b -- what? $x\n"
    assert bind(sql, ["p"]) == f"SELECT {quoted} AS {name}, 'p' AS b -- what? $x\n"
    assert run(con, sql, ["p"]).fetchone() == (text, "p")


def test_a_count_that_does_not_match_is_refused():
    with pytest.raises(ValueError, match="more \\? than parameters"):
        bind("SELECT ?, ?", [1])
    with pytest.raises(ValueError, match="more parameters than \\?"):
        bind("SELECT ?", [1, 2])
    with pytest.raises(TypeError, match="no SQL literal"):
        value_literal(object())


def test_a_bound_query_needs_no_pandas():
    """What bind is for: the command line's loads bind their values without DuckDB importing
    pandas (a fresh interpreter, as a command starts)."""
    from tests.builders import run_fresh

    out = run_fresh(
        "import json, sys, duckdb\n"
        "from segstudio.common.sql import run\n"
        "con = duckdb.connect()\n"
        "run(con, 'CREATE TABLE t AS SELECT ? AS a, ? AS b', ['x', 2])\n"
        "print(json.dumps({'row': con.execute('SELECT * FROM t').fetchone(),"
        " 'pandas': 'pandas' in sys.modules}))\n"
    )
    assert out == {"row": ["x", 2], "pandas": False}
