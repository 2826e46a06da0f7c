"""Seeded, vectorised generator of believable supply-chain demo data.

Writes four files (sales, inventory, suppliers, products) as CSV or Parquet.  Everything
is generated with numpy per chunk of SKUs and written with pyarrow writers, so memory stays
bounded even for a million SKUs at weekly grain.

Demand per SKU follows one of the Syntetos-Boylan patterns on weekly buckets (smooth,
erratic, intermittent, lumpy), with lognormal volumes (Pareto-like revenue), family
seasonality, trends, launches and end-of-life items.  Daily grain splits each week's
demand into order lines with customers, locations, fulfilment dates and returns.
Rows are sorted by date within each chunk of SKUs (one chunk up to 5,000 SKUs at daily grain).
"""

from __future__ import annotations

import argparse
import datetime
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["FAMILIES", "LOCATIONS", "PATTERNS", "generate_demo", "main"]

_EPOCH = datetime.date(1970, 1, 1)
DEFAULT_END_DATE = datetime.date(2026, 9, 27)
CHUNK_SKUS = 20_000  # SKUs per chunk at weekly grain
DAILY_CHUNK_SKUS = 5_000  # at daily grain (~1M order lines per chunk; rows sorted per chunk)
DAILY_MAX_SKUS = 20_000
MAX_LINES_PER_WEEK = 25
FORMULA_DESCRIPTION = "=SUM(A1) promo bundle"


@dataclass(frozen=True)
class _Family:
    name: str
    weight: float  # share of SKUs
    price_lo: float
    price_hi: float
    margin_lo: float
    margin_hi: float
    season_amp: float  # amplitude of the yearly sine
    peak: float  # fraction of the year at which demand peaks


FAMILIES: tuple[_Family, ...] = (
    _Family("Beverages", 0.12, 0.8, 6.0, 0.05, 0.15, 0.35, 0.54),
    _Family("Snacks", 0.12, 0.9, 5.0, 0.15, 0.30, 0.15, 0.95),
    _Family("Household", 0.11, 2.0, 25.0, 0.15, 0.30, 0.05, 0.20),
    _Family("Personal Care", 0.11, 2.5, 30.0, 0.30, 0.50, 0.10, 0.45),
    _Family("Electronics Accessories", 0.09, 8.0, 120.0, 0.50, 0.70, 0.30, 0.93),
    _Family("Tools", 0.09, 10.0, 200.0, 0.25, 0.45, 0.20, 0.38),
    _Family("Garden", 0.08, 4.0, 80.0, 0.20, 0.40, 0.70, 0.40),
    _Family("Toys", 0.09, 5.0, 60.0, 0.30, 0.50, 0.55, 0.95),
    _Family("Stationery", 0.09, 0.5, 15.0, 0.20, 0.40, 0.45, 0.67),
    _Family("Pet", 0.10, 3.0, 50.0, 0.08, 0.20, 0.05, 0.10),
)
PATTERNS = ("smooth", "erratic", "intermittent", "lumpy")
_PATTERN_SHARES = (0.35, 0.15, 0.30, 0.20)
# per pattern: occurrence probability range, gamma shape range (CV2 = 1/shape),
# median weekly units, minimum mean size of a non-zero week
_P_RANGE = ((0.93, 1.0), (0.92, 1.0), (0.12, 0.58), (0.12, 0.58))
_SHAPE_RANGE = ((6.0, 30.0), (0.45, 1.1), (5.0, 25.0), (0.45, 1.1))
_MEDIAN_RATE = (22.0, 16.0, 1.2, 2.0)
_MIN_SIZE = (2.0, 5.0, 1.0, 5.0)
_LIFECYCLES = ("active", "new", "end-of-life")
_LIFECYCLE_SHARES = (0.90, 0.05, 0.05)
LOCATIONS = ("DC-NORTH", "DC-SOUTH", "DC-WEST")
_LOCATION_SHARES = (0.5, 0.3, 0.2)
N_CUSTOMERS = 300
N_KEY_ACCOUNTS = 10
N_SUPPLIERS = 25
N_NEVER_SOLD = 20
_DOW_SHARES = np.array([0.22, 0.21, 0.20, 0.18, 0.14, 0.03, 0.02])
_RETURN_RATE = 0.015

