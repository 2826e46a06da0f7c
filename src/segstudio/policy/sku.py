"""Inventory policy per segment: the policy table, and per SKU the safety stock, reorder point,
order quantity, order-up-to level and expected service, following methods.md.

Units: the demand statistics are the feature table's weekly ones (a monthly file's monthly
statistics are converted to weekly there), so lead times and review periods are converted from
days into weeks.

The textbook formulas live in :mod:`segstudio.policy.formulas`, one function each with the
symbols spelled out (``eoq``, ``critical_ratio``, ``safety_factor_for_csl``,
``expected_fill_rate``, ...); :func:`compute_policies` applies those same functions to every
SKU at once (they take arrays) and re-derives none of them here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import cast

import numpy as np
import pandas as pd

from segstudio.common.numeric import safe_divide
from segstudio.common.periods import WEEK_DAYS, YEAR_DAYS
from segstudio.config.policy_table import (
    NON_NORMAL_PATTERNS,
    POLICY_TYPES,
    STOCKED,
    PolicyTable,
    SegmentPolicy,
)
from segstudio.policy.formulas import (
    critical_ratio,
    csl_for_safety_factor,
    eoq,
    expected_fill_rate,
    fill_rate_safety_factor,
    gamma_fill_level,
    gamma_loss,
    lead_time_demand_std,
    safety_factor_for_csl,
)
from segstudio.policy.valuation import unit_price, unit_values

__all__ = [
    "MAX_SERVICE",
    "POLICY_COLUMNS",
    "Protection",
    "Resolved",
    "SkuInputs",
    "compute_policies",
    "cost_based_csl",
    "levels",
    "policies_from_inputs",
    "protection",
    "resolve",
    "segment_summary",
    "service_levels",
    "targets",
]

MAX_SERVICE = 0.9999  # targets are capped below 1: a 100% target needs infinite stock


# --- per SKU -------------------------------------------------------------------------------

POLICY_COLUMNS: dict[str, str] = {
    "sku": "Product code",
    "segment": "Segment under the rules",
    "strategy": "Inventory strategy (MTS, ATO, MTO, ETO)",
    "demand_model": "normal, gamma, or none (not stocked, or no demand)",
    "service_type": "csl or fill_rate: the kind of target the safety stock was set for",
    "service_target": "The target (for cost-based policies, the critical ratio p / (p + h))",
    "target_source": "policy, or cost (newsvendor critical ratio)",
    "review_period_days": "0: continuous review (s, Q); else the review period of (R, S)",
    "order_rule": "eoq, periods or minmax",
    "demand_mean": "Mean demand per week planned on (the history's, or the forecast's)",
    "demand_std": "Its uncertainty per week: the history's standard deviation, or the "
    "forecast's backtest RMSE",
    "demand_source": "history, or forecast (the policy's demand_source, where a forecast exists)",
    "lead_time_days": "Mean lead time used (receipts, else the policy's fallback)",
    "lead_time_std_days": "Standard deviation of the lead time used",
    "lead_time_source": "sku, supplier (receipts) or fallback",
    "protection_periods": "Lead time plus review period, in periods",
    "lead_time_demand_mean": "Mean demand over the protection interval",
    "lead_time_demand_std": "sigma_DL over the protection interval",
    "safety_stock": "Units held against variability (never negative)",
    "reorder_point": "d x L + safety stock",
    "order_quantity": "Units per order under the order rule",
    "order_up_to": "Periodic: d x (L + R) + SS; continuous: reorder point + order quantity",
    "expected_fill_rate": "1 - expected units short per cycle / units per cycle",
    "expected_csl": "Probability of no stockout in a cycle",
    "unit_cost": "Value per unit: the unit cost, else the unit price (see valued_at)",
    "valued_at": "What the SKU's stock is valued at: cost, price (no unit cost) or none",
    "unit_price": "Revenue / quantity",
    "safety_stock_value": "safety_stock x unit_cost",
    "cycle_stock_value": "Half the units per cycle x unit_cost",
    "inventory_value": "safety_stock_value + cycle_stock_value",
    "revenue": "Revenue in the window",
    "network": "Fulfilment network (workshop field)",
    "transport_mode": "Transport mode (workshop field)",
    "supplier_tier": "Supplier tier (workshop field)",
}


@dataclass
class SkuInputs:
    """The per-SKU arrays a policy needs, taken once from the feature table. Read only (each
    a view that refuses writes): the policies share them, and the app shares both."""

    sku: np.ndarray
    demand_mean: np.ndarray
    demand_std: np.ndarray
    lead_time_days: np.ndarray  # NaN: no receipts
    lead_time_std_days: np.ndarray
    lead_time_source: np.ndarray
    non_normal: np.ndarray  # bool: intermittent or lumpy
    unit_cost: np.ndarray  # the unit value: cost, else price (policy.valuation)
    unit_price: np.ndarray
    valued_at: np.ndarray  # what unit_cost is: cost, price or none
    revenue: np.ndarray
    period_days: float
    # The latest forecast run's mean demand and backtest RMSE per period (NaN: no forecast),
    # for the segments whose policy has demand_source = "forecast".
    forecast_mean: np.ndarray | None = None
    forecast_std: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.sku)
        if self.forecast_mean is None:
            self.forecast_mean = np.full(n, np.nan)
        if self.forecast_std is None:
            self.forecast_std = np.full(n, np.nan)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                view = value.view()
                view.flags.writeable = False
                setattr(self, f.name, view)

    @classmethod
    def from_features(
        cls, features: pd.DataFrame, forecast: pd.DataFrame | None = None
    ) -> SkuInputs:
        """``forecast``: per SKU (sku, forecast_mean, forecast_std) per week, from
        :func:`segstudio.forecast.store.policy_demand`; None: no forecast run."""

        def col(name: str) -> np.ndarray:
            if name not in features:
                return np.full(len(features), np.nan)
            return pd.to_numeric(features[name], errors="coerce").to_numpy(float)

        quantity, revenue = col("quantity"), col("revenue")
        price = unit_price(revenue, quantity)
        cost, valued_at = unit_values(col("unit_cost"), price)
        source = (
            features["lead_time_source"].astype(object).to_numpy()
            if "lead_time_source" in features
            else np.full(len(features), None)
        )
        sku = features["sku"].to_numpy(object)
        if pd.api.types.infer_dtype(sku, skipna=False) != "string":  # texts already: as they are
            sku = features["sku"].astype(str).to_numpy(object)
        fc_mean = fc_std = None
        if forecast is not None:
            by_sku = forecast.set_index(forecast["sku"].astype(str))
            keys = pd.Index(sku.astype(str))
            fc_mean = by_sku["forecast_mean"].reindex(keys).to_numpy(dtype=float)
            fc_std = by_sku["forecast_std"].reindex(keys).to_numpy(dtype=float)
        return cls(
            forecast_mean=fc_mean,
            forecast_std=fc_std,
            sku=sku,
            demand_mean=np.nan_to_num(np.maximum(col("demand_mean"), 0), copy=False),
            demand_std=np.nan_to_num(np.maximum(col("demand_std"), 0), copy=False),
            lead_time_days=col("lead_time_mean_days"),
            lead_time_std_days=col("lead_time_std_days"),
            lead_time_source=source,
            non_normal=(
                features["pattern"].isin(NON_NORMAL_PATTERNS).to_numpy()
                if "pattern" in features
                else np.zeros(len(features), bool)
            ),
            unit_cost=cost,
            unit_price=price,
            valued_at=valued_at,
            revenue=np.nan_to_num(revenue),
            period_days=WEEK_DAYS,  # demand_mean and demand_std are weekly in every file
        )

    def __len__(self) -> int:
        return len(self.sku)


@dataclass
class Resolved:
    """Per-SKU policy parameters (arrays) from the segment each SKU is in."""

    segment: np.ndarray
    policy_index: np.ndarray
    policies: list[SegmentPolicy]

    def param(self, name: str) -> np.ndarray:
        values = np.array(
            [getattr(p, name) for p in self.policies],
            dtype=float if str(POLICY_TYPES[name]) == "float" else object,
        )
        return values[self.policy_index]

    def flag(self, test: Callable[[SegmentPolicy], bool]) -> np.ndarray:
        """``test`` of each SKU's policy, asked once per policy (not once per SKU)."""
        return np.array([bool(test(p)) for p in self.policies], dtype=bool)[self.policy_index]

    def texts(self, values: Sequence[object]) -> np.ndarray:
        """One text per policy (in :attr:`policies` order), spread to every SKU."""
        return np.array(values, dtype=object)[self.policy_index]


