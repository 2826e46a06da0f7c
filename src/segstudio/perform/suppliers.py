"""Supplier performance from purchase-order receipts (issue #5): on time, in full, OTIF, lead
time and its variability, spend, the segments each supplier serves, suggested tiers and the
SKUs worth a second source.

Definitions (methods.md, "Lead time and supplier performance"), per receipt line:

- **Lead time** = receipt date - order date, in days. Mean and *sample* standard deviation
  (n - 1); CoV = std / mean.
- **On time**: receipt date <= promised date, over the lines with a promised date.
- **In full**: received quantity >= ordered quantity, over the lines with both.
- **OTIF**: on time and in full on the same line, over the lines with all three.
- **Days late**: receipt date - promised date, averaged over the late lines only.
- **Spend**: received quantity (else ordered) x unit cost of the receipt line; where the line
  has no unit cost, the SKU's unit cost from the sales or product master.

A rate whose column the receipts file does not map is empty (NaN), never 0, and the result
carries a note naming the column.

How it is computed: the SQL (:data:`segstudio.queries.SUPPLIER_SKU_MEASURES` and
``SUPPLIER_QUARTER_MEASURES``) runs once per data load and returns only counts and sums per
(supplier, SKU) and per (supplier, quarter); the lead time's spread comes as M2, the sum of
squared deviations from the group mean, and per SKU its number of suppliers and its rank in
the SKUs' text order. Every table here is a roll-up of those rows, summed per integer code
(supplier, supplier x segment) by pandas' compensated sums without grouping on text, so a new
segmentation (a slider move) never re-reads the receipts. Groups combine exactly
(Chan, Golub & LeVeque 1979, "Updating formulae and a pairwise algorithm for computing sample
variances"): n = sum n_i, mean = sum s_i / n, M2 = sum M2_i + sum n_i (mean_i - mean)^2, and
the sample std = sqrt(M2 / (n - 1)).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from segstudio.common import fmt
from segstudio.common.lookup import positions
from segstudio.common.numeric import safe_divide
from segstudio.common.pareto import share_before
from segstudio.common.sql import one_row
from segstudio.config.rules import Rules
from segstudio.errors import SegStudioError
from segstudio.ingest.store import stored_or_query
from segstudio.perform import sql as q
from segstudio.segment.segmentation import Portfolio, Segmentation, classify

if TYPE_CHECKING:
    from segstudio.ingest.workspace import Workspace

__all__ = [
    "ALL_SUPPLIERS",
    "DEFAULT_OTIF_BELOW",
    "DEFAULT_SEGMENT_BASIS",
    "NOT_SEGMENTED",
    "ReceiptAggregates",
    "SEGMENT_BASES",
    "SEGMENT_MEASURES",
    "SUPPLIER_COLUMNS",
    "SupplierError",
    "SupplierPerformance",
    "TIERS",
    "TierRule",
    "dual_sourcing",
    "export_frames",
    "pair_table",
    "quarterly_trend",
    "receipt_aggregates",
    "receipt_lines",
    "rollup",
    "segment_matrix",
    "segment_table",
    "sku_context",
    "supplier_performance",
    "supplier_table",
    "supplier_trend",
]

NOT_SEGMENTED = "(not segmented)"
"""The segment of an SKU with receipts but outside the segmented portfolio."""
ALL_SUPPLIERS = "(all suppliers)"
"""The supplier name of the quarterly trend's portfolio rows."""
TIERS = ("strategic", "preferred", "approved")
SEGMENT_BASES = {"lines": "receipt lines", "spend": "spend"}
DEFAULT_OTIF_BELOW = 0.90
"""The dual-sourcing screen's supplier OTIF threshold before the user moves it."""
DEFAULT_SEGMENT_BASIS = "lines"
"""The basis of a supplier's segment mix before the user chooses (:data:`SEGMENT_BASES`)."""

# The additive columns of the SQL, summed in every roll-up.
_COUNTS = [
    "lines",
    "lt_n",
    "promised_lines",
    "on_time_lines",
    "qty_lines",
    "in_full_lines",
    "otif_base_lines",
    "otif_lines",
    "late_lines",
]
_SUMS = ["lt_sum", "days_late_sum"]
MEASURES = [
    "lines",
    "skus",
    "spend",
    "on_time_rate",
    "in_full_rate",
    "otif_rate",
    "lead_time_mean_days",
    "lead_time_std_days",
    "lead_time_cov",
    "days_late_mean",
    "first_receipt",
    "last_receipt",
]
"""The measures of every per-supplier and per-supplier x segment row, in this order."""


class SupplierError(SegStudioError, ValueError):
    """A supplier setting that cannot be used (e.g. a tier share outside 0..1)."""


