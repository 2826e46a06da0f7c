"""The demand pattern and the lifecycle of each SKU under the rules' cut-offs: the one home of
both classifications (methods.md, "Demand pattern" and "Time and demand").

The feature table's SQL computes what does not depend on any rule (ADI, CV2, the periods with
demand, the first and the last sale); the classes follow here, with numpy, from the cut-offs
the rules hold, so that a page, a command and an export under the same rules always agree, and
a slider that moves a cut-off costs milliseconds, not a new feature query. The Segmentation
page's "pattern" and "lifecycle" criteria use these same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from segstudio.config.rules import Rules

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ClassCuts",
    "PATTERNS",
    "class_columns",
    "days_since",
    "lifecycle_codes",
    "pattern_codes",
    "with_classes",
]

PATTERNS = ("smooth", "erratic", "intermittent", "lumpy", "insufficient history")
"""Pattern codes 0-4: bit 2 = ADI at or above its cut-off, bit 1 = CV2 at or above its cut-off;
4 = fewer than 2 periods with demand."""


@dataclass(frozen=True)
class ClassCuts:
    """The rules' cut-offs that the feature table's classes depend on."""

    adi: float
    cv2: float
    new_weeks: int
    eol_weeks: int

    @classmethod
    def from_rules(cls, rules: Rules | None = None) -> ClassCuts:
        r = rules if rules is not None else Rules()
        return cls(r.pattern_adi, r.pattern_cv2, r.lifecycle_new_weeks, r.lifecycle_eol_weeks)


def pattern_codes(
    adi: np.ndarray,
    cv2: np.ndarray,
    periods_with_demand: np.ndarray,
    adi_cut: float,
    cv2_cut: float,
) -> np.ndarray:
    """Syntetos-Boylan-Croston pattern codes into :data:`PATTERNS`: smooth (ADI < adi_cut and
    CV2 < cv2_cut), erratic (ADI < adi_cut, CV2 >= cv2_cut), intermittent (ADI >= adi_cut,
    CV2 < cv2_cut), lumpy (both at or above), or insufficient history (fewer than 2 periods
    with demand). Syntetos, Boylan & Croston (2005), J. Oper. Res. Soc. 56(5).

    >>> pattern_codes(np.array([1.0, 1.0, 2.0, 2.0, 3.0]), np.array([0.1, 0.9, 0.1, 0.9, np.nan]),
    ...               np.array([10, 10, 5, 5, 1]), 1.32, 0.49).tolist()
    [0, 1, 2, 3, 4]
    """
    adi = np.asarray(adi, dtype=float)
    cv2 = np.asarray(cv2, dtype=float)
    with np.errstate(invalid="ignore"):
        codes = (adi >= adi_cut).astype(np.int8) * 2 + (cv2 >= cv2_cut).astype(np.int8)
        few = ~(np.asarray(periods_with_demand, dtype=float) >= 2)
    return np.where(few, 4, codes).astype(np.int8)


def days_since(dates: pd.Series | np.ndarray, last_day: dt.date) -> np.ndarray:
    """Days from each date to ``last_day``, whole days rounded down as a timedelta's ``days``
    (NaN where there is no date)."""
    values = np.asarray(dates.to_numpy() if hasattr(dates, "to_numpy") else dates)
    if values.dtype.kind == "M":  # the feature table's dates: integer arithmetic, no pandas
        unit = np.datetime_data(values.dtype)[0]
        ticks_per_day = int(np.timedelta64(1, "D").astype(f"m8[{unit}]").astype(np.int64))
        delta = (np.datetime64(last_day).astype(values.dtype) - values).astype(np.int64)
        days = (delta // ticks_per_day).astype(float)
        days[np.isnat(values)] = np.nan
        return days
    import pandas as pd  # dates held as objects or text: pandas reads them

    d = pd.to_datetime(pd.Series(dates))
    return (pd.Timestamp(last_day) - d).dt.days.to_numpy(dtype=float, na_value=np.nan)


def lifecycle_codes(
    days_since_first: np.ndarray, days_since_last: np.ndarray, new_weeks: int, eol_weeks: int
) -> np.ndarray:
    """Lifecycle codes 0 new, 1 active, 2 end-of-life (methods.md): end-of-life when there was no
    positive sale in the last ``eol_weeks`` weeks (or never), else new when the first positive
    sale was fewer than ``new_weeks`` weeks before the window's last day, else active.

    >>> lifecycle_codes(np.array([10.0, 400.0, 400.0, np.nan]),
    ...                 np.array([3.0, 3.0, 200.0, np.nan]), 13, 26).tolist()
    [0, 1, 2, 2]
    """
    with np.errstate(invalid="ignore"):
        is_new = np.asarray(days_since_first, dtype=float) < 7 * new_weeks
        is_eol = ~(np.asarray(days_since_last, dtype=float) < 7 * eol_weeks)
    return np.where(is_eol, 2, np.where(is_new, 0, 1)).astype(np.int8)


def class_columns(
    rows: int, column: Callable[[str], np.ndarray | None], last_day: dt.date, cuts: ClassCuts
) -> dict[str, np.ndarray]:
    """The ``pattern_code`` (into :data:`PATTERNS`), ``is_new`` and ``is_end_of_life`` columns
    under ``cuts``, from the
    ``rows`` SKUs of the feature table, whose columns ``column(name)`` gives (None where the
    table has none):
    the one computation behind a frame's classes (:func:`with_classes`) and an Arrow table's
    (:func:`segstudio.features.build.feature_table`)."""
    n = rows

    def number(name: str) -> np.ndarray:
        values = column(name)
        return np.full(n, np.nan) if values is None else values

    codes = pattern_codes(
        number("adi"), number("cv2"), number("weeks_with_demand"), cuts.adi, cuts.cv2
    )
    first_sale, last_sale = column("first_sale"), column("last_sale")
    first = np.full(n, np.nan) if first_sale is None else days_since(first_sale, last_day)
    last = np.full(n, np.nan) if last_sale is None else days_since(last_sale, last_day)
    with np.errstate(invalid="ignore"):
        # The flag, not the class: a new SKU with no recent sale is also end-of-life.
        is_new = first < 7 * cuts.new_weeks
    return {
        "pattern_code": codes,
        "is_new": is_new,
        "is_end_of_life": lifecycle_codes(first, last, cuts.new_weeks, cuts.eol_weeks) == 2,
    }


def with_classes(features: pd.DataFrame, last_day: dt.date, cuts: ClassCuts) -> pd.DataFrame:
    """``features`` (changed in place and returned) with ``pattern``, ``is_new`` and
    ``is_end_of_life`` under ``cuts``."""
    import pandas as pd

    def column(name: str) -> np.ndarray | None:
        if name not in features:
            return None
        if name in ("first_sale", "last_sale"):
            return features[name].to_numpy()
        return pd.to_numeric(features[name], errors="coerce").to_numpy(float, na_value=np.nan)

    classes = class_columns(len(features), column, last_day, cuts)
    features["pattern"] = np.asarray(PATTERNS, dtype=object)[classes["pattern_code"]]
    features["is_new"] = classes["is_new"]
    features["is_end_of_life"] = classes["is_end_of_life"]
    return features