def _sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(sorted distinct texts, each value's index into them), as ``np.unique(values.astype(str),
    return_inverse=True)`` gives them, by hashing rather than sorting a million texts; None
    unless every value is a text."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques, dtype=object), codes


def resolve(table: PolicyTable, segments: np.ndarray) -> Resolved:
    values = np.asarray(segments, dtype=object)
    found = _sorted_codes(values)
    if found is None:
        labels, inverse = np.unique(values.astype(str), return_inverse=True)
    else:
        labels, inverse = found
    return Resolved(
        values,
        inverse.astype(np.int32),
        [table.for_segment(str(code)) for code in labels],
    )


@dataclass
class Protection:
    """Demand over each SKU's protection interval and the order size: the part of a policy
    that does not depend on the service target (shared by the policy and the curves)."""

    stocked: np.ndarray  # bool: stocked strategy and demand > 0
    gamma: np.ndarray  # bool: gamma model
    periods: np.ndarray  # L + R in periods
    lead_periods: np.ndarray
    review_periods: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    order_quantity: np.ndarray  # units per order under the rule
    cycle_units: np.ndarray  # units per cycle: Q (continuous) or d R (periodic)
    lead_time_days: np.ndarray
    lead_time_std_days: np.ndarray
    lead_time_source: np.ndarray
    unit_cost: np.ndarray
    demand_mean: np.ndarray  # per period, as planned: the history's or the forecast's
    demand_std: np.ndarray
    demand_source: np.ndarray  # "history" or "forecast", per SKU


