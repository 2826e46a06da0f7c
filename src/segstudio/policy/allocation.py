"""Shortage allocation: share scarce stock among open customer orders by a rule.

The orders are cut into tiers served one after the other. A tier is served in full while the
stock allows; the first tier that cannot be served in full splits the remaining stock in
proportion to its orders' open quantities (rounded to whole units by the largest-remainder
method, Hamilton's apportionment), and the tiers after it get nothing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["RESULT_COLUMNS", "RULES", "allocate"]

RULES: dict[str, str] = {
    "priority": "by order priority: priority 1 in full first, then 2, ...; the tier where stock "
    "runs out is shared in proportion to its orders",
    "key_accounts": "key accounts in full first, then the other customers; the tier where stock "
    "runs out is shared in proportion to its orders",
    "fair_share": "every order gets the same share of its open quantity (stock / total open)",
}
"""Allocation rule -> one-line description."""

RESULT_COLUMNS = ("allocated", "short", "fill", "tier")
"""Columns :func:`allocate` adds to the orders."""

_BASE_COLUMNS = ("order_id", "customer", "quantity")
_RULE_COLUMN = {"priority": "priority", "key_accounts": "key_account", "fair_share": None}
_KEY_ACCOUNT_TIER, _OTHER_TIER = 1, 2


def _tiers(orders: pd.DataFrame, rule: str) -> np.ndarray:
    """Tier number per order (1 is served first) under ``rule``."""
    if rule == "fair_share":
        return np.ones(len(orders), dtype=np.int64)
    if rule == "key_accounts":
        key = orders["key_account"]
        if key.isna().any() or not key.isin([True, False]).all():
            raise ValueError("key_account must be True or False for every order")
        return np.where(key.astype(bool).to_numpy(), _KEY_ACCOUNT_TIER, _OTHER_TIER)
    priority = pd.to_numeric(orders["priority"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(priority).all() or (priority != np.round(priority)).any():
        raise ValueError("priority must be a whole number for every order (lower = served first)")
    levels = np.unique(priority)
    return np.searchsorted(levels, priority).astype(np.int64) + 1


def _largest_remainder(units: int, quantities: list[int]) -> list[int]:
    """Whole-unit shares of ``units`` proportional to ``quantities`` (Hamilton's method).

    Each order gets floor(units * q / total); the units left over go one each to the largest
    remainders, ties to the earlier order. Exact integer arithmetic; needs units < total.
    """
    total = sum(quantities)
    base = [units * q // total for q in quantities]
    remainders = [units * q % total for q in quantities]
    left = units - sum(base)
    for i in sorted(range(len(quantities)), key=lambda i: -remainders[i])[:left]:
        base[i] += 1
    return base


def allocate(
    available: float, orders: pd.DataFrame, rule: str = "priority", whole_units: bool = True
) -> pd.DataFrame:
    """Allocate ``available`` units to ``orders`` by ``rule`` (one of :data:`RULES`).

    ``orders`` needs order_id, customer, quantity (open quantity > 0; whole numbers when
    ``whole_units``) and the rule's column: priority (whole number, lower first) or
    key_account (bool). Returns the orders (extra columns kept) with allocated, short =
    quantity - allocated, fill = allocated / quantity and tier, sorted by tier then input
    order. sum(allocated) = min(available, sum(quantity)); with whole units a partial tier
    shares floor(remaining stock).
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, not {rule!r}")
    try:
        stock = float(available)
    except (TypeError, ValueError):
        raise ValueError(f"available must be a number >= 0, not {available!r}") from None
    if not math.isfinite(stock) or stock < 0:
        raise ValueError(f"available must be a number >= 0, not {available!r}")
    rule_column = _RULE_COLUMN[rule]
    needed = [*_BASE_COLUMNS, *([rule_column] if rule_column else [])]

    if len(orders) == 0:
        empty = orders.copy()
        for col in needed:
            if col not in empty.columns:
                empty[col] = pd.Series(dtype=object)
        for col, dtype in zip(RESULT_COLUMNS, (float, float, float, np.int64), strict=True):
            empty[col] = pd.Series(dtype=dtype)
        return empty.reset_index(drop=True)

    missing = [c for c in needed if c not in orders.columns]
    if missing:
        raise ValueError(f"orders is missing columns: {', '.join(missing)}")
    quantity = pd.to_numeric(orders["quantity"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(quantity).all() or (quantity <= 0).any():
        raise ValueError("quantity must be a number > 0 for every order")
    if whole_units and (quantity != np.round(quantity)).any():
        raise ValueError("quantity must be whole numbers when whole_units is True")

    tier = _tiers(orders, rule)
    allocated = np.zeros(len(orders))
    remaining = stock
    for level in np.unique(tier):
        members = np.flatnonzero(tier == level)
        asked = float(quantity[members].sum())
        if remaining >= asked:
            allocated[members] = quantity[members]
            remaining -= asked
            continue
        if whole_units:
            shares = _largest_remainder(math.floor(remaining), [int(q) for q in quantity[members]])
            allocated[members] = shares
        else:
            allocated[members] = np.minimum(
                remaining * quantity[members] / asked, quantity[members]
            )
        break

    result = orders.copy()
    result["allocated"] = allocated
    result["short"] = quantity - allocated
    result["fill"] = allocated / quantity
    result["tier"] = tier
    order = np.argsort(tier, kind="stable")
    return result.iloc[order].reset_index(drop=True)
