"""What the policy pages read from the workspace beyond the feature table: each SKU's demand per
period (for the simulation), its lead-time samples (its own receipts, else its main supplier's),
its month-of-year demand sums (for seasonal safety stock), the customers' revenue and an SKU's
recent order lines (for shortage allocation). The SQL is in :mod:`segstudio.policy.sql`; this
module runs it and shapes the results into arrays. The maths on them is in
:mod:`segstudio.policy.planning`, which runs with the workspace closed."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from segstudio.common.periods import period_days
from segstudio.features.build import Window
from segstudio.policy import sql as q

__all__ = [
    "MAX_LEAD_TIME_SAMPLES",
    "MonthDemand",
    "SimulationInputs",
    "customer_revenue",
    "lead_time_samples",
    "month_demand",
    "order_lines",
    "period_demand",
    "simulation_inputs",
]

MAX_LEAD_TIME_SAMPLES = 64  # per SKU: an even subset of longer receipt histories


def _register(con: duckdb.DuckDBPyConnection, skus: np.ndarray) -> None:
    con.register("__policy_skus", pd.DataFrame({"sku": pd.Series(skus, dtype=object)}))


def _first_index(con: duckdb.DuckDBPyConnection, skus: np.ndarray, window: Window) -> np.ndarray:
    """Each SKU's first active period in the window: that of its first sale (0 when it sold
    before the window or never)."""
    first = con.execute(q.FIRST_SALES).fetch_arrow_table().to_pandas(date_as_object=False)
    d = pd.Series(pd.to_datetime(first["first_sale"]).to_numpy(), index=first["sku"]).reindex(
        pd.Index(skus, dtype=object)
    )
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
        df = con.execute(
            q.period_demand_sql(window.period), {"win_start": window.start, "win_end": window.end}
        ).fetchnumpy()
        first = _first_index(con, skus, window)
    finally:
        con.unregister("__policy_skus")
    row_of = pd.Index(skus).get_indexer(df["sku"])
    out = np.zeros((len(skus), window.periods))
    ok = (row_of >= 0) & (df["pidx"] >= 0) & (df["pidx"] < window.periods)
    out[row_of[ok], df["pidx"][ok]] = df["demand"][ok]
    out[np.arange(window.periods)[None, :] < first[:, None]] = np.nan
    return out


def lead_time_samples(
    con: duckdb.DuckDBPyConnection,
    skus: np.ndarray,
    main_supplier: np.ndarray,
    fallback_days: np.ndarray,
    period_days: float,
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
        out[i, : len(values)] = values / period_days
    return out, source


@dataclass(frozen=True)
class MonthDemand:
    """Per SKU (rows, in the caller's order) and calendar month (columns 0-11): the sum and the
    sum of squares of the window's non-zero period demands, and each SKU's first active period."""

    s1: np.ndarray
    s2: np.ndarray
    first: np.ndarray


def month_demand(con: duckdb.DuckDBPyConnection, skus: np.ndarray, window: Window) -> MonthDemand:
    """The month-of-year demand sums of ``skus`` over ``window`` (one SQL pass)."""
    skus = np.asarray(skus, dtype=object)
    _register(con, skus)
    try:
        df = con.execute(
            q.month_of_year_demand_sql(window.period),
            {"win_start": window.start, "win_end": window.end},
        ).fetchnumpy()
        first = _first_index(con, skus, window)
    finally:
        con.unregister("__policy_skus")
    n = len(skus)
    s1 = np.zeros((n, 12))
    s2 = np.zeros((n, 12))
    row_of = pd.Index(skus).get_indexer(df["sku"])
    ok = row_of >= 0
    m = df["month"][ok] - 1
    s1[row_of[ok], m] = df["s1"][ok]
    s2[row_of[ok], m] = df["s2"][ok]
    return MonthDemand(s1, s2, first)


def customer_revenue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every customer's revenue over the positive sales lines: customer, customer_revenue."""
    return con.execute(q.CUSTOMER_REVENUE).fetch_arrow_table().to_pandas()


def order_lines(con: duckdb.DuckDBPyConnection, sku: str, days: int) -> pd.DataFrame:
    """The SKU's order lines of the last ``days`` days of its sales."""
    return (
        con.execute(q.ORDER_LINES_FOR_SKU, {"sku": sku, "days": int(days)})
        .fetch_arrow_table()
        .to_pandas(date_as_object=False)
    )


@dataclass(frozen=True)
class SimulationInputs:
    """What a simulation reads: the simulated SKUs' rows of the policy table, their demand per
    period and lead-time samples (in periods), and whether they are a sample of the portfolio."""

    policies: pd.DataFrame
    demand: np.ndarray
    lead: np.ndarray
    period_days: float
    periods: int
    sampled: bool


def simulation_inputs(
    con: duckdb.DuckDBPyConnection,
    features: pd.DataFrame,
    policies: pd.DataFrame,
    window: Window,
    stocked: np.ndarray,
    sampled: bool,
) -> SimulationInputs:
    """Read the demand and the lead times of the ``stocked`` rows (indices into ``features`` and
    ``policies``) for :func:`segstudio.policy.planning.run_simulation`."""
    pol = policies.iloc[stocked].reset_index(drop=True)
    skus = pol["sku"].to_numpy(object)
    main = (
        features["main_supplier"].to_numpy(object)[stocked]
        if "main_supplier" in features
        else np.full(len(skus), None)
    )
    days = period_days(window.period)
    demand = period_demand(con, skus, window)
    lead, _ = lead_time_samples(con, skus, main, pol["lead_time_days"].to_numpy(float), days)
    return SimulationInputs(pol, demand, lead, days, window.periods, sampled)
