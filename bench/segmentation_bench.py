"""Segmentation speed: what a boundary slider costs once the feature table is loaded.

Builds a synthetic, seeded feature table of N SKUs, prepares the :class:`Portfolio` (once per
data load: the arrays and the Pareto order of the ABC measure), classifies under the default
rules (the official segmentation, warm), then moves the A boundary 20 times (0.70 .. 0.85) and
times each reclassification, and separately the views redrawn after a move (matrix, alert count,
movers against the official segmentation). Prints one line per figure; ``--json`` prints one
JSON object instead (for bench/run.py). Run it in a fresh process: peak memory is the process's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

from segstudio.config.rules import Rules
from segstudio.segment.segmentation import Portfolio, alert_count, classify, matrix, movers

TARGET_MS = {100_000: 10.0, 1_000_000: 100.0}  # reclassification after a boundary move
LAST_DAY = dt.date(2024, 6, 30)
MOVES = 20


def synthetic_features(n: int, seed: int = 42) -> pd.DataFrame:
    """A feature table shaped like segstudio.features' output (the columns segmentation reads)."""
    rng = np.random.default_rng(seed)
    revenue = rng.lognormal(mean=7.0, sigma=1.6, size=n).round(2)
    kind = rng.random(n)
    revenue[kind < 0.03] = 0.0  # nothing sold in the window
    revenue[(kind >= 0.03) & (kind < 0.04)] *= -0.1  # returns exceed sales
    price = rng.lognormal(mean=2.5, sigma=1.0, size=n)
    weeks_with_demand = rng.integers(0, 53, size=n)
    cov = rng.gamma(shape=2.0, scale=0.4, size=n)
    cov[weeks_with_demand == 0] = np.nan
    lt_mean = rng.gamma(shape=4.0, scale=7.0, size=n)
    no_receipts = rng.random(n) < 0.1
    lt_mean[no_receipts] = np.nan
    receipts = rng.gamma(shape=2.0, scale=6.0, size=n)
    receipts[no_receipts] = np.nan
    top_share = rng.beta(2.0, 3.0, size=n)
    top_share[weeks_with_demand == 0] = np.nan
    last_day = np.datetime64(LAST_DAY, "D")
    first_sale = last_day - rng.integers(0, 1500, size=n).astype("timedelta64[D]")
    last_sale = np.minimum(
        first_sale + rng.integers(0, 1500, size=n).astype("timedelta64[D]"), last_day
    )
    return pd.DataFrame(
        {
            "sku": [f"SKU{i:07d}" for i in rng.permutation(n)],
            "revenue": revenue,
            "quantity": np.maximum(revenue / price, 0).round(),
            "margin": (revenue * rng.uniform(-0.1, 0.5, size=n)).round(2),
            "order_lines": rng.poisson(40, size=n),
            "cov": cov,
            "adi": np.where(weeks_with_demand > 0, 1.0 + rng.gamma(1.0, 0.5, size=n), np.nan),
            "cv2": np.where(weeks_with_demand > 1, rng.gamma(1.0, 0.4, size=n), np.nan),
            "weeks_with_demand": weeks_with_demand,
            "lead_time_mean_days": lt_mean,
            "lead_time_std_days": lt_mean * rng.uniform(0.05, 0.8, size=n),
            "receipts_per_year": receipts,
            "top_customer_share": top_share,
            "first_sale": pd.to_datetime(first_sale),
            "last_sale": pd.to_datetime(last_sale),
        }
    )


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def run(n: int) -> dict:
    features = synthetic_features(n)
    rules = Rules()  # abc + xyz, a = 0.80, b = 0.95

    t0 = time.perf_counter()
    p = Portfolio.from_features(features, LAST_DAY)
    p.abc_order(rules.abc_measure)
    prepare_ms = _ms(t0)

    official = classify(p, rules)  # warm: xyz and the default abc are cached from here on

    reclassify, views, hysteresis = [], [], []
    for a in np.linspace(0.70, 0.85, MOVES):  # 20 distinct boundaries: each one recomputed
        moved = rules.with_(abc_a=float(a))
        t0 = time.perf_counter()
        s = classify(p, moved, baseline=official)
        reclassify.append(_ms(t0))
        t0 = time.perf_counter()
        matrix(p, s)
        alert_count(s)
        movers(p, s, official)
        views.append(_ms(t0))
        t0 = time.perf_counter()  # the same move again, with hysteresis (abc is cached now)
        classify(p, moved.with_(hysteresis=True), baseline=official)
        hysteresis.append(_ms(t0))

    return {
        "skus": n,
        "prepare_ms": round(prepare_ms, 1),
        "reclassify_ms_median": round(float(np.median(reclassify)), 2),
        "reclassify_ms_max": round(max(reclassify), 2),
        "views_ms_median": round(float(np.median(views)), 2),
        "hysteresis_ms_median": round(float(np.median(hysteresis)), 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _target(n: int) -> str:
    if n in TARGET_MS:
        return f"target <= {TARGET_MS[n]:.0f} ms at {n:,} SKUs"
    return "targets: <= 10 ms at 100,000 SKUs, <= 100 ms at 1,000,000"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    r = run(args.skus)
    if args.json:
        print(json.dumps(r))
        return 0
    ok = r["reclassify_ms_median"] <= TARGET_MS.get(args.skus, float("inf"))
    print(
        f"Segmentation, {r['skus']:,} SKUs (abc + xyz, A boundary moved {MOVES} times "
        "0.70 .. 0.85):"
    )
    print(f"  prepare (once per load)         {r['prepare_ms']:9.1f} ms")
    print(
        f"  reclassify after a move, median {r['reclassify_ms_median']:9.2f} ms   "
        f"({_target(args.skus)}){'  OK' if ok else '  MISSED'}"
    )
    print(f"  reclassify after a move, max    {r['reclassify_ms_max']:9.2f} ms")
    print(f"  views (matrix + alert count + movers), median {r['views_ms_median']:.2f} ms")
    print(
        f"  reclassify with hysteresis (criteria cached), median {r['hysteresis_ms_median']:.2f} ms"
    )
    print(f"  peak memory (RSS)               {r['peak_mb']:9,} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
