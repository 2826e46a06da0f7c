"""How figures read, one formatter per kind: pages, exports, reports and command output all
show a share, a sum of money, a count, days, a ratio or a date the same way.

======================  ================  ==========================================
kind                    function          reads
======================  ================  ==========================================
share, rate             :func:`share`     97.1% (``decimals``; ``mark_tiny``: <1%)
money                   :func:`money`     1,234,568 from 100 up, else 12.50
headline figure         :func:`compact`   1.02M, 246k, 5,341, 12.50 (fits a metric)
count                   :func:`count`     1,234; with a noun: 1 SKU, 1,234 SKUs
days                    :func:`days`      88 d
ratio, multiple         :func:`ratio`     4.20x
fixed decimals          :func:`fixed`     1,234.5 (a CoV, years, any plain decimal)
table cell number       :func:`number`    1,234.568, 0.0123 (at most 3 decimals)
setting, threshold      :func:`plain`     90, 0.5, 1.32 (as typed; no separators)
ABC boundary            :func:`boundary`  0.935 (as the boundary sliders show it)
date                    :func:`date`      2024-01-31 (2024-01-31 14:05 with a time)
======================  ================  ==========================================

Every formatter returns :data:`MISSING` ("n/a") for None, NaN, pd.NA and +-inf, and never
shows a negative zero: a value is rounded to the shown precision first, and a result that
reads as zero loses its minus sign ("-0.0%" is "0.0%").

>>> share(0.971), money(1234567.8), money(12.5), count(1234, "SKU"), days(88.4), ratio(4.2)
('97.1%', '1,234,568', '12.50', '1,234 SKUs', '88 d', '4.20x')
>>> share(-0.0004), ratio(float("nan")), date(dt.date(2024, 1, 31))
('0.0%', 'n/a', '2024-01-31')
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import sys
from collections.abc import Callable, Iterable
from typing import cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "BOUNDARY_FORMAT",
    "MISSING",
    "boundary",
    "compact",
    "count",
    "date",
    "days",
    "each",
    "fixed",
    "money",
    "number",
    "plain",
    "ratio",
    "share",
]

MISSING = "n/a"
"""The text of a figure that cannot be shown: missing, or not finite."""

BOUNDARY_FORMAT = "%.3f"
"""How an ABC boundary (a share of the measure) reads, printf-style as a slider takes it:
"0.935", never rounded to "0.94"."""

_MONEY_WHOLE_FROM = 100.0  # money from this amount up is shown without cents


def _is_na(x: object) -> bool:
    """None, or pandas' missing scalars (pd.NA, pd.NaT, NaN): pandas is asked only when it is
    loaded, as only then can ``x`` be one of its own (a command that never loads it starts
    quicker)."""
    if x is None:
        return True
    pd = sys.modules.get("pandas")
    return pd is not None and bool(np.ndim(cast(npt.ArrayLike, x)) == 0 and pd.isna(x))


def _finite(x: object) -> float | None:
    """``x`` as a finite float, or None when it is missing or not finite."""
    if isinstance(x, str | bytes):
        raise TypeError(f"a figure to format must be a number, not the text {x!r}")
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if _is_na(x):  # None, pd.NA, pd.NaT
            return None
        raise TypeError(f"a figure to format must be a number, not {type(x).__name__}") from None
    return v if math.isfinite(v) else None


def _unsigned_zero(text: str) -> str:
    """``text`` without its minus sign when it reads as zero ("-0", "-0.00x", "-0.0%")."""
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


def fixed(x: object, decimals: int = 0) -> str:
    """A number with ``decimals`` decimals and thousands separators: "1,234.5"."""
    v = _finite(x)
    if v is None:
        return MISSING
    return _unsigned_zero(f"{v:,.{decimals}f}")


def share(x: object, decimals: int = 1, *, mark_tiny: bool = False) -> str:
    """A share or a rate (1.0 = 100%) as a percentage: "97.1%". ``mark_tiny``: a positive
    share too small to show (it would read 0%) reads "<1%" ("<0.1%" with one decimal)."""
    v = _finite(x)
    if v is None:
        return MISSING
    if mark_tiny and 0 < v < 0.5 / 10 ** (decimals + 2):
        return f"<{10.0**-decimals:.{decimals}f}%"
    return _unsigned_zero(f"{v:.{decimals}%}")


def money(x: object) -> str:
    """An amount of money, without a currency symbol: whole units from 100 up ("1,234,568"),
    else with cents ("12.50")."""
    v = _finite(x)
    if v is None:
        return MISSING
    whole = abs(round(v, 2)) >= _MONEY_WHOLE_FROM
    return fixed(v, 0 if whole else 2)


_COMPACT_FROM = 10_000.0  # below this, a figure is written out in full
_COMPACT_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact(x: object) -> str:
    """A headline figure short enough for a metric: in full below 10,000 (whole numbers as
    :func:`count`, others as :func:`money`: "5,341", "0", "12.50"), else three significant digits with k, M, B or T: "24.6k", "246k",
    "1.02M". A metric never truncates to "1,019,...".

    >>> compact(1019234), compact(245596), compact(5341), compact(-12345), compact(0.5)
    ('1.02M', '246k', '5,341', '-12.3k', '0.50')
    >>> compact(0), compact(-0.0), compact(float("nan"))
    ('0', '0', 'n/a')
    """
    v = _finite(x)
    if v is None:
        return MISSING
    if abs(v) < _COMPACT_FROM:
        return count(v) if v.is_integer() else money(v)
    for size, unit in _COMPACT_UNITS:
        if abs(v) >= size * 0.9995:  # 999,999 reads 1.00M, not 1000k
            scaled = v / size
            digits = 3 - len(str(int(abs(round(scaled, 2)))))
            text = f"{scaled:.{max(digits, 0)}f}"
            if abs(float(text)) >= 1000 and unit != "T":  # rounded up into the next unit
                continue
            return text + unit
    return money(v)  # not reached: abs(v) >= 10,000 always has a unit


def count(n: object, noun: str | None = None, plural: str | None = None) -> str:
    """A count with thousands separators ("1,234"); a fractional count is rounded. With a
    ``noun``: "1 SKU", "1,234 SKUs" (``plural`` when adding "s" is wrong)."""
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        text = f"{int(n):,}"  # exact, however large
    else:
        text = fixed(n, 0)
        if text == MISSING:
            return MISSING
    if noun is None:
        return text
    return f"{text} {noun if text == '1' else plural or noun + 's'}"


def days(x: object, decimals: int = 0, *, suffix: str = " d") -> str:
    """A number of days: "88 d" (``suffix`` "" where a heading already says days)."""
    text = fixed(x, decimals)
    return text if text == MISSING else text + suffix


def ratio(x: object, decimals: int = 2) -> str:
    """A ratio or a multiple: "4.20x" (inventory turns, GMROI, stock over its limit)."""
    text = fixed(x, decimals)
    return text if text == MISSING else text + "x"


def number(x: object) -> str:
    """A number in a table cell: integers and floats with thousands separators, floats with
    at most 3 decimals and 3 significant digits below 1, trailing zeros dropped; scientific
    below 1e-4: "1,234.568", "2.5", "3", "0.0123", "1.23e-05"."""
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return count(x)
    v = _finite(x)
    if v is None:
        return MISSING
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1:
        text = f"{v:,.3f}"
    elif a >= 1e-4:
        text = f"{v:.{2 - math.floor(math.log10(a))}f}"
    else:
        return f"{v:.2e}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return _unsigned_zero(text) or "0"


def plain(x: object) -> str:
    """A setting or a threshold as people type it: "90", "0.5", "1.32" (shortest form, 6
    significant digits, no thousands separators: safe inside names such as "over_1000")."""
    v = _finite(x)
    if v is None:
        return MISSING
    return _unsigned_zero(f"{v:g}")


def boundary(x: object) -> str:
    """An ABC boundary as the Segmentation sliders show it (:data:`BOUNDARY_FORMAT`): "0.935".

    >>> boundary(0.935), boundary(0.8)
    ('0.935', '0.800')
    """
    v = _finite(x)
    if v is None:
        return MISSING
    return _unsigned_zero(BOUNDARY_FORMAT % v)


def date(d: object) -> str:
    """A date as ISO: "2024-01-31"; a date and time that is not midnight: "2024-01-31 14:05"."""
    if not isinstance(d, dt.date | np.datetime64) and _is_na(d):
        return MISSING
    if isinstance(d, np.datetime64):
        if np.isnat(d):
            return MISSING
        d = d.astype("datetime64[us]").item()  # a datetime (a date before 1 AD cannot be one)
    if _is_na(d):  # pd.NaT, a datetime subclass
        return MISSING
    if isinstance(d, dt.datetime):  # pd.Timestamp included
        if (d.hour, d.minute, d.second, d.microsecond) == (0, 0, 0, 0):
            return d.strftime("%Y-%m-%d")
        return d.strftime("%Y-%m-%d %H:%M")
    if isinstance(d, dt.date):
        return d.isoformat()
    raise TypeError(f"a date to format must be a date, not {type(d).__name__}")


def each(
    formatter: Callable[..., str], values: Iterable[object], *args: object, **options: object
) -> np.ndarray:
    """``formatter`` applied to every value, as an object array (so that ``"in " + texts``
    builds one text per value): ``each(share, rates, 0)``."""
    tolist = getattr(values, "tolist", None)  # numpy arrays, pandas series and indexes
    items = tolist() if callable(tolist) else list(values)
    return np.array([formatter(v, *args, **options) for v in items], dtype=object)
