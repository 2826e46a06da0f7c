"""Inventory policy (``segstudio.policy``): the textbook formulas against published values, the
per-SKU policy against hand computation, its properties, the policy table and the ERP table.

Published values are copied from the project's methods guide ("Published values to test
against"), each with the source it cites.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from segstudio.config.policy_table import (
    BUILTIN_CELL_TARGETS,
    PolicyError,
    PolicyTable,
    SegmentPolicy,
)
from segstudio.config.rules import from_dict as rules_from_dict
from segstudio.policy.erp import ERP_COLUMNS, erp_table
from segstudio.policy.formulas import (
    csl_from_reorder_point,
    eoq,
    expected_fill_rate,
    fill_rate_safety_factor,
    lead_time_demand_std,
    newsvendor,
    normal_loss,
    safety_stock_for_csl,
)
from segstudio.policy.sku import POLICY_COLUMNS, compute_policies

WEEKS_PER_YEAR = 365.25 / 7
MONTH_DAYS = 365.25 / 12


def z_of(p: float) -> float:
    return float(stats.norm.ppf(p))


def loss_of(k: float) -> float:
    """Standard normal loss G(k) = E[(Z - k)+], integrated numerically (independent of the
    closed form under test)."""
    value, _ = integrate.quad(lambda x: (x - k) * stats.norm.pdf(x), k, np.inf, epsabs=1e-14)
    return value


def gamma_loss_quad(level: float, shape: float, scale: float) -> float:
    """E[(X - level)+] for X ~ Gamma(shape, scale) = integral of the survival function."""
    value, _ = integrate.quad(
        lambda x: stats.gamma.sf(x, shape, scale=scale),
        level,
        np.inf,
        epsabs=1e-12,
        epsrel=1e-12,
        limit=200,
    )
    return value


def features(**columns: object) -> pd.DataFrame:
    """A one-row feature frame (or more: pass lists) with sensible defaults: 100 units a week,
    sd 30, 14-day lead time (sd 3.5 days) from the SKU's receipts, cost 4, price 6."""
    row: dict[str, object] = {
        "sku": "S1",
        "quantity": 5200.0,
        "revenue": 31200.0,
        "unit_cost": 4.0,
        "demand_mean": 100.0,
        "demand_std": 30.0,
        "pattern": "smooth",
        "lead_time_mean_days": 14.0,
        "lead_time_std_days": 3.5,
        "lead_time_source": "sku",
        "period": "week",
    }
    row.update(columns)
    n = max((len(v) for v in row.values() if isinstance(v, list)), default=1)
    return pd.DataFrame({k: (v if isinstance(v, list) else [v] * n) for k, v in row.items()})


def one_policy(p: SegmentPolicy, **columns: object) -> pd.Series:
    """The policy row of a single SKU in segment "S" under ``p``."""
    df = features(**columns)
    table = PolicyTable(default=p, segments=())
    out = compute_policies(df, np.array(["S"] * len(df), dtype=object), table)
    assert len(out) == len(df)
    return out.iloc[0]


# --- published values ------------------------------------------------------------------------


def test_eoq_matches_snyder_shen_example_3_1() -> None:
    # Snyder & Shen, Fundamentals of Supply Chain Theory, Ex. 3.1: K = 8, h = 0.225, D = 1300.
    q, cost = eoq(1300, 8, 0.225)
    assert q == pytest.approx(304.0467800264368, rel=1e-12)
    assert cost == pytest.approx(68.410525505948272, rel=1e-12)


