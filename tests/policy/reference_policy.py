"""The per-SKU policy and its summaries as first written (plain pandas, object columns): the
reference the vectorised versions in :mod:`segstudio.policy.sku` and
:mod:`segstudio.policy.tradeoff` are tested against."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from scipy import special

from segstudio.common.numeric import safe_divide
from segstudio.common.periods import WEEK_DAYS, YEAR_DAYS
from segstudio.config.policy_table import STOCKED, PolicyTable
from segstudio.policy.formulas import (
    critical_ratio,
    csl_for_safety_factor,
    eoq,
    expected_fill_rate,
    fill_rate_safety_factor,
    gamma_fill_level,
    gamma_loss,
    lead_time_demand_std,
    safety_factor_for_csl,
)
from segstudio.policy.sku import MAX_SERVICE, Protection, Resolved, SkuInputs
from segstudio.policy.tradeoff import PORTFOLIO


def resolve(table: PolicyTable, segments: np.ndarray) -> Resolved:
    labels, inverse = np.unique(np.asarray(segments, dtype=object).astype(str), return_inverse=True)
    return Resolved(
        np.asarray(segments, dtype=object),
        inverse.astype(np.int32),
        [table.for_segment(code) for code in labels],
    )


def protection(x: SkuInputs, r: Resolved) -> Protection:
    # demand_source "forecast": the forecast's mean and error where the SKU has them
    assert x.forecast_mean is not None and x.forecast_std is not None
    use = (
        (r.param("demand_source") == "forecast")
        & np.isfinite(x.forecast_mean)
        & np.isfinite(x.forecast_std)
    )
    d = np.where(use, np.maximum(x.forecast_mean, 0.0), x.demand_mean)
    sd = np.where(use, np.maximum(x.forecast_std, 0.0), x.demand_std)
    fallback = np.isnan(x.lead_time_days)
    lt_days = np.where(fallback, r.param("fallback_lead_time_days"), x.lead_time_days)
    lt_std_days = np.where(fallback | np.isnan(x.lead_time_std_days), 0.0, x.lead_time_std_days)
    source = np.where(fallback, "fallback", x.lead_time_source).astype(object)
    lead = lt_days / x.period_days
    review = r.param("review_period_days") / x.period_days
    periods = lead + review
    std = cast(np.ndarray, lead_time_demand_std(d, sd, periods, lt_std_days / x.period_days))
    mean = d * periods

    periods_per_year = YEAR_DAYS / x.period_days
    holding = r.param("holding_rate") * x.unit_cost
    order_cost = r.param("order_cost")
    q_eoq, _ = eoq(d * periods_per_year, order_cost, holding)  # NaN where an input <= 0
    # An order cost of 0 (allowed by the policy table) is outside the EOQ's domain; the policy
    # has always taken its limit, Q = 0 (so a continuous-review SKU has no cycle and is not
    # stocked), where the holding cost is known.
    q_eoq = np.where((order_cost == 0) & (holding > 0), 0.0, q_eoq)
    q_eoq = np.where(np.isfinite(q_eoq), q_eoq, np.nan)
    q_periods = d * r.param("periods_of_supply_weeks") * (WEEK_DAYS / x.period_days)
    rule = r.param("order_rule")
    q = np.where(rule == "periods", q_periods, q_eoq)
    q = np.where(np.isnan(q), q_periods, q)  # no cost known: periods of supply
    cycle = np.where(review > 0, d * review, q)

    strategy = r.param("strategy")
    stocked = np.isin(strategy, STOCKED) & (d > 0) & (cycle > 0)
    model = r.param("demand_model")
    gamma = stocked & (std > 0) & ((model == "gamma") | ((model == "auto") & x.non_normal))
    return Protection(
        stocked,
        gamma,
        periods,
        lead,
        review,
        mean,
        std,
        q,
        cycle,
        lt_days,
        lt_std_days,
        source,
        x.unit_cost,
        d,
        sd,
        np.where(use, "forecast", "history").astype(object),
    )


def cost_based_csl(x: SkuInputs, r: Resolved, pr: Protection) -> np.ndarray:
    """CSL* = p / (p + h), the newsvendor critical ratio (:func:`critical_ratio`): p =
    stockout_cost x unit price per unit short, h the holding cost per unit over one cycle (the
    review period, else Q / annual demand) (methods.md). Kept between 0.5 and MAX_SERVICE; 0.5
    where it is undefined (no price, or no cost known)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cycle_years = (
            np.where(pr.review_periods > 0, pr.review_periods, pr.order_quantity / pr.demand_mean)
            * x.period_days
            / YEAR_DAYS
        )
        h = r.param("holding_rate") * x.unit_cost * cycle_years
    p = r.param("stockout_cost") * x.unit_price
    ratio = critical_ratio(p, h)
    return np.clip(np.where(np.isfinite(ratio), ratio, 0.5), 0.5, MAX_SERVICE)


