"""All SQL of the product, as text with bound parameters.

Identifiers that come from users (their column names) pass through :func:`ident`; everything
else is the product's own canonical names. The per-SKU feature query (:func:`features_sql`) is
portable SQL over the canonical tables so that it can later run where the data lives.
"""

from __future__ import annotations

import duckdb

from .schema import TABLES, Table

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
    return (f"SELECT Columns, DateFormat FROM sniff_csv(?, header = true, encoding = ?"
            f"{_csv_options(options)})")


def create_empty_csv_rejects(table: str) -> str:
    """A rejects table with no record (the columns :func:`csv_rejects` reads), for a CSV read
    that rejected none."""
    return (f"CREATE OR REPLACE TEMP TABLE {ident(table)} (line UBIGINT, column_idx UBIGINT, "
            "error_type VARCHAR, error_message VARCHAR, csv_line VARCHAR)")


def read_csv_sample_source(path: str, encoding: str, options: dict[str, str] | None = None) -> str:
    return (
        f"read_csv({literal(path)}, all_varchar = true, header = true, "
        f"encoding = {literal(encoding)}, ignore_errors = true{_csv_options(options)})"
    )


def read_parquet_source(path: str) -> str:
    return f"read_parquet({literal(path)}, file_row_number = true)"


def csv_columns(con: duckdb.DuckDBPyConnection, path: str, encoding: str,
                options: dict[str, str] | None = None) -> list[str]:
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
DATE_FORMATS: dict[str, list[str]] = {
    # family -> strptime formats; "us" and "eu" are exclusive (a column is one or the other).
    "iso": ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
            "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"],
    "us": ["%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%m/%d/%y", "%m/%d/%y %H:%M"],
    "eu": ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d.%m.%Y", "%d.%m.%Y %H:%M",
           "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y"],
    "named": ["%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
              "%d-%B-%Y", "%d %b %y"],
    "month": ["%Y-%m", "%Y/%m", "%b-%y", "%b %Y", "%B %Y", "%m/%Y"],
    "compact": ["%Y%m%d"],
}
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20_000, 80_000  # 1954-10-03 .. 2119-01-10


def date_format_hits(con: duckdb.DuckDBPyConnection, source: str, column: str) -> dict[str, int]:
    """How many of a sample of distinct values each date format (and Excel serials) parses."""
    fmts = [f for fam in DATE_FORMATS.values() for f in fam]
    sample = (
        f"SELECT DISTINCT trim(v) AS v FROM (SELECT {ident(column)}::VARCHAR AS v FROM {source} "
        f"LIMIT 50000) WHERE nullif(trim(v), '') IS NOT NULL LIMIT 5000"
    )
    counts = ", ".join(f"count(try_strptime(v, {literal(f)}))" for f in fmts)
    serial = (
        f"count(*) FILTER (WHERE regexp_full_match(v, '[0-9]{{5}}(\\.[0-9]+)?') "
        f"AND try_cast(v AS DOUBLE) BETWEEN {EXCEL_SERIAL_MIN} AND {EXCEL_SERIAL_MAX})"
    )
    row = con.execute(f"SELECT {counts}, {serial}, count(*) FROM ({sample})").fetchone()
    hits = dict(zip(fmts, row[: len(fmts)], strict=True))
    hits["excel_serial"] = row[len(fmts)]
    hits["__sampled"] = row[-1]
    return hits


def parse_date_expr(column: str, col_type: str, formats: list[str], serial: bool) -> str:
    """A DATE from a text column: ISO first (fast), then the column's formats, then serials."""
    c = ident(column)
    if col_type.startswith(("DATE", "TIMESTAMP")):
        return f"CAST({c} AS DATE)"
    if col_type not in ("VARCHAR",):
        # A number column in a date field: Excel serials are the only sensible reading.
        v = f"try_cast({c} AS DOUBLE)"
        return (f"CASE WHEN {v} BETWEEN {EXCEL_SERIAL_MIN} AND {EXCEL_SERIAL_MAX} "
                f"THEN DATE '1899-12-30' + CAST(floor({v}) AS INTEGER) END")
    t = f"trim({c})"
    parts = [f"try_cast({c} AS DATE)"]  # ISO dates and timestamps, spaces allowed: fast
    if formats:
        fl = "[" + ", ".join(literal(f) for f in formats) + "]"
        parts.append(f"CAST(try_strptime({t}, {fl}) AS DATE)")
    if serial:
        v = f"try_cast({t} AS DOUBLE)"
        parts.append(
            f"CASE WHEN {v} BETWEEN {EXCEL_SERIAL_MIN} AND {EXCEL_SERIAL_MAX} "
            f"THEN DATE '1899-12-30' + CAST(floor({v}) AS INTEGER) END"
        )
    return _first_non_null(parts)


def _first_non_null(parts: list[str]) -> str:
    """Like coalesce, but each later expression runs only for the rows still NULL (DuckDB's
    coalesce evaluates every argument on every row; CASE branches run on their rows only)."""
    expr = parts[-1]
    for part in reversed(parts[:-1]):
        expr = f"CASE WHEN {part} IS NOT NULL THEN {part} ELSE {expr} END"
    return expr


def parse_number_expr(column: str, col_type: str) -> str:
    """A DOUBLE from text: plain numbers fast, then thousands separators, currency signs,
    a decimal comma (``1.234,50``) and accounting negatives (``(12.50)``)."""
    c = ident(column)
    if col_type != "VARCHAR":
        return f"try_cast({c} AS DOUBLE)"
    t = f"trim({c})"
    # Strip currency signs, codes and spaces (also non-breaking and thin spaces).
    s = (f"regexp_replace({t}, '[\\s\\x{{00A0}}\\x{{202F}}$€£¥₹]|^(USD|EUR|GBP|CHF|JPY)|"
         "(USD|EUR|GBP|CHF|JPY)$', '', 'g')")
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
    return (f"SELECT count(*) > 0 FROM (SELECT DISTINCT {ident(column)} AS v FROM {ident(table)}) "
            f"WHERE regexp_matches(v, {_TRIM_EDGE}) OR v = ''")


def trim_text(table: str, column: str) -> str:
    """Remove surrounding whitespace (any Unicode space); blank text becomes missing."""
    c = ident(column)
    return (f"UPDATE {ident(table)} SET {c} = nullif(trim({c}, {literal(WHITESPACE)}), '') "
            f"WHERE regexp_matches({c}, {_TRIM_EDGE}) OR {c} = ''")


