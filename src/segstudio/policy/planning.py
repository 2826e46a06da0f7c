"""What the policy pages read from the workspace beyond the feature table: each SKU's demand per
period (for the simulation), its lead-time samples (its own receipts, else its main supplier's),
month-of-year demand (for seasonal safety stock) and its recent order lines (for shortage
allocation). SQL lives in :mod:`queries`; this module shapes the results into arrays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from segstudio.common.periods import MONTH_DAYS, WEEK_DAYS
from segstudio.config.policy_table import PolicyTable
from segstudio.features.build import Window
from segstudio.policy import sql as q
from segstudio.policy.sku import SkuInputs, levels, protection, resolve, targets

__all__ = [
    "KEY_ACCOUNT_SHARE",
    "MAX_LEAD_TIME_SAMPLES",
    "MAX_SIMULATED_SKUS",
    "SimulationRun",
    "customer_priorities",
    "lead_time_samples",
    "order_lines",
    "period_demand",
    "run_simulation",
    "seasonal_profile",
]

MAX_LEAD_TIME_SAMPLES = 64  # per SKU: an even subset of longer receipt histories
KEY_ACCOUNT_SHARE = 0.5  # key accounts: the largest customers making this share of revenue
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CUSTOMER_CLASS_SHARES = (0.8, 0.95)  # customer priority 1, 2, 3 by cumulative revenue share


def _register(con: duckdb.DuckDBPyConnection, skus: np.ndarray) -> None:
    con.register("__policy_skus", pd.DataFrame({"sku": pd.Series(skus, dtype=object)}))


def _period_days(window: Window) -> float:
    return WEEK_DAYS if window.period == "week" else MONTH_DAYS


def _first_index(con: duckdb.DuckDBPyConnection, skus: np.ndarray, window: Window) -> np.ndarray:
    """Each SKU's first active period in the window: that of its first sale (0 when it sold
    before the window or never)."""
    first = con.execute(q.FIRST_SALES).fetch_arrow_table().to_pandas(date_as_object=False)
    d = pd.Series(pd.to_datetime(first["first_sale"]).to_numpy(), index=first["sku"]) \
        .reindex(pd.Index(skus, dtype=object))
    start = pd.Timestamp(window.start)
    if window.period == "week":
        idx = (d - start).dt.days // 7
    else:
        idx = (d.dt.year - start.year) * 12 + d.dt.month - start.month
    idx = idx.where(d > start, 0).fillna(0)
    return np.minimum(idx.to_numpy(np.int64), window.periods)


def period_demand(con: duckdb.DuckDBPyConnection, skus: np.ndarray, window: Window) -> np.ndarray:
    """(SKUs, periods) demand over the window, in ``skus`` order; NaN before an SKU's first sale
    (its active periods start there, as in methods.md)."""
    skus = np.asarray(skus, dtype=object)
    _register(con, skus)
    try:
        df = con.execute(q.period_demand_sql(window.period),
                         {"win_start": window.start, "win_end": window.end}).fetchnumpy()
        first = _first_index(con, skus, window)
    finally:
        con.unregister("__policy_skus")
    row_of = pd.Index(skus).get_indexer(df["sku"])
    out = np.zeros((len(skus), window.periods))
    ok = (row_of >= 0) & (df["pidx"] >= 0) & (df["pidx"] < window.periods)
    out[row_of[ok], df["pidx"][ok]] = df["demand"][ok]
    out[np.arange(window.periods)[None, :] < first[:, None]] = np.nan
    return out


def lead_time_samples(con: duckdb.DuckDBPyConnection, skus: np.ndarray,
                      main_supplier: np.ndarray, fallback_days: np.ndarray, period_days: float,
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(SKUs, samples) lead times in periods, NaN-padded, and where they came from: the SKU's
    own receipts (at least 3), else its main supplier's, else the policy's fallback lead time
    (one sample). Longer histories keep an even subset of :data:`MAX_LEAD_TIME_SAMPLES`."""
    skus = np.asarray(skus, dtype=object)
    _register(con, skus)
    try:
        rows = con.execute(q.LEAD_TIME_SAMPLES).fetchall()
    finally:
        con.unregister("__policy_skus")
    own = {key: s for kind, key, s in rows if kind == "sku"}
    by_supplier = {key: s for kind, key, s in rows if kind == "supplier"}
    out = np.full((len(skus), MAX_LEAD_TIME_SAMPLES), np.nan)
    source = np.empty(len(skus), dtype=object)
    for i, sku in enumerate(skus):
        samples = own.get(sku)
        source[i] = "sku"
        if samples is None:
            samples = by_supplier.get(main_supplier[i]) if main_supplier[i] is not None else None
            source[i] = "supplier"
        if not samples:
            samples = [float(fallback_days[i])]
            source[i] = "fallback"
        values = np.asarray(samples, dtype=float)
        if len(values) > MAX_LEAD_TIME_SAMPLES:
            values = values[np.linspace(0, len(values) - 1, MAX_LEAD_TIME_SAMPLES).astype(int)]
        out[i, :len(values)] = values / period_days
    return out, source


