"""Root causes of a missed service target: which SKUs fall short, and why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segstudio.common.numeric import safe_divide
from segstudio.perform.kpis import NO_FORECASTS, Scorecard

__all__ = ["CAUSES", "CauseSettings", "root_causes"]


CAUSES: dict[str, str] = {
    "demand_variability": "Demand variability: erratic or lumpy demand (CoV above the Z "
    "boundary, or an erratic/lumpy pattern)",
    "forecast_error": "Forecast error",
    "supplier_lateness": "Supplier lateness: receipts late, short or with unreliable lead times",
    "policy_setting": "Policy setting: no safety stock, a planned service below the target, "
    "or stock below the reorder point today",
}


@dataclass(frozen=True)
class CauseSettings:
    """Thresholds that say a SKU's miss is explained by a cause (documented defaults)."""

    on_time_below: float = 0.90  # the SKU's receipts on time less often than this
    in_full_below: float = 0.95
    cov_above: float | None = None  # default: the rules' Y/Z boundary (xyz_y)
    lead_time_cov_above: float | None = None  # default: the rules' lead-time CoV


def root_causes(
    base: pd.DataFrame,
    features: pd.DataFrame,
    policies: pd.DataFrame,
    sc: Scorecard,
    xyz_y: float,
    leadtime_cov: float,
    settings: CauseSettings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Why segments miss their service target.

    For each segment that misses (status red or amber on "Service vs target"), the SKUs whose
    own achieved service is below the segment's target, each with every cause that holds:

    - demand variability: CoV above the Z boundary (``xyz_y``), or pattern erratic or lumpy;
    - forecast error: not assessed until forecasts exist (said in the summary);
    - supplier lateness: on-time rate below ``on_time_below``, in-full below ``in_full_below``,
      or lead-time CoV above the rules' unreliable-lead-time boundary;
    - policy setting: the SKU is not stocked (MTO/ETO or no safety stock while it has demand),
      its planned service (expected CSL or fill rate) is below the target, or its on-hand
      stock is below its reorder point.

    Returns (summary, skus): the summary has one row per missing segment and cause (SKUs,
    units short, share of the segment's units short); ``skus`` one row per short SKU with its
    causes and figures, sorted by units short.
    """
    cfg = settings or CauseSettings()
    cov_cut = cfg.cov_above if cfg.cov_above is not None else xyz_y
    lt_cut = cfg.lead_time_cov_above if cfg.lead_time_cov_above is not None else leadtime_cov
    misses = sc.misses()
    sku_cols = [
        "segment",
        "sku",
        "description",
        "measure",
        "achieved",
        "target",
        "units_short",
        "lines_short",
        "causes",
        "main_cause",
        "cov",
        "pattern",
        "on_time_rate",
        "in_full_rate",
        "lead_time_cov",
        "expected_service",
        "safety_stock",
        "on_hand",
        "reorder_point",
    ]
    sum_cols = ["segment", "cause", "label", "skus", "units_short", "share_of_short", "note"]
    if misses.empty:
        return pd.DataFrame(columns=sum_cols), pd.DataFrame(columns=sku_cols)
    measure = sc.service["measure"].to_dict()
    target = dict(zip(misses["segment"], misses["target"], strict=True))
    f = features.set_index("sku")
    pol = policies.set_index("sku")
    b = base[base["segment"].isin(misses["segment"]) & (base["lines"] > 0)].copy()
    b["measure"] = b["segment"].map(measure)
    unit = safe_divide(b["shipped_units"], b["ordered_units"], positive_den=True)
    line = safe_divide(b["lines_complete"], b["lines"], positive_den=True)
    b["achieved"] = np.where(b["measure"] == "fill_rate", unit, line)
    b["target"] = b["segment"].map(target).astype(float)
    b = b[b["achieved"] < b["target"]].copy()
    b["units_short"] = np.maximum(b["ordered_units"] - b["shipped_units"], 0.0)
    b["lines_short"] = b["lines"] - b["lines_complete"]
    fs = f.reindex(b["sku"])
    ps = pol.reindex(b["sku"])
    b["description"] = (
        fs["description"].to_numpy() if "description" in fs.columns else np.full(len(b), None)
    )
    b["cov"] = fs["cov"].to_numpy(dtype=float)
    b["pattern"] = fs["pattern"].to_numpy()
    b["on_time_rate"] = fs["on_time_rate"].to_numpy(dtype=float)
    b["in_full_rate"] = fs["in_full_rate"].to_numpy(dtype=float)
    b["lead_time_cov"] = safe_divide(
        fs["lead_time_std_days"], fs["lead_time_mean_days"], positive_den=True
    )
    expected = np.where(
        b["measure"] == "fill_rate",
        ps["expected_fill_rate"].to_numpy(dtype=float),
        ps["expected_csl"].to_numpy(dtype=float),
    )
    b["expected_service"] = expected
    b["safety_stock"] = ps["safety_stock"].to_numpy(dtype=float)
    b["on_hand"] = fs["on_hand"].to_numpy(dtype=float)
    b["reorder_point"] = ps["reorder_point"].to_numpy(dtype=float)
    flags = {
        "demand_variability": (b["cov"].to_numpy() > cov_cut)
        | b["pattern"].isin(["erratic", "lumpy"]).to_numpy(),
        "supplier_lateness": (b["on_time_rate"].to_numpy() < cfg.on_time_below)
        | (b["in_full_rate"].to_numpy() < cfg.in_full_below)
        | (b["lead_time_cov"].to_numpy() > lt_cut),
        "policy_setting": (ps["demand_model"].to_numpy() == "none")
        | (np.nan_to_num(b["safety_stock"].to_numpy()) <= 0)
        | (expected < b["target"].to_numpy())
        | (np.nan_to_num(b["on_hand"].to_numpy()) < np.nan_to_num(b["reorder_point"].to_numpy())),
    }
    names = list(flags)
    matrix = (
        np.column_stack([flags[n] for n in names]) if len(b) else np.zeros((0, len(names)), bool)
    )
    b["causes"] = [
        ", ".join(n for n, on in zip(names, row, strict=True) if on) or "unexplained"
        for row in matrix
    ]
    b["main_cause"] = [
        next((n for n, on in zip(names, row, strict=True) if on), "unexplained") for row in matrix
    ]
    skus = b.sort_values(["segment", "units_short"], ascending=[True, False])[sku_cols]
    rows = []
    for seg in misses["segment"]:
        own = b["segment"] == seg
        total_short = float(b.loc[own, "units_short"].sum())
        for cause, label in CAUSES.items():
            if cause == "forecast_error":
                rows.append(
                    {
                        "segment": seg,
                        "cause": cause,
                        "label": label,
                        "skus": 0,
                        "units_short": np.nan,
                        "share_of_short": np.nan,
                        "note": NO_FORECASTS,
                    }
                )
                continue
            m = own.to_numpy() & flags[cause]
            short = float(b.loc[m, "units_short"].sum())
            rows.append(
                {
                    "segment": seg,
                    "cause": cause,
                    "label": label,
                    "skus": int(m.sum()),
                    "units_short": short,
                    "share_of_short": safe_divide(short, total_short, positive_den=True),
                    "note": "",
                }
            )
        m = own.to_numpy() & ~matrix.any(axis=1) if len(b) else own.to_numpy()
        rows.append(
            {
                "segment": seg,
                "cause": "unexplained",
                "label": "None of the above",
                "skus": int(m.sum()),
                "units_short": float(b.loc[m, "units_short"].sum()),
                "share_of_short": safe_divide(
                    float(b.loc[m, "units_short"].sum()), total_short, positive_den=True
                ),
                "note": "",
            }
        )
    return pd.DataFrame(rows, columns=sum_cols), skus.reset_index(drop=True)