def parse_text_expr(column: str) -> str:
    """Text as written; :func:`trim_text` then trims the few values that need it."""
    return f"CAST({ident(column)} AS VARCHAR)"


def build_parsed(table: str, staged_source: str, row_expr: str | None, columns: list[str],
                 exprs: dict[str, tuple[str, str | None, str]],
                 trusted: frozenset[str] = frozenset()) -> str:
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
            good = (f"{ident(name)} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'"
                    if kind == "date" else f"isfinite({ident(name)})")
            outer.append(f"CASE WHEN {good} THEN {ident(name)} END AS {ident(name)}")
            bad = f"NOT coalesce({good}, false)"
        else:
            outer.append(ident(name))
            bad = f"{ident(name)} IS NULL"
        if raw_col is not None:
            # Cheap per row: no string work. Blank text also lands here; clear_blank_raw()
            # then clears it, touching the few flagged rows only.
            src = ident("__src_" + name)
            outer.append(f"CASE WHEN {bad} AND {src} IS NOT NULL THEN CAST({src} AS VARCHAR) END "
                         f"AS {ident('__raw_' + name)}")
    # A table of the workspace (not a temp table): at commit it is renamed into place.
    return f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT {', '.join(outer)} FROM ({inner})"


def typed_values_bad(table: str, numbers: list[str], dates: list[str]) -> str:
    """Whether a trusted typed column holds NaN, an infinity or a date outside years 1-9999
    (then the file is parsed from its text instead, which rejects them by row)."""
    conds = [f"count(*) FILTER (WHERE NOT isfinite({ident(c)}))" for c in numbers]
    conds += [f"count(*) FILTER (WHERE NOT {ident(c)} BETWEEN DATE '0001-01-01' "
              "AND DATE '9999-12-31')" for c in dates]
    return f"SELECT {' + '.join(conds) if conds else '0'} > 0 FROM {ident(table)}"


def dates_in_range(source: str, column: str) -> str:
    """Whether every date of a typed column is in years 1-9999 (Parquet keeps statistics)."""
    c = ident(column)
    return (f"SELECT coalesce(min({c}) >= DATE '0001-01-01' AND max({c}) <= DATE '9999-12-31', "
            f"true) FROM {source}")


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


NO_REJECTS = ("SELECT NULL::BIGINT AS row, NULL::VARCHAR AS field, NULL::VARCHAR AS value, "
              "NULL::VARCHAR AS reason WHERE FALSE")


def reject_rows(parsed: str, required: list[str], checked: dict[str, str],
                row: str = "__row") -> str:
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
    return (f"SELECT min({d}), max({d}), coalesce(min(isodow({d})) = max(isodow({d})), false) "
            f"FROM {ident(parsed)}")


def _distinct_count_small(idx: str, n: int) -> str:
    """How many distinct values ``idx`` (0 to n - 1, or NULL) takes in a group: a bitmap of
    them, in one or two 64-bit integers when n <= 128 (several times faster than a bitstring)."""
    if n > 128:
        return f"bit_count(bitstring_agg({idx}, 0, {n - 1}) FILTER (WHERE {idx} IS NOT NULL))"
    parts = []
    for j in range(0, n, 64):
        inside = f"{idx} >= {j} AND {idx} < {j + 64}" if n > 64 else f"{idx} IS NOT NULL"
        parts.append(f"bit_count(bit_or(CASE WHEN {inside} THEN 1::UBIGINT << "
                     f"CAST({idx} - {j} AS UBIGINT) ELSE 0::UBIGINT END))")
    return " + ".join(parts)


def sku_summary(parsed: str, summary: str, ok: str, conditions: list[str],
                date_field: str | None = None, first_day: str | None = None,
                span_days: int | None = None, sales_history: bool = False,
                has_unit_cost: bool = False, day_step: int = 1) -> str:
    """One pass over the parsed rows, grouped by SKU (few groups, so cheap): row counts
    (all, accepted, accepted meeting each warning condition ``c0``, ``c1``...), whether the SKU
    needs trimming, whether it has two rows on one day (a per-SKU bitmap of days: only such
    SKUs can hold exact duplicate rows), and for sales the history the features use.
    ``day_step`` 7: every date is ``first_day`` plus whole weeks (a weekly file), so the bitmap
    needs a bit per week only."""
    cols = ["sku", "count(*) AS n", "sum(__ok::INTEGER) AS n_ok",
            f"(regexp_matches(sku, {_TRIM_EDGE}) OR sku = '') AS needs_trim"]
    cols += [f"sum((__ok AND ({c}))::INTEGER) AS c{i}" for i, c in enumerate(conditions)]
    inner = [f"({ok}) AS __ok"]
    if date_field is not None and span_days is not None:
        d = ident(date_field)
        span = int(span_days)
        inner.append(f"CASE WHEN {d} - DATE {literal(first_day)} BETWEEN 0 AND {span} "
                     f"THEN CAST({d} - DATE {literal(first_day)} AS INTEGER) END AS __day")
        step = int(day_step)
        idx = f"(__day // {step})" if step > 1 else "__day"
        cols += ["count(*) - count(__day) AS n_no_date",
                 f"{_distinct_count_small(idx, span // step + 1)} < count(__day) AS repeated"]
    if sales_history:
        cols += ["min(date) FILTER (WHERE __ok AND quantity > 0) AS first_sale",
                 "max(date) FILTER (WHERE __ok AND quantity > 0) AS last_sale",
                 ("avg(unit_cost) FILTER (WHERE __ok)" if has_unit_cost else "NULL::DOUBLE")
                 + " AS sales_unit_cost"]
    return (f"CREATE OR REPLACE TEMP TABLE {ident(summary)} AS SELECT {', '.join(cols)} "
            f"FROM (SELECT *, {', '.join(inner)} FROM {ident(parsed)}) GROUP BY sku")


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
    return (f"SELECT coalesce(sum(CASE WHEN sku IS NULL OR repeated THEN n ELSE n_no_date END), 0) "
            f"FROM {ident(summary)}")


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
    return [f"CREATE TABLE IF NOT EXISTS {ident(data_table(table))} ({cols})",
            f"CREATE VIEW IF NOT EXISTS {ident(table.name)} AS SELECT * FROM {ident(data_table(table))}"]


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
]