# --------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class ReceiptAggregates:
    """The receipts, aggregated once per data load (see the module docstring).

    ``pairs``: one row per (supplier, sku); ``quarters``: one row per (supplier, quarter) with
    quarter the first day of the quarter of the receipt date. Both hold the same additive
    columns: lines, lt_n, lt_sum, lt_m2, promised_lines, on_time_lines, qty_lines,
    in_full_lines, otif_base_lines, otif_lines, late_lines, days_late_sum, spend_known (sum of
    quantity x unit cost over the lines with both), qty_no_cost (quantity of the lines without a
    unit cost), first_receipt, last_receipt. ``mapped``: the optional receipt columns the last
    load mapped.
    """

    pairs: pd.DataFrame
    quarters: pd.DataFrame
    mapped: frozenset[str]
    lines: int
    first_day: dt.date | None
    last_day: dt.date | None
    seconds: float = 0.0  # time the SQL took

    @property
    def empty(self) -> bool:
        return self.lines == 0

    def notes(self) -> list[str]:
        """What the receipts file does not map, and which figures stay empty for it."""
        out = []
        if "promised_date" not in self.mapped:
            out.append("on-time and OTIF need promised_date, which the receipts file does not map")
        qty = [c for c in ("ordered_qty", "received_qty") if c not in self.mapped]
        if qty:
            out.append(
                f"in-full and OTIF need ordered_qty and received_qty; the receipts "
                f"file does not map {' and '.join(qty)}"
            )
        if len(qty) == 2:
            out.append(
                "spend needs received_qty or ordered_qty: suppliers are ranked by receipt lines"
            )
        elif "unit_cost" not in self.mapped:
            out.append(
                "the receipts file does not map unit_cost: spend uses each SKU's unit "
                "cost from the sales or the product master"
            )
        return out


_OPTIONAL = ("promised_date", "ordered_qty", "received_qty", "unit_cost", "po_id")


def _frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow result as the frame DuckDB's ``.df()`` gives (dates as datetime64[us]), in
    about a third of its time: the numbers are not copied into 2-D blocks."""
    for i, f in enumerate(table.schema):
        if pa.types.is_date(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.timestamp("us")))
    return table.combine_chunks().to_pandas(split_blocks=True)


def receipt_aggregates(ws: Workspace) -> ReceiptAggregates:
    """Run the receipts SQL once: per (supplier, SKU) and per (supplier, quarter). An empty
    workspace gives empty frames (``.empty`` is True), not an error."""
    mapped = frozenset(ws.stored_columns("suppliers") & set(_OPTIONAL))
    start = time.perf_counter()
    with ws.connect() as con:
        lines, first, last = one_row(con, q.RECEIPTS_SPAN)
        pairs, quarters = (
            _frame(con.execute(*stored_or_query(con, name, sql)).fetch_arrow_table())
            for name, sql in q.RECEIPT_QUERIES.items()
        )
    seconds = time.perf_counter() - start
    for frame in (pairs, quarters):
        frame["supplier"] = frame["supplier"].astype(str)
    pairs["sku"] = pairs["sku"].astype(str)
    return ReceiptAggregates(pairs, quarters, mapped, int(lines), first, last, seconds)


def receipt_lines(ws: Workspace) -> int:
    """How many receipt lines are loaded (one count: whether there are receipts at all)."""
    with ws.connect() as con:
        return int(one_row(con, q.RECEIPTS_SPAN)[0])


# --------------------------------------------------------------------------- SKUs' segments
def sku_context(p: Portfolio, s: Segmentation) -> pd.DataFrame:
    """One row per segmented SKU: sku, segment, abc (always, with the rules' boundaries even
    when they segment on other criteria), revenue, unit_cost, lead_time_mean_days."""
    if any(c.name == "abc" for c in s.criteria):
        abc = s.classes("abc")
    else:
        abc = classify(p, s.rules.with_(criteria=("abc",))).classes("abc")
    f = p.features

    def col(name: str) -> np.ndarray:
        if name not in f:
            return np.full(len(f), np.nan)
        return pd.to_numeric(f[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    return pd.DataFrame(
        {
            "sku": p.sku,
            "segment": s.segment,  # text already: no copy through numpy's fixed-width text
            "abc": abc,
            "revenue": p.revenue,
            "unit_cost": col("unit_cost"),
            "lead_time_mean_days": col("lead_time_mean_days"),
        }
    )


def _empty_context() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": pd.Series(dtype=str),
            "segment": pd.Series(dtype=str),
            "abc": pd.Series(dtype=str),
            "revenue": pd.Series(dtype=float),
            "unit_cost": pd.Series(dtype=float),
            "lead_time_mean_days": pd.Series(dtype=float),
        }
    )


def _take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]``, the column's missing value (NaN) where ``at`` is -1."""
    return pd.api.extensions.take(values, at, allow_fill=True)


def _left_join_on_sku(rows: pd.DataFrame, ctx: pd.DataFrame) -> pd.DataFrame:
    """``rows.merge(ctx, on="sku", how="left", validate="many_to_one")`` by position: one
    hash lookup of each row's SKU in the context's (unique) SKUs instead of a merge, several
    times quicker at a million pairs; missing SKUs get the columns' missing value."""
    if not ctx["sku"].is_unique:
        raise SupplierError("the SKU context lists an SKU twice")
    at = positions(ctx["sku"], rows["sku"])
    out = rows.copy()
    for col in ctx.columns:
        if col != "sku":
            column = ctx[col].array
            arr = column.to_numpy() if isinstance(column, pd.arrays.NumpyExtensionArray) else column
            out[col] = pd.Series(_take(arr, at), index=rows.index, name=col)
    return out


def _spend(spend_known: np.ndarray, qty_no_cost: np.ndarray, unit_cost: np.ndarray) -> np.ndarray:
    """The pair's spend: the receipts' own (quantity x unit cost) plus the quantity without a
    unit cost at the SKU's unit cost; NaN where neither is known."""
    fallback = qty_no_cost * unit_cost
    known = ~np.isnan(spend_known) | ~np.isnan(fallback)
    return np.where(known, np.nan_to_num(spend_known) + np.nan_to_num(fallback), np.nan)


