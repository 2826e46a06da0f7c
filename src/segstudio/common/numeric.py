"""Safe division: the one convention every stage uses for a ratio that may not exist.

A ratio is NaN (missing), never 0 and never infinite by accident, where it cannot be computed:
the denominator is 0 (or, for a rate over something that cannot be negative, below 0), or
either side is missing or not finite. A caller that wants 0 in those places says so at the
call (``np.where(den > 0, safe_divide(num, den), 0.0)``), so the choice is visible.
"""

from __future__ import annotations

from typing import TypeAlias, cast, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["safe_divide"]

_Scalar: TypeAlias = float | int | np.floating | np.integer | None
_ArrayLike: TypeAlias = np.ndarray | pd.Series | pd.Index | list | tuple


def _as_float(x: object) -> np.ndarray:
    """``x`` as a float array (0-d for a scalar), with pandas' missing values as NaN."""
    if isinstance(x, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return np.asarray(x.to_numpy(dtype=float, na_value=np.nan))
    if x is None or x is pd.NA or x is pd.NaT:
        return np.asarray(np.nan)
    return np.asarray(x, dtype=float)


@overload
def safe_divide(num: _Scalar, den: _Scalar, *, positive_den: bool = False) -> float: ...


@overload
def safe_divide(
    num: _ArrayLike, den: _ArrayLike | _Scalar, *, positive_den: bool = False
) -> np.ndarray: ...


@overload
def safe_divide(num: _Scalar, den: _ArrayLike, *, positive_den: bool = False) -> np.ndarray: ...


def safe_divide(num: object, den: object, *, positive_den: bool = False) -> float | np.ndarray:
    """``num / den``, NaN where the quotient does not exist: ``den == 0``, or either side
    missing (None, NaN, pd.NA) or not finite. ``positive_den``: also NaN where ``den < 0``,
    for a rate over a count, a value or a total that cannot be negative (a negative one is
    net returns or bad data, and its quotient would read as a real figure).

    Scalars give a float; arrays, lists and Series give an ndarray (broadcast, the index of a
    Series dropped). Finite inputs whose quotient overflows give +-inf, without a warning.

    >>> safe_divide(3, 4), safe_divide(1, 0), safe_divide(-2.0, -4.0, positive_den=True)
    (0.75, nan, nan)
    >>> safe_divide([1.0, 2.0, float("nan"), 5.0], [2.0, 0.0, 1.0, float("inf")]).tolist()
    [0.5, nan, nan, nan]
    """
    n, d = _as_float(num), _as_float(den)
    ok = np.isfinite(n) & np.isfinite(d) & ((d > 0) if positive_den else (d != 0))
    with np.errstate(all="ignore"):
        out = np.where(ok, n / np.where(ok, d, 1.0), np.nan)
    if np.ndim(cast(npt.ArrayLike, num)) == 0 and np.ndim(cast(npt.ArrayLike, den)) == 0:
        return float(out)
    return out
