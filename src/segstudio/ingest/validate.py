"""Validation of a staged file against its mapping: typed values, per-row rejects, warnings.

Every row read is either accepted or rejected; each reject names its row (as a spreadsheet
numbers it, header = row 1), the field and column, the value and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from segstudio.common.sql import drop_table, one_row, run
from segstudio.errors import UnusableFileError
from segstudio.ingest import dates
from segstudio.ingest import sql as q
from segstudio.ingest.mapping import Mapping
from segstudio.ingest.plausibility import implausible_warnings
from segstudio.ingest.readers import StagedFile
from segstudio.ingest.schema import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FileReport", "ParsedFile", "parse_file"]

_MAX_REJECTS_SHOWN = 100_000
REJECT_COLUMNS = ("row", "field", "column", "value", "reason")
_FIELD_AT = REJECT_COLUMNS.index("field")
# Typed source columns (Parquet) whose values cannot fail to parse: no reject check needed.
_INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
)


@dataclass
class FileReport:
    """What happened to one file: counts, rejects and warnings."""

    file_key: str
    file_label: str
    read: int
    accepted: int
    rejected: int
    listed: list[tuple]  # the rejects shown, in row order: REJECT_COLUMNS
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejects(self) -> pd.DataFrame:
        """The rejects shown, as a frame (REJECT_COLUMNS); built when asked for, so that a
        load from the command line imports no pandas."""
        import pandas as pd

        frame = pd.DataFrame(self.listed, columns=list(REJECT_COLUMNS))
        return frame.astype({"row": "int64"})

    @property
    def malformed(self) -> bool:
        """Whether the rejects shown hold records the reader could not split (no field)."""
        return any(r[_FIELD_AT] is None for r in self.listed)

    def summary(self) -> dict:
        return {
            "file": self.file_label,
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "warnings": list(self.warnings),
        }


@dataclass
class ParsedFile:
    """A validated file waiting in temp tables to be committed to the workspace."""

    table: Table
    parsed_table: str
    ok_condition: str
    mapping: Mapping
    columns: list[str]
    report: FileReport
    rejects_sql: str
    sku_summary: str  # temp table: per-SKU counts and, for sales, the sales history


class _ReadAgain(Exception):
    """The one-pass read of a CSV failed (or its typed values need their text): read it the
    next, slower way."""


def parse_file(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, table: Table, mapping: Mapping, parsed: str
) -> ParsedFile:
    """Parse every mapped column of ``staged`` into temp table ``parsed``, in one pass, and
    count, list and explain the rejects.

    A CSV read in that pass (:attr:`StagedFile.typed`) is first read with its number and ISO
    date columns typed by DuckDB's reader; a file that does not read so (text in a number,
    a malformed record, a non-ISO date...) is read as text, and then, if that fails too,
    staged as a text table first.
    """
    if staged.typed is not None:
        types = {}
        for f in table.fields:
            col = mapping.get(f.name)
            kind = {"number": "DOUBLE", "date": "DATE"}.get(f.kind)
            if col is not None and kind is not None and staged.sniffed.get(col) == kind:
                types[col] = kind
        if types:
            try:
                return _parse_file(
                    con, staged.typed(types), table, mapping, parsed, check_typed=True
                )
            except _ReadAgain:
                pass
    try:
        return _parse_file(con, staged, table, mapping, parsed)
    except _ReadAgain:
        assert staged.fallback is not None  # only a one-pass CSV reads again
        return _parse_file(con, staged.fallback(), table, mapping, parsed)


@dataclass
class _Plan:
    """How each mapped field is parsed: its SQL expression, source column (None when the value
    cannot fail to parse) and kind; the reason of the fields that can fail; the typed fields
    trusted as they are; how each text date field is read (its column and reading)."""

    exprs: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    checked: dict[str, str] = field(default_factory=dict)
    trusted: set[str] = field(default_factory=set)
    dates: dict[str, tuple[str, dates.DateReading]] = field(default_factory=dict)


def _plan(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    table: Table,
    mapping: Mapping,
    check_typed: bool,
    sample: str,
) -> _Plan:
    """Each mapped field's parse. Typed fields whose values need no guard (finite numbers,
    dates in years 1-9999) are known now (Parquet statistics), or checked after the pass
    (``check_typed``, a typed CSV)."""
    plan = _Plan()
    for f in table.fields:
        col = mapping.get(f.name)
        if col is None:
            continue
        typ = staged.types[col]
        if f.kind == "text":
            plan.exprs[f.name] = (q.parse_text_expr(col), None, f.kind)
        elif f.kind == "number":
            can_fail = not typ.upper().endswith(_INTEGER_TYPES)
            if typ.upper() in ("FLOAT", "DOUBLE", "REAL"):
                if check_typed:
                    can_fail = False
                else:
                    # A typed float fails only as NaN or infinity: checking for them first
                    # is cheaper than carrying a reject column through the whole pass.
                    sql = q.non_finite_count(staged.source, col)
                    can_fail = one_row(con, sql, staged.params)[0] > 0
            plan.exprs[f.name] = (q.parse_number_expr(col, typ), col if can_fail else None, f.kind)
            if can_fail:
                plan.checked[f.name] = "text in a number"
            elif typ.upper() != "VARCHAR":
                plan.trusted.add(f.name)
        else:
            can_fail = not typ.upper().startswith(("DATE", "TIMESTAMP"))
            formats, serial = [], False  # typed: no formats to sniff
            if can_fail and typ.upper() == "VARCHAR":
                reading = dates.detect(con, q.column_head(staged.sample_source, col), sample)
                plan.dates[f.name] = (col, reading)
                formats, serial = reading.strptime, reading.serial
            plan.exprs[f.name] = (
                q.parse_date_expr(col, typ, formats, serial),
                col if can_fail else None,
                f.kind,
            )
            if can_fail:
                plan.checked[f.name] = "unparseable date"
            elif typ.upper() == "DATE" and (
                check_typed or one_row(con, q.dates_in_range(staged.source, col), staged.params)[0]
            ):
                plan.trusted.add(f.name)
    return plan


def _build(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, parsed: str, plan: _Plan, check_typed: bool
) -> bool:
    """The one pass that writes the parsed table; True when its rows are numbered by position.

    A CSV staged as a table and a Parquet file number their rows by position: the parsed
    table keeps file order and needs no row column (a CSV's rejected rows are renumbered past
    its rejected records and blank lines when listed). A workbook (blank rows skipped) carries
    its row numbers, so those rows may be written in any order (faster).
    """
    positional = staged.row_expr != "__row"
    try:
        con.execute(f"SET preserve_insertion_order = {'true' if positional else 'false'}")
        con.execute(q.FAST_WRITE_COMPRESSION)
        run(
            con,
            q.build_parsed(
                parsed,
                staged.source,
                None if positional else staged.row_expr,
                staged.columns,
                plan.exprs,
                frozenset(plan.trusted),
            ),
            staged.params,
        )
    except duckdb.Error as exc:
        if staged.fallback is not None or check_typed:
            raise _ReadAgain from exc
        raise UnusableFileError(f"{staged.label}: cannot be read ({_first_line(exc)})") from exc
    finally:
        con.execute("SET preserve_insertion_order = true")
        con.execute(q.DEFAULT_COMPRESSION)
    if check_typed:
        numbers = [f for f in plan.trusted if plan.exprs[f][2] == "number"]
        dates = [f for f in plan.trusted if plan.exprs[f][2] == "date"]
        if one_row(con, q.typed_values_bad(parsed, numbers, dates))[0]:
            raise _ReadAgain
    return positional


def _tidy(con: duckdb.DuckDBPyConnection, parsed: str, plan: _Plan) -> None:
    """Blank text is no failed value; text fields are trimmed (the SKU in the SKU pass)."""
    for name in plan.checked:
        con.execute(q.clear_blank_raw(parsed, name))
    for name, (_e, _c, kind) in plan.exprs.items():
        # Trimming per row is slow: look at the distinct values, fix the few rows that need it.
        if kind == "text" and name != "sku" and one_row(con, q.needs_trim(parsed, name))[0]:
            con.execute(q.trim_text(parsed, name))


def _read_dates_again(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, parsed: str, plan: _Plan
) -> tuple[list[str], list[str]]:
    """Read again the text dates the pass left unread, by the formats they hold (a format
    that starts past the sampled rows); then the notes and warnings on how each was read."""
    notes: list[str] = []
    warnings: list[str] = []
    for name, (col, reading) in plan.dates.items():
        if name in plan.checked:
            dates.reread_rejected(con, parsed, name, reading, parsed + "__dates")
        n, w = dates.report(con, staged.sample_source, staged.label, col, reading)
        notes += n
        warnings += w
    return notes, warnings


def _malformed(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> list[tuple[int, str, str]]:
    """The records the CSV reader rejected: (line, reason, the record's text)."""
    if staged.rejects is None:
        return []
    return [
        (int(line), f"{etype.lower()}: {msg}", text or "")
        for line, etype, msg, text in con.execute(q.csv_rejects(staged.rejects)).fetchall()
    ]


def _summarise(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    table: Table,
    mapping: Mapping,
    parsed: str,
    summary: str,
    ok: str,
    row: str,
) -> tuple[int, int, list[str]]:
    """The per-SKU pass (counts, warnings, and for sales the sales history) into ``summary``:
    (rows, accepted rows, warnings)."""
    checks = _warning_checks(table, mapping)
    date_field = next((f.name for f in table.fields if f.kind == "date" and f.required), None)
    # The SKU pass prunes by date (first day, span in days) when the dates span few enough days.
    first_day: str | None = None
    span_days: int | None = None
    weekly = False
    if date_field in mapping and "sku" in mapping:
        first, last, weekly = one_row(con, q.date_span(parsed, date_field))
        if first is not None and (last - first).days <= q.MAX_DAY_SPAN_FOR_PRUNING:
            first_day, span_days = first.isoformat(), (last - first).days
    prune = span_days is not None

    def sku_pass() -> None:
        con.execute(
            q.sku_summary(
                parsed,
                summary,
                ok,
                [c for c, _ in checks],
                date_field if prune else None,
                first_day,
                span_days,
                sales_history=table.key == "sales",
                has_unit_cost="unit_cost" in mapping,
                day_step=7 if weekly else 1,
            )
        )

    sku_pass()
    dupes = _duplicates(con, staged, parsed, summary, date_field if prune else None, row=row)
    if one_row(con, q.summary_needs_trim(summary))[0]:
        con.execute(q.trim_text(parsed, "sku"))
        sku_pass()  # trimmed SKUs may merge, and a blank one is now missing
    counts = one_row(con, q.summary_totals(summary, len(checks)))
    warnings = [msg.format(n=n) for (_, msg), n in zip(checks, counts[2:], strict=True) if n]
    if dupes:
        warnings.insert(
            0,
            f"{dupes:,} exact duplicate rows (kept: an identical line may be a real repeat order)",
        )
    return int(counts[0]), int(counts[1]), warnings


def _listed_rejects(
    con: duckdb.DuckDBPyConnection,
    rejects_sql: str,
    mapping: Mapping,
    malformed: list[tuple[int, str, str]],
) -> list[tuple]:
    """The first rejects to show (REJECT_COLUMNS), in row order, a malformed record before
    the rejects of its row."""
    rows = con.execute(
        f"SELECT * FROM ({rejects_sql}) ORDER BY row, field LIMIT {_MAX_REJECTS_SHOWN}"
    ).fetchall()
    listed = [(row, name, mapping.get(name), value, why) for row, name, value, why in rows]
    if malformed:
        extra = [(row, None, None, text, reason) for row, reason, text in malformed]
        listed = sorted(extra + listed, key=lambda r: r[0])  # stable: malformed first
    return listed


def _parse_file(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    table: Table,
    mapping: Mapping,
    parsed: str,
    check_typed: bool = False,
) -> ParsedFile:
    """One way of reading ``staged``: plan each field's parse, write the parsed table in one
    pass, tidy its text, summarise it per SKU, and list the rejects."""
    plan = _plan(con, staged, table, mapping, check_typed, sample=parsed + "__dates")
    positional = _build(con, staged, parsed, plan, check_typed)
    row = q.positional_row(stored=not positional)
    _tidy(con, parsed, plan)
    notes, date_warnings = _read_dates_again(con, staged, parsed, plan)
    malformed = _malformed(con, staged)
    required = [f for f in table.required if f in mapping]
    ok = q.ok_condition(required, list(plan.checked))
    rejects_sql = q.reject_rows(parsed, required, plan.checked, row)
    summary = parsed + "__sku"
    total, accepted, warnings = _summarise(con, staged, table, mapping, parsed, summary, ok, row)
    warnings += date_warnings
    warnings += implausible_warnings(con, parsed, ok, total, table, mapping, staged.label)
    if accepted == total:
        rejects_sql = q.NO_REJECTS  # nothing to list, keep or delete at commit
    elif staged.skipped_lines is not None:
        rejects_sql = _number_csv_rows(
            con, staged, rejects_sql, parsed + "__lines", bool(malformed)
        )
    report = FileReport(
        file_key=table.key,
        file_label=staged.label,
        read=total + len(malformed),
        accepted=accepted,
        rejected=total - accepted + len(malformed),
        listed=_listed_rejects(con, rejects_sql, mapping, malformed),
        warnings=warnings,
        notes=notes,
    )
    return ParsedFile(table, parsed, ok, mapping, staged.columns, report, rejects_sql, summary)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _number_csv_rows(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    rejects_sql: str,
    lines: str,
    malformed: bool,
) -> str:
    """``rejects_sql`` with a CSV's row numbers: positions among the kept records moved past the
    lines that hold none (rejected records, blank lines, lines above the header). ``lines`` names
    the temp table of that mapping (see :func:`queries.skipped_lines_table`)."""
    assert staged.skipped_lines is not None and staged.rejects is not None  # a CSV has both
    skipped = staged.skipped_lines()
    if not len(skipped) and not malformed:
        return rejects_sql  # every line from 2 on is a kept record: positions are row numbers
    blank = None
    if len(skipped):
        blank = lines + "__blank"
        import pyarrow as pa  # here: a command that needs no Arrow starts quicker

        con.register(blank, pa.table({"line": pa.array(skipped, pa.int64())}))
    try:
        con.execute(q.skipped_lines_table(lines, staged.rejects, blank))
    finally:
        if blank is not None:
            con.unregister(blank)
    return q.number_rows(rejects_sql, lines)


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    parsed: str,
    summary: str,
    date_field: str | None,
    row: str,
) -> int:
    """Exact duplicate records, hashed from the source (the parsed table has no hash column).

    Only rows the SKU pass marks as possible twins are hashed (the parsed table and the source
    number their rows alike); without a date to prune by, every row is.
    """
    if date_field is not None and (one_row(con, q.summary_duplicate_candidates(summary))[0] == 0):
        return 0
    # The hash reads the file's text: a CSV read in the parsing pass is staged as text now.
    source, row_expr, params = staged.source, staged.row_expr, staged.params
    if staged.text_rows is not None:
        (source, row_expr), params = staged.text_rows(), []
    if date_field is None:
        sql = q.duplicate_rows(source, row_expr, staged.columns, candidates=False)
        return int(one_row(con, sql, params)[0])
    con.execute(q.duplicate_candidates(parsed, summary, row))
    try:
        sql = q.duplicate_rows(source, row_expr, staged.columns, candidates=True)
        return int(one_row(con, sql, params)[0])
    finally:
        con.execute(drop_table("__dup_candidates"))


def _warning_checks(table: Table, mapping: Mapping) -> list[tuple[str, str]]:
    """(condition on accepted rows, message with {n:,}) for the warnings a table can have."""
    checks: list[tuple[str, str]] = []
    if table.key == "sales":
        checks += [
            (
                "quantity < 0",
                "{n:,} negative quantities treated as returns or cancellations "
                "(netted within the week)",
            ),
            ("quantity = 0", "{n:,} lines with zero quantity"),
        ]
        if "unit_price" in mapping:
            checks += [
                ("unit_price = 0", "{n:,} lines with a zero unit price"),
                ("unit_price < 0", "{n:,} lines with a negative unit price"),
            ]
    if table.key == "inventory":
        checks.append(("on_hand < 0", "{n:,} negative on-hand quantities"))
    return checks
