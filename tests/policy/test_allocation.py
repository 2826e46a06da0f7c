"""Shortage allocation (segstudio.allocation) against hand-computed splits and properties.

The running example: 100 units for three orders, A 80 (key account, priority 2), B 50 and
C 30 (priority 1). Shares are worked out here with the largest-remainder method: floor of the
proportional share, then the units left over one each to the largest remainders (ties to the
earlier order).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.policy.allocation import RESULT_COLUMNS, RULES, allocate


def example_orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": ["A", "B", "C"],
            "customer": ["big", "mid", "small"],
            "quantity": [80, 50, 30],
            "priority": [2, 1, 1],
            "key_account": [True, False, False],
            "region": ["north", "south", "east"],  # an extra column, kept
        }
    )


def allocated_by_order(result: pd.DataFrame) -> dict[str, float]:
    return dict(zip(result["order_id"], result["allocated"], strict=True))


def test_priority_serves_the_lowest_priority_number_first() -> None:
    """Priority 1 (B 50 + C 30 = 80) in full, the 20 left go to A (priority 2)."""
    out = allocate(100, example_orders(), rule="priority")

    assert out["order_id"].tolist() == ["B", "C", "A"]  # tier, then input order
    assert out["tier"].tolist() == [1, 1, 2]
    assert allocated_by_order(out) == {"A": 20, "B": 50, "C": 30}
    assert out["short"].tolist() == [0, 0, 60]
    assert out["fill"].tolist() == [1.0, 1.0, pytest.approx(0.25)]
    assert out["region"].tolist() == ["south", "east", "north"]


def test_key_accounts_first_then_the_rest_shared_by_largest_remainder() -> None:
    """A 80 in full; 20 left for B 50 and C 30: 12.5 and 7.5 -> 12 + 7, the spare unit to the
    tied remainder of the earlier order, B -> 13 and 7."""
    out = allocate(100, example_orders(), rule="key_accounts")

    assert out["order_id"].tolist() == ["A", "B", "C"]
    assert out["tier"].tolist() == [1, 2, 2]
    assert allocated_by_order(out) == {"A": 80, "B": 13, "C": 7}


def test_fair_share_splits_in_proportion_to_open_quantity() -> None:
    """100 of 160: 50, 31.25, 18.75 -> 50 + 31 + 18 = 99, the spare unit to C (.75)."""
    out = allocate(100, example_orders(), rule="fair_share")

    assert out["tier"].tolist() == [1, 1, 1]
    assert allocated_by_order(out) == {"A": 50, "B": 31, "C": 19}


def test_fractional_allocation_is_exactly_proportional() -> None:
    out = allocate(100, example_orders(), rule="fair_share", whole_units=False)
    assert out["allocated"].tolist() == pytest.approx([50, 31.25, 18.75])
    assert out["fill"].tolist() == pytest.approx([0.625] * 3)


@pytest.mark.parametrize(
    ("available", "quantities", "expected"),
    [
        (7, [5, 5, 5], [3, 2, 2]),  # 2.33 each: the one spare unit to the first tie
        (10, [7, 6, 2], [5, 4, 1]),  # 4.67, 4.00, 1.33: spare unit to .67
        (5, [1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0]),  # 5/7 each, never above 1
        (3, [10, 1], [3, 0]),  # 2.73 and 0.27: the larger remainder is the large order's
    ],
)
def test_largest_remainder_rounding(
    available: int, quantities: list[int], expected: list[int]
) -> None:
    orders = pd.DataFrame(
        {"order_id": range(len(quantities)), "customer": "x", "quantity": quantities}
    )
    out = allocate(available, orders, rule="fair_share")
    assert out["allocated"].tolist() == expected


def test_whole_units_share_only_the_whole_part_of_fractional_stock() -> None:
    """10.5 units in whole units: 10 are shared (5, 3.125, 1.875 -> 5 + 3 + 1, spare unit to
    C's .875 -> 5, 3, 2), the half unit stays unallocated."""
    out = allocate(10.5, example_orders(), rule="fair_share")
    assert allocated_by_order(out) == {"A": 5, "B": 3, "C": 2}


def test_enough_stock_fills_every_order() -> None:
    out = allocate(1000, example_orders(), rule="priority")
    assert out["allocated"].tolist() == out["quantity"].tolist()
    assert (out["short"] == 0).all()


def test_nothing_available_allocates_nothing() -> None:
    out = allocate(0, example_orders(), rule="key_accounts")
    assert (out["allocated"] == 0).all()
    assert out["short"].tolist() == out["quantity"].tolist()


def test_empty_orders_give_an_empty_result_with_the_columns() -> None:
    out = allocate(10, example_orders().iloc[:0], rule="priority")
    assert len(out) == 0
    assert set(RESULT_COLUMNS) <= set(out.columns)
    assert "region" in out.columns


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"available": -1}, "available"),
        ({"available": float("nan")}, "available"),
        ({"rule": "lottery"}, "priority, key_accounts, fair_share"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"available": 10, "orders": example_orders(), "rule": "priority"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        allocate(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "dropped"),
    [("priority", "priority"), ("key_accounts", "key_account"), ("fair_share", "quantity")],
)
def test_missing_columns_are_named(rule: str, dropped: str) -> None:
    with pytest.raises(ValueError, match=dropped):
        allocate(10, example_orders().drop(columns=[dropped]), rule=rule)


