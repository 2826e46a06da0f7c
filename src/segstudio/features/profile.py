"""Portfolio profile: small frames for the Data page's charts (never one point per SKU)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Profile",
    "TOP_FRACTION",
    "lifecycle_counts",
    "pareto_curve",
    "pattern_mix",
    "profile",
    "share_of_top",
]

TOP_FRACTION = 0.2
"""The Data page's "top 20% of SKUs" whose share of revenue it states."""

PATTERN_ORDER = ["smooth", "erratic", "intermittent", "lumpy", "insufficient history"]
_MAX_CURVE_POINTS = 2_000


def pareto_curve(
    features: pd.DataFrame, measure: str = "revenue", max_points: int = _MAX_CURVE_POINTS
) -> pd.DataFrame:
    """Cumulative share of ``measure`` against the share of SKUs, ranked descending.

    Only SKUs with a positive measure count (as in the ABC rule of methods.md). The curve is
    thinned to at most ``max_points`` points, always keeping the first and the last.
    """
    values = features[measure].to_numpy(dtype=float, na_value=0.0)
    values = np.sort(values[values > 0])[::-1]
    if len(values) == 0:
        return pd.DataFrame({"sku_share": [0.0], "cum_share": [0.0], "rank": [0]})
    cum = np.cumsum(values) / values.sum()
    rank = np.arange(1, len(values) + 1)
    idx = np.unique(np.linspace(0, len(values) - 1, min(max_points, len(values))).astype(int))
    return pd.DataFrame(
        {
            "sku_share": np.concatenate([[0.0], rank[idx] / len(values)]),
            "cum_share": np.concatenate([[0.0], cum[idx]]),
            "rank": np.concatenate([[0], rank[idx]]),
        }
    )


def share_of_top(
    features: pd.DataFrame, top_fraction: float = 0.2, measure: str = "revenue"
) -> float:
    """The share of ``measure`` that the top ``top_fraction`` of SKUs (by it) bring."""
    values = np.sort(features[measure].to_numpy(dtype=float, na_value=0.0))[::-1]
    positive = values[values > 0]
    if len(positive) == 0:
        return 0.0
    n = max(1, int(round(top_fraction * len(positive))))
    return float(positive[:n].sum() / positive.sum())


def pattern_mix(features: pd.DataFrame) -> pd.DataFrame:
    """SKU count and revenue share per demand pattern, in the canonical order."""
    # One factorisation and two bincounts rather than a groupby with a Python aggregate
    # (0.1 s against 0.25 s at a million SKUs).
    codes, found = pd.factorize(features["pattern"].to_numpy(dtype=object))
    revenue = features["revenue"].clip(lower=0).to_numpy(dtype=float, na_value=0.0)
    total = revenue.sum()
    known = codes >= 0  # a missing pattern counts in no group
    skus = np.bincount(codes[known], minlength=len(found))
    sums = np.bincount(codes[known], weights=revenue[known], minlength=len(found))
    where = {p: i for i, p in enumerate(found)}
    shown = [p for p in PATTERN_ORDER if p in where]
    rows = [where[p] for p in shown]
    g = pd.DataFrame({"pattern": shown, "skus": skus[rows].astype(np.int64), "revenue": sums[rows]})
    g["revenue_share"] = g["revenue"] / total if total > 0 else 0.0
    return g


def lifecycle_counts(features: pd.DataFrame) -> dict[str, int]:
    """SKUs in all, new, end-of-life, without demand in the window, and stocked but never sold."""
    return {
        "skus": int(len(features)),
        "new": int(features["is_new"].sum()),
        "end_of_life": int(features["is_end_of_life"].sum()),
        "no_demand": int((features["weeks_with_demand"] == 0).sum()),
        "never_sold": int(features["first_sale"].isna().sum()),
    }


@dataclass(frozen=True)
class Profile:
    """What the Data page shows of a feature table: the lifecycle counts, the top
    :data:`TOP_FRACTION` of SKUs' share of revenue, the Pareto curve and the pattern mix."""

    counts: dict[str, int]
    top_share: float
    curve: pd.DataFrame
    patterns: pd.DataFrame


def profile(features: pd.DataFrame) -> Profile:
    """The :class:`Profile` of ``features`` (with its classes: pattern, is_new, ...)."""
    return Profile(
        lifecycle_counts(features),
        share_of_top(features, TOP_FRACTION),
        pareto_curve(features),
        pattern_mix(features),
    )
