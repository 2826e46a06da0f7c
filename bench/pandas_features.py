"""The same weekly demand features in plain pandas, for the speed ratio. One JSON line out."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def features_pandas(sales: pd.DataFrame, weeks: int = 52) -> pd.DataFrame:
    """Net weekly demand over the last ``weeks`` weeks; mean, std, CoV, ADI, CV2 per SKU."""
    sales = sales.assign(week=sales["date"].dt.to_period("W-SUN").dt.start_time)
    end = sales["week"].max()
    start = end - pd.Timedelta(weeks=weeks - 1)
    first = sales[sales["quantity"] > 0].groupby("sku")["week"].min()
    win = sales[(sales["week"] >= start) & (sales["week"] <= end)]
    win = win.assign(revenue=win["quantity"] * win["unit_price"])
    vol = win.groupby("sku").agg(quantity=("quantity", "sum"), revenue=("revenue", "sum"))
    d = win.groupby(["sku", "week"])["quantity"].sum().clip(lower=0).rename("d").reset_index()
    g = d.groupby("sku")["d"]
    s1, s2 = g.sum(), (d["d"] ** 2).groupby(d["sku"]).sum()
    nz = d[d["d"] > 0].groupby("sku")["d"]
    act_start = first.reindex(vol.index).clip(lower=start)
    n = ((end - act_start).dt.days // 7 + 1).astype(float)
    mean = s1 / n
    std = np.sqrt(((s2 - s1 * s1 / n) / (n - 1)).clip(lower=0))
    k = nz.size().reindex(vol.index).fillna(0)
    out = vol.assign(weeks_active=n, weeks_with_demand=k, demand_mean=mean, demand_std=std,
                     cov=std / mean.where(mean > 0), adi=n / k.where(k > 0),
                     cv2=(nz.std() / nz.mean()) ** 2)
    return out.reset_index()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=Path, required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.sales.suffix == ".parquet":
        sales = pd.read_parquet(args.sales, columns=["sku", "date", "quantity", "unit_price"])
    else:
        sales = pd.read_csv(args.sales, usecols=["sku", "date", "quantity", "unit_price"],
                            dtype={"sku": str})
    sales["date"] = pd.to_datetime(sales["date"])
    df = features_pandas(sales)
    t1 = time.perf_counter()
    print(json.dumps({"skus": len(df), "total_s": round(t1 - t0, 2),
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
