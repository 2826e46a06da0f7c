"""Root causes of a missed service target: which SKUs fall short, and why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segstudio.common.numeric import safe_divide
from segstudio.perform.kpis import NO_FORECASTS, Scorecard

__all__ = ["CAUSES", "CauseSettings", "SHARES_ADD_UP", "cause_shares", "root_causes"]


CAUSES: dict[str, str] = {
    "demand_variability": "Demand variability: erratic or lumpy demand (CoV above the Z "
    "boundary, or an erratic/lumpy pattern)",
    "forecast_error": "Forecast error",
    "supplier_lateness": "Supplier lateness: receipts late, short or with unreliable lead times",
    "policy_setting": "Policy setting: no safety stock, a planned service below the target, "
    "or stock below the reorder point today",
}


SHARES_ADD_UP = (
    "Main-cause shares add up to 100% of the segment's units short: each SKU's shortage counts "
    "once, under its main cause (the first that holds, in the order listed; none: 'None of "
    "the above'). 'Share with this cause' counts a SKU under every cause that holds, so "
    "those shares can add up to more than 100%."
)
"""What the root-cause summary's shares add up to, as the page says it."""


def cause_shares(units_short: np.ndarray, flags: np.ndarray, names: list[str]) -> pd.DataFrame:
    """The shares of a segment's units short by cause. ``flags`` is SKUs x ``names`` (every
    cause that holds); a SKU's main cause is its first flag, "unexplained" when none holds.

    One row per cause and a last "unexplained" row: skus and units_short with the cause,
    share_of_short (overlapping: a SKU counts under each of its causes), main_skus,
    main_units_short and main_share (each SKU once, under its main cause: the main shares add
    up to 1 whenever any unit is short)."""
    units = np.maximum(np.nan_to_num(np.asarray(units_short, dtype=float)), 0.0)
    flags = np.asarray(flags, dtype=bool).reshape(len(units), len(names))
    total = float(units.sum())
    none = ~flags.any(axis=1)
    main = np.where(none, len(names), np.argmax(flags, axis=1))
    with_cause = np.column_stack([flags, none])
    main_units = np.bincount(main, weights=units, minlength=len(names) + 1)
    main_skus = np.bincount(main, minlength=len(names) + 1)
    units_with = units @ with_cause if len(units) else np.zeros(len(names) + 1)
    return pd.DataFrame(
        {
            "cause": [*names, "unexplained"],
            "skus": with_cause.sum(axis=0).astype(int),
            "units_short": units_with,
            "share_of_short": safe_divide(units_with, total, positive_den=True),
            "main_skus": main_skus.astype(int),
            "main_units_short": main_units,
            "main_share": safe_divide(main_units, total, positive_den=True),
        }
    )


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

    For each segment that misses (status red or amber on "Achieved service vs target"), the SKUs whose
    own achieved service is below the segment's target, each with every cause that holds:

    - demand variability: CoV above the Z boundary (``xyz_y``), or pattern erratic or lumpy;
    - forecast error: not assessed until forecasts exist (said in the summary);
    - supplier lateness: on-time rate below ``on_time_below``, in-full below ``in_full_below``,
      or lead-time CoV above the rules' unreliable-lead-time boundary;
    - policy setting: the SKU is not stocked (MTO/ETO or no safety stock while it has demand),
      its planned service (expected CSL or fill rate) is below the target, or its on-hand
      stock is below its reorder point.

    Returns (summary, skus): the summary has one row per missing segment and cause (see
    :func:`cause_shares`: the main-cause shares add up to 100%, :data:`SHARES_ADD_UP`);
    ``skus`` one row per short SKU with its causes and figures, sorted by units short.
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
    sum_cols = [
        "segment",
        "cause",
        "label",
        "main_skus",
        "main_units_short",
        "main_share",
        "skus",
        "units_short",
        "share_of_short",
        "note",
    ]
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
    labels = {**CAUSES, "unexplained": "None of the above"}
    order = {c: i for i, c in enumerate(labels)}
    forecast = {
        "cause": "forecast_error",
        "skus": 0,
        "units_short": np.nan,
        "share_of_short": np.nan,
        "main_skus": 0,
        "main_units_short": np.nan,
        "main_share": np.nan,
    }
    frames = []
    for seg in misses["segment"]:
        own = (b["segment"] == seg).to_numpy()
        shares = cause_shares(b["units_short"].to_numpy()[own], matrix[own], names)
        shares = pd.concat([shares, pd.DataFrame([forecast])], ignore_index=True)
        shares = shares.sort_values("cause", key=lambda c: c.map(order), kind="stable")
        shares.insert(0, "segment", seg)
        shares["label"] = shares["cause"].map(labels)
        shares["note"] = np.where(shares["cause"] == "forecast_error", NO_FORECASTS, "")
        frames.append(shares)
    summary = pd.concat(frames, ignore_index=True)
    return summary[sum_cols].reset_index(drop=True), skus.reset_index(drop=True)
