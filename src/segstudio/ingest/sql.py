"""SQL of the ingest stage: text with bound parameters."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from segstudio.common.sql import (
    SQL_TYPES,
    distinct_count_small,
    drop_table,
    ident,
    literal,
    table_columns,
)
from segstudio.ingest.schema import TABLES, Table

__all__ = [
    "CURRENT_VERSION",
    "DATE_SAMPLE_ROWS",
    "DATE_SAMPLE_VALUES",
    "DECISIONS_DDL",
    "DEFAULT_COMPRESSION",
    "ENTRY_FILES",
    "FAST_WRITE_COMPRESSION",
    "FORGET_STAGING",
    "FORGET_STALE_STAGINGS",
    "GET_MAPPING",
    "INSERT_LOAD",
    "KEPT_ENTRIES",
    "LATER_IN_FORCE",
    "LATEST_LOADS",
    "LOAD_COLUMNS_ADDED",
    "LOAD_ENTRIES",
    "LOAD_HISTORY",
    "MARK_UNDONE",
    "MAX_DAY_SPAN_FOR_PRUNING",
    "META_ALL",
    "META_DDL",
    "NEXT_LOAD_ID",
    "NO_REJECTS",
    "REGISTER_STAGING",
    "REJECTS_OF_LOAD",
    "SALES_HISTORY_DDL",
    "SAVE_MAPPING",
    "SET_META",
    "SNAPSHOT_PREFIX",
    "SNAPSHOT_TABLES",
    "STAGING_MAX_AGE_HOURS",
    "STALE_STAGING",
    "append_from",
    "build_parsed",
    "canonical_view",
    "clear_blank_raw",
    "column_head",
    "create_data_table",
    "create_date_sample",
    "create_empty_csv_rejects",
    "create_empty_text_table",
    "csv_columns",
    "csv_rejects",
    "data_table",
    "date_first_fit",
    "date_format_rows",
    "date_span",
    "dates_after",
    "dates_before",
    "dates_in_range",
    "day_month_evidence",
    "drop_helper_columns",
    "duplicate_candidates",
    "duplicate_rows",
    "empty_data_table",
    "implausible_rows",
    "insert_rejects",
    "keep_accepted",
    "keep_sales_history",
    "lead_times_over",
    "needs_trim",
    "negative_lead_times",
    "non_finite_count",
    "number_rows",
    "number_scales",
    "numbers_beyond",
    "ok_condition",
    "parquet_types",
    "parse_date_expr",
    "parse_number_expr",
    "parse_text_expr",
    "positional_row",
    "read_csv_sample_source",
    "read_csv_text_source",
    "read_csv_typed_source",
    "read_parquet_source",
    "reject_rows",
    "rejected_values",
    "reparse_dates",
    "replace_sales_history",
    "restore_sales_history",
    "restore_snapshot",
    "save_rejects",
    "skipped_lines_table",
    "sku_overlap",
    "sku_summary",
    "snapshot_load_id",
    "snapshot_table",
    "sniff_csv_dialect",
    "sniff_csv_types",
    "stage_csv",
    "summary_duplicate_candidates",
    "summary_needs_trim",
    "summary_totals",
    "swap_in",
    "table_counts",
    "trim_text",
    "typed_values_bad",
    "unknown_skus",
    "year_first_last",
]


def append_from(table: str, source: str, create: bool) -> str:
    """Create ``table`` from, or append to it, the rows of ``source``."""
    if create:
        return f"CREATE TEMP TABLE {ident(table)} AS SELECT * FROM {ident(source)}"
    return f"INSERT INTO {ident(table)} SELECT * FROM {ident(source)}"


def create_empty_text_table(table: str, columns: list[str]) -> str:
    cols = ", ".join(f"{ident(c)} VARCHAR" for c in columns)
    return f"CREATE TEMP TABLE {ident(table)} (__row BIGINT, {cols})"


# --------------------------------------------------------------------------- reading
def _csv_options(options: dict[str, str] | None) -> str:
    """Dialect options for read_csv (``delim``, ``quote``, ``escape``); the rest is sniffed."""
    return "".join(f", {k} = {literal(v)}" for k, v in (options or {}).items())


def stage_csv(table: str, rejects: str, scans: str, options: dict[str, str] | None = None) -> str:
    """Stage a CSV as text (parameters: path, encoding); rows DuckDB cannot split go to rejects."""
    return (
        f"CREATE TEMP TABLE {ident(table)} AS SELECT * FROM read_csv(?, all_varchar = true, "
        "header = true, encoding = ?, store_rejects = true, "
        f"rejects_table = {literal(rejects)}, rejects_scan = {literal(scans)}"
        f"{_csv_options(options)})"
    )


def sniff_csv_dialect(options: dict[str, str] | None = None, columns: bool = False) -> str:
    """The delimiter, quote, escape and lines skipped above the header DuckDB would read a CSV
    with (parameters: path, encoding); with ``columns``, also the columns it would read."""
    return (
        f"SELECT Delimiter, Quote, Escape, SkipRows{', Columns' if columns else ''} "
        "FROM sniff_csv(?, all_varchar = true, "
        "header = true, "
        f"encoding = ?, store_rejects = true{_csv_options(options)})"
    )


def read_csv_text_source(rejects: str, scans: str, options: dict[str, str] | None = None) -> str:
    """A CSV's rows as text, read in the pass that parses them (parameters: path, encoding);
    rows DuckDB cannot split go to ``rejects``, as in :func:`stage_csv`."""
    return (
        "read_csv(?, all_varchar = true, header = true, encoding = ?, store_rejects = true, "
        f"rejects_table = {literal(rejects)}, rejects_scan = {literal(scans)}{_csv_options(options)})"
    )


def read_csv_typed_source(types: dict[str, str], options: dict[str, str] | None = None) -> str:
    """A CSV read with the given column types (every column named; parameters: path,
    encoding). Dates are ISO only, and any record DuckDB cannot split or convert fails the
    read: the caller then reads the file as text."""
    cols = ", ".join(f"{literal(c)}: {literal(t)}" for c, t in types.items())
    return (
        f"read_csv(?, header = true, encoding = ?, types = {{{cols}}}, "
        f"dateformat = '%Y-%m-%d'{_csv_options(options)})"
    )


def sniff_csv_types(options: dict[str, str] | None = None) -> str:
    """The column types and date format DuckDB sniffs in a CSV (parameters: path, encoding)."""
    return (
        f"SELECT Columns, DateFormat FROM sniff_csv(?, header = true, encoding = ?"
        f"{_csv_options(options)})"
    )


def create_empty_csv_rejects(table: str) -> str:
    """A rejects table with no record (the columns :func:`csv_rejects` reads), for a CSV read
    that rejected none."""
    return (
        f"CREATE OR REPLACE TEMP TABLE {ident(table)} (line UBIGINT, column_idx UBIGINT, "
        "error_type VARCHAR, error_message VARCHAR, csv_line VARCHAR)"
    )


def read_csv_sample_source(path: str, encoding: str, options: dict[str, str] | None = None) -> str:
    return (
        f"read_csv({literal(path)}, all_varchar = true, header = true, "
        f"encoding = {literal(encoding)}, ignore_errors = true{_csv_options(options)})"
    )


def read_parquet_source(path: str) -> str:
    return f"read_parquet({literal(path)}, file_row_number = true)"


def csv_columns(
    con: duckdb.DuckDBPyConnection, path: str, encoding: str, options: dict[str, str] | None = None
) -> list[str]:
    rel = con.sql(f"SELECT * FROM {read_csv_sample_source(path, encoding, options)} LIMIT 0")
    return list(rel.columns)


def parquet_types(con: duckdb.DuckDBPyConnection, path: str) -> dict[str, str]:
    rel = con.sql(f"SELECT * FROM read_parquet({literal(path)}) LIMIT 0")
    return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}


def csv_rejects(rejects: str) -> str:
    """One row per rejected record (DuckDB lists a record once per extra or missing field):
    its line as DuckDB numbers it (records and blank lines, as a spreadsheet shows them), the
    error and the record's text (without the blank lines DuckDB may put before it)."""
    return (
        "SELECT line, arg_min(error_type, column_idx), arg_min(error_message, column_idx), "
        "ltrim(arg_min(csv_line, column_idx), chr(13) || chr(10)) "
        f"FROM {ident(rejects)} GROUP BY line ORDER BY line"
    )