def pair_table(agg: ReceiptAggregates, skus: pd.DataFrame | None = None) -> pd.DataFrame:
    """The (supplier, SKU) rows with the SKU's segment, ABC class, revenue and the pair's
    spend. SKUs outside ``skus`` (from :func:`sku_context`) are :data:`NOT_SEGMENTED`."""
    ctx = _empty_context() if skus is None else skus
    out = _left_join_on_sku(agg.pairs, ctx)
    out["segment"] = out["segment"].fillna(NOT_SEGMENTED)
    out["revenue"] = out["revenue"].fillna(0.0)
    out["spend"] = _spend(
        _floats(out["spend_known"]), _floats(out["qty_no_cost"]), _floats(out["unit_cost"])
    )
    return out


def _floats(col: pd.Series) -> np.ndarray:
    return col.to_numpy(dtype=float, na_value=np.nan)


# --------------------------------------------------------------------------- roll-ups
@dataclass(frozen=True)
class _Measures:
    """The additive columns of some rows, laid out for sums per integer group code."""

    sums: pd.DataFrame  # the summed columns (_COUNTS, _SUMS) present, one block per dtype
    lt_m2: np.ndarray
    dates: pd.DataFrame  # first_receipt, last_receipt
    spend: np.ndarray | None  # pairs only

    @classmethod
    def of(cls, rows: pd.DataFrame, spend: np.ndarray | None = None) -> _Measures:
        def cols(names: Sequence[str]) -> pd.DataFrame:
            return pd.DataFrame({c: rows[c].to_numpy() for c in names if c in rows})

        if spend is None and "spend" in rows:
            spend = _floats(rows["spend"])
        m2 = _floats(rows["lt_m2"]) if "lt_m2" in rows else np.zeros(len(rows))
        return cls(cols([*_COUNTS, *_SUMS]), m2, cols(["first_receipt", "last_receipt"]), spend)

    def column(self, name: str) -> np.ndarray:
        return self.sums[name].to_numpy()


@dataclass(frozen=True)
class _Rows:
    """Additive rows (the pairs of :func:`pair_table`, one per (supplier, SKU)) as arrays,
    with what every roll-up groups on as integer codes, made once: pandas then sums per
    integer code (the same compensated sums as a groupby on the text, without hashing text)."""

    measures: _Measures
    supplier: np.ndarray  # per row, into supplier_names
    supplier_names: np.ndarray  # sorted
    segment: np.ndarray | None = None  # per pair, into segment_names
    segment_names: np.ndarray | None = None  # sorted
    sku_rank: np.ndarray | None = None  # per pair: the SKU's dense rank in text order
    n_suppliers: np.ndarray | None = None  # per pair: the SKU's suppliers
    sku: np.ndarray | None = None  # per pair, the SKU
    abc: np.ndarray | None = None  # per pair, the ABC class (NaN outside the portfolio)
    is_a: np.ndarray | None = None  # per pair: abc == "A"
    revenue: np.ndarray | None = None  # per pair, the SKU's (0 outside the portfolio)
    lead_time_mean_days: np.ndarray | None = None  # per pair, the feature table's

    @property
    def spend(self) -> np.ndarray:
        assert self.measures.spend is not None
        return self.measures.spend


