"""Dates written as text: which formats a column holds, how it reads day and month and
two-digit years, and what the load report says about it.

Each value is read by the first format that reads it, in one order (:data:`FORMATS`): ISO by a
fast cast (years from 1000 only), then the formats with a two-digit year, then those with four
digits, then the year-first ones. DuckDB's ``%Y`` takes a year of one to four digits
(``1/10/07`` would be the year 7), its ``%y`` exactly two, pivoted as Python's ``%y`` (00-68 ->
2000-2068, 69-99 -> 1969-1999) and refusing ``2007``: trying ``%y`` first reads ``07`` as 2007
and leaves ``2007`` to ``%Y``.

Month-first and day-first formats exclude each other within a column: the column takes the
order in which more of its values can only be read (``27/6/07``: a first part over 12 is a
day), month-first when no value tells. The formats are found in a sample of the column's
first rows; the values they leave unread are sampled in turn after the parsing pass, and read
again by the formats found there (a file whose format changes half-way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from segstudio.common import fmt
from segstudio.common.sql import drop_table, ident, one_row
from segstudio.ingest import sql as q

__all__ = [
    "DAY_FIRST",
    "DateFormat",
    "DateReading",
    "FORMATS",
    "ISO_LABEL",
    "MONTH_FIRST",
    "SERIAL_LABEL",
    "detect",
    "report",
    "reread_rejected",
]

MONTH_FIRST, DAY_FIRST = "month/day", "day/month"
ISO_LABEL, SERIAL_LABEL = "yyyy-mm-dd", "Excel serial number"
_TOKENS = {
    "%Y": "yyyy",
    "%y": "yy",
    "%m": "m",
    "%d": "d",
    "%b": "Mon",
    "%B": "Month",
    "%H": "hh",
    "%M": "mm",
    "%S": "ss",
    "%f": "ffffff",
}


@dataclass(frozen=True)
class DateFormat:
    """A strptime format and the day/month order it implies ("" when it has none)."""

    strptime: str
    order: str = ""

    @property
    def label(self) -> str:
        """The format as people write it: ``m/d/yy``, ``d-Mon-yy``, ``yyyy-mm-dd hh:mm``."""
        tokens = dict(_TOKENS)
        if self.strptime.startswith("%Y"):
            tokens.update({"%m": "mm", "%d": "dd"})
        out = self.strptime
        for token, text in tokens.items():
            out = out.replace(token, text)
        return out

    @property
    def date_label(self) -> str:
        """The label of the date part: a column with and without times holds one format."""
        cut = min(
            (i for i in (self.strptime.find(" %H"), self.strptime.find("T%H")) if i >= 0),
            default=-1,
        )
        return DateFormat(self.strptime[:cut] if cut >= 0 else self.strptime).label

    @property
    def two_digit_year(self) -> bool:
        return "%y" in self.strptime


def _fmts(order: str, *patterns: str) -> tuple[DateFormat, ...]:
    return tuple(DateFormat(p, order) for p in patterns)


FORMATS: tuple[DateFormat, ...] = (
    # Two-digit years first: %y refuses four digits, %Y would take '07' as the year 7.
    *_fmts(MONTH_FIRST, "%m/%d/%y", "%m/%d/%y %H:%M", "%m/%d/%y %H:%M:%S", "%m-%d-%y"),
    *_fmts(
        DAY_FIRST,
        "%d/%m/%y",
        "%d/%m/%y %H:%M",
        "%d/%m/%y %H:%M:%S",
        "%d.%m.%y",
        "%d.%m.%y %H:%M",
        "%d-%m-%y",
    ),
    *_fmts("", "%d-%b-%y", "%d %b %y", "%d-%B-%y", "%b-%y", "%b %y"),
    *_fmts(MONTH_FIRST, "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%m-%d-%Y"),
    *_fmts(
        DAY_FIRST,
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y",
        "%d.%m.%Y",
        "%d.%m.%Y %H:%M",
        "%d-%m-%Y",
    ),
    *_fmts(
        "",
        "%d-%b-%Y",
        "%d %b %Y",
        "%d %B %Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%d-%B-%Y",
        "%b %Y",
        "%B %Y",
        "%b-%Y",
        "%m/%Y",
    ),
    # Year first: what the fast ISO cast leaves (short years, compact dates, months).
    *_fmts(
        "",
        "%Y-%m-%d",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y/%m/%d",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m",
        "%Y/%m",
        "%Y%m%d",
    ),
)


@dataclass
class _Found:
    label: str
    values: int  # distinct values of the samples it is the first to read
    example: str
    example_date: object  # a date, or text for one outside years 1-9999


@dataclass
class DateReading:
    """How a text column's dates are read: the day/month order taken (None while no value
    needs one), the formats in trying order, whether Excel serials are read, what each
    reading was found to read (in the samples), and the evidence for the order."""

    order: str | None = None
    formats: list[DateFormat] = field(default_factory=list)
    serial: bool = False
    found: dict[str, _Found] = field(default_factory=dict)  # by label (ISO, format, serial)
    month_only: int = 0
    day_only: int = 0
    either: int = 0
    month_example: str | None = None
    day_example: str | None = None
    either_example: str | None = None
    reread_rows: int = 0  # rows read again after the parsing pass

    @property
    def strptime(self) -> list[str]:
        return [f.strptime for f in self.formats]


def _candidates(order: str | None) -> list[DateFormat]:
    return [f for f in FORMATS if f.order in ("", order)]


def _weigh_order(con: duckdb.DuckDBPyConnection, sample: str, reading: DateReading) -> None:
    """Add a sample's evidence for month-first or day-first, and take the order it supports."""
    month = [f.strptime for f in FORMATS if f.order == MONTH_FIRST]
    day = [f.strptime for f in FORMATS if f.order == DAY_FIRST]
    m_only, d_only, both, m_ex, d_ex, both_ex = one_row(
        con, q.day_month_evidence(sample, month, day)
    )
    reading.month_only += int(m_only)
    reading.day_only += int(d_only)
    reading.either += int(both)
    reading.month_example = reading.month_example or m_ex
    reading.day_example = reading.day_example or d_ex
    reading.either_example = reading.either_example or both_ex
    if reading.order is None and reading.month_only + reading.day_only + reading.either:
        reading.order = DAY_FIRST if reading.day_only > reading.month_only else MONTH_FIRST


