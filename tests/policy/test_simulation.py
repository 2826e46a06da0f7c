"""Inventory policy replay (segstudio.simulation) as a specification.

The long-run tests compare the simulated service with formulas written out here with scipy
(normal demand, constant lead time), not with the module's code: the periodic (R, S) policy
against the textbook fill rate over the protection interval L + R, and the continuous review
checked at week ends against the exact (R = 1, s, nQ) result in which the inventory position
after ordering is uniform on (s, s + Q]. The small cases are traced by hand week by week.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from segstudio.policy.simulation import (
    SimulationResult,
    bootstrap_paths,
    repeat_rows,
    simulate,
    summarise,
)

NAN = float("nan")
MEAN, SD = 100.0, 25.0  # weekly normal demand of the long-run tests
SKUS, WEEKS = 200, 2000
TOLERANCE = 0.01  # one percentage point


def normal_loss(k: float) -> float:
    """Standard normal loss function G(k) = phi(k) - k (1 - Phi(k))."""
    return float(stats.norm.pdf(k) - k * stats.norm.sf(k))


def fill_rate_factor(target: float, sigma: float, units_per_cycle: float) -> float:
    """k with sigma G(k) = (1 - target) * units_per_cycle (textbook fill-rate safety factor)."""
    return optimize.brentq(
        lambda k: sigma * normal_loss(k) - (1 - target) * units_per_cycle, -10, 10
    )


def normal_demand(seed: int, skus: int = SKUS, weeks: int = WEEKS) -> np.ndarray:
    """N(100, 25) weekly demand, truncated at 0 (P(demand < 0) = 3e-5)."""
    return np.maximum(np.random.default_rng(seed).normal(MEAN, SD, (skus, weeks)), 0.0)


def run(
    demand: object,
    *,
    s: float = NAN,
    q: float = NAN,
    big_s: float = NAN,
    review: int = 0,
    lead: float | list[float] = 0.0,
    **kwargs: object,
) -> SimulationResult:
    """Simulate every row of ``demand`` under one policy and one set of lead-time samples."""
    d = np.atleast_2d(np.asarray(demand, dtype=float))
    n = d.shape[0]
    samples = np.atleast_1d(np.asarray(lead, dtype=float))
    return simulate(
        d,
        np.full(n, s),
        np.full(n, q),
        np.full(n, big_s),
        np.full(n, review),
        np.tile(samples, (n, 1)),
        **kwargs,
    )


def portfolio_fill_rate(r: SimulationResult) -> float:
    return float(r.served_from_stock.sum() / r.demand_total.sum())


# --- long-run service against the analytical formulas ------------------------------------


@pytest.mark.parametrize("review_weeks", [1, 2])
def test_fill_rate_matches_analytical_for_normal_demand_under_periodic_review(
    review_weeks: int,
) -> None:
    """(R, S) with S = d (L + R) + k sigma_{L+R}, sigma_{L+R} G(k) = (1 - beta) d R."""
    lead, target = 2, 0.95
    sigma = SD * math.sqrt(lead + review_weeks)
    k = fill_rate_factor(target, sigma, MEAN * review_weeks)
    order_up_to = MEAN * (lead + review_weeks) + k * sigma
    expected = 1 - sigma * normal_loss(k) / (MEAN * review_weeks)

    r = run(
        normal_demand(1), big_s=order_up_to, q=MEAN * review_weeks, review=review_weeks, lead=lead
    )

    assert expected == pytest.approx(target)
    assert portfolio_fill_rate(r) == pytest.approx(expected, abs=TOLERANCE)


def test_cycle_service_level_matches_normal_cdf_under_weekly_order_up_to() -> None:
    """With R = 1 every week is a cycle; it has a stockout when D over L + 1 weeks > S."""
    lead = 2
    sigma = SD * math.sqrt(lead + 1)
    order_up_to = MEAN * (lead + 1) + 1.0 * sigma  # k = 1: CSL = Phi(1) = 0.841

    r = run(normal_demand(2), big_s=order_up_to, q=MEAN, review=1, lead=lead)

    achieved = 1 - r.cycles_with_stockout.sum() / r.cycles.sum()
    assert achieved == pytest.approx(stats.norm.cdf(1.0), abs=TOLERANCE)


def _mean_loss_over_uniform_position(
    reorder_point: float, order_quantity: float, weeks: int
) -> float:
    """E[(D_weeks - Y)^+] for Y uniform on (s, s + Q] and D_weeks ~ N(weeks d, sqrt(weeks) sd)."""
    mu, sigma = MEAN * weeks, SD * math.sqrt(weeks)
    value, _ = integrate.quad(
        lambda y: sigma * normal_loss((y - mu) / sigma),
        reorder_point,
        reorder_point + order_quantity,
    )
    return value / order_quantity


def test_fill_rate_matches_analytical_for_normal_demand_under_week_end_continuous_review() -> None:
    """(s, nQ) checked weekly: fill = 1 - (E[(D_{L+1} - Y)^+] - E[(D_L - Y)^+]) / d.

    The backorders at the end of the week an order arrives are (D_{L+1} - Y)^+ and those it
    arrives to are (D_L - Y)^+, Y = inventory position after ordering ~ U(s, s + Q]
    (Hadley & Whitin). s is set from the textbook continuous (s, Q) formula for 0.95.
    """
    lead, quantity, target = 2, 600.0, 0.95
    sigma = SD * math.sqrt(lead)
    k = fill_rate_factor(target, sigma, quantity)
    reorder_point = MEAN * lead + k * sigma
    unserved_per_week = _mean_loss_over_uniform_position(
        reorder_point, quantity, lead + 1
    ) - _mean_loss_over_uniform_position(reorder_point, quantity, lead)
    expected = 1 - unserved_per_week / MEAN

    r = run(normal_demand(3), s=reorder_point, q=quantity, review=0, lead=lead)

    assert portfolio_fill_rate(r) == pytest.approx(expected, abs=TOLERANCE)


def test_week_end_continuous_review_falls_short_of_the_continuous_textbook_fill_rate() -> None:
    """Checked only at week ends, the position undershoots s by ~half a week of demand before
    the order goes out, so the textbook 1 - sigma_L G(k) / Q (ordering exactly at s) is not
    reached: a known effect of the model, pinned here so it is not mistaken for a bug."""
    lead, quantity, target = 2, 600.0, 0.95
    sigma = SD * math.sqrt(lead)
    k = fill_rate_factor(target, sigma, quantity)
    textbook = 1 - sigma * normal_loss(k) / quantity

    r = run(normal_demand(4, skus=50), s=MEAN * lead + k * sigma, q=quantity, lead=lead)

    assert textbook == pytest.approx(target)
    assert portfolio_fill_rate(r) < textbook - 0.05


# --- small cases traced by hand ----------------------------------------------------------


def test_constant_demand_orders_when_position_reaches_reorder_point() -> None:
    """10/week, s = 20, Q = 30, L = 1, start 50 on hand. End-of-week net inventory:
    40 30 20* 10 | 30 20* 10 | 30 20* 10 (* = order, on hand two weeks later at the start of
    weeks 4, 7, 10)."""
    demand = [10.0] * 10
    orders_by_horizon = [run(demand[:h], s=20, q=30, lead=1).orders[0] for h in range(1, 11)]
    r = run(demand, s=20, q=30, lead=1)

    assert orders_by_horizon == [0, 0, 1, 1, 1, 2, 2, 2, 3, 3]
    assert r.average_inventory[0] == pytest.approx(
        sum([40, 30, 20, 10, 30, 20, 10, 30, 20, 10]) / 10
    )
    assert r.fill_rate[0] == 1.0
    assert r.stockout_weeks[0] == 0
    assert (r.cycles[0], r.cycles_with_stockout[0]) == (1, 0)  # arrivals at weeks 4 and 7
    assert r.cycle_service_level[0] == 1.0


def test_stockout_week_serves_what_is_on_hand_and_backorders_the_rest() -> None:
    """s = 20, Q = 30, L = 1, start 50; demand 10 10 40 10 10.
    Week 2: 30 on hand, serves 30 of 40, net -10 -> order 2 Q = 60 (one Q would leave the
    position at 20, not above s). Week 3: nothing on hand, net -20. Week 4: 60 arrive, fill the
    20 backorders, serve 10 -> net 30. Served 10 + 10 + 30 + 0 + 10 = 60 of 80."""
    r = run([10, 10, 40, 10, 10], s=20, q=30, lead=1)

    assert r.demand_total[0] == 80
    assert r.served_from_stock[0] == 60
    assert r.fill_rate[0] == pytest.approx(0.75)
    assert r.stockout_weeks[0] == 2
    assert r.orders[0] == 1
    assert r.average_inventory[0] == pytest.approx((40 + 30 + 0 + 0 + 30) / 5)
    assert r.cycles[0] == 0  # one arrival: no complete cycle


def test_periodic_order_up_to_counts_cycles_between_arrivals() -> None:
    """R = 1, S = 25, L = 0, start 25; demand 10 10 30 10 10. Each week end orders back to 25,
    on hand the next week. Week 2 serves 25 of 30. Arrivals at weeks 1, 2, 3, 4 close three
    cycles (weeks 1, 2, 3); the one of week 2 had the stockout."""
    r = run([10, 10, 30, 10, 10], big_s=25, q=10, review=1, lead=0)

    assert r.served_from_stock[0] == 65
    assert r.fill_rate[0] == pytest.approx(65 / 70)
    assert r.orders[0] == 5
    assert (r.cycles[0], r.cycles_with_stockout[0]) == (3, 1)
    assert r.cycle_service_level[0] == pytest.approx(2 / 3)
    assert r.average_inventory[0] == pytest.approx((15 + 15 + 0 + 15 + 15) / 5)


def test_periodic_review_orders_at_the_end_of_every_rth_week() -> None:
    """R = 2: reviews at the ends of weeks 1, 3, 5 (counting from 0)."""
    demand = [5.0] * 6
    orders_by_horizon = [
        run(demand[:h], big_s=50, q=10, review=2, lead=1).orders[0] for h in range(1, 7)
    ]
    assert orders_by_horizon == [0, 1, 1, 2, 2, 3]


@pytest.mark.parametrize(
    "policy",
    [
        {"s": 20.0, "q": 0.0},
        {"s": 20.0, "q": -5.0},
        {"s": NAN, "q": 30.0},
        {"big_s": NAN, "q": 30.0, "review": 1},
        {"big_s": 100.0, "q": NAN, "review": 1},
    ],
)
def test_make_to_order_row_holds_no_stock_and_never_orders(policy: dict[str, float]) -> None:
    r = run([5, 0, 5, 5], lead=1, **policy)

    assert r.demand_total[0] == 15
    assert r.served_from_stock[0] == 0
    assert r.fill_rate[0] == 0
    assert r.orders[0] == 0
    assert r.average_inventory[0] == 0
    assert r.stockout_weeks[0] == 3
    assert r.cycles[0] == 0
    assert math.isnan(r.cycle_service_level[0])


def test_weeks_before_the_sku_existed_carry_no_demand_stockout_or_inventory() -> None:
    """Demand NaN NaN 10 10. Make-to-order: 2 stockout weeks, not 4. Order-up-to 30 (R = 1,
    L = 0): end-of-week stock 20 and 20 over the two weeks the SKU exists -> average 20."""
    mto = run([NAN, NAN, 10, 10], q=0, lead=1)
    stocked = run([NAN, NAN, 10, 10], big_s=30, q=10, review=1, lead=0)

    assert mto.demand_total[0] == 20
    assert mto.stockout_weeks[0] == 2
    assert stocked.fill_rate[0] == 1.0
    assert stocked.average_inventory[0] == pytest.approx(20)


def test_no_demand_gives_nan_fill_rate() -> None:
    r = run([0, 0, 0], s=5, q=10, lead=1)
    assert r.demand_total[0] == 0
    assert math.isnan(r.fill_rate[0])
    assert r.orders[0] == 0


# --- lead times --------------------------------------------------------------------------


def test_each_sku_draws_lead_times_from_its_own_samples() -> None:
    """Same demand and policy; lead times 1 and 3 weeks. s = 20 covers 2 weeks of demand, so
    only the 3-week SKU runs out, and each row equals its own single-row simulation."""
    demand = np.full((2, 30), 10.0)
    lead = np.array([[1.0, 1.0, NAN], [3.0, NAN, NAN]])
    both = simulate(
        demand, np.full(2, 20.0), np.full(2, 30.0), np.full(2, NAN), np.zeros(2, int), lead
    )
    alone = [
        run(demand[i], s=20, q=30, lead=lead[i][np.isfinite(lead[i])].tolist()) for i in range(2)
    ]

    assert both.stockout_weeks[0] == 0
    assert both.stockout_weeks[1] > 0
    for i in range(2):
        assert both.served_from_stock[i] == alone[i].served_from_stock[0]
        assert both.average_inventory[i] == alone[i].average_inventory[0]


@pytest.mark.parametrize(
    ("samples", "share_short"), [([0.0, 2.0], 1 / 2), ([0.0, 0.0, 2.0, NAN], 2 / 3)]
)
def test_lead_time_samples_are_drawn_uniformly(samples: list[float], share_short: float) -> None:
    """One order per SKU: 10 demanded in week 0 empties s + Q = 10, the order of 10 arrives at
    the start of week 1 (L = 0) or week 3 (L = 2); average end-of-week stock over 4 weeks is
    7.5 or 2.5."""
    n = 4000
    demand = np.zeros((n, 4))
    demand[:, 0] = 10
    r = simulate(
        demand,
        np.zeros(n),
        np.full(n, 10.0),
        np.full(n, NAN),
        np.zeros(n, int),
        np.tile(samples, (n, 1)),
        rng=np.random.default_rng(7),
    )

    assert set(np.round(r.average_inventory, 9)) == {7.5, 2.5}
    share = float(np.mean(r.average_inventory == 7.5))
    assert share == pytest.approx(
        share_short, abs=4 * math.sqrt(share_short * (1 - share_short) / n)
    )


@pytest.mark.parametrize(("sample", "weeks"), [(1.4, 1), (1.6, 2), (2.5, 3), (0.2, 0)])
def test_lead_time_samples_are_rounded_to_whole_weeks(sample: float, weeks: int) -> None:
    demand = [10, 10, 40, 10, 10, 25, 10, 10]
    fractional = run(demand, s=20, q=30, lead=sample)
    whole = run(demand, s=20, q=30, lead=weeks)
    one_more = run(demand, s=20, q=30, lead=weeks + 1)
    assert one_more.served_from_stock[0] != whole.served_from_stock[0]  # the lead time matters
    assert fractional.served_from_stock[0] == whole.served_from_stock[0]
    assert fractional.average_inventory[0] == whole.average_inventory[0]


def test_same_rng_seed_gives_the_same_result() -> None:
    demand = np.random.default_rng(0).poisson(20, (30, 50)).astype(float)
    lead = np.random.default_rng(1).uniform(0, 6, (30, 5))

    def go(rng: np.random.Generator | None) -> SimulationResult:
        return simulate(
            demand,
            np.full(30, 40.0),
            np.full(30, 60.0),
            np.full(30, NAN),
            np.zeros(30, int),
            lead,
            rng=rng,
        )

    a, b, default = go(np.random.default_rng(3)), go(np.random.default_rng(3)), go(None)
    np.testing.assert_array_equal(a.served_from_stock, b.served_from_stock)
    np.testing.assert_array_equal(default.served_from_stock, go(None).served_from_stock)


# --- validation and progress -------------------------------------------------------------


def test_lead_time_row_without_a_finite_sample_is_refused() -> None:
    with pytest.raises(ValueError, match="lead_time_weeks"):
        simulate(
            np.ones((2, 3)),
            np.ones(2),
            np.ones(2),
            np.ones(2),
            np.zeros(2, int),
            np.array([[1.0, NAN], [NAN, NAN]]),
        )


@pytest.mark.parametrize(
    ("argument", "bad"),
    [
        ("demand", np.array([[1.0, -1.0]])),
        ("demand", np.array([[1.0, np.inf]])),
        ("reorder_point", np.ones(3)),
        ("order_quantity", np.ones(3)),
        ("order_up_to", np.ones(3)),
        ("review_period_weeks", np.array([-1])),
        ("review_period_weeks", np.array([1.5])),
        ("lead_time_weeks", np.array([[-1.0]])),
        ("lead_time_weeks", np.ones((3, 1))),
    ],
)
def test_bad_input_is_refused_naming_the_argument(argument: str, bad: np.ndarray) -> None:
    args = {
        "demand": np.ones((1, 2)),
        "reorder_point": np.ones(1),
        "order_quantity": np.ones(1),
        "order_up_to": np.ones(1),
        "review_period_weeks": np.zeros(1, int),
        "lead_time_weeks": np.ones((1, 1)),
    }
    args[argument] = bad
    with pytest.raises(ValueError, match=argument):
        simulate(**args)


def test_progress_is_reported_after_each_chunk() -> None:
    calls: list[float] = []
    run(
        np.ones((5, 3)),
        s=1,
        q=2,
        lead=1,
        chunk_size=2,
        progress=lambda fraction, message: calls.append(fraction),
    )
    assert calls == pytest.approx([2 / 5, 4 / 5, 1.0])


def test_empty_input_gives_empty_result() -> None:
    r = simulate(
        np.zeros((0, 5)), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, int), np.zeros((0, 1))
    )
    assert r.fill_rate.shape == (0,)
    assert r.orders.shape == (0,)


# --- properties --------------------------------------------------------------------------

policies = st.fixed_dictionaries(
    {
        "s": st.integers(0, 60),
        "q": st.integers(-2, 40),
        "big_s": st.integers(0, 120),
        "review": st.integers(0, 3),
    }
)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n = draw(st.integers(1, 6))
    weeks = draw(st.integers(1, 25))
    cells = st.one_of(st.integers(0, 30).map(float), st.just(NAN))
    demand = np.array(draw(st.lists(cells, min_size=n * weeks, max_size=n * weeks)))
    rows = [draw(policies) for _ in range(n)]
    samples = [
        draw(st.lists(st.one_of(st.floats(0, 5), st.just(NAN)), min_size=3, max_size=3))
        for _ in range(n)
    ]
    lead = np.array(
        [[x if i or np.isfinite(x) else 1.0 for i, x in enumerate(row)] for row in samples]
    )
    return {
        "demand": demand.reshape(n, weeks),
        "reorder_point": np.array([p["s"] for p in rows], dtype=float),
        "order_quantity": np.array([p["q"] for p in rows], dtype=float),
        "order_up_to": np.array([p["big_s"] for p in rows], dtype=float),
        "review_period_weeks": np.array([p["review"] for p in rows]),
        "lead_time_weeks": lead,
    }


@settings(max_examples=100, deadline=None)
@given(cases())
def test_service_figures_stay_within_their_bounds(case: dict[str, np.ndarray]) -> None:
    r = simulate(**case)
    has_demand = r.demand_total > 0
    assert np.all(r.served_from_stock <= r.demand_total + 1e-9)
    assert np.all((r.fill_rate[has_demand] >= 0) & (r.fill_rate[has_demand] <= 1))
    assert np.all(np.isnan(r.fill_rate[~has_demand]))
    assert np.all(r.cycles_with_stockout <= r.cycles)
    assert np.all(r.stockout_weeks <= np.isfinite(case["demand"]).sum(axis=1))
    assert np.all(np.nan_to_num(r.average_inventory) >= 0)


@settings(max_examples=100, deadline=None)
@given(
    demand=st.lists(st.integers(0, 30), min_size=1, max_size=40),
    low=st.integers(0, 60),
    extra=st.integers(0, 40),
    quantity=st.integers(1, 40),
    lead=st.integers(0, 4),
)
def test_higher_reorder_point_never_lowers_the_fill_rate(
    demand: list[int], low: int, extra: int, quantity: int, lead: int
) -> None:
    lower = run(demand, s=low, q=quantity, lead=lead)
    higher = run(demand, s=low + extra, q=quantity, lead=lead)
    assert higher.served_from_stock[0] >= lower.served_from_stock[0]


@settings(max_examples=60, deadline=None)
@given(case=cases(), chunk_size=st.integers(1, 7), seed=st.integers(0, 2**32 - 1))
def test_chunk_size_does_not_change_results(
    case: dict[str, np.ndarray], chunk_size: int, seed: int
) -> None:
    one = simulate(**case, rng=np.random.default_rng(seed), chunk_size=10_000)
    chunked = simulate(**case, rng=np.random.default_rng(seed), chunk_size=chunk_size)
    for name in SimulationResult.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(one, name), getattr(chunked, name), err_msg=name)


# --- bootstrap paths ---------------------------------------------------------------------


def test_bootstrap_paths_resample_each_skus_own_weeks_and_keep_nan_in_place() -> None:
    demand = np.array(
        [[NAN, NAN, 1.0, 2.0, 3.0], [10.0, 20.0, NAN, 30.0, 40.0], [NAN, NAN, NAN, NAN, NAN]]
    )
    paths = bootstrap_paths(demand, 50, np.random.default_rng(0))

    assert paths.shape == (150, 5)
    for sku in range(3):
        block = paths[sku * 50 : (sku + 1) * 50]
        own = set(demand[sku][np.isfinite(demand[sku])])
        np.testing.assert_array_equal(np.isnan(block), np.tile(np.isnan(demand[sku]), (50, 1)))
        assert set(block[np.isfinite(block)]) <= own
    assert set(paths[:50, 2:].ravel()) == {1.0, 2.0, 3.0}  # all three values are drawn


def test_bootstrap_paths_are_iid_draws_with_the_skus_mean() -> None:
    demand = np.array([[0.0, 0.0, 0.0, 12.0]])  # mean 3, one week in four is 12
    paths = bootstrap_paths(demand, 2000, np.random.default_rng(1))
    share = float(np.mean(paths == 12.0))
    assert share == pytest.approx(0.25, abs=4 * math.sqrt(0.25 * 0.75 / paths.size))


def test_repeat_rows_matches_the_sku_major_order_of_the_paths() -> None:
    np.testing.assert_array_equal(
        repeat_rows(np.array([1.0, 2.0]), 3), [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    )
    np.testing.assert_array_equal(
        repeat_rows(np.array([[1, 2], [3, 4]]), 2), [[1, 2], [1, 2], [3, 4], [3, 4]]
    )
    with pytest.raises(ValueError, match="n_paths"):
        repeat_rows(np.ones(2), 0)
    with pytest.raises(ValueError, match="n_paths"):
        bootstrap_paths(np.ones((1, 2)), 0)


# --- summary per segment -----------------------------------------------------------------


def per_sku_frame() -> pd.DataFrame:
    """Two fill-rate SKUs in AX (one misses), two CSL SKUs in BY (on target together)."""
    return pd.DataFrame(
        {
            "sku": ["a", "b", "c", "d"],
            "segment": ["AX", "AX", "BY", "BY"],
            "service_type": ["fill_rate", "fill_rate", "csl", "csl"],
            "service_target": [0.98, 0.96, 0.90, 0.90],
            "planned_fill_rate": [0.98, 0.96, 0.99, 0.97],
            "planned_csl": [0.90, 0.80, 0.90, 0.90],
            "demand_total": [300.0, 100.0, 50.0, 50.0],
            "served_from_stock": [270.0, 96.0, 49.0, 45.0],
            "cycles": [10, 10, 8, 12],
            "cycles_with_stockout": [3, 1, 1, 1],
            "average_inventory": [20.0, 5.0, 4.0, 6.0],
            "unit_cost": [2.0, 10.0, 1.0, 0.5],
            "stockout_weeks": [4, 1, 1, 2],
        }
    )


def test_summarise_flags_exactly_the_segment_below_target() -> None:
    out = summarise(per_sku_frame())

    assert out["segment"].tolist() == ["AX", "BY"]
    ax, by = out.iloc[0], out.iloc[1]
    # AX: fill 366 / 400 = 0.915 against a demand-weighted target (0.98*300 + 0.96*100) / 400
    assert ax["achieved_fill_rate"] == pytest.approx(366 / 400)
    assert ax["service_target"] == pytest.approx(0.975)
    assert ax["planned_fill_rate"] == pytest.approx(0.975)
    assert ax["achieved_csl"] == pytest.approx(1 - 4 / 20)
    assert ax["achieved"] == pytest.approx(0.915)
    assert ax["average_inventory_value"] == pytest.approx(20 * 2 + 5 * 10)
    assert (ax["skus"], ax["stockout_weeks"], ax["service_type"]) == (2, 5, "fill_rate")
    # BY: CSL 1 - 2 / 20 = 0.90 against 0.90
    assert by["achieved"] == pytest.approx(0.90)
    assert by["planned_fill_rate"] == pytest.approx(0.98)
    assert by["service_type"] == "csl"
    assert out["misses_target"].tolist() == [True, False]


def test_summarise_tolerance_decides_a_near_miss() -> None:
    frame = per_sku_frame()
    assert summarise(frame, tolerance=0.07)["misses_target"].tolist() == [False, False]


def test_summarise_refuses_missing_columns() -> None:
    with pytest.raises(ValueError, match="unit_cost"):
        summarise(per_sku_frame().drop(columns=["unit_cost"]))