@pytest.mark.parametrize("bad", [(0, 8, 0.225), (1300, 0, 0.225), (1300, 8, 0), (1300, 8, -1)])
def test_eoq_refuses_non_positive_inputs(bad: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        eoq(*bad)


def test_newsvendor_matches_snyder_shen_example_4_3() -> None:
    # Snyder & Shen, Ex. 4.3: h = 0.18, p = 0.7, demand N(50, 8).
    ratio, s_star, cost = newsvendor(0.18, 0.7, 50, 8)
    assert ratio == pytest.approx(0.7954545, abs=1e-7)
    assert s_star == pytest.approx(56.603955927433887, rel=1e-12)
    assert cost == pytest.approx(1.997605193176645, rel=1e-12)


@pytest.mark.parametrize(
    "k, published",
    [
        (-1.4, 1.436668142708465),
        (0.3, 0.266761242117210),
        (3.1, 2.672490952231408e-04),
    ],
)
def test_normal_loss_matches_published_values(k: float, published: float) -> None:
    # Standard normal loss function values from the methods guide (published table values).
    assert normal_loss(k) == pytest.approx(published, rel=1e-12)
    assert loss_of(k) == pytest.approx(published, rel=1e-9)  # the reference agrees too


def test_normal_loss_is_vectorised() -> None:
    out = normal_loss(np.array([-1.4, 0.3, 3.1]))
    assert isinstance(out, np.ndarray)
    assert out == pytest.approx(
        [1.436668142708465, 0.266761242117210, 2.672490952231408e-04], rel=1e-12
    )


def test_chopra_meindl_example_12_1_csl_and_fill_rate() -> None:
    # Chopra & Meindl, Supply Chain Management, Ex. 12-1 inputs: weekly demand 2500, sigma 500,
    # L = 2 weeks, Q = 10,000, ROP = 6,000 -> SS = 1000, sigma_L = 707.107, CSL = 0.921350,
    # fill rate 0.997487.
    sigma_l = lead_time_demand_std(2500, 500, 2, 0)
    assert sigma_l == pytest.approx(707.107, abs=5e-4)
    ss = 6000 - 2500 * 2
    assert ss == 1000
    assert csl_from_reorder_point(6000, 5000, sigma_l) == pytest.approx(0.921350, abs=5e-7)
    assert expected_fill_rate(sigma_l, ss / sigma_l, 10_000) == pytest.approx(0.997487, abs=5e-7)


def test_chopra_meindl_fill_rate_target_gives_safety_stock_1000() -> None:
    # Chopra & Meindl Ex. 12-1 read backwards: a fill-rate target of 0.997487 with Q = 10,000
    # and sigma_L = 707.107 needs SS = 1000. The published fill rate has 6 decimals; dBeta/dSS
    # = (1 - Phi(k)) / Q ~ 7.9e-6 per unit, so SS is known to about +-0.1 unit.
    sigma_l = 500 * math.sqrt(2)
    k = float(fill_rate_safety_factor(0.997487, 10_000, sigma_l))
    assert k * sigma_l == pytest.approx(1000, abs=0.5)


def test_lead_time_variability_example() -> None:
    # Methods guide, lead-time variability: d = 50/day, sigma_d = 5, L = 6 days,
    # sigma_L = 2 days, CSL 0.90 -> sigma_DL = 100.747, SS = 129.113, ROP = 429.113.
    sigma_dl = lead_time_demand_std(50, 5, 6, 2)
    assert sigma_dl == pytest.approx(100.747, abs=5e-4)
    ss = safety_stock_for_csl(0.90, sigma_dl)
    assert ss == pytest.approx(129.113, abs=5e-4)
    assert 50 * 6 + ss == pytest.approx(429.113, abs=5e-4)


@pytest.mark.parametrize("csl", [0.0, 1.0, 1.5, -0.1])
def test_safety_stock_for_csl_refuses_targets_outside_0_1(csl: float) -> None:
    with pytest.raises(ValueError, match="csl"):
        safety_stock_for_csl(csl, 100.0)


@settings(max_examples=80, deadline=None)
@given(k=st.floats(-3.0, 4.0), q=st.floats(1.0, 1e4), sigma=st.floats(0.5, 2e3))
def test_fill_rate_safety_factor_inverts_expected_fill_rate(
    k: float, q: float, sigma: float
) -> None:
    beta = expected_fill_rate(sigma, k, q)
    back = float(fill_rate_safety_factor(beta, q, sigma, floor_at_zero=False))
    # The loss is flat far right: compare the fill rates there, the factors elsewhere.
    assert expected_fill_rate(sigma, back, q) == pytest.approx(beta, abs=1e-9)
    if sigma * stats.norm.sf(k) / q > 1e-6:
        assert back == pytest.approx(k, abs=1e-5)


def test_fill_rate_safety_factor_never_negative_by_default() -> None:
    # A fill rate met without safety stock (sigma G(0) = 0.399 sigma < (1 - beta) Q): k = 0.
    assert float(fill_rate_safety_factor(0.9, 1000.0, 100.0)) == 0.0
    assert float(fill_rate_safety_factor(0.9, 1000.0, 100.0, floor_at_zero=False)) < 0.0


# --- compute_policies by hand ----------------------------------------------------------------


def test_continuous_review_csl_policy_by_hand() -> None:
    p = SegmentPolicy(service_type="csl", service_target=0.95, order_cost=50.0, holding_rate=0.25)
    row = one_policy(p)
    # L = 14/7 = 2 weeks, sigma_L = 3.5/7 = 0.5 week:
    # sigma_DL = sqrt(2 x 30^2 + 100^2 x 0.5^2) = sqrt(4300).
    sigma_dl = math.sqrt(2 * 30**2 + 100**2 * 0.5**2)
    ss = z_of(0.95) * sigma_dl
    annual = 100 * 365.25 / 7
    q = math.sqrt(2 * annual * 50 / (0.25 * 4.0))
    assert row["demand_model"] == "normal"
    assert row["service_type"] == "csl" and row["target_source"] == "policy"
    assert row["service_target"] == pytest.approx(0.95)
    assert row["lead_time_source"] == "sku"
    assert row["protection_periods"] == pytest.approx(2.0)
    assert row["lead_time_demand_mean"] == pytest.approx(200.0)
    assert row["lead_time_demand_std"] == pytest.approx(sigma_dl, rel=1e-12)
    assert row["safety_stock"] == pytest.approx(ss, rel=1e-9)
    assert row["reorder_point"] == pytest.approx(200 + ss, rel=1e-9)
    assert row["order_quantity"] == pytest.approx(q, rel=1e-12)
    assert row["order_up_to"] == pytest.approx(200 + ss + q, rel=1e-9)
    assert row["expected_csl"] == pytest.approx(0.95, abs=1e-9)
    assert row["expected_fill_rate"] == pytest.approx(
        1 - sigma_dl * loss_of(z_of(0.95)) / q, abs=1e-9
    )
    assert row["unit_price"] == pytest.approx(6.0)
    assert row["safety_stock_value"] == pytest.approx(ss * 4.0, rel=1e-9)
    assert row["cycle_stock_value"] == pytest.approx(q / 2 * 4.0, rel=1e-12)
    assert row["inventory_value"] == pytest.approx(ss * 4.0 + q / 2 * 4.0, rel=1e-9)
    assert row["revenue"] == pytest.approx(31200.0)


def test_continuous_review_fill_rate_policy_by_hand() -> None:
    p = SegmentPolicy(
        service_type="fill_rate", service_target=0.99, order_cost=50.0, holding_rate=0.25
    )
    row = one_policy(p)
    sigma_dl = math.sqrt(4300)
    q = math.sqrt(2 * 100 * 365.25 / 7 * 50 / 1.0)
    k = optimize.brentq(lambda k: loss_of(k) - 0.01 * q / sigma_dl, 0.0, 6.0, xtol=1e-12)
    assert row["service_type"] == "fill_rate"
    assert row["safety_stock"] == pytest.approx(k * sigma_dl, rel=1e-7)
    assert row["reorder_point"] == pytest.approx(200 + k * sigma_dl, rel=1e-7)
    assert row["expected_fill_rate"] == pytest.approx(0.99, abs=1e-9)
    assert row["expected_csl"] == pytest.approx(stats.norm.cdf(k), abs=1e-7)


def test_periodic_review_order_up_to_covers_lead_time_plus_review() -> None:
    p = SegmentPolicy(
        service_type="csl",
        service_target=0.90,
        review_period_days=7.0,
        order_rule="periods",
        periods_of_supply_weeks=4.0,
    )
    row = one_policy(p)
    # L + R = 2 + 1 = 3 weeks; sigma over L + R = sqrt(3 x 30^2 + 100^2 x 0.5^2).
    sigma = math.sqrt(3 * 30**2 + 100**2 * 0.5**2)
    ss = z_of(0.90) * sigma
    assert row["protection_periods"] == pytest.approx(3.0)
    assert row["lead_time_demand_mean"] == pytest.approx(300.0)
    assert row["lead_time_demand_std"] == pytest.approx(sigma, rel=1e-12)
    assert row["safety_stock"] == pytest.approx(ss, rel=1e-9)
    assert row["order_up_to"] == pytest.approx(300 + ss, rel=1e-9)
    assert row["reorder_point"] == pytest.approx(200 + ss, rel=1e-9)
    assert row["order_quantity"] == pytest.approx(400.0)  # 4 weeks of supply
    # One review period of demand (100 units) per cycle.
    assert row["cycle_stock_value"] == pytest.approx(100 / 2 * 4.0)
    assert row["expected_fill_rate"] == pytest.approx(
        1 - sigma * loss_of(z_of(0.90)) / 100, abs=1e-9
    )


def test_minmax_max_is_min_plus_eoq() -> None:
    p = SegmentPolicy(order_rule="minmax", service_target=0.95)
    row = one_policy(p)
    q = math.sqrt(2 * 100 * 365.25 / 7 * 50 / 1.0)
    assert row["order_quantity"] == pytest.approx(q, rel=1e-12)
    assert row["order_up_to"] == pytest.approx(row["reorder_point"] + q, rel=1e-12)


def test_missing_lead_time_uses_the_policy_fallback() -> None:
    p = SegmentPolicy(service_target=0.95, fallback_lead_time_days=21.0)
    row = one_policy(
        p, lead_time_mean_days=np.nan, lead_time_std_days=np.nan, lead_time_source=None
    )
    # 21 days = 3 weeks, no lead-time variability known: sigma_DL = sqrt(3) x 30.
    assert row["lead_time_source"] == "fallback"
    assert row["lead_time_days"] == pytest.approx(21.0)
    assert row["lead_time_std_days"] == 0.0
    assert row["lead_time_demand_std"] == pytest.approx(math.sqrt(3) * 30, rel=1e-12)
    assert row["safety_stock"] == pytest.approx(z_of(0.95) * math.sqrt(3) * 30, rel=1e-9)
    assert row["reorder_point"] == pytest.approx(300 + z_of(0.95) * math.sqrt(3) * 30, rel=1e-9)


def test_fallback_only_where_the_lead_time_is_missing() -> None:
    df = features(
        sku=["S1", "S2"],
        lead_time_mean_days=[14.0, np.nan],
        lead_time_std_days=[3.5, np.nan],
        lead_time_source=["supplier", None],
    )
    out = compute_policies(
        df,
        np.array(["S", "S"], dtype=object),
        PolicyTable(default=SegmentPolicy(fallback_lead_time_days=35.0), segments=()),
    )
    assert list(out["lead_time_source"]) == ["supplier", "fallback"]
    assert list(out["lead_time_days"]) == pytest.approx([14.0, 35.0])


@pytest.mark.parametrize("strategy", ["MTO", "ETO"])
def test_make_and_engineer_to_order_hold_no_stock(strategy: str) -> None:
    row = one_policy(SegmentPolicy(strategy=strategy))
    assert row["strategy"] == strategy
    assert row["demand_model"] == "none"
    for col in (
        "safety_stock",
        "reorder_point",
        "order_quantity",
        "order_up_to",
        "safety_stock_value",
        "cycle_stock_value",
        "inventory_value",
    ):
        assert row[col] == 0.0, col
    assert np.isnan(row["expected_fill_rate"]) and np.isnan(row["expected_csl"])


def test_assemble_to_order_is_planned_like_make_to_stock() -> None:
    mts = one_policy(SegmentPolicy(strategy="MTS"))
    ato = one_policy(SegmentPolicy(strategy="ATO"))
    assert ato["demand_model"] == "normal"
    assert ato["safety_stock"] == pytest.approx(mts["safety_stock"])


def test_no_demand_means_no_stock() -> None:
    row = one_policy(SegmentPolicy(), demand_mean=0.0, demand_std=0.0, quantity=0.0, revenue=0.0)
    assert row["demand_model"] == "none"
    assert row["safety_stock"] == 0.0 and row["reorder_point"] == 0.0


def lumpy_gamma_parameters(review_days: float = 0.0) -> tuple[float, float, float]:
    """5 units a week, sd 9, 28-day lead time (sd 0): over L (+ R) weeks the mean is 5 n and
    the variance 81 n; the moment-matched gamma has shape mean^2 / var, scale var / mean."""
    n = (28.0 + review_days) / 7
    mean, var = 5.0 * n, 81.0 * n
    return mean, mean**2 / var, var / mean


LUMPY = {
    "demand_mean": 5.0,
    "demand_std": 9.0,
    "lead_time_mean_days": 28.0,
    "lead_time_std_days": 0.0,
}


@pytest.mark.parametrize("pattern", ["intermittent", "lumpy"])
def test_intermittent_and_lumpy_use_gamma_with_the_gamma_quantile(pattern: str) -> None:
    row = one_policy(
        SegmentPolicy(service_type="csl", service_target=0.95), pattern=pattern, **LUMPY
    )
    mean, shape, scale = lumpy_gamma_parameters()
    assert row["demand_model"] == "gamma"
    expected = stats.gamma.ppf(0.95, shape, scale=scale) - mean
    assert expected > 0
    assert row["safety_stock"] == pytest.approx(expected, rel=1e-8)
    assert row["reorder_point"] == pytest.approx(mean + expected, rel=1e-8)
    assert row["expected_csl"] == pytest.approx(0.95, abs=1e-9)


@pytest.mark.parametrize("pattern", ["smooth", "erratic"])
def test_smooth_and_erratic_use_normal_under_auto(pattern: str) -> None:
    row = one_policy(SegmentPolicy(), pattern=pattern, **LUMPY)
    assert row["demand_model"] == "normal"
    sigma = math.sqrt(4 * 81)
    assert row["safety_stock"] == pytest.approx(z_of(0.95) * sigma, rel=1e-9)


def test_demand_model_can_be_forced_either_way() -> None:
    forced_normal = one_policy(SegmentPolicy(demand_model="normal"), pattern="lumpy", **LUMPY)
    forced_gamma = one_policy(SegmentPolicy(demand_model="gamma"), pattern="smooth", **LUMPY)
    assert forced_normal["demand_model"] == "normal"
    assert forced_gamma["demand_model"] == "gamma"
    mean, shape, scale = lumpy_gamma_parameters()
    assert forced_gamma["safety_stock"] == pytest.approx(
        stats.gamma.ppf(0.95, shape, scale=scale) - mean, rel=1e-8
    )


def test_gamma_safety_stock_is_never_negative() -> None:
    # Target 0.55 is below the gamma's CDF at its mean (skewed right): no negative stock.
    mean, shape, scale = lumpy_gamma_parameters()
    assert stats.gamma.ppf(0.55, shape, scale=scale) < mean
    row = one_policy(SegmentPolicy(service_target=0.55), pattern="lumpy", **LUMPY)
    assert row["safety_stock"] == 0.0
    assert row["expected_csl"] == pytest.approx(stats.gamma.cdf(mean, shape, scale=scale))


@pytest.mark.parametrize("review_days", [0.0, 14.0])
def test_gamma_fill_rate_policy_meets_its_target(review_days: float) -> None:
    p = SegmentPolicy(service_type="fill_rate", service_target=0.97, review_period_days=review_days)
    row = one_policy(p, pattern="intermittent", **LUMPY)
    mean, shape, scale = lumpy_gamma_parameters(review_days)
    assert row["demand_model"] == "gamma"
    assert row["safety_stock"] > 0
    # Units per cycle: EOQ (continuous) or one review period of demand (periodic).
    q = math.sqrt(2 * 5 * 365.25 / 7 * 50 / 1.0) if review_days == 0 else 5.0 * review_days / 7
    level = mean + row["safety_stock"]
    fill = 1 - gamma_loss_quad(level, shape, scale) / q
    assert fill == pytest.approx(0.97, abs=1e-7)
    assert row["expected_fill_rate"] == pytest.approx(0.97, abs=1e-7)


def test_cost_based_service_level_is_the_critical_ratio() -> None:
    # p = stockout_cost x price = 0.5 x 6 = 3 per unit short; h = holding over one cycle:
    # 0.25 x 4 a year x (Q / d weeks) / 52.18 weeks a year.
    p = SegmentPolicy(service_type="cost", stockout_cost=0.5, holding_rate=0.25, order_cost=50)
    row = one_policy(p)
    q = math.sqrt(2 * 100 * 365.25 / 7 * 50 / (0.25 * 4))
    h = 0.25 * 4 * (q / 100) * 7 / 365.25
    ratio = 3 / (3 + h)
    assert 0.5 < ratio < 0.9999
    assert row["service_target"] == pytest.approx(ratio, rel=1e-12)
    assert row["service_type"] == "csl"
    assert row["target_source"] == "cost"
    assert row["safety_stock"] == pytest.approx(z_of(ratio) * math.sqrt(4300), rel=1e-9)


def test_cost_based_service_level_periodic_uses_the_review_period() -> None:
    p = SegmentPolicy(
        service_type="cost", stockout_cost=0.2, holding_rate=0.3, review_period_days=14.0
    )
    row = one_policy(p)
    # h = 0.3 x 4 x 14 / 365.25 per unit per cycle; p = 0.2 x 6 = 1.2.
    h = 0.3 * 4 * 14 / 365.25
    assert row["service_target"] == pytest.approx(1.2 / (1.2 + h), rel=1e-12)


def test_cost_based_service_level_is_kept_at_least_50_percent() -> None:
    # Methods: CSL* is "kept between 50% and 99.99%". p = 0.001 x 6 = 0.006 per unit short
    # against h = 0.25 x 4 x 14 / 365.25 = 0.0383 a cycle: p / (p + h) = 0.135 -> 0.5, so no
    # safety stock (z = 0).
    p = SegmentPolicy(service_type="cost", stockout_cost=0.001, review_period_days=14.0)
    h = 0.25 * 4 * 14 / 365.25
    assert 0.006 / (0.006 + h) < 0.5
    row = one_policy(p)
    assert row["service_target"] == 0.5
    assert row["safety_stock"] == 0.0


def test_higher_stockout_cost_never_lowers_the_cost_based_target() -> None:
    low = one_policy(SegmentPolicy(service_type="cost", stockout_cost=0.1))
    high = one_policy(SegmentPolicy(service_type="cost", stockout_cost=1.0))
    assert high["service_target"] > low["service_target"]
    assert high["safety_stock"] > low["safety_stock"]


def test_a_monthly_file_uses_the_weekly_statistics_of_its_feature_table() -> None:
    # The feature table states demand per week for every file (a monthly file's monthly
    # figures are converted there), so a monthly file's policy is the weekly one: the same row
    # with or without period = "month". 400 units a week, sd 120; lead time 45 days (sd 10).
    p = SegmentPolicy(service_type="csl", service_target=0.95, order_cost=50.0, holding_rate=0.25)
    monthly = one_policy(
        p,
        period="month",
        demand_mean=400.0,
        demand_std=120.0,
        lead_time_mean_days=45.0,
        lead_time_std_days=10.0,
    )
    weekly = one_policy(
        p,
        period="week",
        demand_mean=400.0,
        demand_std=120.0,
        lead_time_mean_days=45.0,
        lead_time_std_days=10.0,
    )
    lead, lead_sd = 45.0 / 7, 10.0 / 7
    sigma = math.sqrt(lead * 120**2 + 400**2 * lead_sd**2)
    ss = z_of(0.95) * sigma
    q = math.sqrt(2 * 400 * 365.25 / 7 * 50 / (0.25 * 4))
    for row in (monthly, weekly):
        assert row["protection_periods"] == pytest.approx(lead, rel=1e-12)
        assert row["lead_time_demand_std"] == pytest.approx(sigma, rel=1e-12)
        assert row["safety_stock"] == pytest.approx(ss, rel=1e-9)
        assert row["reorder_point"] == pytest.approx(400 * lead + ss, rel=1e-9)
        assert row["order_quantity"] == pytest.approx(q, rel=1e-12)


def test_periods_of_supply_are_weeks_of_the_weekly_demand() -> None:
    row = one_policy(
        SegmentPolicy(order_rule="periods", periods_of_supply_weeks=8.0),
        period="month",
        demand_mean=400.0,
        demand_std=120.0,
    )
    assert row["order_quantity"] == pytest.approx(400 * 8, rel=1e-12)


def test_missing_unit_cost_falls_back_to_the_price() -> None:
    row = one_policy(SegmentPolicy(), unit_cost=np.nan)
    assert row["unit_cost"] == pytest.approx(6.0)
    q = math.sqrt(2 * 100 * 365.25 / 7 * 50 / (0.25 * 6.0))
    assert row["order_quantity"] == pytest.approx(q, rel=1e-12)


def test_output_has_the_documented_columns_in_order() -> None:
    df = features(sku=["S1", "S2", "S3"])
    out = compute_policies(df, np.array(["AX", "BY", "CZ"], dtype=object), PolicyTable())
    assert list(out.columns) == list(POLICY_COLUMNS)
    assert list(out["sku"]) == ["S1", "S2", "S3"]
    # The built-in table: the cell targets per segment.
    assert list(out["service_target"]) == pytest.approx([0.98, 0.95, 0.85])


# --- properties ------------------------------------------------------------------------------

sku_inputs = st.fixed_dictionaries(
    {
        "demand_mean": st.floats(0.5, 2000.0),
        "cov": st.floats(0.05, 3.0),
        "lead_time_mean_days": st.floats(1.0, 120.0),
        "lead_time_std_days": st.floats(0.0, 30.0),
        "unit_cost": st.floats(0.1, 200.0),
    }
)
policy_inputs = st.fixed_dictionaries(
    {
        "order_cost": st.floats(1.0, 500.0),
        "holding_rate": st.floats(0.05, 0.6),
        "review_period_days": st.sampled_from([0.0, 7.0, 28.0]),
    }
)


def _two_targets(data: st.DataObject) -> tuple[float, float]:
    t1 = data.draw(st.floats(0.5, 0.998), label="t1")
    t2 = data.draw(st.floats(t1, 0.999), label="t2")
    return t1, t2


def _pair(sku: dict, pol: dict, kind: str, model: str, t1: float, t2: float) -> pd.DataFrame:
    """The same SKU twice, in segment T1 (target t1) and T2 (target t2)."""
    df = features(
        sku=["x1", "x2"],
        demand_mean=sku["demand_mean"],
        demand_std=sku["demand_mean"] * sku["cov"],
        lead_time_mean_days=sku["lead_time_mean_days"],
        lead_time_std_days=sku["lead_time_std_days"],
        unit_cost=sku["unit_cost"],
        pattern="lumpy",
    )
    base = SegmentPolicy(service_type=kind, demand_model=model, **pol)
    table = PolicyTable(
        default=base,
        segments=(
            ("T1", replace(base, service_target=t1)),
            ("T2", replace(base, service_target=t2)),
        ),
    )
    return compute_policies(df, np.array(["T1", "T2"], dtype=object), table)


@pytest.mark.parametrize("kind", ["csl", "fill_rate"])
@pytest.mark.parametrize("model", ["normal", "gamma"])
@settings(max_examples=50, deadline=None)
@given(sku=sku_inputs, pol=policy_inputs, data=st.data())
def test_higher_target_never_lowers_safety_stock(
    kind: str, model: str, sku: dict, pol: dict, data: st.DataObject
) -> None:
    t1, t2 = _two_targets(data)
    out = _pair(sku, pol, kind, model, t1, t2)
    assert list(out["demand_model"]) == [model, model]
    ss1, ss2 = out["safety_stock"]
    assert ss2 >= ss1 - 1e-9 * max(1.0, ss1)
    assert out["reorder_point"].iloc[1] >= out["reorder_point"].iloc[0] - 1e-9 * max(
        1.0, out["reorder_point"].iloc[0]
    )


@pytest.mark.parametrize("kind", ["csl", "fill_rate"])
@pytest.mark.parametrize("model", ["normal", "gamma"])
@settings(max_examples=50, deadline=None)
@given(sku=sku_inputs, pol=policy_inputs, data=st.data())
def test_safety_stock_never_negative_and_fill_rate_meets_target(
    kind: str, model: str, sku: dict, pol: dict, data: st.DataObject
) -> None:
    t1, t2 = _two_targets(data)
    out = _pair(sku, pol, kind, model, t1, t2)
    assert (out["safety_stock"] >= 0).all()
    lead_time_demand = out["demand_mean"] * out["lead_time_days"] / 7
    assert (out["reorder_point"] >= lead_time_demand - 1e-9).all()
    fill = out["expected_fill_rate"].to_numpy()
    assert ((fill >= 0) & (fill <= 1)).all()
    csl = out["expected_csl"].to_numpy()
    assert ((csl >= 0) & (csl <= 1)).all()
    for target, row in zip((t1, t2), out.itertuples(), strict=True):
        if kind == "fill_rate" and row.safety_stock > 0:
            assert row.expected_fill_rate == pytest.approx(target, abs=1e-6)
        if kind == "fill_rate" and row.safety_stock == 0:
            assert row.expected_fill_rate >= target - 1e-9  # met without safety stock
        if kind == "csl" and row.safety_stock > 0:
            assert row.expected_csl == pytest.approx(target, abs=1e-9)


# --- the policy table ------------------------------------------------------------------------


def test_builtin_cell_targets_apply_without_a_policy_section() -> None:
    expected = {
        "AX": 0.98,
        "AY": 0.97,
        "AZ": 0.95,
        "BX": 0.96,
        "BY": 0.95,
        "BZ": 0.92,
        "CX": 0.92,
        "CY": 0.90,
        "CZ": 0.85,
    }
    assert expected == BUILTIN_CELL_TARGETS
    table = rules_from_dict({"abc": {"a": 0.8}}).policy
    for cell, target in expected.items():
        assert table.for_segment(cell).service_target == target
    # A segment not in the table (no demand: N) gets the default.
    assert table.for_segment("CN") == SegmentPolicy()


def test_policy_table_round_trips_through_a_dict() -> None:
    for table in (
        PolicyTable(),
        PolicyTable.from_dict(
            {
                "default": {"service_type": "fill_rate", "service_target": 0.97, "network": "EU"},
                "AX": {"service_target": 0.99, "review_period_days": 7.0},
                "CZ": {"strategy": "MTO"},
            }
        ),
    ):
        assert PolicyTable.from_dict(table.to_dict()) == table


def test_a_segment_takes_its_missing_keys_from_the_default() -> None:
    table = PolicyTable.from_dict(
        {
            "default": {"service_type": "fill_rate", "service_target": 0.97, "holding_rate": 0.2},
            "AX": {"service_target": 0.99},
        }
    )
    ax = table.for_segment("AX")
    assert ax.service_target == 0.99
    assert ax.service_type == "fill_rate" and ax.holding_rate == 0.2
    assert ax.order_cost == SegmentPolicy().order_cost  # nor in the default: the dataclass's
    assert table.for_segment("BY").service_target == 0.97
    assert [c for c, _ in table.segments] == ["AX"]


@pytest.mark.parametrize(
    "body, where, key",
    [
        ({"AX": {"servise_target": 0.9}}, '[policy."AX"]', "servise_target"),
        ({"default": {"colour": "red"}}, "[policy.default]", "colour"),
        ({"AX": {"service_target": 1.2}}, '[policy."AX"]', "service_target"),
        ({"AX": {"service_target": 0.0}}, '[policy."AX"]', "service_target"),
        ({"BZ": {"holding_rate": 0.0}}, '[policy."BZ"]', "holding_rate"),
        ({"BZ": {"order_cost": -5.0}}, '[policy."BZ"]', "order_cost"),
        ({"CZ": {"strategy": "JIT"}}, '[policy."CZ"]', "strategy"),
        ({"CZ": {"service_type": "otif"}}, '[policy."CZ"]', "service_type"),
        ({"CZ": {"order_rule": "lot4lot"}}, '[policy."CZ"]', "order_rule"),
        ({"CZ": {"demand_model": "poisson"}}, '[policy."CZ"]', "demand_model"),
        ({"CZ": {"periods_of_supply_weeks": 0.0}}, '[policy."CZ"]', "periods_of_supply_weeks"),
        ({"CZ": {"review_period_days": 5000.0}}, '[policy."CZ"]', "review_period_days"),
        ({"default": {"service_target": 1.5}}, "[policy.default]", "service_target"),
        ({"AX": {"service_target": "high"}}, '[policy."AX"]', "service_target"),
        ({"AX": {"order_cost": True}}, '[policy."AX"]', "order_cost"),
        ({"AX": {"strategy": 3}}, '[policy."AX"]', "strategy"),
    ],
)
def test_bad_policy_values_name_the_segment_and_the_key(body: dict, where: str, key: str) -> None:
    with pytest.raises(PolicyError) as info:
        PolicyTable.from_dict(body, "R.toml")
    message = str(info.value)
    assert message.startswith("R.toml: ")
    assert where in message and key in message


def test_policy_section_must_hold_tables() -> None:
    with pytest.raises(PolicyError, match="holds tables"):
        PolicyTable.from_dict({"service_target": 0.9})


def test_policy_table_round_trips_through_its_frame() -> None:
    table = (
        PolicyTable()
        .with_segment("default", SegmentPolicy(service_target=0.93))
        .with_segment(
            "AX", SegmentPolicy(service_type="fill_rate", service_target=0.995, network="=cmd")
        )
    )
    frame = table.frame()
    assert frame["segment"].iloc[0] == "default"
    assert list(frame["segment"].iloc[1:]) == [c for c, _ in table.segments]
    assert PolicyTable.from_frame(frame) == table
    assert PolicyTable.from_frame(frame, keep=table) == table


def test_from_frame_changes_only_the_edited_segments() -> None:
    table = PolicyTable()
    edited = table.frame(["AX"])
    edited.loc[edited["segment"] == "AX", "service_target"] = 0.999
    new = PolicyTable.from_frame(edited, keep=table)
    assert new.for_segment("AX").service_target == 0.999
    assert new.for_segment("CZ") == table.for_segment("CZ")
    assert new.default == table.default


def test_from_frame_refuses_a_bad_value() -> None:
    edited = PolicyTable().frame(["AX"])
    edited.loc[edited["segment"] == "AX", "service_target"] = 1.5
    with pytest.raises(PolicyError, match="service_target"):
        PolicyTable.from_frame(edited)


# --- the ERP table ---------------------------------------------------------------------------


def _policies() -> pd.DataFrame:
    df = features(
        sku=["S1", "S2", "S3"],
        demand_mean=[100.0, 5.0, 40.0],
        demand_std=[30.0, 9.0, 4.0],
        pattern=["smooth", "lumpy", "smooth"],
    )
    return compute_policies(df, np.array(["AX", "CZ", "BX"], dtype=object), PolicyTable())


def test_erp_table_puts_the_erp_columns_first() -> None:
    pol = _policies()
    assert list(erp_table(pol).columns) == ERP_COLUMNS
    full = erp_table(pol, full=True)
    assert list(full.columns[: len(ERP_COLUMNS)]) == ERP_COLUMNS
    assert set(full.columns) == set(POLICY_COLUMNS)
    assert (full["safety_stock"] - pol["safety_stock"]).abs().max() <= 5e-5  # 4 decimals


def test_whole_units_round_stock_levels_up() -> None:
    pol = _policies().iloc[:1].copy()
    for col, value, rounded in (
        ("safety_stock", 10.2, 11),
        ("reorder_point", 10.0, 10),
        ("order_quantity", 10.0000000001, 10),
        ("order_up_to", 0.5, 1),
    ):
        pol[col] = value
        out = erp_table(pol, whole_units=True)
        assert out[col].iloc[0] == rounded, col
        assert pd.api.types.is_integer_dtype(out[col])


def test_whole_units_never_round_below_the_computed_level() -> None:
    pol = _policies()
    out = erp_table(pol, whole_units=True)
    for col in ("safety_stock", "reorder_point", "order_quantity", "order_up_to"):
        assert (out[col] >= pol[col] - 1e-6).all()
        assert (out[col] < pol[col] + 1).all()


# --- shared inputs -----------------------------------------------------------------------------


def test_read_only_policies_share_the_inputs_which_refuse_writes() -> None:
    """The per-SKU inputs are views that refuse writes: read-only policies (the app's shared
    ones) take their columns as they are (no second copy of a million SKUs), and a write into
    either fails loudly instead of changing the inputs every later policy reads. The same
    figures as policies with columns of their own."""
    from segstudio.policy.sku import SkuInputs, policies_from_inputs

    df = features(sku=["S1", "S2"], demand_mean=[100.0, 50.0])
    x = SkuInputs.from_features(df)
    before = x.demand_mean.copy()
    segments = np.array(["S", "S"], dtype=object)
    pol = policies_from_inputs(x, segments, PolicyTable(), read_only=True)
    assert np.shares_memory(pol["demand_mean"].to_numpy(), x.demand_mean)
    with pytest.raises(ValueError):
        x.demand_mean[0] = 1.0
    with pytest.raises(ValueError):
        pol["demand_mean"].to_numpy()[0] = 1.0
    np.testing.assert_array_equal(x.demand_mean, before)
    pd.testing.assert_frame_equal(
        pol, compute_policies(df, np.array(["S", "S"], dtype=object), PolicyTable())
    )


def test_inputs_built_from_a_callers_arrays_leave_those_arrays_writable() -> None:
    from segstudio.policy.sku import SkuInputs

    x = SkuInputs.from_features(features())
    mine = np.array([3.0])
    y = replace(x, demand_mean=mine)
    mine[0] = 4.0  # the caller's own array is still its own to change
    assert y.demand_mean[0] == 4.0 and not y.demand_mean.flags.writeable


def test_the_policies_of_stored_service_levels_need_no_scipy() -> None:
    """A load stores the official policy's service levels: the policies made from them, and
    the modules of the Policy page, use the closed forms only, so a first view does not wait
    for scipy to import (a third of a second)."""
    import subprocess
    import sys

    code = """
import sys
import numpy as np, pandas as pd
import segstudio.perform.io, segstudio.policy.planning, segstudio.policy.tradeoff
import segstudio.policy.erp
from segstudio.config.policy_table import PolicyTable
from segstudio.policy.sku import SkuInputs, policies_from_inputs
df = pd.DataFrame({"sku": ["S1"], "quantity": [5200.0], "revenue": [31200.0],
    "unit_cost": [4.0], "demand_mean": [100.0], "demand_std": [30.0], "pattern": ["smooth"],
    "lead_time_mean_days": [14.0], "lead_time_std_days": [3.5], "lead_time_source": ["sku"]})
x = SkuInputs.from_features(df)
known = (np.array([50.0]), np.array([0.99]), np.array([0.95]))
pol = policies_from_inputs(x, np.array(["S"], dtype=object), PolicyTable(), known)
assert pol["safety_stock"].iloc[0] == 50.0
print(sorted(m for m in sys.modules if m == "scipy" or m.startswith("scipy.")))
"""
    import os

    import segstudio

    src = str(Path(segstudio.__file__).resolve().parents[1])  # this checkout's package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