def skipped_lines_table(table: str, rejects: str, blank: str | None) -> str:
    """A temp table mapping a CSV's kept records to their row numbers, for :func:`number_rows`.

    The lines from 2 on that hold no kept record are the rejected ones (``rejects``) and those
    in ``blank`` (a relation with a ``line`` column: lines above and at the header, blank
    lines). For the j-th of them (sorted, j from 0) on line L_j, L_j - 2 - j kept records come
    before it; a kept record at position r (from 0) comes after each with that number <= r, so
    its line is r + 2 + #{j : L_j - 2 - j <= r}. The table holds, for each distinct
    ``kept_before``, ``n`` = that count.
    """
    lines = f"SELECT line FROM {ident(rejects)}"
    if blank is not None:
        lines += f" UNION ALL SELECT line FROM {ident(blank)}"
    return f"""
        CREATE OR REPLACE TEMP TABLE {ident(table)} AS
        WITH s AS (
            SELECT DISTINCT line::BIGINT AS line FROM ({lines}) WHERE line >= 2
        ), pos AS (
            SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) AS kept_before FROM s
        )
        SELECT kept_before, max(n) AS n FROM (
            SELECT kept_before, row_number() OVER (ORDER BY kept_before) AS n FROM pos)
        GROUP BY kept_before
    """


def number_rows(rejects_sql: str, lines: str) -> str:
    """``rejects_sql`` (rows numbered by position, ``rowid + 2``) with each row number moved
    past the lines of ``lines`` (:func:`skipped_lines_table`) that come before it. Only the
    rejected rows are renumbered, not the whole table."""
    return f"""
        SELECT (r.row + coalesce(c.n, 0))::BIGINT AS row, r.field, r.value, r.reason
        FROM ({rejects_sql}) r
        ASOF LEFT JOIN {ident(lines)} c ON r.row - 2 >= c.kept_before
    """


# --------------------------------------------------------------------------- validation
_Part = str | tuple[str, str]  # an expression, or (condition, value): see _first_non_null
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20_000, 80_000  # 1954-10-03 .. 2119-01-10
# DuckDB's cast reads '1/10/07' as the year 1 and '07-01-10' as the year 7: the fast ISO path
# takes only years from 1000, the others go on to the column's formats.
FAST_ISO_FROM = "1000-01-01"
DATE_SAMPLE_ROWS, DATE_SAMPLE_VALUES = 50_000, 5_000


def _serial_date(text: str) -> str:
    v = f"try_cast({text} AS DOUBLE)"
    return (
        f"CASE WHEN {v} BETWEEN {EXCEL_SERIAL_MIN} AND {EXCEL_SERIAL_MAX} "
        f"THEN DATE '1899-12-30' + CAST(floor({v}) AS INTEGER) END"
    )


def _fast_iso(text: str) -> tuple[str, str]:
    """(condition, value): an ISO date or timestamp (spaces allowed) from year 1000 on."""
    iso = f"try_cast({text} AS DATE)"
    return f"{iso} >= DATE {literal(FAST_ISO_FROM)}", iso


def year_first_last(formats: list[str]) -> list[str]:
    """``formats`` in the order they are tried: the year-first ones last (stable)."""
    return sorted(formats, key=lambda f: f.startswith("%Y"))


def _strptime(text: str, formats: list[str]) -> str:
    """The first of ``formats`` that reads ``text``, as a DATE. A year-first format is tried
    only on a text that starts with four digits: ``%Y`` takes one to four (``27/6/07`` would
    be the 7th of June of the year 27)."""
    fl = "[" + ", ".join(literal(f) for f in formats) + "]"
    read = f"CAST(try_strptime({text}, {fl}) AS DATE)"
    if all(f.startswith("%Y") for f in formats):
        return f"CASE WHEN regexp_matches({text}, '^[0-9]{{4}}') THEN {read} END"
    return read