def protection(x: SkuInputs, r: Resolved) -> Protection:
    d, sd = x.demand_mean, x.demand_std
    # demand_source "forecast": the forecast's mean and its backtest RMSE per period stand for
    # the history's mean and standard deviation (methods.md), where the SKU has them
    assert x.forecast_mean is not None and x.forecast_std is not None
    by_forecast = r.flag(lambda p: p.demand_source == "forecast")
    use = by_forecast & np.isfinite(x.forecast_mean) & np.isfinite(x.forecast_std)
    if use.any():
        d = np.where(use, np.maximum(x.forecast_mean, 0.0), d)
        sd = np.where(use, np.maximum(x.forecast_std, 0.0), sd)
    fallback = np.isnan(x.lead_time_days)
    lt_days = np.where(fallback, r.param("fallback_lead_time_days"), x.lead_time_days)
    lt_std_days = np.where(fallback | np.isnan(x.lead_time_std_days), 0.0, x.lead_time_std_days)
    source = np.where(fallback, "fallback", x.lead_time_source).astype(object, copy=False)
    lead = lt_days / x.period_days
    review = r.param("review_period_days") / x.period_days
    periods = lead + review
    std = cast(np.ndarray, lead_time_demand_std(d, sd, periods, lt_std_days / x.period_days))
    mean = d * periods

    periods_per_year = YEAR_DAYS / x.period_days
    holding = r.param("holding_rate") * x.unit_cost
    order_cost = r.param("order_cost")
    q_eoq, _ = eoq(d * periods_per_year, order_cost, holding)  # NaN where an input <= 0
    # An order cost of 0 (allowed by the policy table) is outside the EOQ's domain; the policy
    # has always taken its limit, Q = 0 (so a continuous-review SKU has no cycle and is not
    # stocked), where the holding cost is known.
    q_eoq = np.where((order_cost == 0) & (holding > 0), 0.0, q_eoq)
    q_eoq = np.where(np.isfinite(q_eoq), q_eoq, np.nan)
    q_periods = d * r.param("periods_of_supply_weeks") * (WEEK_DAYS / x.period_days)
    by_periods = r.flag(lambda p: p.order_rule == "periods")
    q = np.where(by_periods, q_periods, q_eoq)
    q = np.where(np.isnan(q), q_periods, q)  # no cost known: periods of supply
    cycle = np.where(review > 0, d * review, q)

    stocked = r.flag(lambda p: p.strategy in STOCKED) & (d > 0) & (cycle > 0)
    gamma = (
        stocked
        & (std > 0)
        & (
            r.flag(lambda p: p.demand_model == "gamma")
            | (r.flag(lambda p: p.demand_model == "auto") & x.non_normal)
        )
    )
    return Protection(
        stocked,
        gamma,
        periods,
        lead,
        review,
        mean,
        std,
        q,
        cycle,
        lt_days,
        lt_std_days,
        source,
        x.unit_cost,
        d,
        sd,
        np.where(use, "forecast", "history").astype(object),
    )


