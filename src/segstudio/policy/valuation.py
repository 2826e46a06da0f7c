"""What the stock is valued at: the one home of the unit value behind every stock figure (the
policy's safety and cycle stock, the trade-off curves and the simulated inventory; the
Scorecard's inventory value, carrying cost and working capital; the Inventory health page's
value on hand, excess, obsolete and write-down value; the QBR and its pack) and of the words
that say so on the pages and in the exports.

Each SKU's unit value is its unit cost when the data gives one, else its unit price (revenue /
quantity), else none: its stock is then counted in units only (:func:`feature_unit_values`).
:func:`valuation` sums this up for a set of policies, :func:`counted` for any SKUs, and
:attr:`Valuation.label` says it in the words every label uses: "at cost", "at price (no unit
cost in the data)", ...
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segstudio.common import fmt
from segstudio.common.numeric import safe_divide

__all__ = [
    "COST",
    "NONE",
    "PRICE",
    "VALUED_AT",
    "Valuation",
    "counted",
    "feature_unit_values",
    "unit_price",
    "unit_values",
    "valuation",
]

COST, PRICE, NONE = "cost", "price", "none"
_WORDS = np.array([COST, PRICE, NONE], dtype=object)
VALUED_AT = "valued_at"
"""The policy column that says, per SKU, what its unit value is: cost, price or none."""


def unit_values(unit_cost: np.ndarray, unit_price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per SKU, the unit value (the cost where positive, else the price where positive, else
    NaN) and what it is (:data:`COST`, :data:`PRICE` or :data:`NONE`).

    >>> v, at = unit_values(np.array([2.0, np.nan, 0.0]), np.array([5.0, 4.0, np.nan]))
    >>> v.tolist(), at.tolist()
    ([2.0, 4.0, nan], ['cost', 'price', 'none'])
    """
    cost = np.asarray(unit_cost, float)
    price = np.asarray(unit_price, float)
    has_cost = cost > 0
    has_price = price > 0
    value = np.where(has_cost, cost, np.where(has_price, price, np.nan))
    # Codes into the three words, not a text made per SKU: a million SKUs share three.
    code = np.full(value.shape, 2, dtype=np.int8)
    code[has_price] = 1
    code[has_cost] = 0
    return value, _WORDS[code]


def unit_price(revenue: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    """Per SKU, revenue / quantity where both give a positive, finite price, else NaN.

    >>> unit_price(np.array([10.0, -4.0, 3.0, 1.0]), np.array([4.0, 2.0, 0.0, 1e-320])).tolist()
    [2.5, nan, nan, nan]
    """
    price = safe_divide(np.asarray(revenue, float), np.asarray(quantity, float), positive_den=True)
    return np.where((price > 0) & np.isfinite(price), price, np.nan)


def _column(features: pd.DataFrame, name: str) -> np.ndarray:
    if name not in features:
        return np.full(len(features), np.nan)
    return pd.to_numeric(features[name], errors="coerce").to_numpy(float)


def feature_unit_values(features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """:func:`unit_values` of each row of a feature table: its unit_cost, else its unit price
    (:func:`unit_price` of its revenue and quantity in the window)."""
    price = unit_price(_column(features, "revenue"), _column(features, "quantity"))
    return unit_values(_column(features, "unit_cost"), price)


@dataclass(frozen=True)
class Valuation:
    """How many of the valued SKUs' stock reads at cost, at price, or in units only."""

    at_cost: int
    at_price: int
    unvalued: int

    @property
    def total(self) -> int:
        return self.at_cost + self.at_price + self.unvalued

    @property
    def measurable(self) -> bool:
        """Whether any stock has a value (a cost or a price) at all."""
        return self.at_cost + self.at_price > 0

    @property
    def short(self) -> str:
        """A few words for an axis or a column title: "at cost", "at price", "at cost, else
        price", "in units"."""
        if not self.measurable:
            return "in units"
        if not self.at_price:
            return "at cost"
        if not self.at_cost:
            return "at price"
        return "at cost, else price"

    @property
    def label(self) -> str:
        """What the stock is valued at, with why when it is not plainly cost."""
        if not self.measurable:
            return "in units (no unit cost or price in the data)"
        if not self.at_price and not self.unvalued:
            return "at cost"
        if not self.at_cost:
            out = "at price (no unit cost in the data)"
        else:
            out = (
                f"at cost, else price ({fmt.count(self.at_price, 'SKU')} of "
                f"{fmt.count(self.total)} have no unit cost)"
            )
        if self.unvalued:
            out += f"; {fmt.count(self.unvalued, 'SKU')} with neither, left out of the value"
        return out


def valuation(policies: pd.DataFrame) -> Valuation:
    """What the stock of ``policies`` (:func:`policy.sku.compute_policies`) is valued at,
    over its stocked SKUs (all of them when none is stocked); a frame without
    :data:`VALUED_AT` reads its positive unit_cost as cost."""
    if VALUED_AT in policies:
        at = policies[VALUED_AT]
    else:
        cost = pd.to_numeric(policies.get("unit_cost", pd.Series(dtype=float)), errors="coerce")
        at = pd.Series(np.where(cost.fillna(0) > 0, COST, NONE), index=policies.index)
    if "demand_model" in policies and (stocked := policies["demand_model"] != "none").any():
        at = at[stocked]
    return counted(at)


def counted(valued_at: pd.Series | np.ndarray) -> Valuation:
    """The :class:`Valuation` of the SKUs whose :data:`VALUED_AT` is ``valued_at`` (the
    callers pass the SKUs with stock: a stock figure is about those)."""
    counts = pd.Series(np.asarray(valued_at, dtype=object)).value_counts()
    return Valuation(
        at_cost=int(counts.get(COST, 0)),
        at_price=int(counts.get(PRICE, 0)),
        unvalued=int(counts.get(NONE, 0)),
    )