def _first_fit(
    con: duckdb.DuckDBPyConnection,
    sample: str,
    formats: list[DateFormat],
    serial: bool,
    fast_iso: bool,
    reading: DateReading,
) -> tuple[list[DateFormat], bool]:
    """The formats (and whether serials) that are the first to read some sampled value."""
    formats = _tried_order(formats)
    labels = ([ISO_LABEL] if fast_iso else []) + [f.label for f in formats]
    labels += [SERIAL_LABEL] if serial else []
    sql = q.date_first_fit(sample, [f.strptime for f in formats], serial, fast_iso)
    used: list[DateFormat] = []
    serial_used = False
    for k, n, example, date in con.execute(sql).fetchall():
        label = labels[k]
        if label not in reading.found:
            reading.found[label] = _Found(label, int(n), str(example), date)
        if label == SERIAL_LABEL:
            serial_used = True
        elif label != ISO_LABEL:
            used.append(formats[k - (1 if fast_iso else 0)])
    return used, serial_used


def detect(con: duckdb.DuckDBPyConnection, values_sql: str, sample: str) -> DateReading:
    """The reading of a text date column from a sample of ``values_sql`` (its first rows),
    staged in the temp table ``sample`` (dropped after)."""
    reading = DateReading()
    con.execute(q.create_date_sample(sample, values_sql))
    try:
        _weigh_order(con, sample, reading)
        formats, reading.serial = _first_fit(
            con, sample, _candidates(reading.order), True, True, reading
        )
    finally:
        con.execute(drop_table(sample))
    reading.formats = _tried_order(formats)
    return reading


def _tried_order(formats: list[DateFormat]) -> list[DateFormat]:
    """Formats in the order the parse tries them (year-first ones last)."""
    order = q.year_first_last([f.strptime for f in formats])
    return sorted(formats, key=lambda f: order.index(f.strptime))