NEXT_LOAD_ID = "SELECT nextval('load_seq')"
CURRENT_VERSION = "SELECT coalesce(max(load_id), 0) FROM loads WHERE status = 'loaded'"
SAVE_MAPPING = (
    "INSERT OR REPLACE INTO mappings VALUES (?, ?, ?, current_timestamp::TIMESTAMP)"
)
GET_MAPPING = "SELECT mapping_json FROM mappings WHERE layout = ?"
INSERT_LOAD = "INSERT INTO loads VALUES (?, ?, ?, current_timestamp::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?)"
LOAD_HISTORY = (
    "SELECT load_id, file_key, file_label, loaded_at, rows_read, rows_accepted, rows_rejected, "
    "status FROM loads ORDER BY load_id DESC, file_key"
)
LATEST_LOADS = """
    SELECT file_key, file_label, loaded_at, rows_read, rows_accepted, rows_rejected, load_id
    FROM loads WHERE status = 'loaded'
    QUALIFY row_number() OVER (PARTITION BY file_key ORDER BY load_id DESC) = 1
    ORDER BY file_key
"""
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
    return [f"ALTER TABLE {ident(parsed)} DROP COLUMN {ident(c)}"
            for c in table_columns(con, parsed) if c not in wanted]


SALES_HISTORY_DDL = ("CREATE TABLE IF NOT EXISTS sales_history "
                     "(sku VARCHAR, first_sale DATE, last_sale DATE, sales_unit_cost DOUBLE)")


def replace_sales_history(summary: str) -> list[str]:
    """Per-SKU first and last positive sale and line cost, kept from the load's SKU pass so the
    feature query need not scan every sales line for them."""
    return [
        "DELETE FROM sales_history",
        f"INSERT INTO sales_history SELECT sku, first_sale, last_sale, sales_unit_cost "
        f"FROM {ident(summary)} WHERE sku IS NOT NULL AND n_ok > 0",
    ]


def swap_in(con: duckdb.DuckDBPyConnection, parsed: str, table: Table) -> list[str]:
    """Run inside the commit's transaction: the parsed table replaces the current one."""
    stored = [c for c in table_columns(con, parsed) if c in {f.name for f in table.fields}]
    return [
        f"DROP VIEW IF EXISTS {ident(table.name)}",
        f"DROP TABLE IF EXISTS {ident(data_table(table))}",
        f"ALTER TABLE {ident(parsed)} RENAME TO {ident(data_table(table))}",
        canonical_view(table, stored),
    ]


LEFTOVER_STAGING = (
    "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
    "AND starts_with(table_name, '__staged')"
)


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


# --------------------------------------------------------------------------- features
SALES_DATES = "SELECT date FROM sales GROUP BY date ORDER BY date"
"""The distinct sale dates (a few hundred): the window and the file's bucketing come from them."""


def _demand_stats(d: str) -> str:
    """Per-SKU aggregates of period demands ``d``: sum, non-zero count, mean, std, var_pop."""
    nz = f"FILTER (WHERE {d} > 0)"
    # Demands are floored at 0, so the mean of the non-zero ones is sum_d / k, and their sample
    # std follows from var_pop: fewer aggregates in the hottest GROUP BY of the product.
    return f"sum({d}) AS sum_d, count(*) {nz} AS k, var_pop({d}) {nz} AS nz_var_pop"