def _date_parts(text: str, formats: list[str], serial: bool, fast_iso: bool) -> list[_Part]:
    """The DATE expressions a text value is tried with, in order: the fast ISO cast, each
    format (year-first ones last), Excel serials. A value is read by the first that gives a
    date."""
    parts: list[_Part] = [_fast_iso(text)] if fast_iso else []
    parts += [_strptime(text, [f]) for f in year_first_last(formats)]
    if serial:
        parts.append(_serial_date(text))
    return parts


def _date_part_index(text: str, formats: list[str], serial: bool, fast_iso: bool) -> str:
    """Which of :func:`_date_parts` reads a value: 0 for the first, NULL for none."""
    parts = _date_parts(text, formats, serial, fast_iso)
    whens = " ".join(f"WHEN {_condition(p)} THEN {i}" for i, p in enumerate(parts))
    return f"CASE {whens} END" if parts else "NULL::INTEGER"


def create_date_sample(table: str, values_sql: str) -> str:
    """A temp table ``table(v)`` of distinct trimmed non-blank texts from ``values_sql`` (a
    query of one column), at most :data:`DATE_SAMPLE_VALUES` of them."""
    return (
        f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT DISTINCT trim(v::VARCHAR) AS v "
        f"FROM ({values_sql}) t(v) WHERE nullif(trim(v::VARCHAR), '') IS NOT NULL "
        f"LIMIT {DATE_SAMPLE_VALUES}"
    )


def column_head(source: str, column: str) -> str:
    """The values of a column in the first :data:`DATE_SAMPLE_ROWS` rows of ``source``."""
    return f"SELECT {ident(column)} FROM {source} LIMIT {DATE_SAMPLE_ROWS}"


def rejected_values(parsed: str, field: str) -> str:
    """The source text of a field's values that failed to parse."""
    raw = ident("__raw_" + field)
    return f"SELECT {raw} FROM {ident(parsed)} WHERE {raw} IS NOT NULL"


def day_month_evidence(sample: str, month_first: list[str], day_first: list[str]) -> str:
    """Over a sample table (:func:`create_date_sample`): how many values only a month-first
    format reads, how many only a day-first one, how many both, and an example of each."""
    md = f"(try_strptime(v, [{', '.join(map(literal, month_first))}]) IS NOT NULL)"
    dm = f"(try_strptime(v, [{', '.join(map(literal, day_first))}]) IS NOT NULL)"
    return (
        f"SELECT count(*) FILTER (WHERE {md} AND NOT {dm}), "
        f"count(*) FILTER (WHERE {dm} AND NOT {md}), count(*) FILTER (WHERE {md} AND {dm}), "
        f"min(v) FILTER (WHERE {md} AND NOT {dm}), min(v) FILTER (WHERE {dm} AND NOT {md}), "
        f"min(v) FILTER (WHERE {md} AND {dm}) FROM {ident(sample)}"
    )


def date_first_fit(sample: str, formats: list[str], serial: bool, fast_iso: bool) -> str:
    """Over a sample table: for each of :func:`_date_parts` that is the first to read some
    values, (its index, how many values, the first of them, its date)."""
    parts = _date_parts("v", formats, serial, fast_iso)
    k = _date_part_index("v", formats, serial, fast_iso)
    value = _first_non_null(parts) if parts else "NULL::DATE"
    return (
        f"SELECT k, count(*), min(v), arg_min(d, v) FROM (SELECT v, {k} AS k, {value} AS d "
        f"FROM {ident(sample)}) WHERE k IS NOT NULL GROUP BY k ORDER BY k"
    )


def date_format_rows(source: str, column: str, formats: list[str], serial: bool) -> str:
    """How many rows of ``source`` each of :func:`_date_parts` reads (a pass over the column:
    run only for a column that mixes formats)."""
    k = _date_part_index(f"trim({ident(column)}::VARCHAR)", formats, serial, fast_iso=True)
    return f"SELECT k, count(*) FROM (SELECT {k} AS k FROM {source}) WHERE k IS NOT NULL GROUP BY k"


def reparse_dates(parsed: str, field: str, formats: list[str], serial: bool) -> str:
    """Read again, with ``formats`` (and serials), the values of a date field that failed to
    parse; those read in years 1-9999 are no longer rejects."""
    raw = ident("__raw_" + field)
    d = parse_date_expr("__raw_" + field, "VARCHAR", formats, serial, fast_iso=False)
    return (
        f"UPDATE {ident(parsed)} SET {ident(field)} = {d}, {raw} = NULL "
        f"WHERE {raw} IS NOT NULL AND {d} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'"
    )


def parse_date_expr(
    column: str, col_type: str, formats: list[str], serial: bool, fast_iso: bool = True
) -> str:
    """A DATE from a text column: ISO first (fast), then the column's formats (the first that
    reads a value wins), then serials."""
    c = ident(column)
    if col_type.startswith(("DATE", "TIMESTAMP")):
        return f"CAST({c} AS DATE)"
    if col_type not in ("VARCHAR",):
        # A number column in a date field: Excel serials are the only sensible reading.
        return _serial_date(c)
    t = f"trim({c})"
    parts: list[_Part] = [_fast_iso(c)] if fast_iso else []
    # One call tries the formats in order and keeps the first that reads the value.
    others = [f for f in formats if not f.startswith("%Y")]
    year_first = [f for f in formats if f.startswith("%Y")]
    parts += [_strptime(t, fs) for fs in (others, year_first) if fs]
    if serial:
        parts.append(_serial_date(t))
    return _first_non_null(parts) if parts else "NULL::DATE"


def _condition(part: _Part) -> str:
    return part[0] if isinstance(part, tuple) else f"{part} IS NOT NULL"


def _value(part: _Part) -> str:
    return part[1] if isinstance(part, tuple) else part


def _first_non_null(parts: Sequence[_Part]) -> str:
    """Like coalesce, but each later expression runs only for the rows still NULL (DuckDB's
    coalesce evaluates every argument on every row; CASE branches run on their rows only).
    A part is an expression, or (condition, value) to take the value only where it holds."""
    last = parts[-1]
    expr = f"CASE WHEN {last[0]} THEN {last[1]} END" if isinstance(last, tuple) else last
    for part in reversed(parts[:-1]):
        expr = f"CASE WHEN {_condition(part)} THEN {_value(part)} ELSE {expr} END"
    return expr


