"""The policy pages' maths beyond the per-SKU policy: the month-by-month (seasonal) safety stock,
customer priorities for shortage allocation, and the replay of each SKU's policy over its own
and bootstrapped demand. Pure: its inputs are read by :mod:`segstudio.policy.inputs`, so no
workspace connection is open while it computes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from segstudio.common.numeric import safe_divide
from segstudio.common.pareto import share_before
from segstudio.config.policy_table import PolicyTable
from segstudio.features.build import Window
from segstudio.policy import simulation as sim
from segstudio.policy.inputs import MonthDemand, SimulationInputs
from segstudio.policy.sku import SkuInputs, levels, protection, resolve, targets

__all__ = [
    "CUSTOMER_CLASS_SHARES",
    "KEY_ACCOUNT_SHARE",
    "MAX_SIMULATED_SKUS",
    "MONTHS",
    "SimulationRun",
    "customer_priorities",
    "run_simulation",
    "seasonal_profile",
    "seasonal_table",
    "simulated_rows",
    "skus_by_revenue",
    "with_priorities",
]

KEY_ACCOUNT_SHARE = 0.5  # key accounts: the largest customers making this share of revenue
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CUSTOMER_CLASS_SHARES = (0.8, 0.95)  # customer priority 1, 2, 3 by cumulative revenue share


def seasonal_profile(
    demand: MonthDemand, x: SkuInputs, segments: np.ndarray, table: PolicyTable, window: Window
) -> pd.DataFrame:
    """Month-by-month safety stock per segment: for each calendar month, the SKU's demand mean
    and standard deviation over that month's periods of the window (zeros included) replace the
    whole-window figures, and the segment's policy sets the safety stock. Long table: segment,
    month (1-12) and month_name, safety_stock_value, demand_mean (per period, summed over the
    segment's SKUs) and skus; and the flat (non-seasonal) figure per segment as month 0."""
    n = len(x)
    s1, s2, first = demand.s1, demand.s2, demand.first
    # periods of each calendar month in each SKU's active part of the window
    starts = window.period_starts()
    months = np.array([d.month for d in starts]) - 1
    active = np.arange(len(starts))[None, :] >= first[:, None]
    counts = np.zeros((n, 12))
    for k in range(12):
        counts[:, k] = (active & (months == k)[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, s1 / counts, 0.0)
        var = np.where(counts > 1, (s2 - counts * mean**2) / (counts - 1), 0.0)
    std = np.sqrt(np.maximum(var, 0.0))

    r = resolve(table, segments)
    labels, seg_idx = np.unique(np.asarray(segments, dtype=object).astype(str), return_inverse=True)
    cost = np.nan_to_num(x.unit_cost)
    frames = []
    for month in range(13):  # 0: the whole window, as today's policy
        xm = (
            x
            if month == 0
            else replace(x, demand_mean=mean[:, month - 1], demand_std=std[:, month - 1])
        )
        pr = protection(xm, r)
        kind, target, _ = targets(xm, r, pr)
        ss, _, _ = levels(pr, kind, target)
        frames.append(
            pd.DataFrame(
                {
                    "segment": labels,
                    "month": month,
                    "month_name": MONTHS[month - 1] if month else "year-round",
                    "safety_stock_value": np.bincount(
                        seg_idx, weights=ss * cost, minlength=len(labels)
                    ),
                    "demand_mean": np.bincount(
                        seg_idx, weights=xm.demand_mean, minlength=len(labels)
                    ),
                    "skus": np.bincount(seg_idx, minlength=len(labels)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def customer_priorities(revenue: pd.DataFrame) -> pd.DataFrame:
    """Every customer's revenue (:func:`segstudio.policy.inputs.customer_revenue`), priority
    class (1: the customers making the first 80% of revenue, 2: up to 95%, 3: the rest, as
    ABC) and key-account flag (the largest customers making :data:`KEY_ACCOUNT_SHARE` of
    revenue)."""
    df = revenue
    if df.empty:
        return df.assign(priority=pd.Series(dtype="int64"), key_account=pd.Series(dtype=bool))
    df = df.sort_values(
        ["customer_revenue", "customer"], ascending=[False, True], ignore_index=True
    )
    before, _ = share_before(
        df["customer_revenue"].to_numpy(dtype=float, na_value=np.nan), df["customer"].to_numpy()
    )  # NaN (priority 3) where revenue <= 0
    if np.isnan(before).all():
        # No customer has positive revenue, so none ranks above another: all stay in the first
        # class and are key accounts, as this function has always ranked them (share_before
        # leaves them all NaN, which would read as priority 3).
        before = np.zeros(len(df))
    a, b = CUSTOMER_CLASS_SHARES
    df["priority"] = np.where(before < a, 1, np.where(before < b, 2, 3))
    df["key_account"] = before < KEY_ACCOUNT_SHARE
    return df


def skus_by_revenue(sku: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """The SKUs, most revenue first (NaN last), in the order a policy table sorted on its
    revenue column gives them (``sort_values("revenue", ascending=False)``, ties alike), by
    sorting the revenue alone rather than every column."""
    order = pd.Series(np.asarray(revenue, dtype=float)).sort_values(ascending=False).index
    return np.asarray(sku, dtype=object)[order.to_numpy()]


def with_priorities(orders: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """An SKU's order lines (:func:`segstudio.policy.inputs.order_lines`) with each customer's
    priority and key-account flag (customers without revenue: priority 3, not key)."""
    df = orders
    info = customers.set_index("customer")[["priority", "key_account"]] if len(customers) else None
    if info is None or df.empty:
        return df.assign(priority=3, key_account=False)
    joined = df.join(info, on="customer")
    joined["priority"] = joined["priority"].fillna(3).astype("int64")
    joined["key_account"] = joined["key_account"].fillna(False).astype(bool)
    return joined


# --- simulation -----------------------------------------------------------------------------

MAX_SIMULATED_SKUS = 10_000  # a larger portfolio is simulated on a seeded sample of its SKUs
_SIM_PER_SKU = [
    "demand_total",
    "served_from_stock",
    "cycles",
    "cycles_with_stockout",
    "average_inventory",
    "stockout_weeks",
]


@dataclass(frozen=True)
class SimulationRun:
    """Per SKU and per segment, planned against simulated service on the SKU's own history
    (``history_*``) and on bootstrapped demand paths (``bootstrap_*``, pooled over paths)."""

    per_sku: pd.DataFrame
    history: pd.DataFrame  # per segment (simulation.summarise)
    bootstrap: pd.DataFrame | None
    periods: int
    paths: int
    sampled: bool  # True when the portfolio was larger than MAX_SIMULATED_SKUS


def simulated_rows(
    policies: pd.DataFrame, seed: int = 0, max_skus: int = MAX_SIMULATED_SKUS
) -> tuple[np.ndarray, bool]:
    """The rows of the stocked SKUs to simulate (a seeded sample of ``max_skus`` of them in a
    larger portfolio), and whether they are a sample."""
    stocked = np.flatnonzero((policies["demand_model"] != "none").to_numpy())
    sampled = len(stocked) > max_skus
    if sampled:
        rng = np.random.default_rng([seed, 1])
        stocked = np.sort(rng.choice(stocked, size=max_skus, replace=False))
    return stocked, sampled


def run_simulation(
    inputs: SimulationInputs,
    paths: int = 20,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
) -> SimulationRun:
    """Replay each simulated SKU's policy over its demand in the window and over ``paths``
    bootstrapped paths of it, lead times drawn from its receipts (its own, else its main
    supplier's, else the policy's fallback). Pure: the inputs were read beforehand
    (:func:`segstudio.policy.inputs.simulation_inputs`)."""
    rng = np.random.default_rng(seed)
    pol, demand, lead = inputs.policies, inputs.demand, inputs.lead
    period_days = inputs.period_days

    def report(share: float, message: str) -> None:
        if progress is not None:
            progress(share, message)

    rop = pol["reorder_point"].to_numpy(float)
    q_units = pol["order_quantity"].to_numpy(float)
    s_level = pol["order_up_to"].to_numpy(float)
    review_days = pol["review_period_days"].to_numpy(float)
    review = np.where(review_days > 0, np.maximum(np.rint(review_days / period_days), 1), 0)
    review = review.astype(np.int64)
    share_history = 1.0 / (1 + paths)

    def part(start: float, width: float, label: str) -> Callable[[float, str], None]:
        return lambda f, _m: report(start + width * f, label)

    hist = sim.simulate(
        demand,
        rop,
        q_units,
        s_level,
        review,
        lead,
        rng=rng,
        progress=part(0.05, 0.95 * share_history, "Replaying the history..."),
    )
    base = pol[["sku", "segment", "service_type", "service_target", "unit_cost"]].assign(
        planned_fill_rate=pol["expected_fill_rate"], planned_csl=pol["expected_csl"]
    )
    per_hist = base.assign(**{c: getattr(hist, c) for c in _SIM_PER_SKU})
    per_sku = base.assign(
        history_fill_rate=hist.fill_rate,
        history_csl=hist.cycle_service_level,
        history_average_inventory=hist.average_inventory,
        history_stockout_weeks=hist.stockout_weeks,
    )
    boot_summary = None
    if paths > 0:
        boot_demand = sim.bootstrap_paths(demand, paths, rng)
        res = sim.simulate(
            boot_demand,
            sim.repeat_rows(rop, paths),
            sim.repeat_rows(q_units, paths),
            sim.repeat_rows(s_level, paths),
            sim.repeat_rows(review, paths),
            sim.repeat_rows(lead, paths),
            rng=rng,
            progress=part(
                0.05 + 0.95 * share_history,
                0.95 * (1 - share_history),
                f"Simulating {paths} bootstrapped paths per SKU...",
            ),
        )
        n = len(pol)

        def pooled(values: np.ndarray, how: str) -> np.ndarray:
            v = np.asarray(values, dtype=float).reshape(n, paths)
            return v.sum(axis=1) if how == "sum" else np.nanmean(v, axis=1)

        per_boot = base.assign(
            demand_total=pooled(res.demand_total, "sum"),
            served_from_stock=pooled(res.served_from_stock, "sum"),
            cycles=pooled(res.cycles, "sum"),
            cycles_with_stockout=pooled(res.cycles_with_stockout, "sum"),
            average_inventory=pooled(res.average_inventory, "mean"),
            stockout_weeks=pooled(res.stockout_weeks, "mean"),
        )
        # served <= demand and stockout cycles <= cycles: a zero denominator has a zero
        # numerator, so NaN there is what 0 / 0 gave before
        per_sku["bootstrap_fill_rate"] = safe_divide(
            per_boot["served_from_stock"], per_boot["demand_total"]
        )
        per_sku["bootstrap_csl"] = 1 - safe_divide(
            per_boot["cycles_with_stockout"], per_boot["cycles"]
        )
        per_sku["bootstrap_average_inventory"] = per_boot["average_inventory"]
        per_sku["bootstrap_stockout_weeks"] = per_boot["stockout_weeks"]
        boot_summary = sim.summarise(per_boot)
    report(1.0, "Done")
    return SimulationRun(
        per_sku, sim.summarise(per_hist), boot_summary, inputs.periods, paths, inputs.sampled
    )


def seasonal_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The profile as one row per segment: the flat (year-round) safety stock value, one column
    per month, and the peak month's value against the flat one."""
    wide = profile.pivot(index="segment", columns="month", values="safety_stock_value")
    out = pd.DataFrame({"segment": wide.index, "year_round": wide[0].to_numpy()})
    for m, name in enumerate(MONTHS, start=1):
        out[name] = wide[m].to_numpy()
    months = wide[list(range(1, 13))]
    out["peak_month"] = [MONTHS[int(i) - 1] for i in months.idxmax(axis=1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["peak_vs_year_round"] = months.max(axis=1).to_numpy() / wide[0].to_numpy()
    return out.reset_index(drop=True)
