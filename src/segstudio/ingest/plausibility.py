"""Values that parse but are hard to believe: warned about per column, the rows kept.

- a date before :data:`EARLIEST_PLAUSIBLE_DATE` or after the end of next year (a misread
  format or a typing error more often than a real date);
- a supplier lead time (receipt date - order date) that is negative or longer than
  :data:`MAX_PLAUSIBLE_LEAD_TIME_DAYS`;
- a quantity, price, cost or amount more than :data:`OUTSIZED_FACTOR` times the median size
  of its column's non-zero values (a robust bound: one huge value cannot move the median),
  when the column has at least :data:`MIN_VALUES_FOR_SCALE` of them.

Each warning names the file and the column, the rule, how many rows and a few examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from segstudio.common import fmt
from segstudio.common.sql import one_row
from segstudio.ingest import sql as q
from segstudio.ingest.mapping import Mapping
from segstudio.ingest.schema import Table

__all__ = [
    "EARLIEST_PLAUSIBLE_DATE",
    "MAX_PLAUSIBLE_LEAD_TIME_DAYS",
    "MIN_VALUES_FOR_SCALE",
    "OUTSIZED_FACTOR",
    "SCALE_SAMPLE_ROWS",
    "implausible_warnings",
    "latest_plausible_date",
]

EARLIEST_PLAUSIBLE_DATE = dt.date(1990, 1, 1)
MAX_PLAUSIBLE_LEAD_TIME_DAYS = 730  # two years
OUTSIZED_FACTOR = 1_000
MIN_VALUES_FOR_SCALE = 10
SCALE_SAMPLE_ROWS = 100_000  # the median is taken over about this many rows at most
_NOT_SCALED = frozenset({"age_days"})  # a count of days, not a quantity or an amount


def latest_plausible_date(today: dt.date) -> dt.date:
    """The last plausible date: the end of the year after ``today``'s."""
    return dt.date(today.year + 1, 12, 31)


def _dates(values: list | None) -> str:
    return ", ".join(fmt.date(v) for v in values or [])


def _numbers(values: list | None) -> str:
    return ", ".join(fmt.number(float(v)) for v in values or [])


def _lead_times(values: list | None) -> str:
    return ", ".join(
        f"ordered {fmt.date(v['order'])}, received {fmt.date(v['receipt'])} "
        f"({fmt.count((v['receipt'] - v['order']).days)} days)"
        for v in values or []
    )


def implausible_warnings(
    con: duckdb.DuckDBPyConnection,
    parsed: str,
    ok: str,
    rows: int,
    table: Table,
    mapping: Mapping,
    label: str,
    today: dt.date | None = None,
) -> list[str]:
    """The plausibility warnings of a parsed file (``rows`` rows; ``ok``: its accepted ones)."""
    today = today or dt.date.today()
    last = latest_plausible_date(today)
    # (check, message from the row count and the examples); column names are quoted as text.
    checks: list[tuple[tuple[str, str], Callable[[int, list], str]]] = []
    for f in table.fields:
        col = mapping.get(f.name)
        if col is None or f.kind != "date":
            continue
        where = f"{label}, column {col!r}"
        checks.append(
            (
                q.dates_before(f.name, EARLIEST_PLAUSIBLE_DATE.isoformat()),
                lambda n, ex, where=where: (
                    f"{where}: {fmt.count(n, 'date')} before {EARLIEST_PLAUSIBLE_DATE.year} (earliest: "
                    f"{_dates(ex)}); rows kept: check the date format"
                ),
            )
        )
        checks.append(
            (
                q.dates_after(f.name, last.isoformat()),
                lambda n, ex, where=where: (
                    f"{where}: {fmt.count(n, 'date')} after {last.year} (latest: {_dates(ex)}); rows kept: "
                    "check the date format"
                ),
            )
        )
    if table.key == "suppliers" and "order_date" in mapping and "receipt_date" in mapping:
        where = f"{label}, columns {mapping['order_date']!r} to {mapping['receipt_date']!r}"
        checks.append(
            (
                q.negative_lead_times(),
                lambda n, ex: (
                    f"{where}: {fmt.count(n, 'receipt')} dated before their order (negative lead time; "
                    f"e.g. {_lead_times(ex)}); rows kept"
                ),
            )
        )
        checks.append(
            (
                q.lead_times_over(MAX_PLAUSIBLE_LEAD_TIME_DAYS),
                lambda n, ex: (
                    f"{where}: {fmt.count(n, 'lead time')} over {MAX_PLAUSIBLE_LEAD_TIME_DAYS} days (two "
                    f"years; e.g. {_lead_times(ex)}); rows kept: check the dates"
                ),
            )
        )
    scaled = [
        f.name
        for f in table.fields
        if f.kind == "number" and f.name in mapping and f.name not in _NOT_SCALED
    ]
    if scaled and rows:
        every = max(1, rows // SCALE_SAMPLE_ROWS)
        scales = one_row(con, q.number_scales(parsed, ok, scaled, every))
        for i, name in enumerate(scaled):
            median, count = scales[2 * i], scales[2 * i + 1]
            if median is None or count < MIN_VALUES_FOR_SCALE or median <= 0:
                continue
            where = f"{label}, column {mapping[name]!r}"
            checks.append(
                (
                    q.numbers_beyond(name, OUTSIZED_FACTOR * float(median)),
                    lambda n, ex, where=where, median=float(median): (
                        f"{where}: {fmt.count(n, 'value')} more than {fmt.count(OUTSIZED_FACTOR)} times the "
                        f"median size of the column's non-zero values ({fmt.number(median)}), "
                        f"e.g. {_numbers(ex)}; rows kept: check the unit or a typing error"
                    ),
                )
            )
    if not checks:
        return []
    found = one_row(con, q.implausible_rows(parsed, ok, [c for c, _ in checks]))
    return [
        message(int(found[2 * i]), found[2 * i + 1] or [])
        for i, (_, message) in enumerate(checks)
        if found[2 * i]
    ]