def parse_number_expr(column: str, col_type: str) -> str:
    """A DOUBLE from text: plain numbers fast, then thousands separators, currency signs,
    a decimal comma (``1.234,50``) and accounting negatives (``(12.50)``)."""
    c = ident(column)
    if col_type != "VARCHAR":
        return f"try_cast({c} AS DOUBLE)"
    t = f"trim({c})"
    # Strip currency signs, codes and spaces (also non-breaking and thin spaces).
    s = (
        f"regexp_replace({t}, '[\\s\\x{{00A0}}\\x{{202F}}$€£¥₹]|^(USD|EUR|GBP|CHF|JPY)|"
        "(USD|EUR|GBP|CHF|JPY)$', '', 'g')"
    )
    neg = f"regexp_full_match({s}, '\\(.*\\)')"
    body = f"regexp_replace({s}, '^\\((.*)\\)$', '\\1')"
    cleaned = (
        f"CASE WHEN regexp_full_match({body}, '[-+]?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]+)?') "
        f"THEN replace({body}, ',', '') "
        f"WHEN regexp_full_match({body}, '[-+]?[0-9]{{1,3}}(\\.[0-9]{{3}})+(,[0-9]+)?') "
        f"THEN replace(replace({body}, '.', ''), ',', '.') "
        f"WHEN regexp_full_match({body}, '[-+]?[0-9]+,[0-9]+') THEN replace({body}, ',', '.') "
        f"ELSE {body} END"
    )
    slow = f"CASE WHEN {neg} THEN -try_cast({cleaned} AS DOUBLE) ELSE try_cast({cleaned} AS DOUBLE) END"
    return _first_non_null([f"try_cast({c} AS DOUBLE)", slow])


# What Python's str.strip() removes: spaces, tabs, line breaks, no-break and other Unicode
# spaces (DuckDB's one-argument trim() leaves tabs and line breaks).
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


_WHITESPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):04X}}}" for c in WHITESPACE) + "]"


_TRIM_EDGE = literal(f"^{_WHITESPACE_CLASS}|{_WHITESPACE_CLASS}$")


def needs_trim(table: str, column: str) -> str:
    """Whether any distinct value of a text column is blank or has whitespace at an edge
    (cheap: distinct values are few next to rows)."""
    return (
        f"SELECT count(*) > 0 FROM (SELECT DISTINCT {ident(column)} AS v FROM {ident(table)}) "
        f"WHERE regexp_matches(v, {_TRIM_EDGE}) OR v = ''"
    )


def trim_text(table: str, column: str) -> str:
    """Remove surrounding whitespace (any Unicode space); blank text becomes missing."""
    c = ident(column)
    return (
        f"UPDATE {ident(table)} SET {c} = nullif(trim({c}, {literal(WHITESPACE)}), '') "
        f"WHERE regexp_matches({c}, {_TRIM_EDGE}) OR {c} = ''"
    )


def parse_text_expr(column: str) -> str:
    """Text as written; :func:`trim_text` then trims the few values that need it."""
    return f"CAST({ident(column)} AS VARCHAR)"


# The one pass writes the parsed table without FSST string compression: trying it costs a
# fifth of the pass's CPU, and the text it suits (codes such as order ids, all distinct) is
# then stored by dictionary or as it is, about a tenth larger and quicker to read. SKU codes,
# repeated line after line, take the dictionary either way.
FAST_WRITE_COMPRESSION = "SET disabled_compression_methods = 'fsst,dict_fsst'"
DEFAULT_COMPRESSION = "RESET disabled_compression_methods"


def build_parsed(
    table: str,
    staged_source: str,
    row_expr: str | None,
    columns: list[str],
    exprs: dict[str, tuple[str, str | None, str]],
    trusted: frozenset[str] = frozenset(),
) -> str:
    """Parsed table in one pass over the source: ``__row``, each canonical field parsed, and ``__raw_<field>`` holding the
    source text only where a present value failed to parse. ``exprs`` maps field ->
    (expression, source column or None, kind); a source column of None means the value
    cannot fail to parse (text, or an already typed date or integer). ``trusted`` fields are
    typed values known (or checked after, :func:`typed_values_bad`) to be finite and in range:
    they are copied as they are."""
    # Without row_expr the rows keep file order and are numbered by position (rowid + 2).
    cols = [f"{row_expr}::BIGINT AS __row"] if row_expr else []
    for name, (expr, raw_col, _kind) in exprs.items():
        cols.append(f"{expr} AS {ident(name)}")
        if raw_col is not None:
            cols.append(f"{ident(raw_col)} AS {ident('__src_' + name)}")
    inner = f"SELECT {', '.join(cols)} FROM {staged_source}"
    outer = ["__row"] if row_expr else []
    for name, (_expr, raw_col, kind) in exprs.items():
        if name in trusted and raw_col is None:
            outer.append(ident(name))
            continue
        if kind in ("number", "date"):
            # NaN, infinities and DuckDB's infinite dates are not values anyone means: they
            # count as unparseable. So do dates before year 1 or after 9999 ('0/1' read as
            # %Y/%m is 1 BC), which no one means either and Python cannot hold.
            good = (
                f"{ident(name)} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'"
                if kind == "date"
                else f"isfinite({ident(name)})"
            )
            outer.append(f"CASE WHEN {good} THEN {ident(name)} END AS {ident(name)}")
            bad = f"NOT coalesce({good}, false)"
        else:
            outer.append(ident(name))
            bad = f"{ident(name)} IS NULL"
        if raw_col is not None:
            # Cheap per row: no string work. Blank text also lands here; clear_blank_raw()
            # then clears it, touching the few flagged rows only.
            src = ident("__src_" + name)
            outer.append(
                f"CASE WHEN {bad} AND {src} IS NOT NULL THEN CAST({src} AS VARCHAR) END "
                f"AS {ident('__raw_' + name)}"
            )
    # A table of the workspace (not a temp table): at commit it is renamed into place.
    return f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT {', '.join(outer)} FROM ({inner})"


