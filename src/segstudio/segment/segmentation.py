"""Multi-criteria segmentation on the cached per-SKU feature table.

Everything a slider drives is here and is cheap: :class:`Portfolio` prepares numpy arrays once
per feature table (the Pareto order and each SKU's share before it, per ABC measure), then
:func:`classify` only compares arrays with thresholds (milliseconds for a million SKUs).

Rules follow methods.md:

- ABC: rank by the measure (descending, ties by SKU ascending); share_before(i) = the measure of
  the SKUs ranked above i / the sum over SKUs with a positive measure; A if share_before < a,
  B if < b, else C; a measure <= 0 is C. Distance: A: a - sb; B: min(sb - a, b - sb); C: sb - b.
- XYZ: X if CoV <= x, Y if <= y, else Z; no demand: N. Distance |CoV - t| / t.
- Pattern (Syntetos-Boylan): ADI and CV2 cut-offs; fewer than 2 periods with demand:
  insufficient history. Distance: the smaller relative distance to the two cut-offs.
- Lead time: long (mean > days), unreliable (std / mean > cov); R, L, U or LU; no receipts: -.
- Replenishment: F (at least per_year receipts a year) or I; no receipts: -.
- Lifecycle: new (first sale within new_weeks of the window's last day), eol (no sale within
  eol_weeks), else active.
- Concentration: K (the top customer takes at least share of the units) or D; no customers: -.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
import pandas as pd

from segstudio.common import pareto
from segstudio.common.numeric import safe_divide
from segstudio.config.rules import Rules
from segstudio.features.classes import days_since, lifecycle_codes, pattern_codes

__all__ = [
    "ABC_MEASURE_NEEDS",
    "ALERT_SCALE",
    "AbcOrder",
    "CriterionResult",
    "LABELS",
    "MAX_SCATTER_POINTS",
    "PREPARED_MEASURE",
    "Portfolio",
    "SCATTER_SEGMENT_FLOOR",
    "Segmentation",
    "abc_measure_note",
    "alert_count",
    "alerts",
    "cell_labels",
    "classify",
    "flows",
    "matrix",
    "movers",
    "scatter_points",
    "sku_table",
]

LABELS: dict[str, list[str]] = {
    "abc": ["A", "B", "C"],
    "xyz": ["X", "Y", "Z", "N"],
    "pattern": ["smooth", "erratic", "intermittent", "lumpy", "insufficient"],
    "leadtime": ["R", "L", "U", "LU", "-"],
    "replenishment": ["F", "I", "-"],
    "lifecycle": ["new", "active", "eol"],
    "concentration": ["K", "D", "-"],
}
_SHORT = {"abc", "xyz", "replenishment", "concentration"}  # one-letter classes: "AX", "AXK"
_INF = np.inf
_CACHE_SIZE = 32  # memo entries per portfolio (criteria results, and per kind of memo)
PREPARED_MEASURE = "revenue"
"""The ABC measure whose Pareto order a portfolio prepares at once (the rules' default; the
load stores it, :func:`segstudio.segment.io.stored_abc_order`)."""


_T = TypeVar("_T")
_NONE = object()


def _text_rank(text: np.ndarray) -> np.ndarray:
    """The rank of each string of ``text`` in ascending order (ties: the earlier first)."""
    n = len(text)
    if n > 1 and bool(np.all(text[1:] >= text[:-1])):  # the feature table comes sorted by SKU
        return np.arange(n, dtype=np.int64)
    fixed = np.asarray(text, dtype=str) if n else np.zeros(0, dtype="U1")
    lengths = np.fromiter(map(len, text), dtype=np.int64, count=n)
    if np.array_equal(np.char.str_len(fixed), lengths):  # numpy drops trailing NULs
        order = np.argsort(fixed, kind="stable")
    else:
        order = np.argsort(np.asarray(text, dtype=object), kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


def _f(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


@dataclass
class AbcOrder:
    """The Pareto order of one measure, computed once: share_before per SKU (NaN: measure <= 0)."""

    share_before: np.ndarray
    order: np.ndarray  # SKU indices, best first

    @classmethod
    def build(cls, values: np.ndarray, sku: np.ndarray) -> AbcOrder:
        return cls(*pareto.share_before(values, sku))  # measure descending, ties by SKU


@dataclass
class Portfolio:
    """The per-SKU arrays of a feature table, prepared once per data load."""

    features: pd.DataFrame
    sku: np.ndarray
    revenue: np.ndarray
    margin: np.ndarray
    values: dict[str, np.ndarray]
    last_day: dt.date
    # Memos shared by every session that shares the portfolio (the app caches one per data
    # load): filled and evicted under the lock, computed outside it.
    _abc: dict[str, AbcOrder] = field(default_factory=dict)
    _results: dict[tuple, CriterionResult] = field(default_factory=dict)
    _memo: dict[tuple, object] = field(default_factory=dict, repr=False, compare=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def from_features(
        cls, features: pd.DataFrame, last_day: dt.date, exclude: tuple[str, ...] = ()
    ) -> Portfolio:
        """``exclude``: SKUs left out entirely (non-products such as postage or fees): they
        take no share of the Pareto measure."""
        plain = isinstance(features.index, pd.RangeIndex) and features.index.equals(
            pd.RangeIndex(len(features))
        )
        f = features if plain else features.reset_index(drop=True)  # no copy of a plain one
        if exclude:
            f = f[~f["sku"].astype(str).isin(set(exclude))].reset_index(drop=True)
        sku = f["sku"].astype(str).to_numpy()
        none = pd.Series(pd.NaT, index=f.index)
        first = f.get("first_sale", none)
        last = f.get("last_sale", none)
        lt_mean, lt_std = _f(f, "lead_time_mean_days"), _f(f, "lead_time_std_days")
        values = {
            "revenue": _f(f, "revenue"),
            "quantity": _f(f, "quantity"),
            "margin": _f(f, "margin"),
            "order_lines": _f(f, "order_lines"),
            "cov": _f(f, "cov"),
            "adi": _f(f, "adi"),
            "cv2": _f(f, "cv2"),
            "weeks_with_demand": _f(f, "weeks_with_demand"),
            "lt_mean": lt_mean,
            "lt_cov": safe_divide(lt_std, lt_mean, positive_den=True),
            "receipts_per_year": _f(f, "receipts_per_year"),
            "top_share": _f(f, "top_customer_share"),
            "days_since_first": days_since(first, last_day),
            "days_since_last": days_since(last, last_day),
        }
        return cls(
            f,
            sku,
            np.nan_to_num(values["revenue"]),
            np.nan_to_num(values["margin"]),
            values,
            last_day,
        )

    def __len__(self) -> int:
        return len(self.sku)

    def has_measure(self, measure: str) -> bool:
        """Whether any SKU has a positive value of an ABC measure (no prices: no revenue);
        looked at once per portfolio."""
        return self.memo(("has_measure", measure), lambda: bool(np.any(self.values[measure] > 0)))

    def has_revenue(self) -> bool:
        """Whether the data values any sale: some SKU's revenue is not 0 (no prices: none is);
        looked at once per portfolio."""
        return self.memo(("has_revenue",), lambda: bool(np.any(self.revenue != 0)))

    def positive(self, measure: str) -> np.ndarray:
        """:func:`segstudio.common.pareto.positive_part` of a measure (``revenue`` or a column
        of :attr:`values`), once per portfolio. Shared: never change it."""
        values = self.revenue if measure == "revenue" else self.values[measure]
        return self.memo(("positive", measure), lambda: pareto.positive_part(values))

    def revenue_or_missing(self) -> np.ndarray:
        """Revenue per SKU to show: NaN everywhere when the data has no prices (not 0)."""
        return self.revenue if self.has_revenue() else np.full(len(self), np.nan)

    def abc_measure(self, requested: str) -> str:
        """The ABC measure the classes use: ``requested``, else quantity when the data cannot
        give it (revenue or margin with no prices or costs in the files)."""
        return requested if self.has_measure(requested) else "quantity"

    def memo(self, key: tuple, make: Callable[[], _T], size: int = _CACHE_SIZE) -> _T:
        """``make()``, computed once per ``key`` and portfolio and shared by every session
        (at most ``size`` entries of the key's first element, the oldest evicted). What it
        returns is shared: never change it."""
        with self._memo_lock:
            hit = self._memo.get(key, _NONE)
        if hit is _NONE:
            hit = make()
            with self._memo_lock:
                same = [k for k in self._memo if k[:1] == key[:1]]
                for old in same[: max(0, len(same) - size + 1)]:
                    del self._memo[old]
                hit = self._memo.setdefault(key, hit)
        return cast(_T, hit)

    def sku_rank(self) -> np.ndarray:
        """Each SKU's rank in ascending order of the SKU text (code point order, as Python and
        pandas compare strings), computed once: ties broken "by SKU" become integer keys."""
        return self.memo(("sku_rank",), lambda: _text_rank(self.sku))

    def keep_abc_order(self, measure: str, order: AbcOrder) -> None:
        """Take ``order`` as this portfolio's Pareto order of ``measure`` (one stored at the
        load for the same feature table and exclusions), instead of sorting it again."""
        if len(order.share_before) != len(self) or len(order.order) != len(self):
            raise ValueError(f"an order of {len(order.order)} SKUs for {len(self)} SKUs")
        with self._memo_lock:
            self._abc.setdefault(measure, order)

    def abc_order(self, measure: str) -> AbcOrder:
        with self._memo_lock:
            hit = self._abc.get(measure)
        if hit is None:
            # Ties by SKU through its integer rank: the same order, without string comparisons.
            hit = AbcOrder.build(self.values[measure], self.sku_rank())
            with self._memo_lock:
                hit = self._abc.setdefault(measure, hit)
        return hit


@dataclass
class CriterionResult:
    """One criterion's classes (codes into LABELS[name]), distance to the nearest boundary (in
    its own unit), that boundary's name and the class an SKU would move to across it."""

    name: str
    codes: np.ndarray
    distance: np.ndarray
    boundary: np.ndarray  # int8 into boundary_names
    toward: np.ndarray  # codes
    boundary_names: tuple[str, ...] = ()


