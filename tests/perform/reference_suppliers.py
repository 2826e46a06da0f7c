"""The supplier tables as first written, in plain pandas (groupby and merge on the text
columns): the reference the fast code in segstudio.perform.suppliers must equal."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from segstudio.common import fmt
from segstudio.common.numeric import safe_divide
from segstudio.common.pareto import share_before
from segstudio.config.rules import Rules
from segstudio.errors import SegStudioError
from segstudio.perform.suppliers import (
    _COUNTS,
    _SUMS,
    ALL_SUPPLIERS,
    MEASURES,
    NOT_SEGMENTED,
    SEGMENT_BASES,
    SUPPLIER_COLUMNS,
    ReceiptAggregates,
    SupplierError,
    SupplierPerformance,
    TierRule,
    _empty_context,
)


def _left_join_on_sku(rows: pd.DataFrame, ctx: pd.DataFrame) -> pd.DataFrame:
    """``rows.merge(ctx, on="sku", how="left", validate="many_to_one")`` by position: one
    hash lookup of each row's SKU in the context's (unique) SKUs instead of a merge, several
    times quicker at a million pairs; missing SKUs get the columns' missing value."""
    index = pd.Index(ctx["sku"])
    if not index.is_unique:
        raise SupplierError("the SKU context lists an SKU twice")
    at = index.get_indexer(rows["sku"])
    out = rows.copy()
    for col in ctx.columns:
        if col != "sku":
            column = ctx[col].array
            arr = column.to_numpy() if isinstance(column, pd.arrays.NumpyExtensionArray) else column
            values = pd.api.extensions.take(arr, at, allow_fill=True)
            out[col] = pd.Series(values, index=rows.index, name=col)
    return out


def pair_table(agg: ReceiptAggregates, skus: pd.DataFrame | None = None) -> pd.DataFrame:
    """The (supplier, SKU) rows with the SKU's segment, ABC class, revenue and the pair's
    spend. SKUs outside ``skus`` (from :func:`sku_context`) are :data:`NOT_SEGMENTED`."""
    ctx = _empty_context() if skus is None else skus
    out = _left_join_on_sku(agg.pairs, ctx)
    out["segment"] = out["segment"].fillna(NOT_SEGMENTED)
    out["revenue"] = out["revenue"].fillna(0.0)
    fallback = out["qty_no_cost"] * out["unit_cost"]
    known = out["spend_known"].notna() | fallback.notna()
    out["spend"] = (out["spend_known"].fillna(0.0) + fallback.fillna(0.0)).where(known)
    out["n_suppliers"] = out.groupby("sku")["supplier"].transform("size")
    return out