def typed_values_bad(table: str, numbers: list[str], dates: list[str]) -> str:
    """Whether a trusted typed column holds NaN, an infinity or a date outside years 1000-9999
    (then the file is parsed from its text instead, which rejects them by row, and reads a
    short year such as ``07-01-10`` by the column's formats: DuckDB's reader takes it as the
    year 7)."""
    conds = [f"count(*) FILTER (WHERE NOT isfinite({ident(c)}))" for c in numbers]
    conds += [
        f"count(*) FILTER (WHERE NOT {ident(c)} BETWEEN DATE {literal(FAST_ISO_FROM)} "
        "AND DATE '9999-12-31')"
        for c in dates
    ]
    return f"SELECT {' + '.join(conds) if conds else '0'} > 0 FROM {ident(table)}"


def dates_in_range(source: str, column: str) -> str:
    """Whether every date of a typed column is in years 1-9999 (Parquet keeps statistics)."""
    c = ident(column)
    return (
        f"SELECT coalesce(min({c}) >= DATE '0001-01-01' AND max({c}) <= DATE '9999-12-31', "
        f"true) FROM {source}"
    )


def positional_row(stored: bool) -> str:
    """The row number of a parsed row: stored, or from its position."""
    return "__row" if stored else "(rowid + 2)"


def clear_blank_raw(table: str, field: str) -> str:
    """A blank source value is missing, not unparseable: clear its reject marker."""
    raw = ident("__raw_" + field)
    return f"UPDATE {ident(table)} SET {raw} = NULL WHERE {raw} IS NOT NULL AND trim({raw}) = ''"


def ok_condition(required: list[str], checked: list[str]) -> str:
    conds = [f"{ident(f)} IS NOT NULL" for f in required]
    conds += [f"{ident('__raw_' + f)} IS NULL" for f in checked]
    return " AND ".join(conds) if conds else "TRUE"


NO_REJECTS = (
    "SELECT NULL::BIGINT AS row, NULL::VARCHAR AS field, NULL::VARCHAR AS value, "
    "NULL::VARCHAR AS reason WHERE FALSE"
)


def reject_rows(
    parsed: str, required: list[str], checked: dict[str, str], row: str = "__row"
) -> str:
    """One row per problem: (row, column, value, reason). ``checked`` maps field -> reason.
    A required field that failed to parse is reported as unparseable, not as missing too."""
    parts = []
    for f in required:
        missing = f"{ident(f)} IS NULL"
        if f in checked:
            missing += f" AND {ident('__raw_' + f)} IS NULL"
        reason = "missing " + ("SKU" if f == "sku" else f.replace("_", " "))
        parts.append(
            f"SELECT {row} AS row, {literal(f)} AS field, NULL::VARCHAR AS value, "
            f"{literal(reason)} AS reason FROM {ident(parsed)} WHERE {missing}"
        )
    for f, reason in checked.items():
        parts.append(
            f"SELECT {row} AS row, {literal(f)} AS field, {ident('__raw_' + f)} AS value, "
            f"{literal(reason)} AS reason FROM {ident(parsed)} WHERE {ident('__raw_' + f)} IS NOT NULL"
        )
    return " UNION ALL ".join(parts) if parts else NO_REJECTS


MAX_DAY_SPAN_FOR_PRUNING = 20_000


def date_span(parsed: str, date_field: str) -> str:
    """First and last date, and whether all dates fall on one weekday (a weekly file)."""
    d = ident(date_field)
    return (
        f"SELECT min({d}), max({d}), coalesce(min(isodow({d})) = max(isodow({d})), false) "
        f"FROM {ident(parsed)}"
    )


def sku_summary(
    parsed: str,
    summary: str,
    ok: str,
    conditions: list[str],
    date_field: str | None = None,
    first_day: str | None = None,
    span_days: int | None = None,
    sales_history: bool = False,
    has_unit_cost: bool = False,
    day_step: int = 1,
) -> str:
    """One pass over the parsed rows, grouped by SKU (few groups, so cheap): row counts
    (all, accepted, accepted meeting each warning condition ``c0``, ``c1``...), whether the SKU
    needs trimming, whether it has two rows on one day (a per-SKU bitmap of days: only such
    SKUs can hold exact duplicate rows), and for sales the history the features use.
    ``day_step`` 7: every date is ``first_day`` plus whole weeks (a weekly file), so the bitmap
    needs a bit per week only."""
    cols = [
        "sku",
        "count(*) AS n",
        "sum(__ok::INTEGER) AS n_ok",
        f"(regexp_matches(sku, {_TRIM_EDGE}) OR sku = '') AS needs_trim",
    ]
    cols += [f"sum((__ok AND ({c}))::INTEGER) AS c{i}" for i, c in enumerate(conditions)]
    inner = [f"({ok}) AS __ok"]
    if date_field is not None and first_day is not None and span_days is not None:
        d = ident(date_field)
        span = int(span_days)
        inner.append(
            f"CASE WHEN {d} - DATE {literal(first_day)} BETWEEN 0 AND {span} "
            f"THEN CAST({d} - DATE {literal(first_day)} AS INTEGER) END AS __day"
        )
        step = int(day_step)
        idx = f"(__day // {step})" if step > 1 else "__day"
        cols += [
            "count(*) - count(__day) AS n_no_date",
            f"{distinct_count_small(idx, span // step + 1)} < count(__day) AS repeated",
        ]
    if sales_history:
        cols += [
            "min(date) FILTER (WHERE __ok AND quantity > 0) AS first_sale",
            "max(date) FILTER (WHERE __ok AND quantity > 0) AS last_sale",
            ("avg(unit_cost) FILTER (WHERE __ok)" if has_unit_cost else "NULL::DOUBLE")
            + " AS sales_unit_cost",
        ]
    return (
        f"CREATE OR REPLACE TEMP TABLE {ident(summary)} AS SELECT {', '.join(cols)} "
        f"FROM (SELECT *, {', '.join(inner)} FROM {ident(parsed)}) GROUP BY sku"
    )


def non_finite_count(source: str, column: str) -> str:
    """NaN and infinities in a typed float column (Parquet keeps statistics: cheap)."""
    return f"SELECT count(*) FILTER (WHERE NOT isfinite({ident(column)})) FROM {source}"


