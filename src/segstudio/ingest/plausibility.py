"""Values that parse but are hard to believe: warned about per column, the rows kept.

- a date before :data:`EARLIEST_PLAUSIBLE_DATE` or after the end of next year (a misread
  format or a typing error more often than a real date);
- a supplier lead time (receipt date - order date) that is negative or longer than
  :data:`MAX_PLAUSIBLE_LEAD_TIME_DAYS`;
- a quantity, price, cost or amount far outside its column's own range
  (:func:`outsized_bound`: from the quartiles of the size of its non-zero values, which one
  huge value cannot move), when the column has at least :data:`MIN_VALUES_FOR_SCALE` of them.

Each warning names the file and the column, the rule, how many rows and a few examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import duckdb

from segstudio.common import fmt
from segstudio.common.sql import one_row
from segstudio.ingest import sql as q
from segstudio.ingest.mapping import Mapping
from segstudio.ingest.schema import Table

__all__ = [
    "EARLIEST_PLAUSIBLE_DATE",
    "LOG_FENCE_IQRS",
    "MAX_PLAUSIBLE_LEAD_TIME_DAYS",
    "MIN_VALUES_FOR_SCALE",
    "OUTSIZED_FACTOR",
    "SCALE_SAMPLE_ROWS",
    "implausible_warnings",
    "latest_plausible_date",
    "outsized_bound",
]

EARLIEST_PLAUSIBLE_DATE = dt.date(1990, 1, 1)
MAX_PLAUSIBLE_LEAD_TIME_DAYS = 730  # two years
OUTSIZED_FACTOR = 1_000
LOG_FENCE_IQRS = 3  # Tukey's "far out" fence, on the log scale
MIN_VALUES_FOR_SCALE = 10
SCALE_SAMPLE_ROWS = 100_000  # the median is taken over about this many rows at most
_NOT_SCALED = frozenset({"age_days"})  # a count of days, not a quantity or an amount


def latest_plausible_date(today: dt.date) -> dt.date:
    """The last plausible date: the end of the year after ``today``'s."""
    return dt.date(today.year + 1, 12, 31)


def outsized_bound(q1: float, median: float, q3: float) -> float:
    """The size past which a value is far outside its column: :data:`OUTSIZED_FACTOR` times
    the median, or, for a column whose values spread over orders of magnitude, Tukey's far-out
    fence on the log scale (:data:`LOG_FENCE_IQRS` interquartile ranges above the upper
    quartile: Q3 * (Q3 / Q1) ** 3), whichever is larger. ``q1``, ``median``, ``q3``: the
    quartiles of the size of the non-zero values.

    >>> outsized_bound(1.0, 2.0, 3.0)  # 1,000 x 2 beats 3 * 3 ** 3 = 81
    2000.0
    >>> outsized_bound(10.0, 36.0, 149.0)  # on-hand spread over decades: the fence
    492884.401
    """
    fence = q3 * (q3 / q1) ** LOG_FENCE_IQRS if q1 > 0 else 0.0
    return max(OUTSIZED_FACTOR * median, fence)


def _numbers(values: list) -> str:
    return ", ".join(fmt.number(float(v)) for v in values)


def _dates(values: list) -> str:
    return ", ".join(fmt.date(v) for v in values)


def _lead_times(values: list) -> str:
    return ", ".join(
        f"ordered {fmt.date(v['order'])}, received {fmt.date(v['receipt'])} "
        f"({fmt.count((v['receipt'] - v['order']).days)} days)"
        for v in values
    )


# The messages, from where (file and column, quoted as text), the rows and the examples.
def _early(where: str, n: int, examples: list) -> str:
    return (
        f"{where}: {fmt.count(n, 'date')} before {EARLIEST_PLAUSIBLE_DATE.year} (earliest: "
        f"{_dates(examples)}); rows kept: check the date format"
    )


def _late(where: str, last: dt.date, n: int, examples: list) -> str:
    return (
        f"{where}: {fmt.count(n, 'date')} after {last.year} (latest: {_dates(examples)}); "
        "rows kept: check the date format"
    )


def _negative_lead(where: str, n: int, examples: list) -> str:
    return (
        f"{where}: {fmt.count(n, 'receipt')} dated before their order (negative lead time; "
        f"e.g. {_lead_times(examples)}); rows kept"
    )


def _long_lead(where: str, n: int, examples: list) -> str:
    return (
        f"{where}: {fmt.count(n, 'lead time')} over {MAX_PLAUSIBLE_LEAD_TIME_DAYS} days (two "
        f"years; e.g. {_lead_times(examples)}); rows kept: check the dates"
    )


def _outsized(where: str, bound: float, n: int, examples: list) -> str:
    return (
        f"{where}: {fmt.count(n, 'value')} far outside the column's own range (larger than "
        f"{fmt.number(bound)}: {fmt.count(OUTSIZED_FACTOR)} times the median size, or more "
        f"where the values spread widely), e.g. {_numbers(examples)}; rows kept: check the "
        "unit or a typing error"
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
    """The plausibility warnings of a parsed file (``rows`` rows; ``ok``: its accepted ones),
    from one pass over it (and, for the numbers' scale, a pass over a sample of its rows)."""
    last = latest_plausible_date(today or dt.date.today())
    checks: list[tuple[tuple[str, str], Callable[[int, list], str]]] = []
    for f in table.fields:
        col = mapping.get(f.name)
        if col is not None and f.kind == "date":
            where = f"{label}, column {col!r}"
            early = q.dates_before(f.name, EARLIEST_PLAUSIBLE_DATE.isoformat())
            checks.append((early, partial(_early, where)))
            checks.append((q.dates_after(f.name, last.isoformat()), partial(_late, where, last)))
    if table.key == "suppliers" and "order_date" in mapping and "receipt_date" in mapping:
        where = f"{label}, columns {mapping['order_date']!r} to {mapping['receipt_date']!r}"
        checks.append((q.negative_lead_times(), partial(_negative_lead, where)))
        long_lead = q.lead_times_over(MAX_PLAUSIBLE_LEAD_TIME_DAYS)
        checks.append((long_lead, partial(_long_lead, where)))
    scaled = [
        f.name
        for f in table.fields
        if f.kind == "number" and f.name in mapping and f.name not in _NOT_SCALED
    ]
    if scaled and rows:
        every = max(1, rows // SCALE_SAMPLE_ROWS)
        scales = one_row(con, q.number_scales(parsed, ok, scaled, every))
        for i, name in enumerate(scaled):
            quartiles, count = scales[2 * i], scales[2 * i + 1]
            if quartiles is None or count < MIN_VALUES_FOR_SCALE:
                continue
            where = f"{label}, column {mapping[name]!r}"
            bound = outsized_bound(*map(float, quartiles))
            beyond = q.numbers_beyond(name, bound)
            checks.append((beyond, partial(_outsized, where, bound)))
    if not checks:
        return []
    found = one_row(con, q.implausible_rows(parsed, ok, [c for c, _ in checks]))
    return [
        message(int(found[2 * i]), found[2 * i + 1] or [])
        for i, (_, message) in enumerate(checks)
        if found[2 * i]
    ]