# --------------------------------------------------------------------------- roll-ups
def rollup(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Combine additive rows (the pairs of :func:`pair_table` or the quarters) per ``keys``
    (none: one row for everything) and derive the measures (:data:`MEASURES`; skus and spend
    only from pairs). Exact: each group's lead-time M2 adds the between-group term."""
    work = rows.copy()
    if not keys:
        work["__all"] = "all"
        keys = ["__all"]
    g = work.groupby(keys, sort=True, observed=True, dropna=False)
    grand = safe_divide(g["lt_sum"].transform("sum"), g["lt_n"].transform("sum"))
    own = safe_divide(work["lt_sum"], work["lt_n"])
    work["__between"] = (work["lt_n"] * (own - grand) ** 2).fillna(0.0)
    work["__m2"] = work["lt_m2"].fillna(0.0) + work["__between"]
    agg: dict[str, tuple[str, str]] = {c: (c, "sum") for c in _COUNTS + _SUMS}
    agg["lt_m2"] = ("__m2", "sum")
    agg["first_receipt"] = ("first_receipt", "min")
    agg["last_receipt"] = ("last_receipt", "max")
    if "sku" in work:
        agg["skus"] = ("sku", "nunique")
    out = g.agg(**agg)
    if "spend" in work:
        out["spend"] = g["spend"].sum(min_count=1)
    out = out.reset_index()
    if "__all" in out:
        out = out.drop(columns="__all")
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


def segment_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per supplier x segment: :data:`MEASURES` plus the segment's share of the supplier's
    lines and spend (line_share, spend_share)."""
    t = rollup(pairs, ["supplier", "segment"])
    by_sup = t.groupby("supplier")
    t["line_share"] = safe_divide(t["lines"], by_sup["lines"].transform("sum"))
    t["spend_share"] = safe_divide(t["spend"], by_sup["spend"].transform("sum"), positive_den=True)
    return _tidy(t, ["supplier", "segment"], ["line_share", "spend_share"])


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
def _tiers(
    sup: pd.DataFrame,
    pairs: pd.DataFrame,
    skus: pd.DataFrame | None,
    rule: TierRule,
    by_spend: bool,
) -> pd.DataFrame:
    """Add spend_share, a_skus, a_spend_share, sole_source_a_skus, sole_source_a_revenue_share,
    tier and tier_reason to the per-supplier table ``sup`` (one row per supplier, sorted)."""
    is_a = pairs["abc"].eq("A")
    sole_a = is_a & pairs["n_suppliers"].eq(1)
    g = pairs.assign(
        a=is_a,
        a_spend=pairs["spend"].where(is_a, 0.0),
        sole_a=sole_a,
        sole_a_rev=pairs["revenue"].where(sole_a, 0.0),
    ).groupby("supplier")
    per = pd.DataFrame(
        {
            "a_skus": g["a"].sum(),
            "a_spend": g["a_spend"].sum(min_count=1),
            "sole_source_a_skus": g["sole_a"].sum(),
            "sole_a_rev": g["sole_a_rev"].sum(),
        }
    ).reindex(sup["supplier"])
    measure = (sup["spend"] if by_spend else sup["lines"]).to_numpy(dtype=float)
    total = np.nansum(np.where(measure > 0, measure, 0.0))
    share = safe_divide(measure, total)  # NaN for all when nothing is positive
    before, _ = share_before(measure, sup["supplier"].to_numpy())  # NaN where measure <= 0
    a_total = per["a_spend"].sum(min_count=1)
    a_revenue = 0.0
    if skus is not None:
        a_revenue = float(skus.loc[skus["abc"].eq("A"), "revenue"].clip(lower=0).sum())
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
    pairs: pd.DataFrame, suppliers: pd.DataFrame, rules: Rules, otif_below: float = 0.90
) -> pd.DataFrame:
    """SKUs with a single supplier in the receipts that matter (class A, or a mean lead time
    above ``rules.leadtime_days``) and whose supplier is unreliable (OTIF below
    ``otif_below``, or a lead-time CoV above ``rules.leadtime_cov``).

    Columns: sku, segment, abc, supplier, revenue, lead_time_mean_days (the feature table's,
    as the lead-time criterion uses it; the receipts' own mean for an SKU outside the
    portfolio), supplier_otif_rate, supplier_lead_time_cov, reason. Sorted by revenue,
    largest first. An empty OTIF (no promised dates or quantities) is not below anything.
    """
    single = pairs[pairs["n_suppliers"].eq(1)]
    sup = suppliers.set_index("supplier")
    otif = single["supplier"].map(sup["otif_rate"]).to_numpy(dtype=float)
    cov = single["supplier"].map(sup["lead_time_cov"]).to_numpy(dtype=float)
    own = safe_divide(single["lt_sum"], single["lt_n"])
    feat = single["lead_time_mean_days"].to_numpy(dtype=float)
    lead = np.where(np.isfinite(feat), feat, own)
    is_a = single["abc"].eq("A").to_numpy()
    long = lead > rules.leadtime_days
    late = otif < otif_below
    erratic = cov > rules.leadtime_cov
    hit = (is_a | long) & (late | erratic)
    at = np.flatnonzero(hit)
    why = _joined(
        np.where(is_a[at], "class A", ""),
        _where(
            long[at],
            np.rint(lead[at]),  # read in whole days: the same text, far fewer distinct values
            lambda v: f"lead time {fmt.count(v, 'day')} > {fmt.plain(rules.leadtime_days)}",
        ),
    )
    risk = _joined(
        _where(
            late[at], otif[at], lambda v: f"OTIF {fmt.share(v, 0)} < {fmt.share(otif_below, 0)}"
        ),
        _where(
            erratic[at],
            cov[at],
            lambda v: f"lead-time CoV {fmt.fixed(v, 2)} > {fmt.plain(rules.leadtime_cov)}",
        ),
    )
    reasons = why + "; single supplier with " + risk
    out = pd.DataFrame(
        {
            "sku": single["sku"].to_numpy()[hit],
            "segment": single["segment"].to_numpy()[hit],
            "abc": single["abc"].to_numpy()[hit],
            "supplier": single["supplier"].to_numpy()[hit],
            "revenue": single["revenue"].to_numpy(dtype=float)[hit],
            "lead_time_mean_days": lead[hit],
            "supplier_otif_rate": otif[hit],
            "supplier_lead_time_cov": cov[hit],
            "reason": pd.Series(reasons, dtype=object),
        }
    )
    return out.sort_values(
        ["revenue", "sku"], ascending=[False, True], kind="stable", ignore_index=True
    )


# --------------------------------------------------------------------------- all together
def supplier_table(
    pairs: pd.DataFrame,
    skus: pd.DataFrame | None = None,
    tiers: TierRule | None = None,
    segment_basis: str = "lines",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per supplier, per supplier x segment) from :func:`pair_table` rows. The per-supplier
    table has :data:`SUPPLIER_COLUMNS`, sorted by spend (lines without spend), largest first."""
    if segment_basis not in SEGMENT_BASES:
        raise SupplierError(f"segment_basis must be one of {', '.join(SEGMENT_BASES)}")
    by_segment = segment_table(pairs)
    sup = rollup(pairs, ["supplier"])
    by_spend = bool((sup["spend"] > 0).any())
    basis = segment_basis if by_spend else "lines"
    sup["segments"] = sup["supplier"].map(_segments_text(by_segment, basis)).fillna("")
    sup = _tiers(sup, pairs, skus, tiers or TierRule(), by_spend)
    key = sup["spend"] if by_spend else sup["lines"]
    sup = sup.assign(__k=key.fillna(0)).sort_values(
        ["__k", "supplier"], ascending=[False, True], kind="stable"
    )
    return sup[SUPPLIER_COLUMNS].reset_index(drop=True), by_segment


def supplier_performance(
    agg: ReceiptAggregates,
    skus: pd.DataFrame | None = None,
    rules: Rules | None = None,
    tiers: TierRule | None = None,
    otif_below: float = 0.90,
    segment_basis: str = "lines",
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
    pairs = pair_table(agg, skus)
    suppliers, by_segment = supplier_table(pairs, skus, tiers, segment_basis)
    notes = agg.notes()
    if not (suppliers["spend"] > 0).any() and agg.mapped & {"ordered_qty", "received_qty"}:
        notes.append("no unit cost is known for any receipt: suppliers are ranked by receipt lines")
    if skus is None:
        notes.append("no sales loaded: no segments, ABC classes or revenue")
    total = rollup(pairs, []).iloc[0]
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
        dual_sourcing(pairs, suppliers, rules, otif_below),
        overall,
        notes,
    )