def cost_based_csl(x: SkuInputs, r: Resolved, pr: Protection) -> np.ndarray:
    """CSL* = p / (p + h), the newsvendor critical ratio (:func:`critical_ratio`): p =
    stockout_cost x unit price per unit short, h the holding cost per unit over one cycle (the
    review period, else Q / annual demand) (methods.md). Kept between 0.5 and MAX_SERVICE; 0.5
    where it is undefined (no price, or no cost known)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cycle_years = (
            np.where(pr.review_periods > 0, pr.review_periods, pr.order_quantity / pr.demand_mean)
            * x.period_days
            / YEAR_DAYS
        )
        h = r.param("holding_rate") * x.unit_cost * cycle_years
    p = r.param("stockout_cost") * x.unit_price
    ratio = critical_ratio(p, h)
    return np.clip(np.where(np.isfinite(ratio), ratio, 0.5), 0.5, MAX_SERVICE)


def targets(
    x: SkuInputs,
    r: Resolved,
    pr: Protection,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(service type, target, set from cost) per SKU: cost-based targets become CSL targets."""
    target = r.param("service_target")
    from_cost = r.flag(lambda p: p.service_type == "cost")
    if from_cost.any():
        target = np.where(from_cost, cost_based_csl(x, r, pr), target)
    kind = r.texts(["csl" if p.service_type == "cost" else p.service_type for p in r.policies])
    return kind, target, from_cost