SALES_DAILY_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("order_date", pa.date32()),
        ("sku", pa.string()),
        ("customer", pa.string()),
        ("quantity", pa.int64()),
        ("unit_price", pa.float64()),
        ("unit_cost", pa.float64()),
        ("requested_date", pa.date32()),
        ("ship_date", pa.date32()),
        ("ordered_qty", pa.int64()),
        ("shipped_qty", pa.int64()),
        ("location", pa.string()),
    ]
)
SALES_WEEKLY_SCHEMA = pa.schema(
    [
        ("sku", pa.string()),
        ("date", pa.date32()),
        ("quantity", pa.int64()),
        ("unit_price", pa.float64()),
        ("unit_cost", pa.float64()),
    ]
)
INVENTORY_SCHEMA = pa.schema(
    [
        ("sku", pa.string()),
        ("location", pa.string()),
        ("on_hand", pa.int64()),
        ("unit_cost", pa.float64()),
        ("snapshot_date", pa.date32()),
        ("receipt_date", pa.date32()),
        ("on_order", pa.int64()),
    ]
)
SUPPLIERS_SCHEMA = pa.schema(
    [
        ("po_id", pa.string()),
        ("supplier", pa.string()),
        ("sku", pa.string()),
        ("order_date", pa.date32()),
        ("promised_date", pa.date32()),
        ("receipt_date", pa.date32()),
        ("ordered_qty", pa.int64()),
        ("received_qty", pa.int64()),
        ("unit_cost", pa.float64()),
    ]
)
PRODUCTS_SCHEMA = pa.schema(
    [
        ("sku", pa.string()),
        ("description", pa.string()),
        ("family", pa.string()),
        ("unit_cost", pa.float64()),
        ("unit_price", pa.float64()),
        ("lifecycle", pa.string()),
        ("launch_date", pa.date32()),
        ("supplier", pa.string()),
    ]
)


# --------------------------------------------------------------------------- helpers


