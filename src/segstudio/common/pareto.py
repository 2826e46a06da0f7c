"""The Pareto ranking and each item's "share before" it: the one computation behind the ABC
classes of SKUs (:class:`segstudio.segment.segmentation.AbcOrder`) and the spend tiers of
suppliers (:mod:`segstudio.perform.suppliers`)."""

from __future__ import annotations

import numpy as np

__all__ = ["share_before"]


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