def _rel(value: np.ndarray, threshold: float) -> np.ndarray:
    return np.abs(value - threshold) / threshold


ABC_MEASURE_NEEDS = {
    "revenue": "revenue or unit_price in the sales file (or unit_price in the products file)",
    "margin": "prices and unit_cost (sales, inventory or products file)",
    "quantity": "quantity in the sales file",
    "order_lines": "sales lines in the window",
}
"""The columns that let each ABC measure be computed."""


def abc_measure_note(p: Portfolio, requested: str) -> str:
    """Why the ABC classes use another measure than ``requested`` ("" when they do not)."""
    used = p.abc_measure(requested)
    if used == requested:
        return ""
    return (
        f"ABC is on {used}, not {requested}: no SKU has a {requested} in the data "
        f"(it needs {ABC_MEASURE_NEEDS[requested]})."
    )


def _abc(p: Portfolio, r: Rules) -> CriterionResult:
    sb = p.abc_order(p.abc_measure(r.abc_measure)).share_before
    a, b = r.abc_a, r.abc_b
    if not a < b:  # the rules check refuses it; kept for a Rules built by hand
        return _abc_reference(sb, a, b)
    # The same figures as _abc_reference with fewer passes (a slider move at 1,000,000 SKUs
    # runs this): with a < b, rounding keeps |sb - a| <= |sb - b| below A/B and >= above B/C,
    # so the nearer boundary is A/B where the share is below b and |sb - a| <= |sb - b|, and
    # the distance is the smaller of the two. A missing share (NaN) compares false
    # everywhere: class C, boundary B/C.
    with np.errstate(invalid="ignore"):
        below_a, below_b = sb < a, sb < b
        d_a, d_b = np.abs(sb - a), np.abs(sb - b)
        near_a = below_b & (d_a <= d_b)
        distance = np.minimum(d_a, d_b)
    codes = np.full(len(sb), 2, dtype=np.int8)
    codes -= below_a
    codes -= below_b
    distance[np.isnan(sb)] = _INF
    boundary = (~near_a).view(np.int8)
    middle = codes == 1  # B moves toward A when nearer A/B, else toward C; A and C toward B
    toward = np.ones(len(sb), dtype=np.int8)
    toward[middle & ~near_a] = 2
    toward[middle & near_a] = 0
    return CriterionResult("abc", codes, distance, boundary, toward, ("A/B", "B/C"))