def targets(
    x: SkuInputs,
    r: Resolved,
    pr: Protection,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(service type, target, set from cost) per SKU: cost-based targets become CSL targets."""
    kind = r.param("service_type")
    target = r.param("service_target")
    from_cost = kind == "cost"
    if from_cost.any():
        target = np.where(from_cost, cost_based_csl(x, r, pr), target)
    return np.where(from_cost, "csl", kind), target, from_cost


def levels(
    pr: Protection,
    service_type: np.ndarray,
    target: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(safety stock, expected fill rate, expected CSL) for each SKU's target of its kind."""
    n = len(target)
    ss = np.zeros(n)
    fill = np.full(n, np.nan)
    csl = np.full(n, np.nan)
    target = np.clip(target, 1e-6, MAX_SERVICE)
    fill_kind = service_type == "fill_rate"

    nm = pr.stocked & ~pr.gamma
    if nm.any():
        s, q = pr.std[nm], pr.cycle_units[nm]
        k = np.maximum(safety_factor_for_csl(target[nm]), 0.0)
        by_fill = fill_kind[nm] & (s > 0)
        if by_fill.any():
            k[by_fill] = fill_rate_safety_factor(target[nm][by_fill], q[by_fill], s[by_fill])
        k = np.where(s > 0, k, 0.0)
        ss[nm] = k * s
        fill[nm] = np.where(s > 0, expected_fill_rate(s, k, q), 1.0)  # s = 0: certain demand
        csl[nm] = np.where(s > 0, csl_for_safety_factor(k), 1.0)

    gm = pr.gamma
    if gm.any():
        mu, s, q = pr.mean[gm], pr.std[gm], pr.cycle_units[gm]
        shape, scale = np.square(mu / s), np.square(s) / mu
        t = target[gm]
        by_fill = fill_kind[gm]
        y = np.empty_like(shape)
        if (~by_fill).any():
            y[~by_fill] = np.maximum(
                special.gammaincinv(shape[~by_fill], t[~by_fill]), shape[~by_fill]
            )
        if by_fill.any():
            y[by_fill] = gamma_fill_level(
                shape[by_fill], (1 - t[by_fill]) * q[by_fill] / scale[by_fill]
            )
        ss[gm] = (y - shape) * scale
        fill[gm] = 1 - scale * gamma_loss(shape, y) / q
        csl[gm] = special.gammainc(shape, y)
    return ss, np.clip(fill, 0.0, 1.0), csl


def policies_from_inputs(x: SkuInputs, segments: np.ndarray, table: PolicyTable) -> pd.DataFrame:
    r = resolve(table, segments)
    pr = protection(x, r)
    service_type, target, from_cost = targets(x, r, pr)
    ss, fill, csl = levels(pr, service_type, target)

    stocked = pr.stocked
    d = pr.demand_mean
    rop = np.where(stocked, d * pr.lead_periods + ss, 0.0)
    s_level = np.where(pr.review_periods > 0, pr.mean + ss, rop + pr.order_quantity)
    s_level = np.where(stocked, s_level, 0.0)
    q = np.where(stocked, pr.order_quantity, 0.0)
    cycle_value = np.where(stocked, pr.cycle_units / 2 * x.unit_cost, 0.0)
    ss_value = ss * x.unit_cost
    model = np.where(pr.gamma, "gamma", np.where(stocked, "normal", "none"))
    return pd.DataFrame(
        {
            "sku": x.sku,
            "segment": r.segment,
            "strategy": r.param("strategy"),
            "demand_model": model,
            "service_type": service_type,
            "service_target": target,
            "target_source": np.where(from_cost, "cost", "policy"),
            "review_period_days": r.param("review_period_days"),
            "order_rule": r.param("order_rule"),
            "demand_mean": d,
            "demand_std": pr.demand_std,
            "demand_source": pr.demand_source,
            "lead_time_days": pr.lead_time_days,
            "lead_time_std_days": pr.lead_time_std_days,
            "lead_time_source": pr.lead_time_source,
            "protection_periods": pr.periods,
            "lead_time_demand_mean": pr.mean,
            "lead_time_demand_std": pr.std,
            "safety_stock": ss,
            "reorder_point": rop,
            "order_quantity": q,
            "order_up_to": s_level,
            "expected_fill_rate": np.where(stocked, fill, np.nan),
            "expected_csl": np.where(stocked, csl, np.nan),
            "unit_cost": x.unit_cost,
            "valued_at": x.valued_at,
            "unit_price": x.unit_price,
            "safety_stock_value": ss_value,
            "cycle_stock_value": cycle_value,
            "inventory_value": ss_value + cycle_value,
            "revenue": x.revenue,
            "network": r.param("network"),
            "transport_mode": r.param("transport_mode"),
            "supplier_tier": r.param("supplier_tier"),
        }
    )


def segment_summary(policies: pd.DataFrame) -> pd.DataFrame:
    """Per segment: SKUs, revenue, planned inventory and the demand-weighted expected service."""
    df = policies.assign(
        _w=policies["demand_mean"].where(policies["demand_model"] != "none", 0.0),
    )
    df["_wf"] = df["_w"] * df["expected_fill_rate"].fillna(0)
    df["_wc"] = df["_w"] * df["expected_csl"].fillna(0)
    g = df.groupby("segment", sort=True)
    out = g.agg(
        skus=("sku", "size"),
        revenue=("revenue", "sum"),
        service_type=("service_type", lambda s: s.mode().iat[0]),
        service_target=("service_target", "mean"),
        safety_stock_value=("safety_stock_value", "sum"),
        cycle_stock_value=("cycle_stock_value", "sum"),
        inventory_value=("inventory_value", "sum"),
        _w=("_w", "sum"),
        _wf=("_wf", "sum"),
        _wc=("_wc", "sum"),
    )
    out["expected_fill_rate"] = safe_divide(out["_wf"], out["_w"])
    out["expected_csl"] = safe_divide(out["_wc"], out["_w"])
    return out.drop(columns=["_w", "_wf", "_wc"]).reset_index()


def today_points(policies: pd.DataFrame) -> pd.DataFrame:
    """Where today's policy sits on the curves: per segment and for the portfolio, inventory
    value and the demand-weighted expected CSL and fill rate of the stocked SKUs."""
    stocked = policies[policies["demand_model"] != "none"]
    if stocked.empty:
        return pd.DataFrame(
            columns=[
                "segment",
                "inventory_value",
                "csl",
                "fill_rate",
                "service_type",
                "service_target",
                "revenue",
            ]
        )
    per = segment_summary(stocked)
    w = stocked["demand_mean"]
    total = pd.DataFrame(
        [
            {
                "segment": PORTFOLIO,
                "inventory_value": per["inventory_value"].sum(),
                "expected_csl": float((w * stocked["expected_csl"]).sum() / w.sum()),
                "expected_fill_rate": float((w * stocked["expected_fill_rate"]).sum() / w.sum()),
                "service_type": stocked["service_type"].mode().iat[0],
                "service_target": float(stocked["service_target"].mean()),
                "revenue": per["revenue"].sum(),
            }
        ]
    )
    out = pd.concat([per, total], ignore_index=True)
    return out.rename(columns={"expected_csl": "csl", "expected_fill_rate": "fill_rate"})[
        [
            "segment",
            "inventory_value",
            "csl",
            "fill_rate",
            "service_type",
            "service_target",
            "revenue",
        ]
    ]


def value_unmeasured(policies: pd.DataFrame) -> str:
    """Why the stock's value cannot be told ("" when it can): no stocked SKU (no SKU, when none
    is stocked) has a unit value, its cost or else its price."""
    stocked = policies[policies["demand_model"] != "none"]
    if stocked.empty:
        stocked = policies
    if (pd.to_numeric(stocked["unit_cost"], errors="coerce").fillna(0) > 0).any():
        return ""
    return (
        "cannot be measured: no SKU has a unit_cost (nor a unit_price to fall back on); map "
        "unit_cost in the sales, inventory or products file to value the stock"
    )


def summary_as_measured(policies: pd.DataFrame) -> pd.DataFrame:
    """:func:`segment_summary` with what the data cannot tell as NaN, not 0: the stock values
    without any unit cost, the revenue without any price."""
    out = segment_summary(policies)
    if value_unmeasured(policies):
        out[["safety_stock_value", "cycle_stock_value", "inventory_value"]] = np.nan
    if not (pd.to_numeric(policies["revenue"], errors="coerce").fillna(0) > 0).any():
        out["revenue"] = np.nan
    return out


def mix_unmeasured(policies: pd.DataFrame) -> str:
    """Why the best mix cannot be computed ("" when it can): it trades inventory value against
    the revenue-weighted fill rate, so it needs costs and prices."""
    if why := value_unmeasured(policies):
        return why
    stocked = policies[policies["demand_model"] != "none"]
    if (pd.to_numeric(stocked["revenue"], errors="coerce").fillna(0) > 0).any():
        return ""
    return (
        "cannot be measured: no SKU has revenue, and the best mix weights the segments by "
        "revenue; map revenue or unit_price in the sales file"
    )