def seasonal_profile(con: duckdb.DuckDBPyConnection, x: SkuInputs, segments: np.ndarray,
                     table: PolicyTable, window: Window) -> pd.DataFrame:
    """Month-by-month safety stock per segment: for each calendar month, the SKU's demand mean
    and standard deviation over that month's periods of the window (zeros included) replace the
    whole-window figures, and the segment's policy sets the safety stock. Long table: segment,
    month (1-12) and month_name, safety_stock_value, demand_mean (per period, summed over the
    segment's SKUs) and skus; and the flat (non-seasonal) figure per segment as month 0."""
    _register(con, x.sku)
    try:
        df = con.execute(q.month_of_year_demand_sql(window.period),
                         {"win_start": window.start, "win_end": window.end}).fetchnumpy()
        first = _first_index(con, x.sku, window)
    finally:
        con.unregister("__policy_skus")
    n = len(x)
    s1 = np.zeros((n, 12))
    s2 = np.zeros((n, 12))
    row_of = pd.Index(x.sku).get_indexer(df["sku"])
    ok = row_of >= 0
    m = df["month"][ok] - 1
    s1[row_of[ok], m] = df["s1"][ok]
    s2[row_of[ok], m] = df["s2"][ok]
    # periods of each calendar month in each SKU's active part of the window
    starts = window.period_starts()
    months = np.array([d.month for d in starts]) - 1
    active = np.arange(len(starts))[None, :] >= first[:, None]
    counts = np.zeros((n, 12))
    for k in range(12):
        counts[:, k] = (active & (months == k)[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, s1 / counts, 0.0)
        var = np.where(counts > 1, (s2 - counts * mean ** 2) / (counts - 1), 0.0)
    std = np.sqrt(np.maximum(var, 0.0))

    r = resolve(table, segments)
    labels, seg_idx = np.unique(np.asarray(segments, dtype=object).astype(str), return_inverse=True)
    cost = np.nan_to_num(x.unit_cost)
    frames = []
    for month in range(13):  # 0: the whole window, as today's policy
        xm = x if month == 0 else replace(x, demand_mean=mean[:, month - 1],
                                          demand_std=std[:, month - 1])
        pr = protection(xm, r)
        kind, target, _ = targets(xm, r, pr)
        ss, _, _ = levels(pr, kind, target)
        frames.append(pd.DataFrame({
            "segment": labels, "month": month,
            "month_name": MONTHS[month - 1] if month else "year-round",
            "safety_stock_value": np.bincount(seg_idx, weights=ss * cost, minlength=len(labels)),
            "demand_mean": np.bincount(seg_idx, weights=xm.demand_mean, minlength=len(labels)),
            "skus": np.bincount(seg_idx, minlength=len(labels)),
        }))
    return pd.concat(frames, ignore_index=True)


def customer_priorities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every customer's revenue, priority class (1: the customers making the first 80% of
    revenue, 2: up to 95%, 3: the rest, as ABC) and key-account flag (the largest customers
    making :data:`KEY_ACCOUNT_SHARE` of revenue)."""
    df = con.execute(q.CUSTOMER_REVENUE).fetch_arrow_table().to_pandas()
    if df.empty:
        return df.assign(priority=pd.Series(dtype="int64"), key_account=pd.Series(dtype=bool))
    df = df.sort_values(["customer_revenue", "customer"], ascending=[False, True],
                        ignore_index=True)
    total = df["customer_revenue"].clip(lower=0).sum()
    before = (df["customer_revenue"].clip(lower=0).cumsum().shift(fill_value=0)
              / total if total > 0 else pd.Series(0.0, index=df.index))
    a, b = CUSTOMER_CLASS_SHARES
    df["priority"] = np.where(before < a, 1, np.where(before < b, 2, 3))
    df["key_account"] = before < KEY_ACCOUNT_SHARE
    return df


def order_lines(con: duckdb.DuckDBPyConnection, sku: str, days: int,
                customers: pd.DataFrame) -> pd.DataFrame:
    """The SKU's order lines of the last ``days`` days of its sales, with each customer's
    priority and key-account flag (customers without revenue: priority 3, not key)."""
    df = con.execute(q.ORDER_LINES_FOR_SKU, {"sku": sku, "days": int(days)}) \
        .fetch_arrow_table().to_pandas(date_as_object=False)
    info = customers.set_index("customer")[["priority", "key_account"]] if len(customers) else None
    if info is None or df.empty:
        return df.assign(priority=3, key_account=False)
    joined = df.join(info, on="customer")
    joined["priority"] = joined["priority"].fillna(3).astype("int64")
    joined["key_account"] = joined["key_account"].fillna(False).astype(bool)
    return joined


# --- simulation -----------------------------------------------------------------------------

MAX_SIMULATED_SKUS = 10_000  # a larger portfolio is simulated on a seeded sample of its SKUs
_SIM_PER_SKU = ["demand_total", "served_from_stock", "cycles", "cycles_with_stockout",
                "average_inventory", "stockout_weeks"]


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


def run_simulation(con: duckdb.DuckDBPyConnection, features: pd.DataFrame,
                   policies: pd.DataFrame, window: Window, paths: int = 20, seed: int = 0,
                   max_skus: int = MAX_SIMULATED_SKUS,
                   progress: Callable[[float, str], None] | None = None) -> SimulationRun:
    """Replay each stocked SKU's policy over its demand in ``window`` and over ``paths``
    bootstrapped paths of it, lead times drawn from its receipts (its own, else its main
    supplier's, else the policy's fallback)."""
    from segstudio.policy import simulation as sim

    stocked = np.flatnonzero((policies["demand_model"] != "none").to_numpy())
    sampled = len(stocked) > max_skus
    rng = np.random.default_rng(seed)
    if sampled:
        stocked = np.sort(rng.choice(stocked, size=max_skus, replace=False))
    pol = policies.iloc[stocked].reset_index(drop=True)
    skus = pol["sku"].to_numpy(object)
    main = (features["main_supplier"].to_numpy(object)[stocked] if "main_supplier" in features
            else np.full(len(skus), None))
    period_days = _period_days(window)

    def report(share: float, message: str) -> None:
        if progress is not None:
            progress(share, message)

    report(0.0, "Reading each SKU's demand and lead times...")
    demand = period_demand(con, skus, window)
    lead, _ = lead_time_samples(con, skus, main, pol["lead_time_days"].to_numpy(float),
                                period_days)
    rop = pol["reorder_point"].to_numpy(float)
    q_units = pol["order_quantity"].to_numpy(float)
    s_level = pol["order_up_to"].to_numpy(float)
    review_days = pol["review_period_days"].to_numpy(float)
    review = np.where(review_days > 0, np.maximum(np.rint(review_days / period_days), 1), 0)
    review = review.astype(np.int64)
    share_history = 1.0 / (1 + paths)

    def part(start: float, width: float, label: str) -> Callable[[float, str], None]:
        return lambda f, _m: report(start + width * f, label)

    hist = sim.simulate(demand, rop, q_units, s_level, review, lead, rng=rng,
                        progress=part(0.05, 0.95 * share_history, "Replaying the history..."))
    base = pol[["sku", "segment", "service_type", "service_target", "unit_cost"]].assign(
        planned_fill_rate=pol["expected_fill_rate"], planned_csl=pol["expected_csl"])
    per_hist = base.assign(**{c: getattr(hist, c) for c in _SIM_PER_SKU})
    per_sku = base.assign(
        history_fill_rate=hist.fill_rate, history_csl=hist.cycle_service_level,
        history_average_inventory=hist.average_inventory,
        history_stockout_weeks=hist.stockout_weeks)
    boot_summary = None
    if paths > 0:
        boot_demand = sim.bootstrap_paths(demand, paths, rng)
        res = sim.simulate(boot_demand, sim.repeat_rows(rop, paths),
                           sim.repeat_rows(q_units, paths), sim.repeat_rows(s_level, paths),
                           sim.repeat_rows(review, paths), sim.repeat_rows(lead, paths), rng=rng,
                           progress=part(0.05 + 0.95 * share_history, 0.95 * (1 - share_history),
                                         f"Simulating {paths} bootstrapped paths per SKU..."))
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
            stockout_weeks=pooled(res.stockout_weeks, "mean"))
        with np.errstate(invalid="ignore", divide="ignore"):
            per_sku["bootstrap_fill_rate"] = (per_boot["served_from_stock"]
                                              / per_boot["demand_total"])
            per_sku["bootstrap_csl"] = 1 - per_boot["cycles_with_stockout"] / per_boot["cycles"]
        per_sku["bootstrap_average_inventory"] = per_boot["average_inventory"]
        per_sku["bootstrap_stockout_weeks"] = per_boot["stockout_weeks"]
        boot_summary = sim.summarise(per_boot)
    report(1.0, "Done")
    return SimulationRun(per_sku, sim.summarise(per_hist), boot_summary, window.periods, paths,
                         sampled)



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
