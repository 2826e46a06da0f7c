"""Replay an inventory policy on weekly demand, vectorised across SKUs.

Model (weekly periods, backorders):

- **Week t**: at the start of the week the orders due arrive (they first fill backorders, as
  net inventory = on hand - backorders); then the week's demand is served from what is on
  hand; unmet demand is backordered and filled by later arrivals. The *fill rate* counts only
  the demand served from stock in the week it was demanded.
- **Ordering** at the end of the week, on the inventory position
  IP = net inventory + on order:

  * review period 0, continuous review (s, Q) checked at each week end: when IP <= s, order the
    smallest multiple of Q that lifts IP above s;
  * review period R >= 1, periodic (R, S): at the ends of weeks R-1, 2R-1, ... order S - IP
    when positive.

- **Lead time**: each order draws one of its SKU's lead-time samples uniformly at random,
  rounded to whole weeks. An order placed at the end of week t with lead time L is on hand at
  the start of week t + L + 1, so exactly L weeks of demand fall inside its lead time.
- **Start**: on hand = S (periodic) or s + Q (continuous), nothing on order. A make-to-order
  SKU (order quantity <= 0 or a non-finite policy) never orders and starts with no stock.
- **Cycles**: a replenishment cycle runs from one arrival to the next; it had a stockout when
  any of its weeks had demand not served from stock. Weeks before the first arrival and after
  the last one are not a complete cycle and are not counted.

Note that a continuous review checked only at week ends orders when IP has already *undershot*
s, by about half a week of demand on average, so its fill rate is below the textbook continuous
(s, Q) value 1 - sigma_L G(k) / Q for the same s: it is the periodic (R, s, nQ) policy with
R = 1 week (Hadley & Whitin, *Analysis of Inventory Systems*, 1963), whose position after
ordering is uniform on (s, s + Q]. The periodic (R, S) policy matches the textbook formula
with the protection interval L + R.

Demand NaN means the SKU did not exist yet that week: no demand, not a stockout week, and the
week is left out of the average inventory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segstudio.common.numeric import safe_divide

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "SimulationResult",
    "bootstrap_paths",
    "repeat_rows",
    "simulate",
    "summarise",
]

DEFAULT_CHUNK_SIZE = 5000
"""Series simulated together: bounds the memory of the per-chunk arrays (arrivals, demand)."""

_BOOTSTRAP_CELLS = 4_000_000
"""Demand cells (rows x weeks x paths) resampled at once by :func:`bootstrap_paths`."""

_SEED = 0
_SERVICE_TYPES = ("csl", "fill_rate")
_SUMMARY_INPUT = (
    "sku",
    "segment",
    "service_type",
    "service_target",
    "planned_fill_rate",
    "planned_csl",
    "demand_total",
    "served_from_stock",
    "cycles",
    "cycles_with_stockout",
    "average_inventory",
    "unit_cost",
    "stockout_weeks",
)

# splitmix64 constants (Steele, Lea & Flood 2014): the lead-time draw of an order is a hash
# of (key, series, week), so it does not depend on how the series are cut into chunks.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_WEEK_STRIDE = 0xD1B54A32D192ED03
_U64 = 1 << 64


@dataclass(frozen=True)
class SimulationResult:
    """Per simulated series (one SKU, or one SKU x demand path), in input row order."""

    demand_total: np.ndarray  # units demanded over the horizon
    served_from_stock: np.ndarray  # units served in the week they were demanded
    fill_rate: np.ndarray  # served_from_stock / demand_total (nan when no demand)
    cycles: np.ndarray  # completed replenishment cycles (int)
    cycles_with_stockout: np.ndarray  # completed cycles with a stockout week (int)
    cycle_service_level: np.ndarray  # 1 - cycles_with_stockout / cycles (nan when no cycle)
    average_inventory: np.ndarray  # mean over the SKU's weeks of max(net inventory at week end, 0)
    stockout_weeks: np.ndarray  # weeks with demand not served from stock (int)
    orders: np.ndarray  # orders placed (int)


def _as_vector(name: str, values: object, n: int) -> np.ndarray:
    a = np.asarray(values, dtype=float)
    if a.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one value per demand row, not {a.shape}")
    return a


def _check_demand(demand: object) -> np.ndarray:
    d = np.asarray(demand, dtype=float)
    if d.ndim != 2:
        raise ValueError(f"demand must be a 2-D array (series x weeks), not {d.ndim}-D")
    if np.isinf(d).any():
        raise ValueError("demand must be finite (NaN for weeks before the SKU existed)")
    if (d < 0).any():
        raise ValueError("demand must be >= 0")
    return d


def _check_review(review_period_weeks: object, n: int) -> np.ndarray:
    r = _as_vector("review_period_weeks", review_period_weeks, n)
    if not np.isfinite(r).all() or (r < 0).any() or (r != np.round(r)).any():
        raise ValueError("review_period_weeks must be whole numbers >= 0 (0 = continuous review)")
    return r.astype(np.int64)


def _check_lead_times(lead_time_weeks: object, n: int) -> np.ndarray:
    lt = np.asarray(lead_time_weeks, dtype=float)
    if lt.ndim == 1 and n > 0 and lt.shape == (n,):
        lt = lt[:, None]
    if lt.ndim != 2 or lt.shape[0] != n or lt.shape[1] < 1:
        raise ValueError(
            f"lead_time_weeks must have shape ({n}, m): lead-time samples per demand row, "
            f"NaN-padded; got {lt.shape}"
        )
    if np.isinf(lt).any():
        raise ValueError("lead_time_weeks must be finite (NaN only as padding)")
    finite = np.isfinite(lt)
    if n and not finite.any(axis=1).all():
        rows = np.flatnonzero(~finite.any(axis=1))
        raise ValueError(
            f"lead_time_weeks needs at least one finite sample per row; rows {rows[:5].tolist()} "
            "have none"
        )
    if (lt[finite] < 0).any():
        raise ValueError("lead_time_weeks must be >= 0")
    return lt


def _lead_time_table(lt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the samples rounded half up to whole weeks, finite ones first, and their count."""
    finite = np.isfinite(lt)
    counts = finite.sum(axis=1)
    order = np.argsort(~finite, axis=1, kind="stable")
    packed = np.take_along_axis(np.where(finite, lt, 0.0), order, axis=1)
    weeks = np.floor(packed + 0.5).astype(np.int64)
    return weeks, counts


