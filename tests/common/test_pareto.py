"""The Pareto share before each item (segstudio.common.pareto), the one computation behind the
SKUs' ABC classes and the suppliers' spend tiers (whose results tests/perform/test_suppliers.py
pins), against Heizer & Render's "Silicon Chips" example (methods.md, "Published values to test
against")."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segstudio.common import fmt, numeric, pareto
from segstudio.common.pareto import group_shares, share_before
from segstudio.segment.segmentation import AbcOrder

# Heizer & Render, Operations Management, the "Silicon Chips" ABC example: annual dollar
# volumes, largest first (total 232,057).
SILICON_CHIPS = [90_000, 77_000, 26_350, 15_001, 12_500, 8_502, 1_200, 850, 504, 150]


def test_silicon_chips_share_before() -> None:
    assert sum(SILICON_CHIPS) == 232_057
    keys = np.array([f"item{i:02d}" for i in range(10)])
    shuffled = np.array([3, 7, 0, 9, 5, 1, 8, 2, 6, 4])  # the ranking, not the row order
    before, order = share_before(np.array(SILICON_CHIPS)[shuffled], keys[shuffled])
    assert keys[shuffled][order].tolist() == keys.tolist()
    ranked = before[order]
    assert [round(100 * s, 3) for s in ranked[:6]] == [0.0, 38.784, 71.965, 83.320, 89.784, 95.171]
    for i, s in enumerate(ranked):  # bit for bit the volume ranked above / the total
        assert s == sum(SILICON_CHIPS[:i]) / 232_057


def test_ties_rank_by_key_and_nonpositive_or_missing_values_take_no_share() -> None:
    values = np.array([1.0, 3.0, 0.0, 3.0, -2.0, np.nan])
    keys = np.array(["d", "c", "b", "a", "e", "f"])
    before, order = share_before(values, keys)
    assert order[:3].tolist() == [3, 1, 0]  # 3 ("a") before 3 ("c"), then 1
    assert before[[3, 1, 0]].tolist() == [0.0, 3 / 7, 6 / 7]
    assert np.isnan(before[[2, 4, 5]]).all()
    assert set(order[3:].tolist()) == {2, 4, 5}  # ranked last


def test_without_a_positive_value_every_share_is_nan() -> None:
    before, order = share_before(np.array([0.0, -1.0]), np.array(["a", "b"]))
    assert np.isnan(before).all() and sorted(order.tolist()) == [0, 1]
    before, order = share_before(np.array([]), np.array([], dtype=object))
    assert before.shape == order.shape == (0,)


def test_abc_order_is_the_shared_share_before() -> None:
    rng = np.random.default_rng(7)
    values = np.round(rng.lognormal(3, 2, 500), 1)
    values[rng.choice(500, 40, replace=False)] = 0.0
    keys = np.array([f"S{i % 300:03d}" for i in range(500)])  # ties in value and key
    o = AbcOrder.build(values, keys)
    before, order = share_before(values, keys)
    np.testing.assert_array_equal(o.share_before, before)
    np.testing.assert_array_equal(o.order, order)


@given(
    st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False) | st.just(float("nan")),
            st.integers(0, 4),
        ),
        max_size=40,
    )
)
def test_a_groups_share_is_its_positive_part_of_the_abc_total(items) -> None:
    values = np.array([v for v, _ in items], dtype=float)
    codes = np.array([c for _, c in items], dtype=np.int64)
    shares = group_shares(values, codes, 5)
    before, _ = share_before(values, np.arange(len(values)))
    positive = [v for v in values if v > 0]
    if not positive:  # nothing positive: no share at all, as share_before
        assert np.isnan(shares).all() and np.isnan(before).all()
        return
    total = sum(positive)
    for g in range(5):  # by hand: the group's positive values / every positive value
        own = sum(v for v, c in zip(values, codes, strict=True) if c == g and v > 0)
        assert shares[g] == pytest.approx(own / total, rel=1e-9, abs=1e-12)
    assert (shares >= 0).all() and shares.sum() == pytest.approx(1.0)
    # The same total as the ABC ranking's: the top item's share is what the next one has before.
    if len(positive) > 1:
        top = int(np.nanargmax(values))
        ahead = [i for i in np.argsort(before) if values[i] > 0 and i != top]
        assert before[ahead[0]] == pytest.approx(values[top] / total, rel=1e-9)


@pytest.mark.parametrize("module", [fmt, numeric, pareto], ids=lambda m: m.__name__)
def test_docstring_examples(module) -> None:
    assert doctest.testmod(module).failed == 0