def _abc_reference(sb: np.ndarray, a: float, b: float) -> CriterionResult:
    """The ABC criterion by its definition (any a, b): the class by the thresholds, the
    nearer boundary, the distance to it and the class across it."""
    with np.errstate(invalid="ignore"):
        codes = np.where(sb < a, 0, np.where(sb < b, 1, 2)).astype(np.int8)
        d_a, d_b = np.abs(sb - a), np.abs(sb - b)
    near_a = (codes == 0) | ((codes == 1) & (d_a <= d_b))
    distance = np.where(near_a, d_a, d_b)
    distance[np.isnan(sb)] = _INF
    boundary = np.where(near_a, 0, 1).astype(np.int8)
    toward = np.where(codes == 0, 1, np.where(codes == 2, 1, np.where(near_a, 0, 2))).astype(
        np.int8
    )
    return CriterionResult("abc", codes, distance, boundary, toward, ("A/B", "B/C"))


def _xyz(p: Portfolio, r: Rules) -> CriterionResult:
    cov = p.values["cov"]
    x, y = r.xyz_x, r.xyz_y
    with np.errstate(invalid="ignore"):
        codes = np.where(np.isnan(cov), 3, np.where(cov <= x, 0, np.where(cov <= y, 1, 2)))
        d_x, d_y = _rel(cov, x), _rel(cov, y)
    codes = codes.astype(np.int8)
    near_x = (codes == 0) | ((codes == 1) & (d_x <= d_y))
    distance = np.where(near_x, d_x, d_y)
    distance[codes == 3] = _INF
    boundary = np.where(near_x, 0, 1).astype(np.int8)
    toward = np.where(codes == 0, 1, np.where(codes == 2, 1, np.where(near_x, 0, 2))).astype(
        np.int8
    )
    toward[codes == 3] = 3
    return CriterionResult("xyz", codes, distance, boundary, toward, ("X/Y", "Y/Z"))