def _uniform(key: int, rows: np.ndarray, week: int) -> np.ndarray:
    """Uniform [0, 1) numbers from splitmix64 of (key, global row, week): chunk-independent."""
    salt = np.uint64((key + week * _WEEK_STRIDE) % _U64)
    x = rows.astype(np.uint64) * _GOLDEN ^ salt
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _simulate_chunk(
    demand: np.ndarray,
    s: np.ndarray,
    q: np.ndarray,
    big_s: np.ndarray,
    review: np.ndarray,
    lead_weeks: np.ndarray,
    lead_counts: np.ndarray,
    first_row: int,
    key: int,
) -> dict[str, np.ndarray]:
    """Simulate one chunk of series; arrays are the chunk's rows. Loops over weeks only."""
    k, weeks = demand.shape
    exists = ~np.isnan(demand)
    d_by_week = np.ascontiguousarray(np.where(exists, demand, 0.0).T)
    exists_by_week = np.ascontiguousarray(exists.T)

    continuous = review == 0
    stocked = np.isfinite(q) & (q > 0) & np.where(continuous, np.isfinite(s), np.isfinite(big_s))
    cont = stocked & continuous
    periodic = stocked & ~continuous
    period = np.where(review > 0, review, 1)
    q_safe = np.where(cont, q, 1.0)
    s_safe = np.where(cont, s, 0.0)
    up_to = np.where(periodic, big_s, 0.0)

    net = np.zeros(k)
    net[cont] = np.maximum(s[cont] + q[cont], 0.0)
    net[periodic] = np.maximum(big_s[periodic], 0.0)
    on_order = np.zeros(k)
    # Row `weeks` collects the orders due after the horizon: they never arrive in it.
    arrivals = np.zeros((weeks + 1, k))
    random_lead = lead_counts > 1
    fixed_lead = lead_weeks[:, 0]
    global_rows = np.arange(first_row, first_row + k, dtype=np.int64)
    local_rows = np.arange(k)

    served_total = np.zeros(k)
    inventory_total = np.zeros(k)
    stockout_weeks = np.zeros(k, dtype=np.int64)
    orders = np.zeros(k, dtype=np.int64)
    cycles = np.zeros(k, dtype=np.int64)
    cycles_out = np.zeros(k, dtype=np.int64)
    started = np.zeros(k, dtype=bool)
    short_in_cycle = np.zeros(k, dtype=bool)

    for t in range(weeks):
        due = arrivals[t]
        arrived = due > 0
        if arrived.any():
            net += due
            on_order -= due
            closing = arrived & started
            cycles += closing
            cycles_out += closing & short_in_cycle
            short_in_cycle &= ~arrived
            started |= arrived

        d = d_by_week[t]
        served = np.minimum(d, np.maximum(net, 0.0))
        short = served < d
        served_total += served
        net -= d
        stockout_weeks += short
        short_in_cycle |= short
        inventory_total += np.where(exists_by_week[t], np.maximum(net, 0.0), 0.0)

        position = net + on_order
        quantity = np.where(
            cont & (position <= s_safe),
            (np.floor((s_safe - position) / q_safe) + 1.0) * q_safe,
            0.0,
        )
        if periodic.any():
            review_now = periodic & ((t + 1) % period == 0)
            quantity = np.where(review_now & (up_to > position), up_to - position, quantity)
        ordering = np.flatnonzero(quantity > 0)
        if ordering.size == 0:
            continue
        qty = quantity[ordering]
        lead = fixed_lead[ordering]
        pick = random_lead[ordering]
        if pick.any():
            rows = ordering[pick]
            u = _uniform(key, global_rows[rows], t)
            j = np.minimum((u * lead_counts[rows]).astype(np.int64), lead_counts[rows] - 1)
            lead = lead.copy()
            lead[pick] = lead_weeks[rows, j]
        due_week = np.minimum(t + 1 + lead, weeks)
        arrivals[due_week, local_rows[ordering]] += qty
        on_order[ordering] += qty
        orders[ordering] += 1

    return {
        "demand_total": d_by_week.sum(axis=0),
        "served_from_stock": served_total,
        "cycles": cycles,
        "cycles_with_stockout": cycles_out,
        "inventory_total": inventory_total,
        "weeks_existing": exists_by_week.sum(axis=0),
        "stockout_weeks": stockout_weeks,
        "orders": orders,
    }