def summary_totals(summary: str, n_conditions: int) -> str:
    extra = "".join(f", sum(c{i})" for i in range(n_conditions))
    return f"SELECT coalesce(sum(n), 0), coalesce(sum(n_ok), 0){extra} FROM {ident(summary)}"


def summary_needs_trim(summary: str) -> str:
    return f"SELECT coalesce(bool_or(needs_trim), false) FROM {ident(summary)}"


def summary_duplicate_candidates(summary: str) -> str:
    """How many rows could have an identical twin (rows without SKU or date, and the rows of
    SKUs with two rows on one day)."""
    return (
        f"SELECT coalesce(sum(CASE WHEN sku IS NULL OR repeated THEN n ELSE n_no_date END), 0) "
        f"FROM {ident(summary)}"
    )


def duplicate_candidates(parsed: str, summary: str, row: str = "__row") -> str:
    return f"""
        CREATE OR REPLACE TEMP TABLE __dup_candidates AS
        SELECT {row} AS __row FROM {ident(parsed)}
        WHERE sku IN (SELECT sku FROM {ident(summary)} WHERE repeated OR n_no_date > 0)
           OR sku IS NULL
    """


def duplicate_rows(source: str, row_expr: str, columns: list[str], candidates: bool) -> str:
    """Rows identical in every column of the file to an earlier row (counted, not removed);
    with ``candidates``, only among the rows of ``__dup_candidates``."""
    h = f"hash({', '.join(ident(c) for c in columns)})"
    where = f" WHERE {row_expr} IN (SELECT __row FROM __dup_candidates)" if candidates else ""
    return f"SELECT count(*) - count(DISTINCT {h}) FROM {source}{where}"


def unknown_skus(staged_parsed: str, ok: str, sales_source: str) -> str:
    """Distinct SKUs of an accepted staged table that never appear in the sales source."""
    return (
        f"SELECT DISTINCT p.sku FROM {ident(staged_parsed)} p WHERE {ok} AND NOT EXISTS "
        f"(SELECT 1 FROM {sales_source} s WHERE s.sku = p.sku) ORDER BY 1"
    )


# --------------------------------------------------------------------------- workspace
def data_table(table: Table) -> str:
    """The stored rows of a canonical table; queries read the view named ``table.name``."""
    return table.name + "__data"


def create_data_table(table: Table) -> list[str]:
    cols = ", ".join(f"{ident(f.name)} {SQL_TYPES[f.kind]}" for f in table.fields)
    return [
        f"CREATE TABLE IF NOT EXISTS {ident(data_table(table))} ({cols})",
        f"CREATE VIEW IF NOT EXISTS {ident(table.name)} AS SELECT * FROM {ident(data_table(table))}",
    ]


def canonical_view(table: Table, stored: list[str]) -> str:
    """The canonical view over a data table that stores ``stored`` columns: unmapped optional
    fields read as typed NULLs (stored as nothing at all, so a load does not write them)."""
    cols = ", ".join(
        ident(f.name) if f.name in stored else f"NULL::{SQL_TYPES[f.kind]} AS {ident(f.name)}"
        for f in table.fields
    )
    return f"CREATE OR REPLACE VIEW {ident(table.name)} AS SELECT {cols} FROM {ident(data_table(table))}"


META_DDL = [
    "CREATE SEQUENCE IF NOT EXISTS load_seq START 1",
    """CREATE TABLE IF NOT EXISTS loads (
        load_id INTEGER, file_key VARCHAR, file_label VARCHAR, loaded_at TIMESTAMP,
        layout VARCHAR, mapping_json VARCHAR, rows_read BIGINT, rows_accepted BIGINT,
        rows_rejected BIGINT, warnings_json VARCHAR, status VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS load_rejects (
        load_id INTEGER, file_key VARCHAR, "row" BIGINT, field VARCHAR, value VARCHAR,
        reason VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS mappings (
        layout VARCHAR PRIMARY KEY, file_key VARCHAR, mapping_json VARCHAR, saved_at TIMESTAMP)""",
    # Loads validated but not yet committed or discarded: their tables start '__staged<tag>_'.
    "CREATE TABLE IF NOT EXISTS stagings (tag VARCHAR PRIMARY KEY, started_at TIMESTAMP)",
    # Facts about the workspace itself: 'demo' (built by the demo builder), 'successor' (the
    # workspace of their own a user's first upload into the demo started).
    "CREATE TABLE IF NOT EXISTS workspace_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
]
# Columns of the load history added after its first release (added to older files on open):
# who did it, what it was ('load', 'clear' or 'undo'), the entry an undo undid, and the undo
# that undid an entry.
LOAD_COLUMNS_ADDED = {
    "who": "VARCHAR",
    "action": "VARCHAR",
    "undoes": "INTEGER",
    "undone_by": "INTEGER",
}
META_ALL = "SELECT key, value FROM workspace_meta"
SET_META = "INSERT OR REPLACE INTO workspace_meta VALUES (?, ?)"
STAGING_MAX_AGE_HOURS = 12
REGISTER_STAGING = "INSERT OR REPLACE INTO stagings VALUES (?, current_timestamp::TIMESTAMP)"
FORGET_STAGING = "DELETE FROM stagings WHERE tag = ?"
# The age past which a staging is abandoned is written in (no parameter: a parametrised query
# makes DuckDB import pandas, 0.3 s of every command's start).
FORGET_STALE_STAGINGS = (
    "DELETE FROM stagings WHERE started_at < current_timestamp::TIMESTAMP - "
    f"to_hours({int(STAGING_MAX_AGE_HOURS)})"
)