def features_sql(period: str, net_returns: bool = True, n_periods: int | None = None) -> str:
    """The per-SKU feature table (one row per SKU of sales or inventory), per methods.md.

    Parameters: $win_start and $win_end (the first and the last period of the window, as the
    periods' first days), $n_periods, $per_week (periods per week: 1 or 12/52), $new_cut and
    $eol_cut (dates: first sale after new_cut = new; no sale after eol_cut = end-of-life),
    $adi_cut, $cv2_cut. ``net_returns``: net returns within the period and floor it at 0
    (methods.md), or ignore negative lines. ``n_periods``, when given, must equal $n_periods:
    up to 128 periods, the periods with a line are then counted in a bitmap of integers.
    """
    if period == "week":
        n_act = "CAST((($win_end::DATE - act_start) // 7) + 1 AS INTEGER)"
        pidx = "CAST((date - $win_start::DATE) // 7 AS INTEGER)"
        step = "INTERVAL 7 DAY"
    elif period == "month":
        n_act = "CAST(datediff('month', act_start, $win_end::DATE) + 1 AS INTEGER)"
        pidx = "CAST(datediff('month', $win_start::DATE, date) AS INTEGER)"
        step = "INTERVAL 1 MONTH"
    else:
        raise ValueError(f"period must be 'week' or 'month', not {period!r}")
    if net_returns:
        demand, row_demand = "greatest(sum(qty), 0)", "greatest(qty, 0)"
    else:
        demand = "coalesce(sum(qty) FILTER (WHERE qty > 0), 0)"
        row_demand = "CASE WHEN qty > 0 THEN qty ELSE 0 END"
    periods_with_line = (_distinct_count_small("pidx", int(n_periods)) if n_periods
                         else "bit_count(bitstring_agg(pidx, 0, $n_periods - 1))")
    return f"""
    CREATE OR REPLACE TABLE features AS
    WITH
    prod AS (
        SELECT sku, any_value(description) AS description, any_value(family) AS family,
               avg(unit_cost) AS unit_cost, avg(unit_price) AS unit_price,
               any_value(supplier) AS supplier, any_value(lifecycle) AS lifecycle
        FROM products GROUP BY sku
    ),
    inv AS (
        SELECT sku, sum(on_hand) AS on_hand,
               sum(on_hand * unit_cost) / nullif(sum(on_hand) FILTER (WHERE unit_cost IS NOT NULL), 0)
                   AS inv_unit_cost,
               avg(unit_cost) AS inv_avg_cost,
               sum(on_order) AS on_order
        FROM inventory GROUP BY sku
    ),
    hist AS (
        SELECT sku, first_sale, last_sale, sales_unit_cost FROM sales_history
    ),
    lines AS NOT MATERIALIZED (
        SELECT s.sku, s.date, s.quantity AS qty,
               coalesce(s.revenue, s.quantity * s.unit_price, s.quantity * pr.unit_price) AS rev,
               s.quantity * coalesce(s.unit_cost, pr.unit_cost) AS cost,
               s.customer
        FROM sales s LEFT JOIN prod pr USING (sku)
        WHERE s.date >= $win_start::DATE AND s.date < $win_end::DATE + {step}
    ),
    by_sku AS (
        -- One pass per SKU: volumes, and the demand statistics as if each line were its
        -- period's demand, which is exact for an SKU with one line per period (a weekly file).
        SELECT sku, sum(qty) AS quantity, sum(rev) AS revenue,
               CASE WHEN count(cost) = count(*) THEN sum(rev) - sum(cost) END AS line_margin,
               sum(qty) FILTER (WHERE qty > 0) AS qty_pos,
               count(*) FILTER (WHERE qty > 0) AS order_lines,
               {periods_with_line} = count(*) AS one_line_per_period,
               {_demand_stats("d_row")}
        FROM (SELECT *, {pidx} AS pidx, {row_demand} AS d_row FROM lines)
        GROUP BY sku
    ),
    grouped AS (
        -- SKUs with several lines in a period: sum them per period first.
        SELECT sku, {_demand_stats("d")}
        FROM (SELECT l.sku, {demand} AS d FROM lines l
              SEMI JOIN (SELECT sku FROM by_sku WHERE NOT one_line_per_period) m USING (sku)
              GROUP BY l.sku, date_trunc('{period}', l.date))
        GROUP BY sku
    ),
    dem AS (
        SELECT sku, sum_d, k, nz_var_pop FROM by_sku WHERE one_line_per_period
        UNION ALL
        SELECT sku, sum_d, k, nz_var_pop FROM grouped
    ),
    cust AS (
        SELECT sku, count(*) AS n_customers, max(q) AS top_customer_qty
        FROM (SELECT sku, customer, sum(qty) AS q FROM lines
              WHERE qty > 0 AND customer IS NOT NULL GROUP BY sku, customer)
        GROUP BY sku
    ),
    rc AS (
        SELECT supplier, sku, CAST(receipt_date - order_date AS DOUBLE) AS lt,
               CASE WHEN promised_date IS NOT NULL THEN receipt_date <= promised_date END AS on_time,
               CASE WHEN received_qty IS NOT NULL AND ordered_qty IS NOT NULL
                    THEN received_qty >= ordered_qty END AS in_full
        FROM receipts
    ),
    rc_span AS (
        SELECT greatest(CAST(max(receipt_date) - min(receipt_date) AS DOUBLE), 1) / 365.25 AS years
        FROM receipts
    ),
    sup_lt AS (
        SELECT supplier, avg(lt) AS lt_mean, stddev_samp(lt) AS lt_std FROM rc GROUP BY supplier
    ),
    main_sup AS (
        SELECT sku, supplier FROM (
            SELECT sku, supplier, row_number() OVER (PARTITION BY sku ORDER BY count(*) DESC,
                   supplier) AS rn
            FROM rc GROUP BY sku, supplier) WHERE rn = 1
    ),
    sku_rc AS (
        SELECT sku, count(*) AS n_receipts, avg(lt) AS lt_mean, stddev_samp(lt) AS lt_std,
               avg(CAST(on_time AS DOUBLE)) AS on_time_rate,
               avg(CAST(in_full AS DOUBLE)) AS in_full_rate
        FROM rc GROUP BY sku
    ),
    skus AS (
        SELECT sku FROM hist UNION SELECT sku FROM inv
    ),
    base AS (
        SELECT k.sku,
               pr.description, pr.family, pr.lifecycle,
               coalesce(v.quantity, 0) AS quantity,
               coalesce(v.revenue, 0) AS revenue,
               coalesce(v.order_lines, 0) AS order_lines,
               coalesce(h.sales_unit_cost, pr.unit_cost, i.inv_unit_cost, i.inv_avg_cost) AS unit_cost,
               CASE WHEN v.line_margin IS NOT NULL THEN v.line_margin
                    WHEN coalesce(pr.unit_cost, i.inv_unit_cost, i.inv_avg_cost) IS NOT NULL
                    THEN coalesce(v.revenue, 0)
                         - coalesce(v.quantity, 0) * coalesce(pr.unit_cost, i.inv_unit_cost, i.inv_avg_cost)
               END AS margin,
               h.first_sale, h.last_sale,
               CASE WHEN h.first_sale IS NULL THEN NULL
                    ELSE greatest($win_start::DATE, CAST(date_trunc('{period}', h.first_sale) AS DATE))
               END AS act_start,
               coalesce(d.sum_d, 0) AS sum_d,
               coalesce(d.k, 0) AS k, d.sum_d / nullif(d.k, 0) AS nz_mean,
               CASE WHEN d.k >= 2 THEN sqrt(d.nz_var_pop * d.k / (d.k - 1)) END AS nz_std,
               d.nz_var_pop,
               c.n_customers, c.top_customer_qty / nullif(v.qty_pos, 0) AS top_customer_share,
               CASE WHEN (SELECT count(*) FROM inventory) > 0 THEN coalesce(i.on_hand, 0) END
                   AS on_hand,
               i.on_order,
               coalesce(ms.supplier, pr.supplier) AS main_supplier,
               sr.n_receipts, sr.on_time_rate, sr.in_full_rate,
               CASE WHEN sr.n_receipts >= 3 THEN sr.lt_mean ELSE sl.lt_mean END AS lead_time_mean_days,
               CASE WHEN sr.n_receipts >= 3 THEN sr.lt_std ELSE sl.lt_std END AS lead_time_std_days,
               CASE WHEN sr.n_receipts >= 3 THEN 'sku' WHEN sl.lt_mean IS NOT NULL THEN 'supplier'
               END AS lead_time_source,
               sr.n_receipts / (SELECT years FROM rc_span) AS receipts_per_year
        FROM skus k
        LEFT JOIN by_sku v USING (sku)
        LEFT JOIN dem d USING (sku)
        LEFT JOIN hist h USING (sku)
        LEFT JOIN prod pr USING (sku)
        LEFT JOIN inv i USING (sku)
        LEFT JOIN cust c USING (sku)
        LEFT JOIN main_sup ms USING (sku)
        LEFT JOIN sku_rc sr USING (sku)
        LEFT JOIN sup_lt sl ON sl.supplier = ms.supplier
    ),
    stats AS (
        SELECT *,
               CASE WHEN act_start IS NULL OR act_start > $win_end::DATE THEN $n_periods
                    ELSE {n_act} END AS n_act
        FROM base
    ),
    stats2 AS (
        SELECT *, sum_d / n_act AS mean_p FROM stats
    ),
    stats3 AS (
        -- Sample variance over the active periods without cancellation: the k non-zero
        -- periods (DuckDB's stable var_pop, shifted to the overall mean) plus n_act - k zeros.
        SELECT *,
               CASE WHEN n_act > 1 THEN sqrt(greatest(
                   (coalesce(k * nz_var_pop + k * (nz_mean - mean_p) ^ 2, 0)
                    + (n_act - k) * mean_p * mean_p) / (n_act - 1), 0)) END AS std_p
        FROM stats2
    )
    SELECT
        sku, description, family,
        quantity, revenue, margin,
        margin / nullif(revenue, 0) AS margin_pct,
        order_lines,
        quantity / nullif(sum(greatest(quantity, 0)) OVER (), 0) AS quantity_share,
        revenue / nullif(sum(greatest(revenue, 0)) OVER (), 0) AS revenue_share,
        margin / nullif(sum(greatest(margin, 0)) OVER (), 0) AS margin_share,
        order_lines / nullif(sum(order_lines) OVER (), 0) AS order_lines_share,
        unit_cost,
        '{period}' AS period,
        n_act AS weeks_active,
        k AS weeks_with_demand,
        mean_p * $per_week AS demand_mean,
        std_p * sqrt($per_week) AS demand_std,
        CASE WHEN mean_p > 0 THEN std_p / mean_p END AS cov,
        CASE WHEN k > 0 THEN n_act / k END AS adi,
        CASE WHEN k >= 2 AND nz_mean > 0 THEN (nz_std / nz_mean) ^ 2 END AS cv2,
        CASE WHEN k < 2 THEN 'insufficient history'
             WHEN n_act / k < $adi_cut AND (nz_std / nz_mean) ^ 2 < $cv2_cut THEN 'smooth'
             WHEN n_act / k < $adi_cut THEN 'erratic'
             WHEN (nz_std / nz_mean) ^ 2 < $cv2_cut THEN 'intermittent'
             ELSE 'lumpy' END AS pattern,
        first_sale, last_sale,
        coalesce(first_sale > $new_cut::DATE, false) AS is_new,
        (last_sale IS NULL OR last_sale <= $eol_cut::DATE) AS is_end_of_life,
        on_hand,
        on_hand * unit_cost AS inventory_value,
        CASE WHEN mean_p > 0 THEN on_hand / (mean_p * $per_week / 7.0) END AS days_of_supply,
        on_order,
        lead_time_mean_days, lead_time_std_days, lead_time_source,
        n_receipts, on_time_rate, in_full_rate, receipts_per_year, main_supplier,
        coalesce(n_customers, 0) AS n_customers, top_customer_share
    FROM stats3
    ORDER BY sku
    """