def simulate(
    demand: np.ndarray,
    reorder_point: np.ndarray,
    order_quantity: np.ndarray,
    order_up_to: np.ndarray,
    review_period_weeks: np.ndarray,
    lead_time_weeks: np.ndarray,
    rng: np.random.Generator | None = None,
    progress: Callable[[float, str], None] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> SimulationResult:
    """Replay (s, Q) / (R, S) policies week by week on ``demand`` (n series x T weeks).

    The model is in the module docstring. ``reorder_point``, ``order_quantity``,
    ``order_up_to`` and ``review_period_weeks`` have one value per row; ``lead_time_weeks`` is
    (n, m) lead-time samples per row, NaN-padded. ``rng`` (default seeded 0) keys the
    lead-time draws, which are the same whatever ``chunk_size``; ``progress(fraction, message)``
    is called after each chunk.
    """
    d = _check_demand(demand)
    n, weeks = d.shape
    s = _as_vector("reorder_point", reorder_point, n)
    q = _as_vector("order_quantity", order_quantity, n)
    big_s = _as_vector("order_up_to", order_up_to, n)
    review = _check_review(review_period_weeks, n)
    lt = _check_lead_times(lead_time_weeks, n)
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int | np.integer)
        or chunk_size < 1
    ):
        raise ValueError(f"chunk_size must be a whole number >= 1, not {chunk_size!r}")
    if rng is None:
        rng = np.random.default_rng(_SEED)
    key = int(rng.integers(0, np.iinfo(np.int64).max, dtype=np.int64))
    lead_weeks, lead_counts = _lead_time_table(lt)

    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        parts.append(
            _simulate_chunk(
                d[start:stop],
                s[start:stop],
                q[start:stop],
                big_s[start:stop],
                review[start:stop],
                lead_weeks[start:stop],
                lead_counts[start:stop],
                start,
                key,
            )
        )
        if progress is not None:
            progress(stop / n, f"Simulated {stop:,} of {n:,} series")

    def joined(name: str, dtype: type) -> np.ndarray:
        if not parts:
            return np.zeros(0, dtype=dtype)
        return np.concatenate([p[name] for p in parts]).astype(dtype)

    demand_total = joined("demand_total", float)
    served = joined("served_from_stock", float)
    cycles = joined("cycles", np.int64)
    cycles_out = joined("cycles_with_stockout", np.int64)
    weeks_existing = joined("weeks_existing", np.int64)
    inventory_total = joined("inventory_total", float)
    fill_rate = safe_divide(served, demand_total, positive_den=True)
    csl = 1.0 - safe_divide(cycles_out, cycles, positive_den=True)
    average_inventory = safe_divide(inventory_total, weeks_existing, positive_den=True)
    return SimulationResult(
        demand_total=demand_total,
        served_from_stock=served,
        fill_rate=fill_rate,
        cycles=cycles,
        cycles_with_stockout=cycles_out,
        cycle_service_level=csl,
        average_inventory=average_inventory,
        stockout_weeks=joined("stockout_weeks", np.int64),
        orders=joined("orders", np.int64),
    )


