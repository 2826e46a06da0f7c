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


def features_pandas(
    sales: pd.DataFrame, weeks: int = 52, new_weeks: int = 13, eol_weeks: int = 26
) -> pd.DataFrame:
    """The sales-derived columns of the feature table, the plain pandas way: net quantity,
    revenue, margin and margin %, order lines and shares; weekly demand mean, std and CoV over
    active weeks; ADI, CV2 and pattern; first and last sale, new and end-of-life flags."""
    sales = sales.assign(week=sales["date"].dt.to_period("W-SUN").dt.start_time)
    end = sales["week"].max()
    start = end - pd.Timedelta(weeks=weeks - 1)
    last_day = end + pd.Timedelta(days=6)
    positive = sales[sales["quantity"] > 0]
    first = positive.groupby("sku")["date"].min()
    last = positive.groupby("sku")["date"].max()
    win = sales[(sales["week"] >= start) & (sales["week"] <= end)]
    win = win.assign(
        revenue=win["quantity"] * win["unit_price"],
        cost=win["quantity"] * win["unit_cost"],
        line=(win["quantity"] > 0).astype(int),
    )
    vol = win.groupby("sku").agg(
        quantity=("quantity", "sum"),
        revenue=("revenue", "sum"),
        cost=("cost", "sum"),
        order_lines=("line", "sum"),
    )
    vol["margin"] = vol["revenue"] - vol["cost"]
    vol["margin_pct"] = vol["margin"] / vol["revenue"].where(vol["revenue"] != 0)
    for col in ("quantity", "revenue", "margin"):
        vol[f"{col}_share"] = vol[col] / vol[col].clip(lower=0).sum()
    vol["order_lines_share"] = vol["order_lines"] / vol["order_lines"].sum()
    d = win.groupby(["sku", "week"])["quantity"].sum().clip(lower=0).rename("d").reset_index()
    g = d.groupby("sku")["d"]
    s1, s2 = g.sum(), (d["d"] ** 2).groupby(d["sku"]).sum()
    nz = d[d["d"] > 0].groupby("sku")["d"]
    act_start = first.reindex(vol.index).dt.to_period("W-SUN").dt.start_time.clip(lower=start)
    n = ((end - act_start).dt.days // 7 + 1).astype(float)
    mean = s1.reindex(vol.index) / n
    std = np.sqrt(
        ((s2.reindex(vol.index) - s1.reindex(vol.index) ** 2 / n) / (n - 1)).clip(lower=0)
    )
    k = nz.size().reindex(vol.index).fillna(0)
    adi = n / k.where(k > 0)
    cv2 = ((nz.std() / nz.mean()) ** 2).reindex(vol.index)
    pattern = np.select(
        [k < 2, (adi < 1.32) & (cv2 < 0.49), adi < 1.32, cv2 < 0.49],
        ["insufficient history", "smooth", "erratic", "intermittent"],
        "lumpy",
    )
    out = vol.assign(
        weeks_active=n,
        weeks_with_demand=k,
        demand_mean=mean,
        demand_std=std,
        cov=std / mean.where(mean > 0),
        adi=adi,
        cv2=cv2,
        pattern=pattern,
        first_sale=first.reindex(vol.index),
        last_sale=last.reindex(vol.index),
    )
    out["is_new"] = out["first_sale"] > last_day - pd.Timedelta(weeks=new_weeks)
    out["is_end_of_life"] = ~(out["last_sale"] > last_day - pd.Timedelta(weeks=eol_weeks))
    return out.reset_index()


COLUMNS = ["sku", "date", "quantity", "unit_price", "unit_cost"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=Path, required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.sales.suffix == ".parquet":
        sales = pd.read_parquet(args.sales, columns=COLUMNS)
    else:
        sales = pd.read_csv(args.sales, usecols=COLUMNS, dtype={"sku": str})
    sales["date"] = pd.to_datetime(sales["date"])
    df = features_pandas(sales)
    t1 = time.perf_counter()
    print(
        json.dumps(
            {
                "skus": len(df),
                "total_s": round(t1 - t0, 2),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