FEATURES_ALL = "SELECT * FROM features ORDER BY sku"


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

NEXT_OFFICIAL_ID = "SELECT nextval('official_rules_seq')"
INSERT_OFFICIAL = "INSERT INTO official_rules VALUES (?, ?, ?, ?, ?)"
LATEST_OFFICIAL = "SELECT id, rules_toml FROM official_rules ORDER BY id DESC LIMIT 1"
OFFICIAL_BY_ID = "SELECT rules_toml FROM official_rules WHERE id = ?"
OFFICIAL_HISTORY = (
    "SELECT id, adopted_at, adopted_by, reason, rules_toml FROM official_rules ORDER BY id DESC"
)

UPSERT_OVERRIDE = "INSERT OR REPLACE INTO overrides VALUES (?, ?, ?, ?, ?, ?)"
GET_OVERRIDE = "SELECT segment, expires FROM overrides WHERE sku = ?"
DELETE_OVERRIDE = "DELETE FROM overrides WHERE sku = ?"
# Parameter: today. An override is active through its expiry day.
LIST_OVERRIDES = (
    "SELECT sku, segment, reason, expires, created_by, created_at, "
    "(expires IS NULL OR expires >= ?::DATE) AS active FROM overrides ORDER BY sku"
)
ACTIVE_OVERRIDES = (
    "SELECT sku, segment FROM overrides WHERE expires IS NULL OR expires >= ?::DATE ORDER BY sku"
)

INSERT_AUDIT = 'INSERT INTO audit ("at", who, action, detail) VALUES (?, ?, ?, ?)'
# Newest first; rowid (insertion order: the table is append-only) breaks ties in time.
AUDIT_LOG = 'SELECT "at", who, action, detail FROM audit ORDER BY "at" DESC, rowid DESC'