def bootstrap_paths(
    demand: np.ndarray, n_paths: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Demand paths by the iid weekly bootstrap (Efron 1979) of each SKU's own existing weeks.

    Returns (n * n_paths, T), SKU-major (SKU 0's paths first, as :func:`repeat_rows`). Each
    path value is one of the SKU's non-NaN weeks drawn with replacement; NaN weeks stay NaN
    in place. ``rng`` defaults to a generator seeded 0.
    """
    d = _check_demand(demand)
    if isinstance(n_paths, bool) or not isinstance(n_paths, int | np.integer) or n_paths < 1:
        raise ValueError(f"n_paths must be a whole number >= 1, not {n_paths!r}")
    if rng is None:
        rng = np.random.default_rng(_SEED)
    n, weeks = d.shape
    out = np.empty((n * n_paths, weeks))
    if n == 0 or weeks == 0:
        return out
    exists = ~np.isnan(d)
    counts = exists.sum(axis=1)
    packed = np.take_along_axis(d, np.argsort(~exists, axis=1, kind="stable"), axis=1)
    rows_per_block = max(1, _BOOTSTRAP_CELLS // (weeks * n_paths))
    for start in range(0, n, rows_per_block):
        stop = min(start + rows_per_block, n)
        high = np.maximum(counts[start:stop], 1)[:, None, None]
        pick = rng.integers(0, high, size=(stop - start, n_paths, weeks))
        values = np.take_along_axis(packed[start:stop, None, :], pick, axis=2)
        values = np.where(exists[start:stop, None, :], values, np.nan)
        out[start * n_paths : stop * n_paths] = values.reshape(-1, weeks)
    return out


def repeat_rows(a: np.ndarray, n_paths: int) -> np.ndarray:
    """Repeat each row (or value) of ``a`` n_paths times, matching :func:`bootstrap_paths`."""
    if isinstance(n_paths, bool) or not isinstance(n_paths, int | np.integer) or n_paths < 1:
        raise ValueError(f"n_paths must be a whole number >= 1, not {n_paths!r}")
    return np.repeat(np.asarray(a), n_paths, axis=0)


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    """Mean of the finite values weighted by demand; the plain mean when they carry no demand."""
    ok = values.notna()
    if not ok.any():
        return float("nan")
    v, w = values[ok].astype(float), weights[ok].astype(float)
    total = float(w.sum())
    return float((v * w).sum() / total) if total > 0 else float(v.mean())


def _most_common(values: pd.Series) -> str:
    counts = values.value_counts()
    best = counts[counts == counts.max()].index
    return str(sorted(best)[0])


def summarise(per_sku: pd.DataFrame, by: str = "segment", tolerance: float = 0.01) -> pd.DataFrame:
    """Planned against simulated service per segment (one row per value of ``by``, sorted).

    Achieved fill rate = sum served / sum demand; achieved CSL = 1 - sum cycles with a
    stockout / sum cycles; planned figures and the target are demand-weighted means;
    ``achieved`` is the figure of the segment's most common service type and
    ``misses_target`` is achieved < service_target - tolerance. No portfolio total row.
    """
    needed = list(dict.fromkeys([*_SUMMARY_INPUT, by]))
    missing = [c for c in needed if c not in per_sku.columns]
    if missing:
        raise ValueError(f"per_sku is missing columns: {', '.join(missing)}")
    if not np.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"tolerance must be a number >= 0, not {tolerance}")
    bad = sorted(set(per_sku["service_type"].dropna().astype(str)) - set(_SERVICE_TYPES))
    if bad or per_sku["service_type"].isna().any():
        raise ValueError(
            f"service_type must be one of {', '.join(_SERVICE_TYPES)}; found {bad or ['NaN']}"
        )

    rows = []
    for segment, g in per_sku.groupby(by, sort=True):
        weight = g["demand_total"].astype(float)
        demand_total = float(weight.sum())
        served = float(g["served_from_stock"].sum())
        cycles = float(g["cycles"].sum())
        achieved_fill = safe_divide(served, demand_total, positive_den=True)
        achieved_csl = 1.0 - safe_divide(
            float(g["cycles_with_stockout"].sum()), cycles, positive_den=True
        )
        service_type = _most_common(g["service_type"].astype(str))
        achieved = achieved_csl if service_type == "csl" else achieved_fill
        target = _weighted_mean(g["service_target"], weight)
        rows.append(
            {
                by: segment,
                "skus": int(g["sku"].nunique()),
                "demand_total": demand_total,
                "achieved_fill_rate": achieved_fill,
                "planned_fill_rate": _weighted_mean(g["planned_fill_rate"], weight),
                "achieved_csl": achieved_csl,
                "planned_csl": _weighted_mean(g["planned_csl"], weight),
                "service_type": service_type,
                "service_target": target,
                "achieved": achieved,
                "average_inventory_value": float((g["average_inventory"] * g["unit_cost"]).sum()),
                "stockout_weeks": int(g["stockout_weeks"].sum()),
                "misses_target": bool(achieved < target - tolerance),
            }
        )
    columns = [
        by,
        "skus",
        "demand_total",
        "achieved_fill_rate",
        "planned_fill_rate",
        "achieved_csl",
        "planned_csl",
        "service_type",
        "service_target",
        "achieved",
        "average_inventory_value",
        "stockout_weeks",
        "misses_target",
    ]
    return pd.DataFrame(rows, columns=columns).reset_index(drop=True)