def reread_rejected(
    con: duckdb.DuckDBPyConnection, parsed: str, field_name: str, reading: DateReading, sample: str
) -> int:
    """Read again the values of ``field_name`` that the parsing pass left unread, by the formats
    a sample of them holds (in the column's day/month order); returns the rows read so."""
    con.execute(q.create_date_sample(sample, q.rejected_values(parsed, field_name)))
    try:
        if not one_row(con, f"SELECT count(*) FROM {ident(sample)}")[0]:
            return 0
        if reading.order is None:  # else the evidence is in already (the samples overlap)
            _weigh_order(con, sample, reading)
        candidates = [f for f in _candidates(reading.order) if f not in reading.formats]
        new, serial = _first_fit(con, sample, candidates, not reading.serial, False, reading)
    finally:
        con.execute(drop_table(sample))
    if not new and not serial:
        return 0
    cur = con.execute(q.reparse_dates(parsed, field_name, [f.strptime for f in new], serial))
    rows = int((cur.fetchone() or (0,))[0])
    reading.formats = _tried_order(reading.formats + new)
    reading.serial = reading.serial or serial
    reading.reread_rows += rows
    return rows


def _example(found: _Found) -> str:
    shown = f"'{found.example}'"
    read = found.example_date  # DuckDB gives text for a date Python cannot hold (year 0)
    return f"{shown} = {fmt.date(read)}" if isinstance(read, dt.date) else shown


def report(
    con: duckdb.DuckDBPyConnection, source: str, label: str, column: str, reading: DateReading
) -> tuple[list[str], list[str]]:
    """(notes, warnings) for the load report: the day/month order and the two-digit-year pivot
    taken, and, when the column mixes formats, each format with its rows (a pass over
    ``source``, a forgiving read of the file) and an example."""
    where = f"{label}, column {column!r}"
    notes: list[str] = []
    if any(f.order for f in reading.formats):
        order = reading.order or MONTH_FIRST
        other = DAY_FIRST if order == MONTH_FIRST else MONTH_FIRST
        pro, con_n = (
            (reading.month_only, reading.day_only)
            if order == MONTH_FIRST
            else (reading.day_only, reading.month_only)
        )
        pro_ex, con_ex = (
            (reading.month_example, reading.day_example)
            if order == MONTH_FIRST
            else (reading.day_example, reading.month_example)
        )
        if pro:
            text = (
                f"{where}: dates read as {order}/year: {fmt.count(pro)} of the values sampled, "
                f"such as '{pro_ex}', can only be read so"
            )
        else:
            text = (
                f"{where}: dates read as {order}/year, though no value tells (day and month "
                f"are 12 or less in each, such as '{reading.either_example}'): check one "
                "against the source"
            )
        if con_n:
            text += (
                f"; {fmt.count(con_n, 'other value')}, such as '{con_ex}', fit only "
                f"{other}/year: rejected unless another format reads them"
            )
        notes.append(text)
    two_digit = [f for f in reading.formats if f.two_digit_year]
    if two_digit:
        ex = reading.found.get(two_digit[0].label)
        shown = f" ({_example(ex)})" if ex else ""
        notes.append(
            f"{where}: two-digit years read as Python's %y reads them: 00-68 as 2000-2068, "
            f"69-99 as 1969-1999{shown}"
        )
    warnings: list[str] = []
    readings = list(reading.found.values())
    if len({_date_label(r.label) for r in readings}) > 1:
        labels = [ISO_LABEL] + [f.label for f in reading.formats]
        labels += [SERIAL_LABEL] if reading.serial else []
        sql = q.date_format_rows(source, column, reading.strptime, reading.serial)
        rows: dict[str, int] = {}
        for k, n in con.execute(sql).fetchall():
            key = _date_label(labels[k])
            rows[key] = rows.get(key, 0) + int(n)
        parts = []
        seen: set[str] = set()
        for r in readings:
            key = _date_label(r.label)
            if key in seen:
                continue
            seen.add(key)
            parts.append(f"{key} ({fmt.count(rows.get(key, 0), 'row')}, e.g. {_example(r)})")
        warnings.append(
            f"{where} mixes {len(parts)} date formats, each value read by the one that fits: "
            + "; ".join(parts)
        )
    return notes, warnings


def _date_label(label: str) -> str:
    for f in FORMATS:
        if f.label == label:
            return f.date_label
    return label