def _dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Epoch-day integers -> pyarrow date32 array (optionally with nulls where mask)."""
    return pa.array(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), mask=mask)


def _pad(values: np.ndarray, width: int) -> pa.Array:
    """Integers -> zero-padded strings."""
    return pc.utf8_lpad(pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string()), width, "0")


def _quota(rng: np.random.Generator, n: int, shares: tuple[float, ...]) -> np.ndarray:
    """Labels 0..k-1 in exact proportions (largest remainder), randomly permuted."""
    raw = np.asarray(shares) * n
    counts = np.floor(raw).astype(np.int64)
    short = n - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    return rng.permutation(np.repeat(np.arange(len(shares), dtype=np.int8), counts))


def _uniform(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + (hi - lo) * rng.random(np.shape(lo))


def _sorted_table(schema: pa.Schema, columns: list[pa.Array], order: np.ndarray) -> pa.Table:
    """Build a table and reorder its rows by the given permutation."""
    table = pa.Table.from_arrays(columns, schema=schema)
    return table.take(pa.array(order))


class _Sink:
    """Append-only CSV or Parquet writer that publishes the file atomically on close."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".part")
        self.rows = 0
        self._file = None
        if fmt == "parquet":
            self._writer: pq.ParquetWriter | pacsv.CSVWriter = pq.ParquetWriter(self.tmp, schema)
        else:
            # generated text never holds commas, quotes or newlines: write it unquoted
            # (pyarrow always quotes header names, so the header is written here)
            self._file = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()
            self._file.write((",".join(schema.names) + "\n").encode())
            options = pacsv.WriteOptions(include_header=False, quoting_style="none")
            self._writer = pacsv.CSVWriter(self._file, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def close(self, publish: bool = True) -> None:
        self._writer.close()
        if self._file is not None:
            self._file.close()
        if publish:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- world


@dataclass
class _World:
    """Global, chunk-independent parameters (calendar, customers, suppliers)."""

    weeks: int
    start: int  # epoch day of the first Monday
    end: int  # epoch day of the last Sunday
    width: int  # zero padding of SKU numbers
    n_skus: int
    fam_weight: np.ndarray
    fam_price: np.ndarray  # (F, 2)
    fam_margin: np.ndarray  # (F, 2)
    fam_amp: np.ndarray
    fam_peak: np.ndarray
    families: pa.Array
    customers: pa.Array
    key_idx: np.ndarray
    key_p: np.ndarray
    tail_idx: np.ndarray
    tail_p: np.ndarray
    discount: np.ndarray  # per customer
    suppliers: pa.Array
    sup_p: np.ndarray
    sup_mean: np.ndarray
    sup_std: np.ndarray
    sup_quoted: np.ndarray
    sup_infull: np.ndarray
    locations: pa.Array
    lifecycles: pa.Array


def _make_world(seed: int, skus: int, weeks: int, end_day: int) -> _World:
    rng = np.random.default_rng([seed, 0])
    fam_weight = np.array([f.weight for f in FAMILIES])
    key_idx = np.sort(rng.choice(N_CUSTOMERS, N_KEY_ACCOUNTS, replace=False))
    key_p = rng.dirichlet(np.full(N_KEY_ACCOUNTS, 2.0))
    tail_idx = np.setdiff1d(np.arange(N_CUSTOMERS), key_idx)
    tail_p = 1.0 / (1.0 + rng.permutation(len(tail_idx))) ** 0.8
    tail_p /= tail_p.sum()
    discount = np.zeros(N_CUSTOMERS)
    discount[key_idx] = rng.uniform(0.03, 0.08, N_KEY_ACCOUNTS)
    discount[tail_idx] = np.where(rng.random(len(tail_idx)) < 0.2, 0.02, 0.0)

    # suppliers: lead time mean 5..60 days, std 1..20, on-time 95%..50%, in-full 98%..80%
    sup_mean = rng.permutation(np.linspace(5.0, 60.0, N_SUPPLIERS))
    sup_std = np.clip(sup_mean * rng.uniform(0.12, 0.45, N_SUPPLIERS), 1.0, 20.0)
    on_time = rng.permutation(np.linspace(0.95, 0.50, N_SUPPLIERS))
    # quoted lead time so that P(actual <= quoted) ~ on-time rate (probit via erfinv-free table)
    z = _norm_ppf(on_time)
    sup_quoted = np.maximum(1, np.rint(sup_mean + z * sup_std)).astype(np.int64)
    sup_infull = rng.permutation(np.linspace(0.98, 0.80, N_SUPPLIERS))
    sup_p = rng.dirichlet(np.full(N_SUPPLIERS, 3.0))

    n_total = skus + min(N_NEVER_SOLD, max(1, skus // 10))
    return _World(
        weeks=weeks,
        start=end_day - 7 * weeks + 1,
        end=end_day,
        width=max(5, len(str(n_total))),
        n_skus=skus,
        fam_weight=fam_weight / fam_weight.sum(),
        fam_price=np.array([(f.price_lo, f.price_hi) for f in FAMILIES]),
        fam_margin=np.array([(f.margin_lo, f.margin_hi) for f in FAMILIES]),
        fam_amp=np.array([f.season_amp for f in FAMILIES]),
        fam_peak=np.array([f.peak for f in FAMILIES]),
        families=pa.array([f.name for f in FAMILIES]),
        customers=pa.array([f"C{i + 1:04d}" for i in range(N_CUSTOMERS)]),
        key_idx=key_idx,
        key_p=key_p,
        tail_idx=tail_idx,
        tail_p=tail_p,
        discount=discount,
        suppliers=pa.array([f"SUP-{i + 1:02d}" for i in range(N_SUPPLIERS)]),
        sup_p=sup_p,
        sup_mean=sup_mean,
        sup_std=sup_std,
        sup_quoted=sup_quoted,
        sup_infull=sup_infull,
        locations=pa.array(list(LOCATIONS)),
        lifecycles=pa.array(list(_LIFECYCLES)),
    )


def _norm_ppf(p: np.ndarray) -> np.ndarray:
    """Standard normal quantile (Acklam's rational approximation; enough for lead times)."""
    a = (
        -39.69683028665376,
        220.9460984245205,
        -275.9285104469687,
        138.3577518672690,
        -30.66479806614716,
        2.506628277459239,
    )
    b = (
        -54.47609879822406,
        161.5858368580409,
        -155.6989798598866,
        66.80131188771972,
        -13.28068155288572,
    )
    c = (
        -7.784894002430293e-03,
        -0.3223964580411365,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    )
    d = (7.784695709041462e-03, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    q = np.where(p < 0.5, p, 1 - p)
    tail = q < 0.02425
    r = np.sqrt(-2 * np.log(np.where(tail, q, 0.5)))
    x_tail = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / (
        (((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1
    )
    s = q - 0.5
    t = s * s
    x_mid = (
        (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5])
        * s
        / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1)
    )
    x = np.where(tail, x_tail, x_mid)  # quantile of q (<= 0.5) -> negative
    return np.where(p < 0.5, x, -x)


# --------------------------------------------------------------------------- SKUs


@dataclass
class _Skus:
    """Per-SKU attributes of one chunk (arrays of equal length)."""

    index: np.ndarray  # global 1-based SKU number
    code: pa.Array
    family: np.ndarray
    price: np.ndarray
    cost: np.ndarray
    pattern: np.ndarray
    life: np.ndarray  # index into _LIFECYCLES
    first_w: np.ndarray  # first active week
    last_w: np.ndarray  # last active week
    launch_day: np.ndarray
    rate: np.ndarray  # mean weekly units at level 1
    p: np.ndarray
    size_mean: np.ndarray
    shape: np.ndarray
    amp: np.ndarray
    peak: np.ndarray
    growth: np.ndarray  # log growth per year
    loc: np.ndarray
    supplier: np.ndarray
    supplier2: np.ndarray  # -1 when single-sourced
    order_size: np.ndarray
    short_rate: np.ndarray
    late_rate: np.ndarray
    dom_cust: np.ndarray
    dom_share: np.ndarray


def _make_skus(
    w: _World, rng: np.random.Generator, first: int, n: int, never_sold: bool = False
) -> _Skus:
    weeks = w.weeks
    index = np.arange(first, first + n, dtype=np.int64)
    family = rng.choice(len(FAMILIES), n, p=w.fam_weight)
    code = pc.binary_join_element_wise("FAM", _pad(family + 1, 2), "-", _pad(index, w.width), "")
    if never_sold:
        pattern = np.full(n, 2, dtype=np.int8)
        life = np.zeros(n, dtype=np.int8)
    else:
        pattern = _quota(rng, n, _PATTERN_SHARES)
        life = _quota(rng, n, _LIFECYCLE_SHARES)

    lo, hi = w.fam_price[family, 0], w.fam_price[family, 1]
    price = np.exp(_uniform(rng, np.log(lo), np.log(hi)))
    price = np.where(price >= 5, np.ceil(price) - 0.01, np.round(price, 2))
    margin = _uniform(rng, w.fam_margin[family, 0], w.fam_margin[family, 1])
    margin = np.where(life == 1, np.minimum(margin + rng.uniform(0, 0.1, n), 0.75), margin)
    cost = np.maximum(0.01, np.round(price * (1 - margin), 2))

    first_w = np.zeros(n, dtype=np.int64)
    last_w = np.full(n, weeks - 1, dtype=np.int64)
    new = life == 1
    first_w[new] = np.clip(weeks - rng.integers(13, 41, int(new.sum())), 0, weeks - 1)
    eol = life == 2
    spread = max(0, min(35, weeks - 35))
    last_w[eol] = np.maximum(weeks - 27 - np.floor(rng.random(int(eol.sum())) * spread), 0)
    launch_day = w.start - rng.integers(60, 2500, n)
    launch_day = np.where(new, w.start + 7 * first_w, launch_day)

    pidx = pattern.astype(np.int64)
    p_rng = np.array(_P_RANGE)[pidx]
    s_rng = np.array(_SHAPE_RANGE)[pidx]
    p = _uniform(rng, p_rng[:, 0], p_rng[:, 1])
    shape = _uniform(rng, s_rng[:, 0], s_rng[:, 1])
    rate = np.array(_MEDIAN_RATE)[pidx] * (price / 8.0) ** -0.55 * np.exp(rng.normal(0, 1.05, n))
    size_mean = np.maximum(rate / p, np.array(_MIN_SIZE)[pidx])
    rate = size_mean * p

    seasonal = rng.random(n) < 0.6
    amp = w.fam_amp[family] * np.where(seasonal, rng.uniform(0.6, 1.3, n), rng.uniform(0, 0.2, n))
    peak = w.fam_peak[family] + rng.normal(0, 0.03, n)
    trending = rng.random(n) < 0.3
    growth = np.where(trending, rng.uniform(0.15, 0.6, n), 0.0)
    growth = np.where(rng.random(n) < 0.45, -growth, growth)

    loc = rng.choice(len(LOCATIONS), n, p=np.array(_LOCATION_SHARES))
    supplier = rng.choice(N_SUPPLIERS, n, p=w.sup_p)
    if first == 1:  # every supplier is the main supplier of at least one SKU
        k = min(n, N_SUPPLIERS)
        supplier[:k] = rng.permutation(N_SUPPLIERS)[:k]
    supplier2 = np.where(
        rng.random(n) < 0.1, (supplier + rng.integers(1, N_SUPPLIERS, n)) % N_SUPPLIERS, -1
    )
    lines_per_week = np.where(pidx < 2, rng.uniform(1.5, 6.0, n), rng.uniform(1.0, 2.0, n))
    order_size = np.maximum(1.0, size_mean / lines_per_week)
    low_service = rng.random(n) < 0.12
    short_rate = np.where(low_service, rng.uniform(0.15, 0.35, n), rng.uniform(0.02, 0.07, n))
    late_rate = np.where(low_service, rng.uniform(0.15, 0.35, n), rng.uniform(0.02, 0.08, n))
    dom_cust = w.key_idx[rng.choice(N_KEY_ACCOUNTS, n, p=w.key_p)]
    dominated = rng.random(n) < 0.15
    dom_share = np.where(dominated, rng.uniform(0.55, 0.85, n), rng.uniform(0.0, 0.25, n))
    return _Skus(
        index,
        code,
        family,
        price,
        cost,
        pattern,
        life,
        first_w,
        last_w,
        launch_day,
        rate,
        p,
        size_mean,
        shape,
        amp,
        peak,
        growth,
        loc,
        supplier,
        supplier2,
        order_size,
        short_rate,
        late_rate,
        dom_cust,
        dom_share,
    )


def _levels(w: _World, s: _Skus) -> np.ndarray:
    """Multiplicative demand level (seasonality x trend x launch ramp x run-out), shape (n, W)."""
    t = np.arange(w.weeks)
    yfrac = ((w.start + 7 * t + 3) % 365.2425) / 365.2425  # Thursday of each week
    level = 1 + s.amp[:, None] * np.cos(2 * np.pi * (yfrac[None, :] - s.peak[:, None]))
    level *= np.exp(s.growth[:, None] * (t[None, :] - (w.weeks - 1) / 2) / 52)
    since_launch = t[None, :] - s.first_w[:, None]
    level *= np.where(s.life[:, None] == 1, 1 - 0.8 * np.exp(-np.maximum(since_launch, 0) / 4), 1)
    to_end = s.last_w[:, None] - t[None, :]
    level *= np.where(s.life[:, None] == 2, np.clip((to_end + 1) / 13, 0.3, 1.0), 1)
    return level


def _weekly_demand(w: _World, s: _Skus, rng: np.random.Generator, level: np.ndarray) -> np.ndarray:
    """Weekly units per SKU, shape (n, W), zeros outside the active window."""
    n, weeks = len(s.index), w.weeks
    t = np.arange(weeks)
    active = (t[None, :] >= s.first_w[:, None]) & (t[None, :] <= s.last_w[:, None])
    occ = (rng.random((n, weeks)) < s.p[:, None]) & active
    rows = np.arange(n)
    occ[rows[s.life == 1], s.first_w[s.life == 1]] = True  # launches sell in week one
    empty = ~occ.any(axis=1)
    if empty.any():
        span = s.last_w[empty] - s.first_w[empty] + 1
        pick = s.first_w[empty] + np.floor(rng.random(int(empty.sum())) * span).astype(np.int64)
        occ[rows[empty], pick] = True
    size = rng.standard_gamma(np.broadcast_to(s.shape[:, None], (n, weeks)))
    size *= (s.size_mean / s.shape)[:, None] * level
    return np.where(occ, np.maximum(1.0, np.rint(size)), 0.0).astype(np.int64)


# --------------------------------------------------------------------------- sales


def _sales_lines(w: _World, s: _Skus, rng: np.random.Generator, q: np.ndarray) -> pa.Table:
    """Split weekly demand into dated order lines, add fulfilment data and returns."""
    weeks = w.weeks
    cells = np.flatnonzero(q)
    qc = q.ravel()[cells]
    sku = cells // weeks
    wk = cells % weeks
    lam = np.maximum(qc / s.order_size[sku] - 1.0, 0.0)
    n_lines = np.minimum(1 + rng.poisson(np.minimum(lam, 1e6)), np.minimum(qc, MAX_LINES_PER_WEEK))
    cell = np.repeat(np.arange(len(cells)), n_lines)
    first_line = np.cumsum(n_lines) - n_lines
    # split each week's quantity over its lines: 1 unit each + proportional share of the rest
    weight = rng.exponential(size=len(cell)) + 0.2
    share = weight / np.bincount(cell, weights=weight, minlength=len(cells))[cell]
    extra = qc - n_lines
    alloc = np.floor(share * extra[cell]).astype(np.int64)
    alloc[first_line] += extra - np.bincount(cell, weights=alloc, minlength=len(cells)).astype(
        np.int64
    )
    qty = 1 + alloc
    sku = sku[cell]
    n = len(qty)
    day = w.start + 7 * wk[cell] + rng.choice(7, n, p=_DOW_SHARES)

    u = rng.random(n)
    key = w.key_idx[rng.choice(N_KEY_ACCOUNTS, n, p=w.key_p)]
    tail = w.tail_idx[rng.choice(len(w.tail_idx), n, p=w.tail_p)]
    dom_share = s.dom_share[sku]
    cust = np.where(
        u < dom_share, s.dom_cust[sku], np.where(u < dom_share + (1 - dom_share) * 0.35, key, tail)
    )
    price = np.round(s.price[sku] * (1 - w.discount[cust]), 2)
    loc = np.where(rng.random(n) < 0.85, s.loc[sku], (s.loc[sku] + rng.integers(1, 3, n)) % 3)

    requested = day + rng.integers(2, 8, n)
    u = rng.random(n)
    late = s.late_rate[sku]
    delay = np.where(
        u < late, rng.integers(3, 15, n), np.where(u < late + 0.12, rng.integers(1, 3, n), 0)
    )
    ship = np.minimum(requested + delay, w.end)
    short = rng.random(n) < s.short_rate[sku]
    shipped = np.where(
        short, np.minimum(qty - 1, np.floor(qty * rng.uniform(0.2, 0.95, n))), qty
    ).astype(np.int64)

    # returns: a fraction of an earlier line, some days later, same customer/sku/location
    r = np.flatnonzero(rng.random(n) < _RETURN_RATE)
    r_qty = -np.maximum(1, np.floor(qty[r] * rng.uniform(0.1, 1.0, len(r)))).astype(np.int64)
    r_day = np.minimum(day[r] + rng.integers(3, 46, len(r)), w.end)

    is_ret = np.concatenate([np.zeros(n, bool), np.ones(len(r), bool)])
    sku = np.concatenate([sku, sku[r]])
    cust = np.concatenate([cust, cust[r]])
    day = np.concatenate([day, r_day])
    qty = np.concatenate([qty, r_qty])
    price = np.concatenate([price, price[r]])
    loc = np.concatenate([loc, loc[r]])
    zeros = np.zeros(len(r), dtype=np.int64)
    requested = np.concatenate([requested, zeros])
    ship = np.concatenate([ship, zeros])
    ordered = np.concatenate([qty[:n], zeros])
    shipped = np.concatenate([shipped, zeros])

    # one order per customer and day; a second line for the same SKU goes on order "-2" etc.
    base = (day - w.start) * 1000 + cust + 1
    by_key = np.lexsort((sku, base, is_ret))
    k_ret, k_base, k_sku = is_ret[by_key], base[by_key], sku[by_key]
    new_group = np.ones(len(by_key), bool)
    new_group[1:] = (
        (k_ret[1:] != k_ret[:-1]) | (k_base[1:] != k_base[:-1]) | (k_sku[1:] != k_sku[:-1])
    )
    starts = np.flatnonzero(new_group)
    rank_sorted = np.arange(len(by_key)) - np.repeat(
        starts, np.diff(np.append(starts, len(by_key)))
    )
    rank = np.empty_like(rank_sorted)
    rank[by_key] = rank_sorted

    suffix = pc.if_else(
        pa.array(rank > 0),
        pc.binary_join_element_wise("-", pa.array(rank + 1).cast(pa.string()), ""),
        "",
    )
    order_id = pc.binary_join_element_wise(
        pc.if_else(pa.array(is_ret), "RT", "SO"), _pad(base, 8), suffix, ""
    )
    order = np.lexsort((s.index[sku], rank, is_ret, base))
    columns = [
        order_id,
        _dates(day),
        s.code.take(pa.array(sku)),
        w.customers.take(pa.array(cust)),
        pa.array(qty),
        pa.array(price),
        pa.array(s.cost[sku]),
        _dates(requested, is_ret),
        _dates(ship, is_ret),
        pa.array(ordered, mask=is_ret),
        pa.array(shipped, mask=is_ret),
        w.locations.take(pa.array(loc)),
    ]
    return _sorted_table(SALES_DAILY_SCHEMA, columns, order)


def _sales_weekly(w: _World, s: _Skus, q: np.ndarray) -> pa.Table:
    """One row per SKU and week (Monday date), zeros included."""
    n, weeks = q.shape
    rows = np.repeat(np.arange(n), weeks)
    monday = np.tile(w.start + 7 * np.arange(weeks), n)
    columns = [
        s.code.take(pa.array(rows)),
        _dates(monday),
        pa.array(q.ravel()),
        pa.array(s.price[rows]),
        pa.array(s.cost[rows]),
    ]
    return pa.Table.from_arrays(columns, schema=SALES_WEEKLY_SCHEMA)


# --------------------------------------------------------------------------- receipts


def _receipts(
    w: _World, s: _Skus, rng: np.random.Generator, end_rate: np.ndarray, cycle_days: tuple[int, int]
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Purchase-order receipts; returns (table, on_order per SKU, last receipt day or -1)."""
    n = len(s.index)
    cycle = rng.integers(cycle_days[0], cycle_days[1] + 1, n)
    quoted_main = w.sup_quoted[s.supplier]
    po_from = np.where(s.life == 1, np.maximum(w.start, s.launch_day - quoted_main - 7), w.start)
    po_to = np.where(s.life == 2, w.start + 7 * (s.last_w + 1) - 28, w.end)
    po_to = np.maximum(po_to, po_from)
    offset = np.floor(rng.random(n) * cycle).astype(np.int64)
    offset = np.minimum(offset, po_to - po_from)
    k = (po_to - po_from - offset) // cycle + 1
    sku = np.repeat(np.arange(n), k)
    j = np.arange(len(sku)) - np.repeat(np.cumsum(k) - k, k)
    m = len(sku)
    od = po_from[sku] + offset[sku] + j * cycle[sku] + rng.integers(-3, 4, m)
    od = np.clip(od, w.start, w.end)

    second = (s.supplier2[sku] >= 0) & (rng.random(m) < 0.3)
    sup = np.where(second, s.supplier2[sku], s.supplier[sku])
    promised = od + w.sup_quoted[sup]
    actual = np.maximum(1, np.rint(rng.normal(w.sup_mean[sup], w.sup_std[sup]))).astype(np.int64)
    receipt = od + actual

    rate = np.where(s.life == 2, s.rate, np.maximum(end_rate, 0.2 * s.rate))
    pack = np.where(rate > 60, 24, np.where(rate > 15, 12, np.where(rate > 3, 6, 1)))[sku]
    need = rate[sku] * cycle[sku] / 7 * rng.uniform(0.7, 1.3, m)
    ordered = (np.maximum(1, np.ceil(need / pack)) * pack).astype(np.int64)
    infull = rng.random(m) < w.sup_infull[sup]
    received = np.where(
        infull, ordered, np.minimum(ordered - 1, np.floor(ordered * rng.uniform(0.5, 0.97, m)))
    ).astype(np.int64)
    cost = np.round(s.cost[sku] * np.where(second, 1.04, 1.0) * (1 + rng.normal(0, 0.015, m)), 2)
    cost = np.maximum(cost, 0.01)

    open_po = receipt > w.end  # not yet received: counts as on-order stock, not a receipt
    on_order = np.bincount(sku[open_po], weights=ordered[open_po], minlength=n).astype(np.int64)
    done = ~open_po
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, sku[done], receipt[done])

    sku, sup, od, promised = sku[done], sup[done], od[done], promised[done]
    receipt, ordered, received, cost = receipt[done], ordered[done], received[done], cost[done]
    po_num = (sup + 1) * 100_000 + (od - w.start)
    columns = [
        pc.binary_join_element_wise("PO", _pad(po_num, 7), ""),
        w.suppliers.take(pa.array(sup)),
        s.code.take(pa.array(sku)),
        _dates(od),
        _dates(promised),
        _dates(receipt),
        pa.array(ordered),
        pa.array(received),
        pa.array(cost),
    ]
    order = np.lexsort((s.index[sku], po_num, od))
    return _sorted_table(SUPPLIERS_SCHEMA, columns, order), on_order, last


# --------------------------------------------------------------------------- inventory


def _inventory(
    w: _World,
    s: _Skus,
    rng: np.random.Generator,
    end_rate: np.ndarray,
    on_order: np.ndarray,
    last_receipt: np.ndarray,
    never_sold: bool = False,
) -> pa.Table:
    """Snapshot at end date: healthy, excess, aged, zero and dead stock."""
    n = len(s.index)
    # 0 healthy, 1 excess, 2 aged, 3 zero
    kind = _quota(rng, n, (0.81, 0.10, 0.05, 0.04)).astype(np.int64)
    cover = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.uniform(2, 8, n), rng.uniform(27, 80, n), rng.uniform(8, 60, n)],
        0.0,
    )
    eol = s.life == 2
    cover = np.where(eol, rng.uniform(4, 40, n), cover)
    weekly = np.where(eol | never_sold, s.rate, np.maximum(end_rate, 0.05 * s.rate))
    on_hand = np.rint(cover * weekly).astype(np.int64)
    on_hand = np.where((kind == 3) & ~eol, 0, np.maximum(on_hand, 1))
    receipt = np.where(last_receipt >= 0, last_receipt, w.end - rng.integers(30, 200, n))
    aged = (kind == 2) & ~eol
    receipt = np.where(aged | never_sold, w.end - rng.integers(366, 900, n), receipt)

    # a few SKUs also hold a little stock at a second warehouse
    extra = np.flatnonzero((rng.random(n) < 0.05) & (on_hand > 0))
    rows = np.concatenate([np.arange(n), extra])
    loc = np.concatenate([s.loc, (s.loc[extra] + rng.integers(1, 3, len(extra))) % 3])
    qty = np.concatenate(
        [on_hand, np.maximum(1, on_hand[extra] // rng.integers(3, 10, len(extra)))]
    )
    on_ord = np.concatenate([on_order, np.zeros(len(extra), dtype=np.int64)])
    rec = np.concatenate([receipt, receipt[extra]])
    columns = [
        s.code.take(pa.array(rows)),
        w.locations.take(pa.array(loc)),
        pa.array(qty),
        pa.array(s.cost[rows]),
        _dates(np.full(len(rows), w.end)),
        _dates(rec),
        pa.array(on_ord),
    ]
    order = np.lexsort((loc, s.index[rows]))
    return _sorted_table(INVENTORY_SCHEMA, columns, order)


def _products(w: _World, s: _Skus, formula_index: int) -> pa.Table:
    """Product master rows for a chunk; one deterministic description starts with '='."""
    desc = pc.binary_join_element_wise(
        w.families.take(pa.array(s.family)), " item ", _pad(s.index, w.width), ""
    )
    desc = pc.if_else(pa.array(s.index == formula_index), FORMULA_DESCRIPTION, desc)
    columns = [
        s.code,
        desc,
        w.families.take(pa.array(s.family)),
        pa.array(s.cost),
        pa.array(s.price),
        w.lifecycles.take(pa.array(s.life.astype(np.int64))),
        _dates(s.launch_day),
        w.suppliers.take(pa.array(s.supplier)),
    ]
    return pa.Table.from_arrays(columns, schema=PRODUCTS_SCHEMA)


# --------------------------------------------------------------------------- public API


def _generate(
    out_dir: str | Path,
    skus: int,
    weeks: int,
    seed: int,
    fmt: str,
    grain: str | None,
    end_date: datetime.date,
) -> tuple[dict[str, Path], dict[str, int]]:
    """Generate all files; returns (paths, row counts)."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    if grain is None:
        grain = "daily" if skus <= DAILY_MAX_SKUS else "weekly"
    if grain not in ("daily", "weekly"):
        raise ValueError(f"grain must be 'daily' or 'weekly', got {grain!r}")
    if skus < 1 or weeks < 1:
        raise ValueError("skus and weeks must be positive")
    if end_date.weekday() != 6:
        raise ValueError(f"end_date must be a Sunday, got {end_date.isoformat()}")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    world = _make_world(seed, skus, weeks, (end_date - _EPOCH).days)
    sales_schema = SALES_DAILY_SCHEMA if grain == "daily" else SALES_WEEKLY_SCHEMA
    names = ("sales", "inventory", "suppliers", "products")
    schemas = (sales_schema, INVENTORY_SCHEMA, SUPPLIERS_SCHEMA, PRODUCTS_SCHEMA)
    sinks = {
        name: _Sink(out / f"{name}.{fmt}", schema, fmt)
        for name, schema in zip(names, schemas, strict=True)
    }
    formula_index = min(skus, 3)
    # replenishment every 2-8 weeks; large weekly sets order every 8-26 weeks (~5 POs/SKU)
    cycle_days = (14, 56) if grain == "daily" else (56, 182)
    ok = False
    try:
        step = DAILY_CHUNK_SKUS if grain == "daily" else CHUNK_SKUS
        for chunk, first in enumerate(range(1, skus + 1, step)):
            n = min(step, skus + 1 - first)
            rng = np.random.default_rng([seed, 1, chunk])
            s = _make_skus(world, rng, first, n)
            level = _levels(world, s)
            q = _weekly_demand(world, s, rng, level)
            end_rate = s.rate * level[:, -1] * (s.last_w == weeks - 1)
            if grain == "daily":
                sinks["sales"].write(_sales_lines(world, s, rng, q))
            else:
                sinks["sales"].write(_sales_weekly(world, s, q))
            del q
            receipts, on_order, last = _receipts(world, s, rng, end_rate, cycle_days)
            sinks["suppliers"].write(receipts)
            sinks["inventory"].write(_inventory(world, s, rng, end_rate, on_order, last))
            sinks["products"].write(_products(world, s, formula_index))

        # a few stocked SKUs that never sold (codes absent from sales)
        rng = np.random.default_rng([seed, 2])
        k = min(N_NEVER_SOLD, max(1, skus // 10))
        s = _make_skus(world, rng, skus + 1, k, never_sold=True)
        none = np.full(k, -1, dtype=np.int64)
        sinks["inventory"].write(
            _inventory(
                world, s, rng, np.zeros(k), np.zeros(k, dtype=np.int64), none, never_sold=True
            )
        )
        sinks["products"].write(_products(world, s, formula_index))
        ok = True
    finally:
        for sink in sinks.values():
            sink.close(publish=ok)
    return {k: v.path for k, v in sinks.items()}, {k: v.rows for k, v in sinks.items()}


def generate_demo(
    out_dir: str | Path,
    skus: int = 2000,
    weeks: int = 104,
    seed: int = 7,
    fmt: str = "csv",
    grain: str | None = None,
    end_date: datetime.date = DEFAULT_END_DATE,
) -> dict[str, Path]:
    """Writes the files and returns {"sales": path, "inventory": path, "suppliers": path,
    "products": path}."""
    paths, _ = _generate(out_dir, skus, weeks, seed, fmt, grain, end_date)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: generate demo data and print paths and row counts."""
    parser = argparse.ArgumentParser(
        prog="segstudio demo", description="Generate seeded supply-chain demo data."
    )
    parser.add_argument("--out", default="demo_data", help="output directory")
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv")
    parser.add_argument(
        "--grain",
        choices=("daily", "weekly"),
        default=None,
        help="default: daily up to 20,000 SKUs, weekly above",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    try:
        paths, rows = _generate(
            args.out, args.skus, args.weeks, args.seed, args.fmt, args.grain, DEFAULT_END_DATE
        )
    except ValueError as exc:
        parser.error(str(exc))
    for name, path in paths.items():
        print(f"{name:<10} {rows[name]:>12,} rows  {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