NEXT_LOAD_ID = "SELECT nextval('load_seq')"
CURRENT_VERSION = "SELECT coalesce(max(load_id), 0) FROM loads WHERE status = 'loaded'"
SAVE_MAPPING = "INSERT OR REPLACE INTO mappings VALUES (?, ?, ?, current_timestamp::TIMESTAMP)"
GET_MAPPING = "SELECT mapping_json FROM mappings WHERE layout = ?"
INSERT_LOAD = (
    "INSERT INTO loads (load_id, file_key, file_label, loaded_at, layout, mapping_json, "
    "rows_read, rows_accepted, rows_rejected, warnings_json, status, who, action, undoes) "
    "VALUES (?, ?, ?, current_timestamp::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
LOAD_HISTORY = (
    "SELECT load_id, file_key, file_label, loaded_at, rows_read, rows_accepted, rows_rejected, "
    "status, coalesce(who, 'unknown') AS who, coalesce(action, 'load') AS action, undoes, "
    "undone_by FROM loads ORDER BY load_id DESC, file_key"
)
# One row per entry of the history (a load of several files is one entry).
LOAD_ENTRIES = """
    SELECT load_id AS load, min(loaded_at) AS "when", coalesce(any_value(who), 'unknown') AS who,
           coalesce(any_value(action), 'load') AS action,
           string_agg(file_key || ': ' || file_label, '; ' ORDER BY file_key) AS files,
           sum(rows_accepted)::BIGINT AS "rows", any_value(undoes) AS undoes,
           any_value(undone_by) AS undone_by
    FROM loads GROUP BY load_id ORDER BY load_id DESC
"""
# What each table holds now: the latest load or clear of it that no undo took back.
LATEST_LOADS = """
    SELECT file_key, file_label, loaded_at, rows_read, rows_accepted, rows_rejected, load_id
    FROM loads WHERE status = 'loaded' AND coalesce(action, 'load') <> 'undo'
      AND undone_by IS NULL
    QUALIFY row_number() OVER (PARTITION BY file_key ORDER BY load_id DESC) = 1
    ORDER BY file_key
"""
ENTRY_FILES = (
    "SELECT file_key, file_label, coalesce(action, 'load'), undone_by FROM loads "
    "WHERE load_id = ? ORDER BY file_key"
)
# The first later load or clear of the same table that is still in force (parameters: the
# entry, the file key): an entry is undone only once everything after it on its tables is.
LATER_IN_FORCE = (
    "SELECT min(load_id) FROM loads WHERE load_id > ? AND file_key = ? "
    "AND coalesce(action, 'load') <> 'undo' AND undone_by IS NULL"
)
MARK_UNDONE = "UPDATE loads SET undone_by = ? WHERE load_id = ?"
# The entries whose earlier tables are kept (parameter: how many): the latest loads and clears.
KEPT_ENTRIES = (
    "SELECT DISTINCT load_id FROM loads WHERE coalesce(action, 'load') <> 'undo' "
    "ORDER BY load_id DESC LIMIT ?"
)
SNAPSHOT_PREFIX = "__before"
SNAPSHOT_TABLES = (
    "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
    f"AND starts_with(table_name, '{SNAPSHOT_PREFIX}')"
)
REJECTS_OF_LOAD = (
    'SELECT "row", field, value, reason FROM load_rejects WHERE load_id = ? AND file_key = ? '
    'ORDER BY "row", field'
)


def save_rejects(table: str, rejects_sql: str) -> str:
    return f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT * FROM ({rejects_sql})"


def keep_accepted(parsed: str, ok: str) -> str:
    return f"DELETE FROM {ident(parsed)} WHERE NOT ({ok})"


def drop_helper_columns(con: duckdb.DuckDBPyConnection, parsed: str, table: Table) -> list[str]:
    """ALTER statements dropping the parse's helper columns (a catalogue change only)."""
    wanted = {f.name for f in table.fields}
    return [
        f"ALTER TABLE {ident(parsed)} DROP COLUMN {ident(c)}"
        for c in table_columns(con, parsed)
        if c not in wanted
    ]


SALES_HISTORY_DDL = (
    "CREATE TABLE IF NOT EXISTS sales_history "
    "(sku VARCHAR, first_sale DATE, last_sale DATE, sales_unit_cost DOUBLE)"
)


def replace_sales_history(summary: str) -> list[str]:
    """Per-SKU first and last positive sale and line cost, kept from the load's SKU pass so the
    feature query need not scan every sales line for them."""
    return [
        "DELETE FROM sales_history",
        f"INSERT INTO sales_history SELECT sku, first_sale, last_sale, sales_unit_cost "
        f"FROM {ident(summary)} WHERE sku IS NOT NULL AND n_ok > 0",
    ]


def snapshot_table(load_id: int, file_key: str) -> str:
    """Where a load (or clear) ``load_id`` keeps the table of ``file_key`` it replaced, so that
    undoing it can put that back (``__before<load id>_<file key>``; sales also keep their
    per-SKU history as ``..._sales_history``)."""
    return f"{SNAPSHOT_PREFIX}{int(load_id)}_{file_key}"


def snapshot_load_id(name: str) -> int | None:
    """The load id of a snapshot table's name, or None for another table."""
    head = name[len(SNAPSHOT_PREFIX) :].split("_", 1)[0]
    return int(head) if name.startswith(SNAPSHOT_PREFIX) and head.isdigit() else None


def swap_in(
    con: duckdb.DuckDBPyConnection, parsed: str, table: Table, keep_as: str | None = None
) -> list[str]:
    """Run inside the commit's transaction: the parsed table replaces the current one, which
    is renamed ``keep_as`` (kept for an undo) or, without it, dropped."""
    stored = [c for c in table_columns(con, parsed) if c in {f.name for f in table.fields}]
    current = ident(data_table(table))
    return [
        f"DROP VIEW IF EXISTS {ident(table.name)}",
        f"ALTER TABLE {current} RENAME TO {ident(keep_as)}"
        if keep_as
        else f"DROP TABLE IF EXISTS {current}",
        f"ALTER TABLE {ident(parsed)} RENAME TO {current}",
        canonical_view(table, stored),
    ]


def keep_sales_history(snapshot: str) -> str:
    """A copy of the per-SKU sales history (one row per SKU: small) beside a sales snapshot."""
    return f"CREATE TABLE {ident(snapshot + '_history')} AS SELECT * FROM sales_history"


def restore_sales_history(snapshot: str) -> list[str]:
    return [
        "DELETE FROM sales_history",
        f"INSERT INTO sales_history SELECT * FROM {ident(snapshot + '_history')}",
        drop_table(snapshot + "_history"),
    ]


def empty_data_table(table: Table) -> list[str]:
    """A new empty table of ``table`` (after its current one was renamed away) and its view."""
    return [f"DROP VIEW IF EXISTS {ident(table.name)}", *create_data_table(table)]


def restore_snapshot(con: duckdb.DuckDBPyConnection, snapshot: str, table: Table) -> list[str]:
    """Run inside the undo's transaction: the snapshot becomes the table again (the current
    one is dropped: an undo is not itself undone)."""
    stored = [c for c in table_columns(con, snapshot) if c in {f.name for f in table.fields}]
    return [
        f"DROP VIEW IF EXISTS {ident(table.name)}",
        f"DROP TABLE IF EXISTS {ident(data_table(table))}",
        f"ALTER TABLE {ident(snapshot)} RENAME TO {ident(data_table(table))}",
        canonical_view(table, stored),
    ]


def sku_overlap(others: list[Table]) -> str:
    """The distinct SKUs of the sales lines, and how many of them each of ``others`` holds."""
    found = "".join(
        f", count(*) FILTER (WHERE sku IN (SELECT sku FROM {ident(t.name)})) AS found_{i}"
        for i, t in enumerate(others)
    )
    return (
        f"SELECT count(*) AS sales_skus{found} "
        "FROM (SELECT DISTINCT sku FROM sales WHERE sku IS NOT NULL)"
    )


STALE_STAGING = f"""
SELECT t.table_name FROM duckdb_tables() t
WHERE NOT t.temporary AND starts_with(t.table_name, '__staged')
  AND NOT EXISTS (SELECT 1 FROM stagings s
                  WHERE starts_with(t.table_name, '__staged' || s.tag || '_')
                    AND s.started_at >= current_timestamp::TIMESTAMP - to_hours({int(STAGING_MAX_AGE_HOURS)}))
"""


def insert_rejects(load_id: int, file_key: str, rejects_table: str) -> str:
    return (
        f"INSERT INTO load_rejects SELECT {int(load_id)}, {literal(file_key)}, row, field, value, "
        f"reason FROM {ident(rejects_table)}"
    )


def table_counts() -> str:
    return " UNION ALL ".join(
        f"SELECT {literal(k)} AS file_key, count(*) AS n FROM {ident(t.name)}"
        for k, t in TABLES.items()
    )


# --------------------------------------------------------------------------- decisions
# The workshop's decisions (segstudio.decisions): official rules with their history, manual
# overrides per SKU and an audit trail. Keyed by SKU text: loading new data never touches them.
DECISIONS_DDL = [
    "CREATE SEQUENCE IF NOT EXISTS official_rules_seq START 1",
    """CREATE TABLE IF NOT EXISTS official_rules (
        id INTEGER PRIMARY KEY, adopted_at TIMESTAMP, adopted_by VARCHAR, reason VARCHAR,
        rules_toml VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS overrides (
        sku VARCHAR PRIMARY KEY, segment VARCHAR, reason VARCHAR, expires DATE,
        created_by VARCHAR, created_at TIMESTAMP)""",
    # "at" is a keyword in DuckDB: always quoted.
    """CREATE TABLE IF NOT EXISTS audit ("at" TIMESTAMP, who VARCHAR, action VARCHAR,
        detail VARCHAR)""",
]


# --------------------------------------------------------------------------- plausibility
def number_scales(parsed: str, ok: str, fields: list[str], every: int) -> str:
    """Per number field, over the accepted rows (every ``every``-th row: a sample that is the
    same at each run): the quartiles [Q1, median, Q3] of the size of its non-zero values, and
    how many there are."""
    cols = []
    for f in fields:
        c = ident(f)
        cols += [
            f"quantile_cont(abs({c}), [0.25, 0.5, 0.75]) FILTER (WHERE {c} <> 0)",
            f"count({c}) FILTER (WHERE {c} <> 0)",
        ]
    sample = f" AND rowid % {int(every)} = 0" if every > 1 else ""
    return f"SELECT {', '.join(cols)} FROM {ident(parsed)} WHERE ({ok}){sample}"


def dates_before(field: str, day: str) -> tuple[str, str]:
    """(condition, examples: the earliest three) for dates before ``day`` (ISO)."""
    c = ident(field)
    return f"{c} < DATE {literal(day)}", f"min({c}, 3)"


def dates_after(field: str, day: str) -> tuple[str, str]:
    """(condition, examples: the latest three) for dates after ``day`` (ISO)."""
    c = ident(field)
    return f"{c} > DATE {literal(day)}", f"max({c}, 3)"


_ORDER_RECEIPT = "{'order': order_date, 'receipt': receipt_date}"


def negative_lead_times() -> tuple[str, str]:
    """(condition, examples: the three most negative) for receipts before their order."""
    return (
        "receipt_date < order_date",
        f"min_by({_ORDER_RECEIPT}, receipt_date - order_date, 3)",
    )


def lead_times_over(days: int) -> tuple[str, str]:
    """(condition, examples: the three longest) for lead times over ``days``."""
    return (
        f"receipt_date - order_date > {int(days)}",
        f"max_by({_ORDER_RECEIPT}, receipt_date - order_date, 3)",
    )


def numbers_beyond(field: str, bound: float) -> tuple[str, str]:
    """(condition, examples: the three largest in size) for values larger than ``bound`` in
    size."""
    c = ident(field)
    return f"abs({c}) > {float(bound)!r}", f"max_by({c}, abs({c}), 3)"


def implausible_rows(parsed: str, ok: str, checks: list[tuple[str, str]]) -> str:
    """One pass over the accepted rows: per (condition, examples) check, the rows meeting it
    and its examples. The rows that meet none (nearly all) are dropped by one filter first."""
    if not checks:
        return "SELECT 0"
    cols = []
    for cond, examples in checks:
        where = f"FILTER (WHERE {cond})"
        cols += [f"count(*) {where}", f"{examples} {where}"]
    any_check = " OR ".join(f"({cond})" for cond, _ in checks)
    return f"SELECT {', '.join(cols)} FROM {ident(parsed)} WHERE ({ok}) AND ({any_check})"