def levels(
    pr: Protection,
    service_type: np.ndarray,
    target: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(safety stock, expected fill rate, expected CSL) for each SKU's target of its kind."""
    from scipy import special  # here: the stored levels of a load need no scipy

    n = len(target)
    ss = np.zeros(n)
    fill = np.full(n, np.nan)
    csl = np.full(n, np.nan)
    target = np.clip(target, 1e-6, MAX_SERVICE)
    fill_kind = service_type == "fill_rate"

    nm = pr.stocked & ~pr.gamma
    if nm.any():
        s, q = pr.std[nm], pr.cycle_units[nm]
        k = np.maximum(safety_factor_for_csl(target[nm]), 0.0)
        by_fill = fill_kind[nm] & (s > 0)
        if by_fill.any():
            k[by_fill] = fill_rate_safety_factor(target[nm][by_fill], q[by_fill], s[by_fill])
        k = np.where(s > 0, k, 0.0)
        ss[nm] = k * s
        fill[nm] = np.where(s > 0, expected_fill_rate(s, k, q), 1.0)  # s = 0: certain demand
        csl[nm] = np.where(s > 0, csl_for_safety_factor(k), 1.0)

    gm = pr.gamma
    if gm.any():
        mu, s, q = pr.mean[gm], pr.std[gm], pr.cycle_units[gm]
        shape, scale = np.square(mu / s), np.square(s) / mu
        t = target[gm]
        by_fill = fill_kind[gm]
        y = np.empty_like(shape)
        if (~by_fill).any():
            y[~by_fill] = np.maximum(
                special.gammaincinv(shape[~by_fill], t[~by_fill]), shape[~by_fill]
            )
        if by_fill.any():
            y[by_fill] = gamma_fill_level(
                shape[by_fill], (1 - t[by_fill]) * q[by_fill] / scale[by_fill]
            )
        ss[gm] = (y - shape) * scale
        fill[gm] = 1 - scale * gamma_loss(shape, y) / q
        csl[gm] = special.gammainc(shape, y)
    return ss, np.clip(fill, 0.0, 1.0), csl


def service_levels(
    x: SkuInputs, segments: np.ndarray, table: PolicyTable
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(safety stock, expected fill rate, expected CSL) of every SKU under ``table``: the
    costly part of a policy (the gamma inverses), what a load stores for the official one and
    :func:`policies_from_inputs` takes as ``known_levels``."""
    r = resolve(table, segments)
    pr = protection(x, r)
    service_type, target, _ = targets(x, r, pr)
    return levels(pr, service_type, target)


def compute_policies(
    features: pd.DataFrame,
    segments: np.ndarray,
    table: PolicyTable,
    forecast: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The policy of every SKU: one row per feature row, columns :data:`POLICY_COLUMNS`
    (``forecast``: as :meth:`SkuInputs.from_features` takes it)."""
    x = SkuInputs.from_features(features, forecast)
    return policies_from_inputs(x, segments, table)


def policies_from_inputs(
    x: SkuInputs,
    segments: np.ndarray,
    table: PolicyTable,
    known_levels: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    read_only: bool = False,
) -> pd.DataFrame:
    """:func:`compute_policies` of :class:`SkuInputs`. ``known_levels``: what
    :func:`service_levels` gives for these inputs, segments and table (stored at the load),
    else computed here. ``read_only``: a frame that is only ever read (the app's, shared by
    its pages and sessions) takes the inputs' and the known levels' arrays as its columns,
    which refuse writes, instead of copies of them (a million SKUs' columns not made twice);
    by default every column is the frame's own."""
    own = np.asarray if read_only else np.array  # np.array copies
    r = resolve(table, segments)
    pr = protection(x, r)
    service_type, target, from_cost = targets(x, r, pr)
    if known_levels is not None and all(len(v) == len(x) for v in known_levels):
        ss, fill, csl = known_levels
    else:
        ss, fill, csl = levels(pr, service_type, target)

    stocked = pr.stocked
    d = pr.demand_mean
    rop = np.where(stocked, d * pr.lead_periods + ss, 0.0)
    s_level = np.where(pr.review_periods > 0, pr.mean + ss, rop + pr.order_quantity)
    s_level = np.where(stocked, s_level, 0.0)
    q = np.where(stocked, pr.order_quantity, 0.0)
    cycle_value = np.where(stocked, pr.cycle_units / 2 * x.unit_cost, 0.0)
    ss_value = ss * x.unit_cost
    model = np.array(["none", "normal", "gamma"], dtype=object)[
        stocked.astype(np.int8) + pr.gamma.astype(np.int8)  # gamma SKUs are stocked
    ]
    columns = {
        "sku": own(x.sku),  # the inputs are shared: the frame gets its own, or reads theirs
        "segment": r.segment.copy(),
        "strategy": r.param("strategy"),
        "demand_model": model,
        "service_type": service_type,
        "service_target": target,
        "target_source": np.array(["policy", "cost"], dtype=object)[from_cost.astype(np.int8)],
        "review_period_days": r.param("review_period_days"),
        "order_rule": r.param("order_rule"),
        "demand_mean": own(d),
        "demand_std": own(pr.demand_std),
        "demand_source": pr.demand_source,
        "lead_time_days": pr.lead_time_days,
        "lead_time_std_days": pr.lead_time_std_days,
        "lead_time_source": pr.lead_time_source,
        "protection_periods": pr.periods,
        "lead_time_demand_mean": pr.mean,
        "lead_time_demand_std": pr.std,
        "safety_stock": own(ss, dtype=float),
        "reorder_point": rop,
        "order_quantity": q,
        "order_up_to": s_level,
        "expected_fill_rate": np.where(stocked, fill, np.nan),
        "expected_csl": np.where(stocked, csl, np.nan),
        "unit_cost": own(x.unit_cost),
        "valued_at": own(x.valued_at),
        "unit_price": own(x.unit_price),
        "safety_stock_value": ss_value,
        "cycle_stock_value": cycle_value,
        "inventory_value": ss_value + cycle_value,
        "revenue": own(x.revenue),
        "network": r.param("network"),
        "transport_mode": r.param("transport_mode"),
        "supplier_tier": r.param("supplier_tier"),
    }
    # Every array above is the frame's own (or, read only, the inputs'): taken as they are
    # (copy=False), the columns are not copied again into two consolidated blocks (a second of
    # a million SKUs' page).
    return pd.DataFrame(columns, copy=False)


_SUMMED = ("revenue", "safety_stock_value", "cycle_stock_value", "inventory_value")


def segment_summary(policies: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Per segment: SKUs, revenue, planned inventory and the demand-weighted expected service.
    ``rows``: which SKUs to summarise (a mask; default all), as ``policies[rows]`` would."""
    mask = np.ones(len(policies), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    segments = _sorted_codes(policies["segment"].to_numpy(object))
    kinds = _sorted_codes(policies["service_type"].to_numpy(object))
    if segments is None or kinds is None:  # a missing segment or service type: pandas decides
        return _segment_summary_by_pandas(policies if rows is None else policies[mask])
    labels, seg_all = segments
    kind_labels, kind_all = kinds
    seg, kind = seg_all[mask], kind_all[mask]
    present = np.bincount(seg, minlength=len(labels))
    keep = present > 0  # segments with SKUs among the rows, in sorted order as the groups
    # Compact codes of the segments kept: a categorical key, grouped without hashing again.
    seg = (np.cumsum(keep) - 1)[seg]
    n_seg, n_kind = int(keep.sum()), len(kind_labels)

    def column(name: str) -> np.ndarray:
        values = policies[name].to_numpy(float)
        return values if rows is None else values[mask]

    w = np.where(
        policies["demand_model"].to_numpy(object)[mask] != "none", column("demand_mean"), 0.0
    )
    sums = {c: column(c) for c in _SUMMED}
    sums["_w"] = w
    sums["_wf"] = w * np.nan_to_num(column("expected_fill_rate"), nan=0.0)
    sums["_wc"] = w * np.nan_to_num(column("expected_csl"), nan=0.0)
    # The sums and the mean by integer codes: pandas' own (compensated) group sums of the same
    # values in the same order, so the figures are those of a groupby on the segment texts.
    key = pd.Categorical.from_codes(seg, categories=np.arange(n_seg))
    total = pd.DataFrame(sums, copy=False).groupby(key, observed=True, sort=True).sum()
    mean_target = (
        pd.Series(column("service_target"), copy=False)
        .groupby(key, observed=True, sort=True)
        .mean()
    )
    # The mode of the service type: the most frequent, the first in sorted order on a tie.
    counts = np.bincount(seg * n_kind + kind, minlength=n_seg * n_kind).reshape(n_seg, n_kind)
    out = pd.DataFrame(
        {
            "segment": labels[keep],
            "skus": present[keep].astype(np.int64),
            "revenue": total["revenue"].to_numpy(),
            "service_type": kind_labels[counts.argmax(axis=1)],
            "service_target": mean_target.to_numpy(),
            "safety_stock_value": total["safety_stock_value"].to_numpy(),
            "cycle_stock_value": total["cycle_stock_value"].to_numpy(),
            "inventory_value": total["inventory_value"].to_numpy(),
        }
    )
    out["expected_fill_rate"] = safe_divide(total["_wf"].to_numpy(), total["_w"].to_numpy())
    out["expected_csl"] = safe_divide(total["_wc"].to_numpy(), total["_w"].to_numpy())
    return out


def _segment_summary_by_pandas(policies: pd.DataFrame) -> pd.DataFrame:
    df = policies.assign(
        _w=policies["demand_mean"].where(policies["demand_model"] != "none", 0.0),
    )
    df["_wf"] = df["_w"] * df["expected_fill_rate"].fillna(0)
    df["_wc"] = df["_w"] * df["expected_csl"].fillna(0)
    g = df.groupby("segment", sort=True)
    out = g.agg(
        skus=("sku", "size"),
        revenue=("revenue", "sum"),
        service_type=("service_type", lambda s: s.mode().iat[0]),
        service_target=("service_target", "mean"),
        safety_stock_value=("safety_stock_value", "sum"),
        cycle_stock_value=("cycle_stock_value", "sum"),
        inventory_value=("inventory_value", "sum"),
        _w=("_w", "sum"),
        _wf=("_wf", "sum"),
        _wc=("_wc", "sum"),
    )
    out["expected_fill_rate"] = safe_divide(out["_wf"], out["_w"])
    out["expected_csl"] = safe_divide(out["_wc"], out["_w"])
    return out.drop(columns=["_w", "_wf", "_wc"]).reset_index()