def _codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes into the sorted distinct values (a missing value is one of them)."""
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=False)
    return codes.astype(np.intp, copy=False), np.asarray(uniques, dtype=object)


def _pair_rows(pairs: pd.DataFrame) -> _Rows:
    """:class:`_Rows` of a frame of pairs (:func:`pair_table`'s columns)."""
    sup, sup_names = _codes(pairs["supplier"])
    seg, seg_names = _codes(pairs["segment"]) if "segment" in pairs else (None, None)
    rank = _codes(pairs["sku"])[0] if "sku" in pairs else None
    n = pairs["n_suppliers"].to_numpy() if "n_suppliers" in pairs else None
    if n is None and rank is not None:
        n = np.bincount(rank)[rank]
    return _Rows(
        _Measures.of(pairs),
        sup,
        sup_names,
        seg,
        seg_names,
        rank,
        n,
        pairs["sku"].to_numpy(dtype=object) if "sku" in pairs else None,
        pairs["abc"].to_numpy(dtype=object) if "abc" in pairs else None,
        pairs["abc"].eq("A").to_numpy() if "abc" in pairs else None,
        _floats(pairs["revenue"]) if "revenue" in pairs else None,
        _floats(pairs["lead_time_mean_days"]) if "lead_time_mean_days" in pairs else None,
    )


def _dense(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` (0..n-1) renumbered 0..k-1 over the k present, and the present ones, sorted."""
    present = np.flatnonzero(np.bincount(codes, minlength=n))
    remap = np.zeros(max(n, 1), dtype=np.intp)
    remap[present] = np.arange(len(present))
    return remap[codes], present


def _distinct_per_group(codes: np.ndarray, sku_rank: np.ndarray, groups: int) -> np.ndarray:
    """The distinct SKUs of each group: the distinct (group, SKU) pairs counted per group."""
    width = int(sku_rank.max()) + 1 if len(sku_rank) else 1
    both = pd.unique(codes.astype(np.int64) * width + sku_rank)
    return np.bincount(both // width, minlength=groups)


def _rollup_codes(m: _Measures, codes: np.ndarray, skus: np.ndarray | None) -> pd.DataFrame:
    """The roll-up of :func:`rollup` per dense group code (0..k-1, each present), one row per
    group in code order, without the key columns; ``skus``: the distinct SKUs per group."""
    out = m.sums.groupby(codes, sort=True).sum()
    lt_n, lt_sum = m.column("lt_n"), m.column("lt_sum")
    grand = safe_divide(out["lt_sum"].to_numpy(), out["lt_n"].to_numpy())[codes]
    between = lt_n * (safe_divide(lt_sum, lt_n) - grand) ** 2
    # fillna(0) of each, as the first pandas roll-up did: the same sums, bit for bit
    m2 = np.where(np.isnan(m.lt_m2), 0.0, m.lt_m2) + np.where(np.isnan(between), 0.0, between)
    floats = {"lt_m2": m2} if m.spend is None else {"lt_m2": m2, "spend": m.spend}
    # min_count=1: a group without any known spend has none (M2 is never missing)
    summed = pd.DataFrame(floats).groupby(codes, sort=True).sum(min_count=1)
    out["lt_m2"] = summed["lt_m2"]
    dates = m.dates.groupby(codes, sort=True)
    out["first_receipt"] = dates["first_receipt"].min()
    out["last_receipt"] = dates["last_receipt"].max()
    if skus is not None:
        out["skus"] = skus
    if m.spend is not None:
        out["spend"] = summed["spend"]
    return out.reset_index(drop=True)


def rollup(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Combine additive rows (the pairs of :func:`pair_table` or the quarters) per ``keys``
    (none: one row for everything), sorted by the keys, and derive the measures
    (:data:`MEASURES`; skus and spend only from pairs). Exact: each group's lead-time M2 adds
    the between-group term."""
    codes = np.zeros(len(rows), dtype=np.intp)
    n, uniques = 1, []
    for key in keys:
        c, u = pd.factorize(rows[key], sort=True, use_na_sentinel=False)
        codes, n = codes * max(len(u), 1) + c, n * max(len(u), 1)
        uniques.append(u)
    dense, present = _dense(codes, n)
    skus = None
    if "sku" in rows:
        skus = _distinct_per_group(dense, _codes(rows["sku"])[0], len(present))
    out = _rollup_codes(_Measures.of(rows), dense, skus)
    at = present
    for key, u in reversed(list(zip(keys, uniques, strict=True))):
        out.insert(0, key, u.take(at % max(len(u), 1)))
        at = at // max(len(u), 1)
    return _with_rates(out)


def _with_rates(t: pd.DataFrame) -> pd.DataFrame:
    # Over counts of lines: NaN (not 0) where no line has the column the rate needs.
    t["on_time_rate"] = safe_divide(t["on_time_lines"], t["promised_lines"])
    t["in_full_rate"] = safe_divide(t["in_full_lines"], t["qty_lines"])
    t["otif_rate"] = safe_divide(t["otif_lines"], t["otif_base_lines"])
    t["lead_time_mean_days"] = safe_divide(t["lt_sum"], t["lt_n"])
    # n - 1 is -1 without receipts, and a mean lead time <= 0 is bad dates: both NaN.
    t["lead_time_std_days"] = np.sqrt(
        safe_divide(t["lt_m2"].clip(lower=0), t["lt_n"] - 1, positive_den=True)
    )
    t["lead_time_cov"] = safe_divide(
        t["lead_time_std_days"], t["lead_time_mean_days"], positive_den=True
    )
    t["days_late_mean"] = safe_divide(t["days_late_sum"], t["late_lines"])
    return t


def _tidy(t: pd.DataFrame, keys: list[str], extra: Sequence[str] = ()) -> pd.DataFrame:
    cols = keys + [c for c in MEASURES if c in t] + [c for c in extra if c in t]
    return t[cols].reset_index(drop=True)


def _by_supplier(r: _Rows) -> pd.DataFrame:
    # One row per (supplier, SKU): a supplier's distinct SKUs are its rows.
    out = _rollup_codes(r.measures, r.supplier, np.bincount(r.supplier))
    out.insert(0, "supplier", r.supplier_names)
    return _with_rates(out)


def _by_segment(r: _Rows) -> pd.DataFrame:
    assert r.segment is not None and r.segment_names is not None
    width = max(len(r.segment_names), 1)
    dense, present = _dense(r.supplier * width + r.segment, len(r.supplier_names) * width)
    t = _rollup_codes(r.measures, dense, np.bincount(dense))  # (supplier, SKU) rows
    t.insert(0, "supplier", r.supplier_names[present // width])
    t.insert(1, "segment", r.segment_names[present % width])
    t = _with_rates(t)
    by_sup = t.groupby("supplier")
    t["line_share"] = safe_divide(t["lines"], by_sup["lines"].transform("sum"))
    t["spend_share"] = safe_divide(t["spend"], by_sup["spend"].transform("sum"), positive_den=True)
    return _tidy(t, ["supplier", "segment"], ["line_share", "spend_share"])


def segment_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per supplier x segment: :data:`MEASURES` plus the segment's share of the supplier's
    lines and spend (line_share, spend_share)."""
    return _by_segment(_pair_rows(pairs))


def _segments_text(by_segment: pd.DataFrame, basis: str, top: int = 3) -> pd.Series:
    """Per supplier: ``"AX 40%, BY 35%, CZ 20%, 2 more 5%"``, by receipt lines or spend."""
    share = "spend_share" if basis == "spend" else "line_share"
    t = by_segment[["supplier", "segment", share]].dropna(subset=[share])
    t = t.assign(__none=t["segment"].eq(NOT_SEGMENTED))  # last among equal shares
    t = t.sort_values(["supplier", share, "__none", "segment"], ascending=[True, False, True, True])
    texts = {}
    for supplier, rows in t.groupby("supplier", sort=False):
        parts = [
            f"{seg} {fmt.share(v, 0, mark_tiny=True)}"
            for seg, v in zip(rows["segment"][:top], rows[share][:top], strict=True)
        ]
        rest = rows[share][top:]
        if len(rest):
            parts.append(f"{fmt.count(len(rest))} more {fmt.share(rest.sum(), 0, mark_tiny=True)}")
        texts[supplier] = ", ".join(parts)
    return pd.Series(texts, dtype=object)


# --------------------------------------------------------------------------- tiers
@dataclass(frozen=True)
class TierRule:
    """Suggested supplier tiers, from spend and the criticality of the SKUs served.

    Suppliers are ranked by spend (receipt lines when no spend is known), largest first; a
    supplier is in "the top x of spend" when the suppliers ranked above it make less than x of
    the total (the ABC rule of methods.md, so the one that crosses x is in).

    - **strategic**: in the top ``strategic_spend`` of spend and buys A-class SKUs, or the sole
      source of A SKUs making at least ``sole_source_a_revenue`` of the A-class revenue;
    - **preferred**: otherwise in the top ``preferred_spend`` of spend, or buys any A-class SKU;
    - **approved**: everyone else.
    """

    strategic_spend: float = 0.80
    preferred_spend: float = 0.95
    sole_source_a_revenue: float = 0.05

    def __post_init__(self) -> None:
        if not 0 < self.strategic_spend <= self.preferred_spend <= 1:
            raise SupplierError(
                "tiers: need 0 < strategic spend share <= preferred spend "
                f"share <= 1 (got {self.strategic_spend}, "
                f"{self.preferred_spend})"
            )
        if not 0 <= self.sole_source_a_revenue <= 1:
            raise SupplierError(
                "tiers: the sole-source share of A-class revenue must be "
                f"within 0..1 (got {self.sole_source_a_revenue})"
            )


def _tier_sums(r: _Rows) -> pd.DataFrame:
    """Per supplier (in ``r.supplier_names`` order): a_skus, a_spend, sole_source_a_skus,
    sole_a_rev (the revenue of the A SKUs it alone supplies)."""
    assert r.is_a is not None and r.n_suppliers is not None and r.revenue is not None
    sole_a = r.is_a & (r.n_suppliers == 1)
    g = pd.DataFrame(
        {
            "a": r.is_a,
            "a_spend": np.where(r.is_a, r.spend, 0.0),
            "sole_a": sole_a,
            "sole_a_rev": np.where(sole_a, r.revenue, 0.0),
        }
    ).groupby(r.supplier, sort=True)
    return pd.DataFrame(
        {
            "a_skus": g["a"].sum(),
            "a_spend": g["a_spend"].sum(min_count=1),
            "sole_source_a_skus": g["sole_a"].sum(),
            "sole_a_rev": g["sole_a_rev"].sum(),
        }
    ).reset_index(drop=True)


def _a_revenue(skus: pd.DataFrame | None) -> float:
    """The A-class revenue of the segmented SKUs (negative revenue counted as 0)."""
    if skus is None:
        return 0.0
    return float(skus.loc[skus["abc"].eq("A"), "revenue"].clip(lower=0).sum())


def _tiers(
    sup: pd.DataFrame,
    per: pd.DataFrame,
    a_revenue: float,
    rule: TierRule,
    by_spend: bool,
) -> pd.DataFrame:
    """Add spend_share, a_skus, a_spend_share, sole_source_a_skus, sole_source_a_revenue_share,
    tier and tier_reason to the per-supplier table ``sup`` (one row per supplier, sorted by
    supplier, as ``per`` from :func:`_tier_sums`)."""
    measure = (sup["spend"] if by_spend else sup["lines"]).to_numpy(dtype=float)
    total = np.nansum(np.where(measure > 0, measure, 0.0))
    share = safe_divide(measure, total)  # NaN for all when nothing is positive
    before, _ = share_before(measure, sup["supplier"].to_numpy())  # NaN where measure <= 0
    a_total = per["a_spend"].sum(min_count=1)
    a_skus = per["a_skus"].fillna(0).to_numpy(dtype=int)
    sole = per["sole_source_a_skus"].fillna(0).to_numpy(dtype=int)
    # 0, not NaN, without A revenue: the sole-source test below compares it with its limit.
    sole_share = safe_divide(per["sole_a_rev"], a_revenue) if a_revenue > 0 else np.zeros(len(sup))
    top_s = before < rule.strategic_spend  # NaN compares False
    top_p = before < rule.preferred_spend
    critical_sole = (sole > 0) & (sole_share >= rule.sole_source_a_revenue)
    strategic = (top_s & (a_skus > 0)) | critical_sole
    preferred = ~strategic & (top_p | (a_skus > 0))
    tier = np.where(strategic, "strategic", np.where(preferred, "preferred", "approved"))
    what = "spend" if by_spend else "receipt lines"
    reasons = []
    for i in range(len(sup)):
        head = (
            f"{fmt.share(share[i], 0, mark_tiny=True)} of {what}"
            if np.isfinite(share[i])
            else f"no {what}"
        )
        parts = [head]
        if top_s[i]:
            parts[0] += f" (top {fmt.share(rule.strategic_spend, 0)})"
        elif top_p[i]:
            parts[0] += f" (top {fmt.share(rule.preferred_spend, 0)})"
        parts.append(fmt.count(a_skus[i], "A SKU") if a_skus[i] else "no A-class SKUs")
        if sole[i]:
            parts.append(
                f"sole source of {fmt.count(sole[i], 'A SKU')} "
                f"({fmt.share(sole_share[i], 0, mark_tiny=True)} of A revenue)"
            )
        reasons.append(", ".join(parts))
    out = sup.copy()
    out["tier"] = tier
    out["tier_reason"] = reasons
    out["spend_share"] = share
    out["a_skus"] = a_skus
    out["a_spend_share"] = safe_divide(per["a_spend"], a_total, positive_den=True)
    out["sole_source_a_skus"] = sole
    out["sole_source_a_revenue_share"] = sole_share if a_revenue > 0 else np.nan
    return out


# --------------------------------------------------------------------------- trend
def quarterly_trend(agg: ReceiptAggregates) -> pd.DataFrame:
    """Per supplier and quarter of the receipt date (and the same for :data:`ALL_SUPPLIERS`):
    quarter (its first day), label ("2025Q1"), :data:`MEASURES` without skus and spend, and
    complete: False when the receipts loaded do not cover the whole quarter (the first or
    the last quarter of the data)."""
    rows = agg.quarters
    per = rollup(rows, ["supplier", "quarter"])
    total = rollup(rows, ["quarter"]).assign(supplier=ALL_SUPPLIERS)
    t = pd.concat([total, per], ignore_index=True)
    start = pd.to_datetime(t["quarter"])
    end = start + pd.offsets.QuarterEnd(0)
    first = pd.Timestamp(agg.first_day) if agg.first_day else pd.NaT
    last = pd.Timestamp(agg.last_day) if agg.last_day else pd.NaT
    t["quarter"] = start.dt.date
    t["label"] = start.dt.year.astype(str) + "Q" + start.dt.quarter.astype(str)
    t["complete"] = (start >= first) & (end <= last)
    keep = [
        "supplier",
        "quarter",
        "label",
        "complete",
        "lines",
        "on_time_rate",
        "in_full_rate",
        "otif_rate",
        "lead_time_mean_days",
        "lead_time_std_days",
        "days_late_mean",
    ]
    return t[keep].reset_index(drop=True)


def supplier_trend(trend: pd.DataFrame, supplier: str) -> pd.DataFrame:
    """The quarterly rows of one supplier (or :data:`ALL_SUPPLIERS`), oldest first."""
    return trend[trend["supplier"] == supplier].sort_values("quarter", ignore_index=True)


SEGMENT_MEASURES = {
    "otif_rate": ("OTIF", "rate"),
    "on_time_rate": ("On time", "rate"),
    "in_full_rate": ("In full", "rate"),
    "lead_time_mean_days": ("Lead time (days)", "days"),
    "line_share": ("Share of the supplier's lines", "share"),
    "spend_share": ("Share of the supplier's spend", "share"),
}
"""The per supplier x segment measures a matrix can show: column -> (label, kind), kind one of
rate (higher is better), share or days."""


def segment_matrix(
    by_segment: pd.DataFrame, measure: str, suppliers: list[str] | None = None
) -> pd.DataFrame:
    """Suppliers (rows, in the order of ``suppliers`` when given) x segments (columns,
    sorted) of one measure of :func:`segment_table`; empty where a supplier serves no SKU of
    the segment."""
    if measure not in SEGMENT_MEASURES:
        raise SupplierError(f"measure must be one of {', '.join(SEGMENT_MEASURES)}")
    m = by_segment.pivot(index="supplier", columns="segment", values=measure)
    m = m[sorted(m.columns, key=lambda c: (c == NOT_SEGMENTED, c))]
    if suppliers is not None:
        m = m.reindex([x for x in suppliers if x in m.index])
    m.columns.name, m.index.name = "segment", "supplier"
    return m


# --------------------------------------------------------------------------- dual sourcing
def _where(mask: np.ndarray, values: np.ndarray, text: Callable[[float], str]) -> np.ndarray:
    """``text(value)`` where ``mask`` holds, else "": each distinct value formatted once (the
    reasons of half a million SKUs without a Python call per SKU)."""
    out = np.full(len(mask), "", dtype=object)
    if mask.any():
        distinct, inverse = np.unique(values[mask], return_inverse=True)
        out[mask] = np.array([text(float(v)) for v in distinct], dtype=object)[inverse]
    return out


def _joined(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two columns of phrases joined by " and " where both are there, else the one that is."""
    both = (a != "") & (b != "")
    return np.where(both, a + " and " + b, a + b)


def dual_sourcing(
    pairs: pd.DataFrame,
    suppliers: pd.DataFrame,
    rules: Rules,
    otif_below: float = DEFAULT_OTIF_BELOW,
) -> pd.DataFrame:
    """SKUs with a single supplier in the receipts that matter (class A, or a mean lead time
    above ``rules.leadtime_days``) and whose supplier is unreliable (OTIF below
    ``otif_below``, or a lead-time CoV above ``rules.leadtime_cov``).

    Columns: sku, segment, abc, supplier, revenue, lead_time_mean_days (the feature table's,
    as the lead-time criterion uses it; the receipts' own mean for an SKU outside the
    portfolio), supplier_otif_rate, supplier_lead_time_cov, reason. Sorted by revenue,
    largest first. An empty OTIF (no promised dates or quantities) is not below anything.
    """
    return _dual(_pair_rows(pairs), suppliers, rules, otif_below)


def _reasons(
    flagged: dict[str, np.ndarray], supplier: np.ndarray, rules: Rules, otif_below: float
) -> np.ndarray:
    """The reason of each flagged SKU (``flagged``: is_a, lead, long, otif, late, cov, erratic
    over those SKUs), phrased once per distinct (class A, lead time in whole days where long,
    supplier): the same text, with a few thousand strings built instead of one per SKU."""
    is_a, long = flagged["is_a"], flagged["long"]
    days = np.where(long, np.rint(flagged["lead"]), np.nan)  # read in whole days: same text
    _, day_code = np.unique(days, return_inverse=True)  # NaN (not long) is one code
    width = int(supplier.max()) + 1 if len(supplier) else 1
    key = (day_code.astype(np.int64) * 2 + is_a) * width + supplier
    _, f, inverse = np.unique(key, return_index=True, return_inverse=True)  # f: one of each
    why = _joined(
        np.where(is_a[f], "class A", ""),
        _where(
            long[f],
            days[f],
            lambda v: f"lead time {fmt.count(v, 'day')} > {fmt.plain(rules.leadtime_days)}",
        ),
    )
    otif, cov = flagged["otif"][f], flagged["cov"][f]
    risk = _joined(
        _where(
            flagged["late"][f],
            otif,
            lambda v: f"OTIF {fmt.share(v, 0)} < {fmt.share(otif_below, 0)}",
        ),
        _where(
            flagged["erratic"][f],
            cov,
            lambda v: f"lead-time CoV {fmt.fixed(v, 2)} > {fmt.plain(rules.leadtime_cov)}",
        ),
    )
    return np.asarray(why + "; single supplier with " + risk, dtype=object)[inverse]


def _dual(r: _Rows, suppliers: pd.DataFrame, rules: Rules, otif_below: float) -> pd.DataFrame:
    assert r.n_suppliers is not None and r.lead_time_mean_days is not None
    assert r.is_a is not None and r.revenue is not None and r.sku_rank is not None
    assert r.sku is not None and r.abc is not None and r.segment is not None
    assert r.segment_names is not None
    single = np.flatnonzero(r.n_suppliers == 1)
    sup = suppliers.set_index("supplier").reindex(r.supplier_names)
    code = r.supplier[single]
    otif = sup["otif_rate"].to_numpy(dtype=float)[code]
    cov = sup["lead_time_cov"].to_numpy(dtype=float)[code]
    own = safe_divide(r.measures.column("lt_sum")[single], r.measures.column("lt_n")[single])
    feat = r.lead_time_mean_days[single]
    lead = np.where(np.isfinite(feat), feat, own)
    is_a = r.is_a[single]
    long = lead > rules.leadtime_days
    late = otif < otif_below
    erratic = cov > rules.leadtime_cov
    at = np.flatnonzero((is_a | long) & (late | erratic))
    rows = single[at]
    order = np.lexsort((r.sku_rank[rows], -r.revenue[rows]))  # revenue descending, ties by SKU
    at, rows = at[order], rows[order]
    flagged = {
        "is_a": is_a[at],
        "lead": lead[at],
        "long": long[at],
        "otif": otif[at],
        "late": late[at],
        "cov": cov[at],
        "erratic": erratic[at],
    }
    reasons = _reasons(flagged, code[at], rules, otif_below)
    return pd.DataFrame(
        {
            "sku": r.sku[rows],
            "segment": r.segment_names[r.segment[rows]],
            "abc": r.abc[rows],
            "supplier": r.supplier_names[r.supplier[rows]],
            "revenue": r.revenue[rows],
            "lead_time_mean_days": lead[at],
            "supplier_otif_rate": otif[at],
            "supplier_lead_time_cov": cov[at],
            "reason": pd.Series(reasons, dtype=object),
        }
    )


# --------------------------------------------------------------------------- all together
@dataclass
class SupplierPerformance:
    """Everything the Suppliers page and ``segstudio suppliers`` show."""

    suppliers: pd.DataFrame  # one row per supplier: SUPPLIER_COLUMNS
    by_segment: pd.DataFrame  # one row per supplier x segment
    trend: pd.DataFrame  # per supplier (and ALL_SUPPLIERS) x quarter
    dual_sourcing: pd.DataFrame
    overall: dict[str, float]  # lines, suppliers, on_time_rate, in_full_rate, otif_rate, ...
    notes: list[str] = field(default_factory=list)

    def tier_counts(self) -> dict[str, int]:
        counts = self.suppliers["tier"].value_counts()
        return {t: int(counts.get(t, 0)) for t in TIERS}


SUPPLIER_COLUMNS = [
    "supplier",
    "tier",
    "tier_reason",
    *MEASURES,
    "spend_share",
    "segments",
    "a_skus",
    "a_spend_share",
    "sole_source_a_skus",
    "sole_source_a_revenue_share",
]
"""The per-supplier table's columns, in order."""


def supplier_table(
    pairs: pd.DataFrame,
    skus: pd.DataFrame | None = None,
    tiers: TierRule | None = None,
    segment_basis: str = DEFAULT_SEGMENT_BASIS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per supplier, per supplier x segment) from :func:`pair_table` rows. The per-supplier
    table has :data:`SUPPLIER_COLUMNS`, sorted by spend (lines without spend), largest first."""
    return _supplier_tables(_pair_rows(pairs), _a_revenue(skus), tiers, segment_basis)


def _supplier_tables(
    r: _Rows, a_revenue: float, tiers: TierRule | None, segment_basis: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if segment_basis not in SEGMENT_BASES:
        raise SupplierError(f"segment_basis must be one of {', '.join(SEGMENT_BASES)}")
    by_segment = _by_segment(r)
    sup = _by_supplier(r)
    by_spend = bool((sup["spend"] > 0).any())
    basis = segment_basis if by_spend else "lines"
    sup["segments"] = sup["supplier"].map(_segments_text(by_segment, basis)).fillna("")
    sup = _tiers(sup, _tier_sums(r), a_revenue, tiers or TierRule(), by_spend)
    key = sup["spend"] if by_spend else sup["lines"]
    sup = sup.assign(__k=key.fillna(0)).sort_values(
        ["__k", "supplier"], ascending=[False, True], kind="stable"
    )
    return sup[SUPPLIER_COLUMNS].reset_index(drop=True), by_segment


def _agg_rows(agg: ReceiptAggregates, skus: pd.DataFrame | None) -> _Rows:
    """:class:`_Rows` of :func:`pair_table` (the same values), straight from the aggregates:
    the SKUs' segments and ABC classes joined as integer codes, each SKU text hashed once,
    the SKU's rank and number of suppliers as the SQL counted them."""
    pairs = agg.pairs
    ctx = _empty_context() if skus is None else skus
    at = positions(ctx["sku"], pairs["sku"])  # -1: not segmented
    seg_ctx, seg_found = _codes(ctx["segment"])
    seg_names = np.array(sorted({*seg_found, NOT_SEGMENTED}), dtype=object)
    outside = int(np.searchsorted(seg_names, NOT_SEGMENTED))
    seg = np.append(np.searchsorted(seg_names, seg_found)[seg_ctx], outside)[at]
    abc_ctx, abc_found = _codes(ctx["abc"])
    abc = np.append(abc_ctx, -1)[at]
    a_code = np.flatnonzero(abc_found == "A")
    revenue = _take(_floats(ctx["revenue"]), at)
    return _Rows(
        _Measures.of(
            pairs,
            spend=_spend(
                _floats(pairs["spend_known"]),
                _floats(pairs["qty_no_cost"]),
                _take(_floats(ctx["unit_cost"]), at),
            ),
        ),
        *_codes(pairs["supplier"]),
        seg,
        seg_names,
        pairs["sku_rank"].to_numpy(),
        pairs["n_suppliers"].to_numpy(),
        pairs["sku"].to_numpy(dtype=object),
        np.append(abc_found, np.nan)[abc],
        abc == a_code[0] if len(a_code) else np.zeros(len(pairs), dtype=bool),
        np.where(np.isnan(revenue), 0.0, revenue),
        _take(_floats(ctx["lead_time_mean_days"]), at),
    )


def supplier_performance(
    agg: ReceiptAggregates,
    skus: pd.DataFrame | None = None,
    rules: Rules | None = None,
    tiers: TierRule | None = None,
    otif_below: float = DEFAULT_OTIF_BELOW,
    segment_basis: str = DEFAULT_SEGMENT_BASIS,
) -> SupplierPerformance:
    """All the supplier tables from the receipts' aggregates and the SKUs' segments
    (:func:`sku_context`; None: no segments, no ABC). ``rules`` gives the lead-time limits of
    the dual-sourcing screen (default ``Rules()``). Raises :class:`SegStudioError` when no
    receipts are loaded."""
    if agg.empty:
        raise SegStudioError(
            "no supplier receipts loaded: load a receipts file "
            "(supplier, sku, order_date, receipt_date) first"
        )
    if not 0 <= otif_below <= 1:
        raise SupplierError(f"the OTIF threshold must be within 0..1 (got {otif_below})")
    rules = rules or Rules()
    r = _agg_rows(agg, skus)
    suppliers, by_segment = _supplier_tables(r, _a_revenue(skus), tiers, segment_basis)
    notes = agg.notes()
    if not (suppliers["spend"] > 0).any() and agg.mapped & {"ordered_qty", "received_qty"}:
        notes.append("no unit cost is known for any receipt: suppliers are ranked by receipt lines")
    if skus is None:
        notes.append("no sales loaded: no segments, ABC classes or revenue")
    everything = np.zeros(len(r.supplier), dtype=np.intp)
    assert r.sku_rank is not None
    distinct = np.array([np.count_nonzero(np.bincount(r.sku_rank))])
    total = _with_rates(_rollup_codes(r.measures, everything, distinct)).iloc[0]
    overall = {
        "suppliers": len(suppliers),
        "lines": int(total["lines"]),
        "skus": int(total["skus"]),
        "spend": float(total["spend"]),
        **{
            c: float(total[c])
            for c in (
                "on_time_rate",
                "in_full_rate",
                "otif_rate",
                "lead_time_mean_days",
                "lead_time_std_days",
            )
        },
    }
    return SupplierPerformance(
        suppliers,
        by_segment,
        quarterly_trend(agg),
        _dual(r, suppliers, rules, otif_below),
        overall,
        notes,
    )


def export_frames(perf: SupplierPerformance) -> dict[str, pd.DataFrame]:
    """The tables for a file (sheet name -> frame), rates and days rounded to 4 decimals."""

    def rounded(df: pd.DataFrame) -> pd.DataFrame:
        floats = df.select_dtypes("float").columns
        return df.assign(**{c: df[c].round(4) for c in floats})

    return {
        "suppliers": rounded(perf.suppliers),
        "by_segment": rounded(perf.by_segment),
        "trend": rounded(perf.trend),
        "dual_sourcing": rounded(perf.dual_sourcing),
    }
