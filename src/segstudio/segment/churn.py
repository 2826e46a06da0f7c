"""Churn over time: the same rules applied to each quarter of the sales history, and how many
SKUs changed class from one quarter to the next.

Method (definitions as in ``segstudio/methods.md``, sections *Time* and *Variability*):

- **Quarters** are calendar quarters made of complete ISO weeks: a week belongs to the quarter of
  its Monday. The history runs from the first to the last complete week of the sales data (with
  daily data a first or last week the data only partly covers is left out, as for the
  analysis window). A first or last quarter the history covers only in part is kept and
  flagged: ``weeks_in_quarter`` (against ``calendar_weeks``, 13 or 14) and ``complete``.
- **Per SKU and quarter** (:func:`quarterly_features`, SQL in
  :func:`segstudio.queries.quarterly_features_sql`): net quantity and revenue, margin,
  order lines, and the weekly demand's mean, sample standard deviation and CoV over the
  quarter's *active* weeks. Weekly demand nets returns within the week and is floored at 0;
  weeks without sales count as 0; a week is active from the week of the SKU's first positive
  sale on. An SKU is in every quarter from the one of its first positive sale to the last
  (a quarter without sales: revenue 0, no demand); an SKU that never sold is in none.
- **Classes per quarter**: each quarter's rows form a :class:`~segstudio.segmentation.Portfolio`
  classified by :func:`~segstudio.segmentation.classify` under the given rules, so ABC ranks
  the quarter's measure (revenue by default) against the quarter's total and XYZ reads the
  quarter's CoV. Hysteresis is not applied (there is no official segmentation per quarter)
  and no overrides.
- **Churn** compares each SKU's classes in a quarter with the previous quarter, for the SKUs
  classified in both. ``churn_share`` = SKUs whose segment changed / those SKUs.

Everything is one SQL query plus numpy per quarter (no loop over SKUs): computed once per data
version, not on a slider move.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from segstudio.common.numeric import safe_divide
from segstudio.config.rules import Rules
from segstudio.segment.segmentation import LABELS, Portfolio, classify

__all__ = [
    "CRITERIA",
    "churn_by_quarter",
    "quarter_classes",
    "sku_churn",
]

CRITERIA: tuple[str, ...] = ("abc", "xyz", "pattern")
"""The criteria a quarter can be classified by (those the quarterly features carry)."""


def _quarter_end(quarter: object) -> dt.date:
    start = pd.Timestamp(quarter)
    return (start + pd.DateOffset(months=3) - pd.Timedelta(days=1)).date()


def _check_criteria(criteria: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    crit = tuple(criteria)
    unknown = [c for c in crit if c not in CRITERIA]
    if unknown:
        raise ValueError(
            f"churn per quarter supports the criteria {', '.join(CRITERIA)}, "
            f"not {', '.join(unknown)}"
        )
    return crit


class _Classes:
    """Every row of a quarterly table classified within its quarter, and the pairs of rows
    (same SKU, consecutive quarters) churn compares."""

    def __init__(self, quarterly: pd.DataFrame, rules: Rules, criteria: tuple[str, ...]):
        crit = _check_criteria(criteria)
        r = rules.with_(criteria=crit, hysteresis=False)  # also checks the criteria list
        qf = quarterly
        if rules.exclude:  # SKUs the rules leave out (non-products) take no share either
            qf = qf[~qf["sku"].astype(str).isin(set(rules.exclude))]
        qf = qf.reset_index(drop=True)
        if qf.duplicated(["sku", "quarter"]).any():
            raise ValueError("the quarterly table has two rows for one SKU and quarter")
        self.frame = qf
        self.criteria = crit
        quarter_values = pd.to_datetime(qf["quarter"]).to_numpy()
        self.quarters = np.unique(quarter_values)
        self.qi = np.searchsorted(self.quarters, quarter_values)
        self.codes = {c: np.zeros(len(qf), dtype=np.int8) for c in crit}
        self.segment = np.zeros(len(qf), dtype=np.int32)
        self.labels: list[str] = []
        by_quarter = np.argsort(self.qi, kind="stable")
        bounds = np.searchsorted(self.qi[by_quarter], np.arange(len(self.quarters) + 1))
        for i, quarter in enumerate(self.quarters):
            rows = by_quarter[bounds[i] : bounds[i + 1]]
            p = Portfolio.from_features(qf.iloc[rows], _quarter_end(quarter))
            s = classify(p, r)
            for c in s.criteria:
                self.codes[c.name][rows] = c.codes
            self.segment[rows] = s.codes
            self.labels = s.labels
        # Pairs: rows of one SKU in consecutive quarters (previous, current).
        self.sku_codes, self.skus = pd.factorize(qf["sku"].astype(str), sort=True)
        order = np.lexsort((self.qi, self.sku_codes))
        sc, qq = self.sku_codes[order], self.qi[order]
        pair = (sc[1:] == sc[:-1]) & (qq[1:] == qq[:-1] + 1)
        self.order = order
        self.prev, self.cur = order[:-1][pair], order[1:][pair]

    def changed(self, criterion: str | None = None) -> np.ndarray:
        """Per pair: did the criterion's class (None: the segment) change?"""
        values = self.segment if criterion is None else self.codes[criterion]
        return values[self.cur] != values[self.prev]