def _two_thresholds(
    name: str,
    v1: np.ndarray,
    t1: float,
    v2: np.ndarray,
    t2: float,
    codes: np.ndarray,
    none: np.ndarray,
    flip1: np.ndarray,
    flip2: np.ndarray,
    b1: str,
    b2: str,
) -> CriterionResult:
    """A criterion from two independent thresholds: the nearer one is the boundary."""
    with np.errstate(invalid="ignore"):
        d1, d2 = _rel(v1, t1), _rel(v2, t2)
    d1 = np.where(np.isnan(d1), _INF, d1)
    d2 = np.where(np.isnan(d2), _INF, d2)
    first = d1 <= d2
    distance = np.where(first, d1, d2)
    distance[none] = _INF
    boundary = np.where(first, 0, 1).astype(np.int8)
    toward = np.where(first, flip1, flip2).astype(np.int8)
    toward[none] = codes[none]
    return CriterionResult(name, codes, distance, boundary, toward, (b1, b2))


def _pattern(p: Portfolio, r: Rules) -> CriterionResult:
    adi, cv2 = p.values["adi"], p.values["cv2"]
    codes = pattern_codes(adi, cv2, p.values["weeks_with_demand"], r.pattern_adi, r.pattern_cv2)
    few = codes == 4
    flip_adi = codes ^ 2
    flip_cv2 = codes ^ 1
    return _two_thresholds(
        "pattern",
        adi,
        r.pattern_adi,
        cv2,
        r.pattern_cv2,
        codes,
        few,
        flip_adi,
        flip_cv2,
        "ADI",
        "CV2",
    )


def _leadtime(p: Portfolio, r: Rules) -> CriterionResult:
    mean, cov = p.values["lt_mean"], p.values["lt_cov"]
    none = np.isnan(mean)
    with np.errstate(invalid="ignore"):
        long_, unrel = mean > r.leadtime_days, cov > r.leadtime_cov
    bits = long_.astype(np.int8) + 2 * unrel.astype(np.int8)  # 0 R, 1 L, 2 U, 3 LU
    codes = np.where(none, 4, bits).astype(np.int8)
    return _two_thresholds(
        "leadtime",
        mean,
        r.leadtime_days,
        cov,
        r.leadtime_cov,
        codes,
        none,
        bits ^ 1,
        bits ^ 2,
        "long",
        "unreliable",
    )


def _one_threshold(
    name: str,
    v: np.ndarray,
    t: float,
    above: int,
    below: int,
    none_code: int,
    boundary: str,
    at_or_above: bool = True,
) -> CriterionResult:
    none = np.isnan(v)
    with np.errstate(invalid="ignore"):
        hi = v >= t if at_or_above else v > t
        codes = np.where(none, none_code, np.where(hi, above, below)).astype(np.int8)
        distance = np.where(none, _INF, _rel(v, t))
    toward = np.where(codes == above, below, above).astype(np.int8)
    toward[none] = none_code
    return CriterionResult(
        name, codes, distance, np.zeros(len(v), dtype=np.int8), toward, (boundary,)
    )


def _lifecycle(p: Portfolio, r: Rules) -> CriterionResult:
    first, last = p.values["days_since_first"], p.values["days_since_last"]
    new_days, eol_days = 7 * r.lifecycle_new_weeks, 7 * r.lifecycle_eol_weeks
    codes = lifecycle_codes(first, last, r.lifecycle_new_weeks, r.lifecycle_eol_weeks)
    with np.errstate(invalid="ignore"):
        d_new, d_eol = _rel(first, new_days), _rel(last, eol_days)
    d_new = np.where(np.isnan(d_new), _INF, d_new)
    d_eol = np.where(np.isnan(d_eol), _INF, d_eol)
    near_new = d_new <= d_eol
    distance = np.where(near_new, d_new, d_eol)
    boundary = np.where(near_new, 0, 1).astype(np.int8)
    toward = np.where(near_new, np.where(codes == 0, 1, 0), np.where(codes == 2, 1, 2)).astype(
        np.int8
    )
    return CriterionResult("lifecycle", codes, distance, boundary, toward, ("new", "end-of-life"))


_PARAMS = {
    "abc": ("abc_measure", "abc_a", "abc_b"),
    "xyz": ("xyz_x", "xyz_y"),
    "pattern": ("pattern_adi", "pattern_cv2"),
    "leadtime": ("leadtime_days", "leadtime_cov"),
    "replenishment": ("replenishment_per_year",),
    "lifecycle": ("lifecycle_new_weeks", "lifecycle_eol_weeks"),
    "concentration": ("concentration_share",),
}


