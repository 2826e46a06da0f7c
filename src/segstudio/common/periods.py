"""Calendar facts every stage shares: days per week, month and year, and the period helpers."""

from __future__ import annotations

import datetime as dt

__all__ = [
    "MONTH_DAYS",
    "WEEK_DAYS",
    "YEAR_DAYS",
    "add_periods",
    "period_days",
    "period_start",
]

WEEK_DAYS = 7.0
MONTH_DAYS = 365.25 / 12
YEAR_DAYS = 365.25


def period_days(period: str) -> float:
    """Days in one period: 7 for a week, 365.25 / 12 for a month."""
    if period == "week":
        return WEEK_DAYS
    if period == "month":
        return MONTH_DAYS
    raise ValueError(f"period must be 'week' or 'month', not {period!r}")


def period_start(d: dt.date, period: str) -> dt.date:
    """The first day of the period holding ``d``: its ISO week's Monday, or the 1st of its month."""
    return d - dt.timedelta(days=d.weekday()) if period == "week" else d.replace(day=1)


def add_periods(d: dt.date, n: int, period: str) -> dt.date:
    """``d`` (a period's first day) moved by ``n`` periods."""
    if period == "week":
        return d + dt.timedelta(weeks=n)
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)