def quarter_classes(
    quarterly: pd.DataFrame, rules: Rules, criteria: tuple[str, ...] = ("abc", "xyz")
) -> pd.DataFrame:
    """Each SKU's classes per quarter: sku, quarter, one column per criterion, segment
    (classified within the quarter, as :func:`churn_by_quarter` does)."""
    c = _Classes(quarterly, rules, criteria)
    out = pd.DataFrame({"sku": c.frame["sku"].astype(str), "quarter": c.quarters[c.qi]})
    for name in c.criteria:
        out[name] = np.asarray(LABELS[name], dtype=object)[c.codes[name]]
    out["segment"] = np.asarray(c.labels, dtype=object)[c.segment] if c.labels else ""
    return out.take(c.order).reset_index(drop=True)


def churn_by_quarter(
    quarterly: pd.DataFrame, rules: Rules, criteria: tuple[str, ...] = ("abc", "xyz")
) -> pd.DataFrame:
    """How many SKUs changed class per quarter, from the second quarter on.

    ``quarterly``: :func:`quarterly_features`. Each quarter is classified on its own rows
    under ``rules`` restricted to ``criteria`` (ABC on the quarter's measure, XYZ on the
    quarter's CoV; methods.md). Columns: quarter, weeks_in_quarter (fewer than the calendar
    quarter's: a partial quarter), complete (this quarter and the previous one are both
    complete: churn against a partial quarter compares statistics over fewer weeks, and a
    one-week quarter has no CoV at all), skus (classified in this quarter and the previous one),
    changed_<criterion> per criterion, changed_segment (the combination of the criteria) and
    churn_share = changed_segment / skus (NaN without SKUs).
    """
    c = _Classes(quarterly, rules, criteria)
    n = len(c.quarters)
    at = c.qi[c.cur]
    out = pd.DataFrame({"quarter": c.quarters[1:]})
    if "weeks_in_quarter" in c.frame:
        weeks = c.frame.groupby(c.qi)["weeks_in_quarter"].max()
        out["weeks_in_quarter"] = weeks.reindex(range(1, n)).to_numpy()
    if "complete" in c.frame:
        complete = c.frame.groupby(c.qi)["complete"].all().reindex(range(n)).to_numpy(bool)
        out["complete"] = complete[1:] & complete[:-1]
    out["skus"] = np.bincount(at, minlength=n)[1:]
    for name in c.criteria:
        out[f"changed_{name}"] = np.bincount(at, weights=c.changed(name), minlength=n)[1:].astype(
            np.int64
        )
    changed = np.bincount(at, weights=c.changed(), minlength=n)[1:].astype(np.int64)
    out["changed_segment"] = changed
    out["churn_share"] = safe_divide(changed, out["skus"].to_numpy(), positive_den=True)
    return out


def sku_churn(
    quarterly: pd.DataFrame, rules: Rules, criteria: tuple[str, ...] = ("abc", "xyz")
) -> pd.DataFrame:
    """Per SKU: quarters (classified), changes (quarter-to-quarter segment changes) and path
    (the segments in quarter order, e.g. ``"AX > BX > AX"``); most changes first, then by SKU.
    Flip-floppers are the SKUs with many changes for their quarters."""
    c = _Classes(quarterly, rules, criteria)
    n = len(c.skus)
    quarters = np.bincount(c.sku_codes, minlength=n)
    changes = np.bincount(c.sku_codes[c.cur], weights=c.changed(), minlength=n).astype(np.int64)
    # The rows in (SKU, quarter) order: each SKU's are contiguous, SKU codes ascending.
    seg = np.asarray(c.labels or [""], dtype=object)[c.segment[c.order]].tolist()
    ends = np.cumsum(quarters).tolist()
    starts = [0, *ends[:-1]] if ends else []
    path = [" > ".join(seg[a:b]) for a, b in zip(starts, ends, strict=True)]
    out = pd.DataFrame(
        {
            "sku": np.asarray(c.skus, dtype=object),
            "quarters": quarters,
            "changes": changes,
            "path": path,
        }
    )
    return out.sort_values(["changes", "sku"], ascending=[False, True]).reset_index(drop=True)
