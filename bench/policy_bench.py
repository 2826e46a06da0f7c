"""Inventory policy speed: per-SKU policies and all trade-off curves for N SKUs, and the
simulation of 10,000 SKUs x 104 weeks (the history plus 20 bootstrapped paths per SKU).

The feature table is synthetic and seeded (segmentation_bench's, with demand statistics and
lead times added); segments come from the default rules. Prints one JSON object with --json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from segmentation_bench import LAST_DAY, synthetic_features  # noqa: E402

from segstudio.config.policy_table import PolicyTable, SegmentPolicy
from segstudio.config.rules import Rules  # noqa: E402
from segstudio.policy import simulation as sim  # noqa: E402
from segstudio.policy.sku import SkuInputs, policies_from_inputs  # noqa: E402
from segstudio.policy.tradeoff import curves  # noqa: E402
from segstudio.segment.segmentation import Portfolio, classify  # noqa: E402


def _features(n: int, seed: int = 42):
    rng = np.random.default_rng(seed + 1)
    f = synthetic_features(n, seed)
    mean = rng.lognormal(2.0, 1.3, n)
    f["demand_mean"] = mean
    f["demand_std"] = mean * f["cov"].fillna(1.0).to_numpy()
    adi = f["adi"].to_numpy()
    cv2 = rng.gamma(1.0, 0.5, n)
    f["pattern"] = np.where(
        adi > 1.32,
        np.where(cv2 > 0.49, "lumpy", "intermittent"),
        np.where(cv2 > 0.49, "erratic", "smooth"),
    )
    f["unit_cost"] = rng.lognormal(2.0, 1.0, n)
    f["lead_time_std_days"] = f["lead_time_mean_days"] * rng.uniform(0.05, 0.6, n)
    f["lead_time_source"] = "sku"
    f["period"] = "week"
    return f


def _median(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--sim-skus", type=int, default=10_000)
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--paths", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    f = _features(args.skus)
    p = Portfolio.from_features(f, LAST_DAY)
    segments = classify(p, Rules()).segment
    x = SkuInputs.from_features(p.features)
    csl_table = Rules().policy
    fill_table = PolicyTable(
        default=SegmentPolicy(service_type="fill_rate"),
        segments=tuple(
            (
                c,
                SegmentPolicy(
                    service_type="fill_rate",
                    service_target=sp.service_target,
                    review_period_days=sp.review_period_days,
                ),
            )
            for c, sp in csl_table.segments
        ),
    )
    policies_from_inputs(x, segments, csl_table)  # warm-up (imports, first calls)
    pol_csl, pol = _median(lambda: policies_from_inputs(x, segments, csl_table), 5)
    pol_fill, _ = _median(lambda: policies_from_inputs(x, segments, fill_table), 5)
    t = time.perf_counter()
    curves(x, segments, csl_table)
    curves_cold = time.perf_counter() - t  # includes the gamma tables, built once per process
    curves_warm, _ = _median(lambda: curves(x, segments, csl_table), 3)

    # Simulation: 10,000 SKUs x 104 weeks of demand drawn around each SKU's statistics.
    rng = np.random.default_rng(7)
    n = args.sim_skus
    sub = pol.iloc[: n * 2]
    sub = sub[sub["demand_model"] != "none"].head(n)
    mean = sub["demand_mean"].to_numpy()[:, None]
    std = sub["demand_std"].to_numpy()[:, None]
    demand = np.maximum(rng.normal(mean, std, (len(sub), args.weeks)), 0).round()
    lead = sub["lead_time_days"].to_numpy()[:, None] / 7.0 * rng.uniform(0.7, 1.3, (len(sub), 12))
    review = np.where(
        sub["review_period_days"].to_numpy() > 0,
        np.maximum(np.rint(sub["review_period_days"].to_numpy() / 7), 1),
        0,
    )
    args_policy = [
        sub[c].to_numpy(float) for c in ("reorder_point", "order_quantity", "order_up_to")
    ]

    def simulate_all() -> None:
        sim.simulate(
            demand, *args_policy, review.astype(np.int64), lead, rng=np.random.default_rng(0)
        )
        paths = sim.bootstrap_paths(demand, args.paths, np.random.default_rng(1))
        sim.simulate(
            paths,
            *[sim.repeat_rows(a, args.paths) for a in args_policy],
            sim.repeat_rows(review.astype(np.int64), args.paths),
            sim.repeat_rows(lead, args.paths),
            rng=np.random.default_rng(2),
        )

    sim_s, _ = _median(simulate_all, 3)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    result = {
        "skus": args.skus,
        "policies_csl_s": pol_csl,
        "policies_fill_rate_s": pol_fill,
        "gamma_skus": int((pol["demand_model"] == "gamma").sum()),
        "curves_cold_s": curves_cold,
        "curves_s": curves_warm,
        "sim_skus": len(sub),
        "sim_weeks": args.weeks,
        "sim_paths": args.paths,
        "simulation_s": sim_s,
        "peak_mb": int(peak_mb),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