# --------------------------------------------------------------------------- churn per quarter
def quarterly_features_sql(net_returns: bool = True) -> str:
    """One row per SKU and calendar quarter of the sales history, for the churn of segments
    over time (:mod:`segstudio.churn`; definitions: methods.md).

    Parameters: $first_week and $last_week, the Mondays of the first and the last complete ISO
    week of the history. A week belongs to the quarter of its Monday; a quarter the history
    covers only in part is kept, flagged by ``weeks_in_quarter`` < ``calendar_weeks`` (the
    Mondays the quarter has, 13 or 14) and ``complete`` false.

    Weekly demand is the sum of the SKU's quantities in the week, returns netted within the week
    and floored at 0 (``net_returns`` off: negative lines ignored); weeks without sales are 0.
    It is grouped by SKU and week, then by SKU and quarter. Like the feature query, a fast path
    skips the weekly GROUP BY where the SKU has at most one line per week of the quarter (a
    weekly file), where each line is its week's demand; the check is ``sum(bit) =
    bit_or(bit)`` with ``bit`` = 2^(week number mod 14), distinct within a quarter.

    An SKU has a row in every quarter from the one of its first positive sale (in the whole
    history, methods.md's active weeks) to the last, with or without sales; an SKU that never
    sold has none. Mean and sample std of weekly demand are over the quarter's active weeks (from
    the week of the first positive sale on), zeros included; CoV is NULL when the mean is 0 or
    the quarter has one active week. Margin = revenue - quantity x unit cost (the line's, else
    the product master's; for a quarter with lines lacking both, the inventory's); NULL where no
    cost is known.
    """
    first, last = "CAST($first_week AS DATE)", "CAST($last_week AS DATE)"
    if net_returns:
        demand = "CASE WHEN sum(qty) > 0 THEN sum(qty) ELSE 0 END"
    else:
        demand = "coalesce(sum(qty) FILTER (WHERE qty > 0), 0)"
    return f"""
    WITH RECURSIVE
    prod AS (
        SELECT sku, avg(unit_cost) AS unit_cost, avg(unit_price) AS unit_price
        FROM products GROUP BY sku
    ),
    inv AS (
        SELECT sku, coalesce(sum(on_hand * unit_cost)
                             / nullif(sum(on_hand) FILTER (WHERE unit_cost IS NOT NULL), 0),
                             avg(unit_cost)) AS inv_cost
        FROM inventory GROUP BY sku
    ),
    lines AS NOT MATERIALIZED (
        -- The lines of the history's complete weeks.
        SELECT sku, week, CAST(date_trunc('quarter', week) AS DATE) AS quarter, qty, rev, cost,
               -- 2^(week number mod 14): distinct for the (at most 14) weeks of a quarter
               CAST(power(2, mod(CAST((week - DATE '1900-01-01') / 7 AS INTEGER), 14))
                    AS INTEGER) AS bit
        FROM (
            SELECT s.sku, CAST(date_trunc('week', s.date) AS DATE) AS week, s.quantity AS qty,
                   coalesce(s.revenue, s.quantity * s.unit_price, s.quantity * pr.unit_price)
                       AS rev,
                   s.quantity * coalesce(s.unit_cost, pr.unit_cost) AS cost
            FROM sales s LEFT JOIN prod pr ON pr.sku = s.sku
            WHERE s.date >= {first} AND s.date < {last} + INTERVAL '7' DAY
        ) s
    ),
    by_quarter AS (
        -- One row per SKU and quarter (of the week's Monday) with sales: volumes, and the
        -- demand statistics as if each line were its week's demand (exact with one line per
        -- week).
        SELECT sku, quarter,
               sum(bit) = bit_or(bit) AS one_line_per_week,
               count(*) AS n_lines,
               count(*) FILTER (WHERE qty > 0) AS order_lines,
               sum(qty) AS quantity, sum(rev) AS revenue, sum(cost) AS cost,
               count(*) - count(cost) AS lines_without_cost,
               sum(qty) FILTER (WHERE qty > 0) AS line_sum_d,
               var_pop(qty) FILTER (WHERE qty > 0) AS line_nz_var_pop
        FROM lines
        GROUP BY sku, quarter
    ),
    by_week AS (
        -- Quarters with several lines in a week: sum per SKU and week first, then per quarter.
        SELECT sku, quarter, sum(d) AS sum_d, count(*) FILTER (WHERE d > 0) AS k,
               var_pop(d) FILTER (WHERE d > 0) AS nz_var_pop
        FROM (
            SELECT l.sku, l.quarter, l.week, {demand} AS d
            FROM lines l
            JOIN (SELECT sku, quarter FROM by_quarter WHERE NOT one_line_per_week) m
                ON m.sku = l.sku AND m.quarter = l.quarter
            GROUP BY l.sku, l.quarter, l.week
        ) w
        GROUP BY sku, quarter
    ),
    starts AS (
        -- Active from the later of the history's first week and the week of the SKU's first
        -- positive sale (in the whole history).
        SELECT sku, CASE WHEN first_sale_week > {first} THEN first_sale_week ELSE {first} END
                        AS act_start
        FROM (SELECT sku, CAST(date_trunc('week', min(date)) AS DATE) AS first_sale_week
              FROM sales WHERE quantity > 0 GROUP BY sku) f
        WHERE first_sale_week <= {last}
    ),
    quarters (quarter) AS (
        SELECT CAST(date_trunc('quarter', {first}) AS DATE)
        UNION ALL
        SELECT CAST(quarter + INTERVAL '3' MONTH AS DATE) FROM quarters
        WHERE quarter + INTERVAL '3' MONTH <= {last}
    ),
    mondays AS (
        SELECT quarter,
               CAST(date_trunc('week', quarter + INTERVAL '6' DAY) AS DATE) AS first_monday,
               CAST(date_trunc('week', quarter + INTERVAL '3' MONTH - INTERVAL '1' DAY) AS DATE)
                   AS last_monday
        FROM quarters
    ),
    spans AS (
        -- The quarter's weeks within the history: Mondays lo to hi.
        SELECT quarter, first_monday, last_monday,
               CASE WHEN first_monday > {first} THEN first_monday ELSE {first} END AS lo,
               CASE WHEN last_monday < {last} THEN last_monday ELSE {last} END AS hi
        FROM mondays
    ),
    grid AS (
        SELECT st.sku, sp.quarter,
               CAST((sp.hi - sp.lo) / 7 AS INTEGER) + 1 AS weeks_in_quarter,
               CAST((sp.last_monday - sp.first_monday) / 7 AS INTEGER) + 1 AS calendar_weeks,
               CAST((sp.hi - CASE WHEN st.act_start > sp.lo THEN st.act_start ELSE sp.lo END)
                    / 7 AS INTEGER) + 1 AS n_act
        FROM starts st JOIN spans sp ON sp.hi >= st.act_start
    ),
    stats AS (
        SELECT g.sku, g.quarter, g.weeks_in_quarter, g.calendar_weeks, g.n_act,
               coalesce(b.n_lines, 0) AS n_lines,
               coalesce(b.quantity, 0) AS quantity,
               coalesce(b.revenue, 0) AS revenue,
               coalesce(b.order_lines, 0) AS order_lines,
               b.cost, b.lines_without_cost, i.inv_cost,
               CASE WHEN b.one_line_per_week THEN coalesce(b.line_sum_d, 0)
                    ELSE coalesce(w.sum_d, 0) END AS sum_d,
               CASE WHEN b.one_line_per_week THEN b.order_lines
                    ELSE coalesce(w.k, 0) END AS k,
               CASE WHEN b.one_line_per_week THEN b.line_nz_var_pop
                    ELSE w.nz_var_pop END AS nz_var_pop
        FROM grid g
        LEFT JOIN by_quarter b ON b.sku = g.sku AND b.quarter = g.quarter
        LEFT JOIN by_week w ON w.sku = g.sku AND w.quarter = g.quarter
        LEFT JOIN inv i ON i.sku = g.sku
    ),
    stats2 AS (
        SELECT *, sum_d / n_act AS mean_w, sum_d / nullif(k, 0) AS nz_mean FROM stats
    ),
    stats3 AS (
        -- Sample variance over the active weeks without cancellation: the k non-zero weeks
        -- (var_pop, shifted to the quarter's mean) plus n_act - k zero weeks.
        SELECT *,
               CASE WHEN n_act > 1 THEN sqrt(greatest(
                   (coalesce(k * nz_var_pop + k * (nz_mean - mean_w) * (nz_mean - mean_w), 0)
                    + (n_act - k) * mean_w * mean_w) / (n_act - 1), 0)) END AS std_w
        FROM stats2
    )
    SELECT sku, quarter, weeks_in_quarter, calendar_weeks,
           weeks_in_quarter = calendar_weeks AS complete,
           n_act AS weeks_active, k AS weeks_with_demand,
           quantity, revenue,
           CASE WHEN n_lines = 0 THEN 0
                WHEN lines_without_cost = 0 THEN revenue - cost
                WHEN inv_cost IS NOT NULL THEN revenue - quantity * inv_cost
           END AS margin,
           order_lines,
           mean_w AS demand_mean, std_w AS demand_std,
           CASE WHEN mean_w > 0 THEN std_w / mean_w END AS cov,
           CASE WHEN k > 0 THEN CAST(n_act AS DOUBLE) / k END AS adi,
           CASE WHEN k >= 2 AND nz_mean > 0
                THEN nz_var_pop * k / (k - 1) / (nz_mean * nz_mean) END AS cv2
    FROM stats3
    ORDER BY sku, quarter
    """