@pytest.mark.parametrize("quantity", [0, -3, float("nan")])
def test_open_quantity_must_be_positive(quantity: float) -> None:
    orders = example_orders()
    orders.loc[0, "quantity"] = quantity
    with pytest.raises(ValueError, match="quantity"):
        allocate(10, orders)


def test_whole_units_need_whole_quantities() -> None:
    orders = example_orders().astype({"quantity": float})
    orders.loc[0, "quantity"] = 2.5
    with pytest.raises(ValueError, match="quantity"):
        allocate(10, orders)
    assert allocate(10, orders, whole_units=False)["allocated"].sum() == pytest.approx(10)


def test_every_rule_is_described() -> None:
    assert set(RULES) == {"priority", "key_accounts", "fair_share"}
    assert all(isinstance(text, str) and text for text in RULES.values())


# --- properties --------------------------------------------------------------------------


@st.composite
def order_books(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    return pd.DataFrame(
        {
            "order_id": range(n),
            "customer": [f"c{i % 4}" for i in range(n)],
            "quantity": draw(st.lists(st.integers(1, 60), min_size=n, max_size=n)),
            "priority": draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)),
            "key_account": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        }
    )


rules = st.sampled_from(sorted(RULES))


@settings(max_examples=200, deadline=None)
@given(orders=order_books(), available=st.integers(0, 400), rule=rules)
def test_whole_units_conserve_stock_exactly_and_never_exceed_an_order(
    orders: pd.DataFrame, available: int, rule: str
) -> None:
    out = allocate(available, orders, rule=rule)

    assert out["allocated"].sum() == min(available, orders["quantity"].sum())
    assert (out["allocated"] == np.round(out["allocated"])).all()
    assert ((out["allocated"] >= 0) & (out["allocated"] <= out["quantity"])).all()
    assert (out["short"] == out["quantity"] - out["allocated"]).all()
    assert sorted(out["order_id"]) == sorted(orders["order_id"])


@settings(max_examples=200, deadline=None)
@given(orders=order_books(), available=st.floats(0, 400), rule=rules)
def test_fractional_units_conserve_stock(orders: pd.DataFrame, available: float, rule: str) -> None:
    out = allocate(available, orders, rule=rule, whole_units=False)
    assert out["allocated"].sum() == pytest.approx(
        min(available, orders["quantity"].sum()), abs=1e-9
    )
    assert (out["allocated"] <= out["quantity"]).all()


def expected_tier(orders: pd.DataFrame, rule: str) -> pd.Series:
    """Tier written out from the rule: the rank of the priority, key accounts before the rest."""
    if rule == "priority":
        return orders["priority"].rank(method="dense").astype(int)
    if rule == "key_accounts":
        return orders["key_account"].map({True: 1, False: 2})
    return pd.Series(1, index=orders.index)


@settings(max_examples=200, deadline=None)
@given(orders=order_books(), available=st.integers(0, 400), rule=rules)
def test_a_tier_is_filled_completely_before_the_next_gets_anything(
    orders: pd.DataFrame, available: int, rule: str
) -> None:
    out = allocate(available, orders, rule=rule)
    tiers = expected_tier(orders, rule)

    assert out["tier"].tolist() == sorted(tiers.tolist())
    assert (
        out["order_id"].tolist()
        == orders.iloc[np.argsort(tiers.to_numpy(), kind="stable")]["order_id"].tolist()
    )
    for level in sorted(set(out["tier"])):
        earlier = out[out["tier"] < level]
        if out.loc[out["tier"] == level, "allocated"].sum() > 0:
            assert (earlier["allocated"] == earlier["quantity"]).all()


@settings(max_examples=200, deadline=None)
@given(orders=order_books(), available=st.integers(0, 400), rule=rules)
def test_share_within_a_tier_is_within_one_unit_of_proportional(
    orders: pd.DataFrame, available: int, rule: str
) -> None:
    out = allocate(available, orders, rule=rule)
    remaining = float(available)
    for level in sorted(set(out["tier"])):
        tier = out[out["tier"] == level]
        given_to_tier = min(remaining, float(tier["quantity"].sum()))
        proportional = given_to_tier * tier["quantity"] / tier["quantity"].sum()
        assert (abs(tier["allocated"] - proportional) < 1).all()
        remaining -= given_to_tier
    assert math.isclose(remaining, max(0.0, available - orders["quantity"].sum()))
