"""The vectorised per-SKU policy and its summaries give exactly what the first, plain pandas
implementation gave (``tests/policy/reference_policy.py``): the same frame, bit for bit, on
random portfolios under random policy tables; and the levels stored at a load reproduce it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.config.policy_table import (
    DEMAND_MODELS,
    ORDER_RULES,
    SERVICE_TYPES,
    STRATEGIES,
    PolicyTable,
    SegmentPolicy,
)
from segstudio.policy import tradeoff
from segstudio.policy.sku import (
    SkuInputs,
    compute_policies,
    levels,
    policies_from_inputs,
    protection,
    resolve,
    segment_summary,
    targets,
)
from tests.policy import reference_policy as reference

# Degenerate inputs (a zero lead time with a lead-time spread, ...) warn in both versions alike;
# what is compared is the result.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

SEGMENTS = ["AX", "AY", "BX", "BZ", "CZ", "Zz", "a-1", "é"]

policies_st = st.builds(
    SegmentPolicy,
    strategy=st.sampled_from(list(STRATEGIES)),
    service_type=st.sampled_from(list(SERVICE_TYPES)),
    service_target=st.floats(0.5, 0.999),
    review_period_days=st.sampled_from([0.0, 7.0, 14.0, 30.0]),
    order_rule=st.sampled_from(list(ORDER_RULES)),
    periods_of_supply_weeks=st.sampled_from([0.5, 2.0, 4.0]),
    holding_rate=st.floats(0.01, 1.0),
    order_cost=st.sampled_from([0.0, 5.0, 50.0]),
    stockout_cost=st.floats(0.0, 5.0),
    demand_model=st.sampled_from(list(DEMAND_MODELS)),
    fallback_lead_time_days=st.sampled_from([0.0, 7.0, 28.0]),
    network=st.sampled_from(["", "EU"]),
)


def amounts(low: float, high: float) -> st.SearchStrategy[float]:
    """Round amounts (two decimals), as the files carry them: no overflow at 1e-300."""
    return st.integers(round(low * 100), round(high * 100)).map(lambda c: c / 100)


maybe = st.one_of(st.none(), amounts(0.0, 500.0))


@st.composite
def portfolios(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray, PolicyTable]:
    n = draw(st.integers(1, 40))
    rows = []
    for i in range(n):
        rows.append(
            {
                "sku": f"S{i}",
                "quantity": draw(st.one_of(st.none(), amounts(-10.0, 5000.0))),
                "revenue": draw(st.one_of(st.none(), amounts(-10.0, 50000.0))),
                "unit_cost": draw(st.one_of(st.none(), amounts(-1.0, 50.0))),
                "demand_mean": draw(amounts(-1.0, 200.0)),
                "demand_std": draw(amounts(0.0, 300.0)),
                "pattern": draw(st.sampled_from(["smooth", "erratic", "intermittent", "lumpy"])),
                "lead_time_mean_days": draw(maybe),
                "lead_time_std_days": draw(maybe),
                "lead_time_source": draw(st.sampled_from(["sku", "supplier", None])),
            }
        )
    features = pd.DataFrame(rows)
    used = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4, unique=True))
    segments = np.array([draw(st.sampled_from(used)) for _ in range(n)], dtype=object)
    listed = draw(st.lists(st.sampled_from(used), max_size=len(used), unique=True))
    table = PolicyTable(
        default=draw(policies_st),
        segments=tuple((code, draw(policies_st)) for code in listed),
    )
    return features, segments, table


@settings(max_examples=100, deadline=None)
@given(portfolios())
def test_policies_are_those_of_the_reference_bit_for_bit(case) -> None:
    features, segments, table = case
    x = SkuInputs.from_features(features)
    fast = policies_from_inputs(x, segments, table)
    pd.testing.assert_frame_equal(fast, reference.policies_from_inputs(x, segments, table))
    pd.testing.assert_frame_equal(compute_policies(features, segments, table), fast)


@settings(max_examples=100, deadline=None)
@given(portfolios())
def test_summaries_are_those_of_the_reference(case) -> None:
    features, segments, table = case
    pol = compute_policies(features, segments, table)
    pd.testing.assert_frame_equal(segment_summary(pol), reference.segment_summary(pol))
    pd.testing.assert_frame_equal(
        tradeoff.summary_as_measured(pol), reference.summary_as_measured(pol)
    )
    pd.testing.assert_frame_equal(tradeoff.today_points(pol), reference.today_points(pol))
    assert tradeoff.value_unmeasured(pol) == reference.value_unmeasured(pol)
    assert tradeoff.mix_unmeasured(pol) == reference.mix_unmeasured(pol)


@settings(max_examples=40, deadline=None)
@given(portfolios())
def test_known_levels_give_the_same_policies(case) -> None:
    """What a load stores (the levels of the official policy) rebuilds the same frame."""
    features, segments, table = case
    x = SkuInputs.from_features(features)
    r = resolve(table, segments)
    pr = protection(x, r)
    kind, target, _ = targets(x, r, pr)
    known = levels(pr, kind, target)
    pd.testing.assert_frame_equal(
        policies_from_inputs(x, segments, table, known_levels=known),
        policies_from_inputs(x, segments, table),
    )


def test_segments_that_are_not_all_texts_resolve_as_the_reference() -> None:
    segments = np.array(["B", None, 3, "A"], dtype=object)
    fast, ref = resolve(PolicyTable(), segments), reference.resolve(PolicyTable(), segments)
    assert fast.policy_index.tolist() == ref.policy_index.tolist()
    assert fast.policies == ref.policies


def test_a_missing_service_type_is_summarised_as_the_reference() -> None:
    features = pd.DataFrame(
        {"sku": ["A", "B", "C"], "demand_mean": [5.0, 6.0, 7.0], "demand_std": [1.0, 2.0, 0.0]}
    )
    pol = compute_policies(features, np.array(["X", "X", "Y"], dtype=object), PolicyTable())
    pol["service_type"] = pd.Series(["csl", None, "fill_rate"], dtype=object)
    pd.testing.assert_frame_equal(segment_summary(pol), reference.segment_summary(pol))


def test_the_policy_frame_owns_its_columns() -> None:
    """The inputs are shared between sessions: writing into the frame leaves them alone."""
    features = pd.DataFrame({"sku": ["A"], "demand_mean": [5.0], "demand_std": [1.0]})
    x = SkuInputs.from_features(features)
    segments = np.array(["X"], dtype=object)
    pol = policies_from_inputs(x, segments, PolicyTable())
    for column in pol.columns:
        for name, value in vars(x).items():
            if isinstance(value, np.ndarray):
                assert not np.shares_memory(pol[column].to_numpy(), value), (column, name)
        assert not np.shares_memory(pol[column].to_numpy(), segments)