def _criterion(p: Portfolio, r: Rules, name: str) -> CriterionResult:
    """A criterion's result, cached per portfolio and the rule values it depends on: a slider
    move recomputes only the criterion it belongs to."""
    key = (name, *(getattr(r, a) for a in _PARAMS[name]))
    with p._memo_lock:
        hit = p._results.get(key)
    if hit is None:
        hit = _compute_criterion(p, r, name)  # results are never changed once made
        with p._memo_lock:
            while len(p._results) >= _CACHE_SIZE:
                p._results.pop(next(iter(p._results)))
            hit = p._results.setdefault(key, hit)
    return hit


def _compute_criterion(p: Portfolio, r: Rules, name: str) -> CriterionResult:
    if name == "abc":
        return _abc(p, r)
    if name == "xyz":
        return _xyz(p, r)
    if name == "pattern":
        return _pattern(p, r)
    if name == "leadtime":
        return _leadtime(p, r)
    if name == "replenishment":
        return _one_threshold(
            "replenishment",
            p.values["receipts_per_year"],
            r.replenishment_per_year,
            0,
            1,
            2,
            "frequency",
        )
    if name == "lifecycle":
        return _lifecycle(p, r)
    if name == "concentration":
        return _one_threshold(
            "concentration", p.values["top_share"], r.concentration_share, 0, 1, 2, "key account"
        )
    raise KeyError(name)