# --- inventory policy: demand paths, lead-time samples, seasonality, orders to allocate ---------

def _period_index(period: str, start: str = "$win_start") -> str:
    if period == "week":
        return f"CAST((date - {start}::DATE) // 7 AS INTEGER)"
    if period == "month":
        return f"CAST(datediff('month', {start}::DATE, date) AS INTEGER)"
    raise ValueError(f"period must be 'week' or 'month', not {period!r}")


def period_demand_sql(period: str) -> str:
    """Demand per SKU (of the registered ``__policy_skus``) and period of the window, returns
    netted within the period and floored at 0 (methods.md). Parameters $win_start, $win_end."""
    step = "INTERVAL 7 DAY" if period == "week" else "INTERVAL 1 MONTH"
    return f"""
    SELECT sku, pidx, greatest(sum(quantity), 0) AS demand
    FROM (SELECT s.sku, s.quantity, {_period_index(period)} AS pidx
          FROM sales s SEMI JOIN __policy_skus k USING (sku)
          WHERE s.date >= $win_start::DATE AND s.date < $win_end::DATE + {step})
    GROUP BY sku, pidx
    """


FIRST_SALES = """
SELECT h.sku, h.first_sale FROM sales_history h SEMI JOIN __policy_skus k USING (sku)
"""

LEAD_TIME_SAMPLES = """
WITH rc AS (
    SELECT sku, supplier, CAST(receipt_date - order_date AS DOUBLE) AS lt_days
    FROM receipts WHERE receipt_date >= order_date
)
SELECT 'sku' AS kind, sku AS key, list(lt_days ORDER BY lt_days) AS samples
FROM rc SEMI JOIN __policy_skus k USING (sku) GROUP BY sku HAVING count(*) >= 3
UNION ALL
SELECT 'supplier', supplier, list(lt_days ORDER BY lt_days) FROM rc
WHERE supplier IS NOT NULL GROUP BY supplier
"""


def month_of_year_demand_sql(period: str) -> str:
    """Per SKU and calendar month (1-12): the sum, the sum of squares and the count of the
    non-zero period demands of the window (weeks belong to the month of their first day)."""
    step = "INTERVAL 7 DAY" if period == "week" else "INTERVAL 1 MONTH"
    return f"""
    SELECT sku, CAST(month(p) AS INTEGER) AS month, sum(d) AS s1, sum(d * d) AS s2,
           count(*) AS n_nonzero
    FROM (SELECT s.sku, date_trunc('{period}', s.date) AS p, greatest(sum(s.quantity), 0) AS d
          FROM sales s SEMI JOIN __policy_skus k USING (sku)
          WHERE s.date >= $win_start::DATE AND s.date < $win_end::DATE + {step}
          GROUP BY s.sku, p)
    WHERE d > 0
    GROUP BY sku, month
    """


ORDER_LINES_FOR_SKU = """
WITH last AS (SELECT max(date) AS last_day FROM sales WHERE sku = $sku)
SELECT coalesce(s.order_id, '(line ' || CAST(row_number() OVER (ORDER BY s.date) AS VARCHAR) || ')')
           AS order_id,
       coalesce(s.customer, '(no customer)') AS customer, s.date AS order_date,
       s.requested_date, coalesce(s.ordered_qty, s.quantity) AS quantity
FROM sales s, last
WHERE s.sku = $sku AND coalesce(s.ordered_qty, s.quantity) > 0
  AND s.date > last.last_day - $days * INTERVAL 1 DAY
ORDER BY s.date, order_id
"""

CUSTOMER_REVENUE = """
SELECT customer, sum(coalesce(revenue, quantity * unit_price, 0)) AS customer_revenue
FROM sales WHERE customer IS NOT NULL AND quantity > 0 GROUP BY customer
"""


# --------------------------------------------------------------------------- KPIs (issue #5)
# Service counts of positive sales lines (returns are not orders). The ordered quantity is
# ordered_qty where mapped, else the line's quantity; shipped units count up to the ordered
# quantity (an over-shipment does not make up another line's shortfall); a line with no
# shipped quantity shipped nothing; a dated line is on time when it shipped by the requested
# date.
def _service_counts(only: str = "") -> str:
    """The service-count aggregates; ``only`` restricts them to rows meeting a condition."""
    w = f"{only} AND " if only else ""
    f = f" FILTER (WHERE {only})" if only else ""
    return f"""
    count(*){f}::DOUBLE AS lines,
    sum(o){f} AS ordered_units,
    sum(least(coalesce(shipped_qty, 0), o)){f} AS shipped_units,
    count(*) FILTER (WHERE {w}coalesce(shipped_qty, 0) >= o)::DOUBLE AS lines_complete,
    count(*) FILTER (WHERE {w}requested_date IS NOT NULL)::DOUBLE AS lines_dated,
    count(*) FILTER (WHERE {w}ship_date <= requested_date AND coalesce(shipped_qty, 0) >= o)::DOUBLE
        AS lines_otif"""


def sku_service_sql(period: str) -> str:
    """Per SKU, the service counts of the window's positive sales lines."""
    step = "INTERVAL 7 DAY" if period == "week" else "INTERVAL 1 MONTH"
    return f"""
    SELECT sku, {_service_counts()}
    FROM (SELECT *, coalesce(ordered_qty, quantity) AS o FROM sales
          WHERE date >= $win_start::DATE AND date < $win_end::DATE + {step})
    WHERE o > 0
    GROUP BY sku
    """


