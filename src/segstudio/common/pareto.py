"""The Pareto ranking and each item's "share before" it: the one computation behind the ABC
classes of SKUs (:class:`segstudio.segment.segmentation.AbcOrder`) and the spend tiers of
suppliers (:mod:`segstudio.perform.suppliers`); and the one definition of a group's share of
a measure (:func:`group_shares`), on the same total, which the segment matrix, its heatmap,
the QBR and the balanced scorecard show."""

from __future__ import annotations

import numpy as np

__all__ = [
    "group_shares",
    "positive_group_shares",
    "positive_part",
    "share_before",
    "share_of_total",
]


def share_before(values: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each item's Pareto share before it, and the ranking (item indices, first ranked first).

    methods.md, "ABC (Pareto) classification": rank by ``values`` descending, ties by ``keys``
    ascending (deterministic); share_before(i) = the sum of the values ranked above i / the
    sum over the items with a positive value. NaN where the value is <= 0 or missing (such
    items rank last and take no share); all NaN when no value is positive.

    Heizer & Render's "Silicon Chips" annual dollar volumes (the first six shares):

    >>> volumes = [90_000, 77_000, 26_350, 15_001, 12_500, 8_502, 1_200, 850, 504, 150]
    >>> before, order = share_before(np.array(volumes), np.arange(10))
    >>> [round(100 * float(s), 3) for s in before[order][:6]]
    [0.0, 38.784, 71.965, 83.32, 89.784, 95.171]
    """
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    order = np.lexsort((keys, -v))  # by value descending, ties by key ascending
    ranked = v[order]
    positive = np.where(ranked > 0, ranked, 0.0)
    total = positive.sum()
    before = (
        np.concatenate(([0.0], np.cumsum(positive)[:-1])) / total if total > 0 else np.zeros(len(v))
    )
    out = np.empty(len(v))
    out[order] = before
    out[v <= 0] = np.nan
    return out, order


def positive_part(values: np.ndarray) -> np.ndarray:
    """Each value where positive, else 0 (missing too): what an item adds to a Pareto total.

    >>> positive_part(np.array([3.0, -2.0, np.nan, 0.0])).tolist()
    [3.0, 0.0, 0.0, 0.0]
    """
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    return np.where(v > 0, v, 0.0)


def share_of_total(positive_sums: np.ndarray | float, total: float) -> np.ndarray:
    """Sums of :func:`positive_part` over groups, as shares of ``total`` (the sum over all
    items); NaN when ``total`` is not positive (no item has a positive value)."""
    sums = np.asarray(positive_sums, dtype=float)
    return sums / total if total > 0 else np.full(sums.shape, np.nan)


def group_shares(values: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """Each group's share of the measure ``values`` (one per item; ``codes``: each item's group,
    0 .. ``groups`` - 1). methods.md, "A segment's share": the sum of the group's positive
    values / the sum of every positive value, the total :func:`share_before` divides by, so a
    group of items with a net measure <= 0 (returns over sales) has a share of 0 and the
    shares add up to 100%; NaN for all when no value is positive.

    >>> group_shares(np.array([6.0, 2.0, -3.0, 2.0]), np.array([0, 1, 1, 2]), 3).tolist()
    [0.6, 0.2, 0.2]
    """
    return positive_group_shares(positive_part(values), codes, groups)


def positive_group_shares(positive: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """:func:`group_shares` of values already through :func:`positive_part` (a caller that
    keeps them, as a portfolio does for each measure, saves that pass per call)."""
    sums = np.bincount(np.asarray(codes), weights=positive, minlength=groups)
    return share_of_total(sums, float(positive.sum()))