@dataclass
class Segmentation:
    """The segments of a portfolio under a set of rules. Segments are integer codes into
    ``labels`` (cheap to compute and compare); :attr:`segment` spells them out."""

    rules: Rules
    criteria: list[CriterionResult]
    codes: np.ndarray  # int32 per SKU, into labels
    labels: list[str]
    overridden: np.ndarray  # bool: the segment comes from a manual override
    kept_by_hysteresis: np.ndarray  # bool: the official class was kept (within the band)
    _alerts: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def segment(self) -> np.ndarray:
        return self.segment_of()

    def segment_of(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The segment labels of ``rows`` (default all) without spelling out every SKU's."""
        return np.asarray(self.labels, dtype=object)[
            self.codes if rows is None else self.codes[rows]
        ]

    def present_labels(self) -> list[str]:
        """The segments that hold at least one SKU, in the segmentation's order (AX, AY, ...
        then overrides)."""
        held = np.bincount(self.codes, minlength=len(self.labels)) > 0
        return [label for label, h in zip(self.labels, held, strict=True) if h]

    def classes(self, name: str) -> np.ndarray:
        c = next(c for c in self.criteria if c.name == name)
        return np.asarray(LABELS[name], dtype=object)[c.codes]

    def codes_in(self, labels: list[str]) -> np.ndarray:
        """This segmentation's codes translated into another label list (-1: not there)."""
        if labels == self.labels:
            return self.codes
        where = {lab: i for i, lab in enumerate(labels)}
        table = np.array([where.get(lab, -1) for lab in self.labels], dtype=np.int32)
        return table[self.codes]

    def alert_mask(self) -> np.ndarray:
        """SKUs within the band of a boundary of one of the segment's criteria (computed once
        per segmentation: the page and the sidebar's count share it; never change it)."""
        if self._alerts is None:
            mask = np.zeros(len(self.codes), dtype=bool)
            for c in self.criteria:
                mask |= c.distance <= _band(self.rules, c.name)
            self._alerts = mask
        return self._alerts

    def nearest(
        self,
        rows: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For ``rows`` (default all): each SKU's nearest boundary (criterion and name), its
        distance in the criterion's unit, the segment across it, and the distance in bands
        (which makes criteria comparable)."""
        idx = np.arange(len(self.codes)) if rows is None else rows
        n = len(idx)
        best = np.full(n, _INF)
        which = np.zeros(n, dtype=np.int8)
        for i, c in enumerate(self.criteria):
            band = _band(self.rules, c.name)
            d = c.distance[idx]
            with np.errstate(over="ignore", divide="ignore"):  # a band of 1e-300 is allowed
                scaled = d / band if band > 0 else np.where(d == 0, 0.0, _INF)
            better = scaled < best
            best = np.where(better, scaled, best)
            which = np.where(better, i, which)
        boundary = np.empty(n, dtype=object)
        distance = np.full(n, np.nan)
        toward_codes = [c.codes[idx].copy() for c in self.criteria]
        for i, c in enumerate(self.criteria):
            m = which == i
            names = np.asarray([f"{c.name} {b}" for b in c.boundary_names], dtype=object)
            boundary[m] = names[c.boundary[idx][m]]
            distance[m] = c.distance[idx][m]
            toward_codes[i][m] = c.toward[idx][m]
        combo, labels = _segment_codes(self.criteria, toward_codes)
        return boundary, distance, np.asarray(labels, dtype=object)[combo], best


def _band(rules: Rules, criterion: str) -> float:
    return rules.band_share if criterion == "abc" else rules.band_relative


def _segment_codes(
    crits: list[CriterionResult],
    codes: list[np.ndarray],
) -> tuple[np.ndarray, list[str]]:
    """Combined integer codes (mixed radix over the criteria's classes) and their labels."""
    names = [c.name for c in crits]
    sep = "" if set(names) <= _SHORT else "-"
    combo = np.zeros(len(codes[0]), dtype=np.int32)
    labels = [""]
    for k, (name, c) in enumerate(zip(names, codes, strict=True)):
        combo = combo * len(LABELS[name]) + c
        labels = [(lab + sep if k else "") + cls for lab in labels for cls in LABELS[name]]
    return combo, labels


def _sides(
    p: Portfolio,
    r: Rules,
    c: CriterionResult,
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """For hysteresis, per boundary of ``c``: each SKU's distance to it and the class across it
    (-1: none). Computed only when hysteresis is on, so a plain slider move stays cheap."""
    codes, v = c.codes, p.values

    def ordinal(d_lo: np.ndarray, d_hi: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        # classes 0 | 1 | 2 (3: none): the first boundary is 0 <-> 1, the second 1 <-> 2
        return (
            (d_lo, np.where(codes <= 1, 1 - codes, -1)),
            (d_hi, np.where((codes == 1) | (codes == 2), 3 - codes, -1)),
        )

    with np.errstate(invalid="ignore"):
        if c.name == "abc":
            sb = p.abc_order(p.abc_measure(r.abc_measure)).share_before
            return ordinal(np.abs(sb - r.abc_a), np.abs(sb - r.abc_b))
        if c.name == "xyz":
            return ordinal(_rel(v["cov"], r.xyz_x), _rel(v["cov"], r.xyz_y))
        if c.name == "pattern":
            return (
                (_rel(v["adi"], r.pattern_adi), codes ^ 2),
                (_rel(v["cv2"], r.pattern_cv2), codes ^ 1),
            )
        if c.name == "leadtime":
            return (
                (_rel(v["lt_mean"], r.leadtime_days), codes ^ 1),
                (_rel(v["lt_cov"], r.leadtime_cov), codes ^ 2),
            )
        if c.name == "lifecycle":
            first, last = v["days_since_first"], v["days_since_last"]
            new_days, eol_days = 7 * r.lifecycle_new_weeks, 7 * r.lifecycle_eol_weeks
            return (
                (_rel(first, new_days), np.where(codes == 0, 1, np.where(codes == 1, 0, -1))),
                (_rel(last, eol_days), np.where(codes == 2, np.where(first < new_days, 0, 1), 2)),
            )
    return ((c.distance, c.toward),)  # one boundary: the nearest is the one crossed


def classify(
    p: Portfolio,
    rules: Rules,
    baseline: Segmentation | None = None,
    overrides: dict[str, str] | None = None,
) -> Segmentation:
    """Classify every SKU of ``p`` under ``rules``.

    With ``rules.hysteresis`` and a ``baseline`` (the official segmentation), an SKU keeps its
    official class of a criterion when it moved only to the neighbouring class across a
    boundary it is still within the band of. ``overrides`` (SKU -> segment) replace the
    computed segment.
    """
    crits = [_criterion(p, rules, name) for name in rules.criteria]
    n = len(p)
    kept = np.zeros(n, dtype=bool)
    if rules.hysteresis and baseline is not None:
        base = {c.name: c for c in baseline.criteria}
        for i, c in enumerate(crits):
            b = base.get(c.name)
            if b is None:
                continue
            # the boundary it crossed, not the nearest one: it may be nearer to another
            band = _band(rules, c.name)
            near = np.zeros(n, dtype=bool)
            for d, across in _sides(p, rules, c):
                near |= (across == b.codes) & (d <= band)
            keep = (c.codes != b.codes) & near
            if keep.any():
                crits[i] = CriterionResult(
                    c.name,
                    np.where(keep, b.codes, c.codes).astype(np.int8),
                    c.distance,
                    c.boundary,
                    np.where(keep, c.codes, c.toward).astype(np.int8),
                    c.boundary_names,
                )
                kept |= keep
    codes, labels = _segment_codes(crits, [c.codes for c in crits])
    overridden = np.zeros(n, dtype=bool)
    if overrides:
        idx = pd.Index(p.sku).get_indexer(list(overrides))
        hit = idx >= 0
        wanted = [seg for seg, h in zip(overrides.values(), hit, strict=True) if h]
        labels = labels + [seg for seg in dict.fromkeys(wanted) if seg not in labels]
        where = {lab: i for i, lab in enumerate(labels)}
        codes[idx[hit]] = [where[seg] for seg in wanted]
        overridden[idx[hit]] = True
    return Segmentation(rules, crits, codes, labels, overridden, kept)


def sku_table(p: Portfolio, s: Segmentation) -> pd.DataFrame:
    """One row per SKU: classes, segment, nearest boundary, its distance and the move across it."""
    boundary, distance, toward, _ = s.nearest()
    out = pd.DataFrame({"sku": p.sku})
    for c in s.criteria:
        out[c.name] = s.classes(c.name)
    out["segment"] = s.segment
    out["segment_name"] = [s.rules.segment_name(lab) for lab in out["segment"]]
    out["nearest_boundary"] = boundary
    out["boundary_distance"] = distance
    out["would_move_to"] = toward
    out["overridden"] = s.overridden
    out["revenue"] = p.revenue_or_missing()
    out["margin"] = p.values["margin"]  # NaN without a cost: a margin that cannot be told
    return out


ALERT_SCALE = (
    "distance to the boundary as a share of its alert band (0% on the boundary, 100% at the "
    "band's edge), which puts ABC share points and relative CoV or lead-time distances on "
    "one scale"
)
"""The one scale the boundary alerts are sorted on (nearest first)."""


def alerts(p: Portfolio, s: Segmentation) -> pd.DataFrame:
    """The SKUs within the band of a boundary of the segment's criteria, sorted nearest first on
    :data:`ALERT_SCALE` (``band_distance``); ``boundary_distance`` is the distance in the
    criterion's own unit (share points for ABC, relative for ratios)."""
    idx = np.flatnonzero(s.alert_mask())
    boundary, distance, toward, scaled = s.nearest(idx)
    # band_distance ascending (NaN last), ties by SKU: integer keys, no string sort per move
    order = np.lexsort((p.sku_rank()[idx], scaled))
    idx = idx[order]
    return pd.DataFrame(
        {
            "sku": p.sku[idx],
            "segment": s.segment_of(idx),
            "nearest_boundary": boundary[order],
            "band_distance": scaled[order],
            "boundary_distance": distance[order],
            "would_move_to": toward[order],
            "revenue": p.revenue_or_missing()[idx],
            "margin": p.values["margin"][idx],
        },
        copy=False,  # fresh arrays: no copy into consolidated blocks (a slider move's frame)
    )


def alert_count(s: Segmentation) -> int:
    return int(s.alert_mask().sum())


def movers(p: Portfolio, current: Segmentation, baseline: Segmentation) -> pd.DataFrame:
    """SKUs whose segment differs from the baseline: from, to, revenue and margin at stake."""
    moved = np.flatnonzero(baseline.codes_in(current.labels) != current.codes)
    revenue = p.revenue_or_missing()[moved]
    # revenue descending (NaN last), ties by SKU: integer keys, no string sort per move
    moved = moved[np.lexsort((p.sku_rank()[moved], -revenue))]
    return pd.DataFrame(
        {
            "sku": p.sku[moved],
            "from": baseline.segment_of(moved),
            "to": current.segment_of(moved),
            "revenue": p.revenue_or_missing()[moved],
            "margin": p.values["margin"][moved],
            "overridden": current.overridden[moved],
        },
        copy=False,  # fresh arrays
    )


def flows(movers_df: pd.DataFrame) -> pd.DataFrame:
    """From -> to pairs with SKU counts and revenue, for the Sankey."""
    if movers_df.empty:
        return pd.DataFrame(columns=["from", "to", "skus", "revenue"])
    return (
        movers_df.groupby(["from", "to"], observed=True)
        .agg(skus=("sku", "size"), revenue=("revenue", "sum"))
        .reset_index()
    )


def matrix(p: Portfolio, s: Segmentation) -> pd.DataFrame:
    """SKU count, revenue, revenue share, margin and the share of the ABC measure
    (``measure_share``, of :meth:`Portfolio.abc_measure`) per segment: every segment the
    criteria can form, then override segments; each criterion's class as a column ("override"
    there). Revenue share and margin are NaN where the data has no prices or no costs. Both
    shares are :func:`segstudio.common.pareto.group_shares` (methods.md, "A segment's share")."""
    k = len(s.labels)
    margin_filled, margin_known_weight = p.memo(("matrix_weights",), lambda: _weights(p))
    skus = np.bincount(s.codes, minlength=k)
    revenue = np.bincount(s.codes, weights=p.revenue, minlength=k)
    margin = np.bincount(s.codes, weights=margin_filled, minlength=k)
    margin_known = np.bincount(s.codes, weights=margin_known_weight, minlength=k) > 0
    out = pd.DataFrame(
        {
            "segment": s.labels,
            "skus": skus,
            "revenue": revenue if p.has_revenue() else np.nan,
            "margin": np.where(margin_known, margin, np.nan),
        }
    )
    # One definition of a segment's share (common.pareto.group_shares), for revenue and for the
    # ABC measure alike: on revenue the two columns are the same figures.
    if p.has_revenue():
        out["revenue_share"] = pareto.positive_group_shares(p.positive("revenue"), s.codes, k)
    else:
        out["revenue_share"] = np.nan
    measure = p.positive(p.abc_measure(s.rules.abc_measure))
    out["measure_share"] = pareto.positive_group_shares(measure, s.codes, k)
    out["name"] = [s.rules.segment_name(c) for c in s.labels]
    sizes = [len(LABELS[c.name]) for c in s.criteria]
    n_combos = int(np.prod(sizes))
    for j, c in enumerate(s.criteria):
        inner = int(np.prod(sizes[j + 1 :]))
        out[c.name] = [
            LABELS[c.name][(i // inner) % sizes[j]] if i < n_combos else "override"
            for i in range(k)
        ]
    return out


def _weights(p: Portfolio) -> tuple[np.ndarray, np.ndarray]:
    """The matrix's rules-free weights, once per portfolio: margin with 0 where unknown, and
    1.0 where known."""
    raw_margin = p.values["margin"]
    known = np.isfinite(raw_margin)
    return np.where(known, raw_margin, 0.0), known.astype(float)


MAX_SCATTER_POINTS = 3_000
"""The scatter's budget of SKUs: a browser redraws a few thousand points on each slider move
at a fraction of the cost of twenty thousand, and the eye cannot tell the clouds apart."""
SCATTER_SEGMENT_FLOOR = 25
"""Past the budget, each segment still shows at least this many of its SKUs (all of them if it
has fewer), so that a small segment never vanishes from the scatter."""


def scatter_points(
    p: Portfolio,
    s: Segmentation,
    max_points: int = MAX_SCATTER_POINTS,
    seed: int = 0,
    floor: int = SCATTER_SEGMENT_FLOOR,
) -> pd.DataFrame:
    """SKUs with a positive ABC measure (:meth:`Portfolio.abc_measure`, column ``measure``)
    and a CoV, for the scatter: all of them up to ``max_points``, else the top half of the
    budget by the measure plus a seeded random sample of the rest, and then, for a segment of
    ``s`` with fewer than ``floor`` SKUs in that sample, more of its SKUs (in a seeded random
    order) up to ``floor`` or all it has. The sample does not depend on the rules but for the
    measure (chosen once per portfolio); only the few SKUs that keep each segment shown follow a
    slider."""
    measure = p.abc_measure(s.rules.abc_measure)
    x = np.nan_to_num(p.values[measure])
    ok, shuffled = p.memo(
        ("scatter", measure, max_points, seed),
        lambda: _scatter_rows(x, p.values["cov"], max_points, seed),
        size=4,
    )
    if shuffled is not None:
        ok = np.concatenate([ok, _segment_floor(s.codes, ok, shuffled, len(s.labels), floor)])
    return pd.DataFrame(
        {
            "sku": p.sku[ok],
            "revenue": p.revenue[ok],
            "measure": x[ok],
            "cov": p.values["cov"][ok],
            "segment": s.segment_of(ok),
        },
        copy=False,  # fresh arrays
    )


def _scatter_rows(
    x: np.ndarray, cov: np.ndarray, max_points: int, seed: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """The rules-free sample, and (past the budget) the eligible SKUs left out of it in a
    seeded random order, where the segment floor draws from."""
    ok = np.flatnonzero((x > 0) & np.isfinite(cov))
    if len(ok) <= max_points:
        return ok, None
    top_n = max_points // 2
    order = ok[np.argsort(-x[ok], kind="stable")]
    rng = np.random.default_rng(seed)
    rest = rng.choice(order[top_n:], max_points - top_n, replace=False)
    ok = np.concatenate([order[:top_n], np.sort(rest)])
    left = np.ones(len(x), dtype=bool)
    left[ok] = False
    left_out = np.flatnonzero(left & (x > 0) & np.isfinite(cov))
    return ok, left_out[rng.permutation(len(left_out))]


def _segment_floor(
    codes: np.ndarray, sample: np.ndarray, shuffled: np.ndarray, n_labels: int, floor: int
) -> np.ndarray:
    """Rows of ``shuffled`` (in its order) that lift each segment to ``floor`` points."""
    short = np.maximum(floor - np.bincount(codes[sample], minlength=n_labels), 0)
    if not short.any():
        return np.empty(0, dtype=sample.dtype)
    c = codes[shuffled]
    picked = [shuffled[c == code][:need] for code, need in enumerate(short) if need]
    return np.sort(np.concatenate(picked))


def cell_labels(rules: Rules) -> tuple[list[str], list[str]]:
    """The matrix's row classes (first criterion) and column classes (second, if any)."""
    rows = LABELS[rules.criteria[0]]
    cols = LABELS[rules.criteria[1]] if len(rules.criteria) > 1 else [""]
    return rows, cols