# Per SKU and calendar quarter over all sales: money (cost as in the feature table: the line's
# cost, else the product master's, else the SKU's average line cost) and the service counts.
SKU_QUARTERS = f"""
WITH prod AS (SELECT sku, avg(unit_cost) AS unit_cost, avg(unit_price) AS unit_price
              FROM products GROUP BY sku),
lines AS (
    SELECT s.sku, date_trunc('quarter', s.date) AS quarter, s.date, s.quantity,
           coalesce(s.revenue, s.quantity * s.unit_price, s.quantity * pr.unit_price) AS rev,
           s.quantity * coalesce(s.unit_cost, pr.unit_cost, h.sales_unit_cost) AS cost,
           coalesce(s.ordered_qty, s.quantity) AS o, s.shipped_qty, s.ship_date, s.requested_date
    FROM sales s LEFT JOIN prod pr USING (sku) LEFT JOIN sales_history h USING (sku)
)
SELECT sku, quarter, sum(rev) AS revenue, sum(cost) AS cogs, sum(quantity) AS quantity,
       {_service_counts("o > 0")},
       min(date) AS first_day
FROM lines
GROUP BY sku, quarter
"""



# --------------------------------------------------------------------------- suppliers (issue #5)
# Supplier performance (segstudio.suppliers): additive measures of the receipts, per (supplier,
# SKU) and per (supplier, quarter of the receipt date), read once per data load. Everything is a
# count or a sum (the lead time's spread as M2, the sum of squared deviations from the group's
# mean), so pandas can roll them up per supplier or per supplier x segment without SQL.
# Unmapped optional columns read as NULL: their counts are 0 and their rates come out empty.
_RECEIPT_LINES = """
    SELECT supplier, sku, receipt_date,
           CAST(receipt_date - order_date AS DOUBLE) AS lt,
           CAST(receipt_date - promised_date AS DOUBLE) AS days_late,
           receipt_date <= promised_date AS on_time,
           received_qty >= ordered_qty AS in_full,
           coalesce(received_qty, ordered_qty) AS qty,
           unit_cost
    FROM receipts
"""
_RECEIPT_MEASURES = """
    count(*) AS lines,
    count(lt) AS lt_n, sum(lt) AS lt_sum, coalesce(var_pop(lt), 0) * count(lt) AS lt_m2,
    count(on_time) AS promised_lines,
    count(*) FILTER (WHERE on_time) AS on_time_lines,
    count(in_full) AS qty_lines,
    count(*) FILTER (WHERE in_full) AS in_full_lines,
    count(*) FILTER (WHERE on_time IS NOT NULL AND in_full IS NOT NULL) AS otif_base_lines,
    count(*) FILTER (WHERE on_time AND in_full) AS otif_lines,
    count(*) FILTER (WHERE NOT on_time) AS late_lines,
    coalesce(sum(days_late) FILTER (WHERE NOT on_time), 0) AS days_late_sum,
    sum(qty * unit_cost) AS spend_known,
    sum(qty) FILTER (WHERE unit_cost IS NULL) AS qty_no_cost,
    min(receipt_date) AS first_receipt, max(receipt_date) AS last_receipt
"""
SUPPLIER_SKU_MEASURES = f"""
WITH rc AS ({_RECEIPT_LINES})
SELECT supplier, sku, {_RECEIPT_MEASURES}
FROM rc GROUP BY supplier, sku ORDER BY supplier, sku
"""
SUPPLIER_QUARTER_MEASURES = f"""
WITH rc AS ({_RECEIPT_LINES})
SELECT supplier, CAST(date_trunc('quarter', receipt_date) AS DATE) AS quarter, {_RECEIPT_MEASURES}
FROM rc GROUP BY supplier, quarter ORDER BY supplier, quarter
"""
RECEIPTS_SPAN = "SELECT count(*), min(receipt_date), max(receipt_date) FROM receipts"



# --------------------------------------------------------------------------- inventory health (issue #5)
def inventory_ageing_sql(bucket_keys: list[str]) -> str:
    """Per SKU of the inventory snapshot, the units and their value in each ageing bucket
    (segstudio.health). ``bucket_keys``: the product's own bucket names, youngest first, the
    last one for stock whose age cannot be told. Parameters $edge_0 ... $edge_<k-1>: the
    buckets' upper edges in days (bucket i holds ages <= edge_i and above edge_(i-1); the last
    dated bucket holds ages above the last edge).

    Age of a stock row: age_days where given, else (snapshot_date, else the last sales day)
    - receipt_date, in days and floored at 0; unknown otherwise. Negative on-hand rows count as
    0 units. Columns per bucket k: units_k, value_k (units x the row's unit_cost, for rows
    with a cost >= 0) and uncosted_k (units of rows without one, valued later at the feature
    table's cost).
    """
    *dated, unknown = bucket_keys
    when = " ".join(f"WHEN age <= $edge_{i} THEN {i}" for i in range(len(dated) - 1))
    bucket = (f"CASE WHEN age IS NULL THEN {len(dated)} {when} ELSE {len(dated) - 1} END")
    cols = []
    for i, key in enumerate(bucket_keys):
        in_b = f"bucket = {i}"
        cols += [
            f"coalesce(sum(units) FILTER (WHERE {in_b}), 0) AS {ident('units_' + key)}",
            f"coalesce(sum(units * cost) FILTER (WHERE {in_b} AND cost IS NOT NULL), 0) "
            f"AS {ident('value_' + key)}",
            f"coalesce(sum(units) FILTER (WHERE {in_b} AND cost IS NULL), 0) "
            f"AS {ident('uncosted_' + key)}",
        ]
    return f"""
    WITH stock AS (
        SELECT sku,
               CASE WHEN on_hand > 0 THEN on_hand ELSE 0 END AS units,
               CASE WHEN unit_cost >= 0 THEN unit_cost END AS cost,
               coalesce(age_days,
                        CAST(coalesce(snapshot_date, (SELECT max(date) FROM sales)) - receipt_date
                             AS DOUBLE)) AS raw_age
        FROM inventory WHERE sku IS NOT NULL
    ),
    aged AS (
        SELECT sku, units, cost,
               CASE WHEN raw_age < 0 THEN 0 ELSE raw_age END AS age
        FROM stock
    )
    SELECT sku, {", ".join(cols)}
    FROM (SELECT *, {bucket} AS bucket FROM aged)
    GROUP BY sku
    ORDER BY sku
    """
