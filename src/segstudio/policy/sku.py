"""Inventory policy per segment: the policy table, and per SKU the safety stock, reorder point,
order quantity, order-up-to level and expected service, following methods.md.

Units: the demand statistics are the feature table's weekly ones (a monthly file's monthly
statistics are converted to weekly there), so lead times and review periods are converted from
days into weeks.

The textbook formulas are plain functions with the symbols spelled out (``eoq``,
``newsvendor``, ``normal_loss``, ...); :func:`compute_policies` applies them to every SKU at
once with numpy and scipy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np
import pandas as pd
from scipy import special, stats

from segstudio.errors import SegStudioError

__all__ = [
    "BUILTIN_CELL_TARGETS",
    "DEMAND_MODELS",
    "ERP_COLUMNS",
    "ORDER_RULES",
    "POLICY_COLUMNS",
    "PolicyError",
    "PolicyTable",
    "SERVICE_TYPES",
    "STRATEGIES",
    "SegmentPolicy",
    "compute_policies",
    "csl_from_reorder_point",
    "eoq",
    "erp_table",
    "expected_fill_rate",
    "fill_rate_safety_factor",
    "gamma_loss",
    "lead_time_demand_std",
    "newsvendor",
    "normal_loss",
    "safety_stock_for_csl",
]

STRATEGIES = {
    "MTS": "make-to-stock: finished stock held against the forecast",
    "ATO": "assemble-to-order: components stocked (planned like make-to-stock here)",
    "MTO": "make-to-order: no finished stock; the customer waits the lead time",
    "ETO": "engineer-to-order: no stock; designed per order",
}
STOCKED = ("MTS", "ATO")
SERVICE_TYPES = {
    "csl": "cycle service level: probability of no stockout in a replenishment cycle",
    "fill_rate": "fill rate: share of demand served from stock",
    "cost": "cost-based: the cycle service level p / (p + h) of the newsvendor critical ratio",
}
ORDER_RULES = {
    "eoq": "economic order quantity sqrt(2 D K / h)",
    "periods": "fixed periods of supply: demand of periods_of_supply_weeks weeks per order",
    "minmax": "min-max: min = reorder point, max = min + EOQ",
}
DEMAND_MODELS = {
    "auto": "gamma for intermittent and lumpy SKUs, normal for the others",
    "normal": "normal lead-time demand (methods.md)",
    "gamma": "gamma lead-time demand with the same mean and standard deviation",
}
WEEK_DAYS = 7.0
MONTH_DAYS = 365.25 / 12
YEAR_DAYS = 365.25
MAX_SERVICE = 0.9999  # targets are capped below 1: a 100% target needs infinite stock
_NON_NORMAL_PATTERNS = ("intermittent", "lumpy")
_MAX_NEWTON = 60


class PolicyError(SegStudioError):
    """A policy value that cannot be used; the message names the segment and the key."""


@dataclass(frozen=True)
class SegmentPolicy:
    """The inventory policy of one segment. Documented in methods.md (Inventory policy)."""

    strategy: str = "MTS"
    service_type: str = "csl"
    service_target: float = 0.95
    review_period_days: float = 0.0  # 0: continuous review (s, Q); else periodic (R, S)
    order_rule: str = "eoq"
    periods_of_supply_weeks: float = 4.0  # order size under the "periods" rule
    holding_rate: float = 0.25  # per year, as a share of the unit cost
    order_cost: float = 50.0  # per order, in the sales currency
    stockout_cost: float = 0.5  # per unit short, as a share of the unit price
    demand_model: str = "auto"
    fallback_lead_time_days: float = 28.0  # SKUs without receipts
    network: str = ""  # fulfilment network, transport mode, supplier tier: workshop fields
    transport_mode: str = ""
    supplier_tier: str = ""

    def check(self, where: str) -> None:
        def fail(key: str, msg: str) -> None:
            raise PolicyError(f"[policy.{where}] {key}: {msg}")

        if self.strategy not in STRATEGIES:
            fail("strategy", f"use one of {', '.join(STRATEGIES)}, not {self.strategy!r}")
        if self.service_type not in SERVICE_TYPES:
            fail("service_type", f"use one of {', '.join(SERVICE_TYPES)}, not {self.service_type!r}")
        if not 0 < self.service_target < 1:
            fail("service_target", f"must be between 0 and 1 (e.g. 0.95), not {self.service_target}")
        if self.order_rule not in ORDER_RULES:
            fail("order_rule", f"use one of {', '.join(ORDER_RULES)}, not {self.order_rule!r}")
        if self.demand_model not in DEMAND_MODELS:
            fail("demand_model", f"use one of {', '.join(DEMAND_MODELS)}, not {self.demand_model!r}")
        for key in ("review_period_days", "holding_rate", "order_cost", "stockout_cost",
                    "fallback_lead_time_days"):
            value = getattr(self, key)
            if not np.isfinite(value) or value < 0:
                fail(key, f"must be a number >= 0, not {value}")
        if self.review_period_days > 3 * YEAR_DAYS:
            fail("review_period_days", "more than three years")
        if not 0 < self.periods_of_supply_weeks <= 520:
            fail("periods_of_supply_weeks", f"must be in (0, 520], not {self.periods_of_supply_weeks}")
        if self.holding_rate <= 0:
            fail("holding_rate", "must be positive (e.g. 0.25 a year)")


_POLICY_TYPES = {f.name: f.type for f in fields(SegmentPolicy)}
POLICY_KEYS = list(_POLICY_TYPES)

# Built-in targets per ABC x XYZ cell: most service where value is high and demand steady.
BUILTIN_CELL_TARGETS: dict[str, float] = {
    "AX": 0.98, "AY": 0.97, "AZ": 0.95,
    "BX": 0.96, "BY": 0.95, "BZ": 0.92,
    "CX": 0.92, "CY": 0.90, "CZ": 0.85,
}
_BUILTIN_CELL_POLICY = {
    "A": {"review_period_days": 7.0, "order_rule": "eoq"},
    "B": {"review_period_days": 7.0, "order_rule": "eoq"},
    "C": {"review_period_days": 14.0, "order_rule": "periods", "periods_of_supply_weeks": 8.0},
}


def _builtin_segments() -> dict[str, SegmentPolicy]:
    return {cell: SegmentPolicy(service_target=t, **_BUILTIN_CELL_POLICY[cell[0]])
            for cell, t in BUILTIN_CELL_TARGETS.items()}


@dataclass(frozen=True)
class PolicyTable:
    """The default policy and one policy per named segment. A segment not in the table gets
    the default. In a rules file, ``[policy.default]`` and ``[policy."AX"]`` give only the keys
    that differ: a segment's missing keys come from the default, the default's from
    :class:`SegmentPolicy`. Without a ``[policy]`` section the built-in table applies (the
    ABC x XYZ cells of :data:`BUILTIN_CELL_TARGETS`)."""

    default: SegmentPolicy = field(default_factory=SegmentPolicy)
    segments: tuple[tuple[str, SegmentPolicy], ...] = field(
        default_factory=lambda: tuple(_builtin_segments().items()))

    def __post_init__(self) -> None:
        self.default.check("default")
        for code, p in self.segments:
            p.check(f'"{code}"')

    def for_segment(self, code: str) -> SegmentPolicy:
        return dict(self.segments).get(code, self.default)

    def with_segment(self, code: str, policy: SegmentPolicy) -> PolicyTable:
        if code == "default":
            return replace(self, default=policy)
        table = dict(self.segments)
        table[code] = policy
        return replace(self, segments=tuple(table.items()))

    def to_dict(self) -> dict:
        base = asdict(self.default)
        out: dict = {"default": base}
        for code, p in self.segments:
            out[code] = {k: v for k, v in asdict(p).items() if v != base[k]}
        return out

    @classmethod
    def from_dict(cls, data: object, source: str = "rules") -> PolicyTable:
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise PolicyError(f"{source}: [policy] holds tables: [policy.default], "
                              '[policy."AX"], ...')
        default = _policy_from(data.get("default", {}), SegmentPolicy(), "default", source)
        segments = tuple((str(code), _policy_from(body, default, f'"{code}"', source))
                         for code, body in data.items() if code != "default")
        try:
            return cls(default=default, segments=segments)
        except PolicyError as exc:
            raise PolicyError(f"{source}: {exc}") from exc

    def frame(self, codes: list[str] | None = None) -> pd.DataFrame:
        """The table as rows (default first, then ``codes`` or the table's segments)."""
        listed = codes if codes is not None else [c for c, _ in self.segments]
        rows = [{"segment": "default", **asdict(self.default)}]
        rows += [{"segment": c, **asdict(self.for_segment(c))} for c in listed if c != "default"]
        return pd.DataFrame(rows)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, keep: PolicyTable | None = None) -> PolicyTable:
        """A table from edited rows (the app's editor); segments not in ``df`` keep ``keep``'s."""
        table = keep or cls()
        for row in df.to_dict("records"):
            code = str(row.pop("segment"))
            values = {k: row[k] for k in POLICY_KEYS if k in row}
            table = table.with_segment(code, _policy_from(values, SegmentPolicy(), code, "table"))
        return table


def _policy_from(body: object, base: SegmentPolicy, where: str, source: str) -> SegmentPolicy:
    if not isinstance(body, dict):
        raise PolicyError(f"{source}: [policy.{where}] must be a table")
    values = {}
    for key, value in body.items():
        if key not in _POLICY_TYPES:
            raise PolicyError(f"{source}: unknown key {key!r} in [policy.{where}]; use "
                              f"{', '.join(POLICY_KEYS)}")
        values[key] = _coerce(value, str(_POLICY_TYPES[key]), f"{source}: [policy.{where}] {key}")
    try:
        return replace(base, **values)
    except (TypeError, ValueError) as exc:  # pragma: no cover - _coerce already checks
        raise PolicyError(f"{source}: [policy.{where}] {exc}") from exc


def _coerce(value: object, typ: str, where: str) -> object:
    if typ == "float":
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise PolicyError(f"{where}: a number, not {value!r}")
        if not np.isfinite(float(value)):
            raise PolicyError(f"{where}: a finite number, not {value!r}")
        return float(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if not isinstance(value, str):
        raise PolicyError(f"{where}: text, not {value!r}")
    return value.strip()


# --- textbook formulas -------------------------------------------------------------------

def normal_loss(k: np.ndarray | float) -> np.ndarray | float:
    """Standard normal loss function G(k) = phi(k) - k (1 - Phi(k)) (methods.md)."""
    k = np.asarray(k, dtype=float)
    out = stats.norm.pdf(k) - k * special.ndtr(-k)
    return float(out) if out.ndim == 0 else out


def eoq(annual_demand_units: float, order_cost: float, holding_cost_per_unit_year: float,
        ) -> tuple[float, float]:
    """Economic order quantity Q* = sqrt(2 D K / h) and its annual cost sqrt(2 K D h)
    (Snyder & Shen, Fundamentals of Supply Chain Theory, eq. 3.4-3.5)."""
    for name, v in (("annual_demand_units", annual_demand_units), ("order_cost", order_cost),
                    ("holding_cost_per_unit_year", holding_cost_per_unit_year)):
        if not v > 0:
            raise ValueError(f"{name} must be positive, not {v}")
    q = float(np.sqrt(2 * annual_demand_units * order_cost / holding_cost_per_unit_year))
    return q, float(np.sqrt(2 * order_cost * annual_demand_units * holding_cost_per_unit_year))


def newsvendor(holding_cost: float, stockout_cost: float, demand_mean: float, demand_sd: float,
               ) -> tuple[float, float, float]:
    """Newsvendor with normal demand: critical ratio p / (p + h), order-up-to
    S* = mu + sigma Phi^-1(ratio), expected cost (p + h) sigma phi(z) (Snyder & Shen, 4.3)."""
    if not holding_cost > 0 or not stockout_cost > 0:
        raise ValueError("holding_cost and stockout_cost must be positive")
    if not demand_sd >= 0:
        raise ValueError(f"demand_sd must be >= 0, not {demand_sd}")
    ratio = stockout_cost / (stockout_cost + holding_cost)
    z = float(special.ndtri(ratio))
    cost = (stockout_cost + holding_cost) * demand_sd * float(stats.norm.pdf(z))
    return ratio, demand_mean + demand_sd * z, cost


def lead_time_demand_std(demand_mean: np.ndarray | float, demand_std: np.ndarray | float,
                         lead_time: np.ndarray | float, lead_time_std: np.ndarray | float,
                         ) -> np.ndarray | float:
    """sigma_DL = sqrt(L sigma_d^2 + d^2 sigma_L^2), all in the same period (methods.md)."""
    return np.sqrt(lead_time * np.square(demand_std) + np.square(demand_mean * lead_time_std))


def safety_stock_for_csl(csl: float, sigma_dl: float) -> float:
    """SS = Phi^-1(CSL) sigma_DL (methods.md)."""
    if not 0 < csl < 1:
        raise ValueError(f"csl must be in (0, 1), not {csl}")
    return float(special.ndtri(csl)) * sigma_dl


def csl_from_reorder_point(reorder_point: float, mean_dl: float, sigma_dl: float) -> float:
    """CSL = Phi((ROP - d L) / sigma_DL) for normal lead-time demand."""
    return float(special.ndtr((reorder_point - mean_dl) / sigma_dl))


def expected_fill_rate(sigma_dl: np.ndarray | float, k: np.ndarray | float,
                       order_quantity: np.ndarray | float) -> np.ndarray | float:
    """beta = 1 - sigma_DL G(k) / Q (methods.md)."""
    return 1.0 - np.asarray(sigma_dl) * normal_loss(k) / np.asarray(order_quantity)


def fill_rate_safety_factor(fill_rate: np.ndarray | float, order_quantity: np.ndarray | float,
                            sigma_dl: np.ndarray | float, floor_at_zero: bool = True,
                            ) -> np.ndarray:
    """k with sigma_DL G(k) = (1 - beta) Q (methods.md), by Newton's method on the convex,
    decreasing G (G'(k) = Phi(k) - 1) started left of the root, so the iterates rise
    monotonically to it. With ``floor_at_zero`` no negative safety stock is planned."""
    beta, q, s = np.broadcast_arrays(np.asarray(fill_rate, float), np.asarray(order_quantity, float),
                                     np.asarray(sigma_dl, float))
    with np.errstate(divide="ignore", invalid="ignore"):
        target = (1 - beta) * q / s
    k = np.where(floor_at_zero, 0.0, -8.0) * np.ones_like(target)
    k = np.where(np.isfinite(target), k, 0.0)
    for _ in range(_MAX_NEWTON):
        g = normal_loss(k) - target
        active = g > 1e-12
        if not active.any():
            break
        step = g / np.maximum(special.ndtr(-k), 1e-300)
        k = np.where(active, k + step, k)
    return np.where(np.isfinite(target), k, np.nan)


def gamma_loss(shape: np.ndarray, y: np.ndarray) -> np.ndarray:
    """E[(Y - y)+] for Y ~ Gamma(shape, 1): shape Q(shape + 1, y) - y Q(shape, y), Q the
    regularised upper incomplete gamma function."""
    upper = special.gammaincc(shape, y)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        extra = np.exp(shape * np.log(np.maximum(y, 1e-300)) - y - special.gammaln(shape + 1))
    upper_next = upper + np.where(y > 0, extra, 0.0)  # Q(a+1, y) = Q(a, y) + y^a e^-y / Gamma(a+1)
    return shape * upper_next - y * upper


K_GRID = np.linspace(0.0, 8.0, 16_001)
G_GRID = normal_loss(K_GRID)  # decreasing: G^-1 by interpolation on the reversed arrays


def _gamma_fill_level(shape: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Standardised level y >= shape (no negative safety stock) with gamma_loss = target, by
    Newton's method (derivative -Q(shape, y)) from the normal approximation: on the convex,
    decreasing loss a step from the right lands left of the root, and from there the iterates
    rise monotonically to it."""
    root_a = np.sqrt(shape)
    k0 = np.interp(target / root_a, G_GRID[::-1], K_GRID[::-1])
    y = shape + k0 * root_a
    idx = np.arange(len(y))
    for _ in range(_MAX_NEWTON):
        a, t = shape[idx], target[idx]
        g = gamma_loss(a, y[idx]) - t
        tol = 1e-10 * np.maximum(a, 1.0)
        active = (g > tol) | ((g < -tol) & (y[idx] > a))
        if not active.any():
            break
        idx, a, g = idx[active], a[active], g[active]
        y[idx] = np.maximum(y[idx] + g / np.maximum(special.gammaincc(a, y[idx]), 1e-300), a)
    return y


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
    "demand_mean": "Mean demand per period (feature table)",
    "demand_std": "Standard deviation of demand per period",
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
    "unit_cost": "Cost per unit (feature table; the unit price where cost is missing)",
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
    """The per-SKU arrays a policy needs, taken once from the feature table."""

    sku: np.ndarray
    demand_mean: np.ndarray
    demand_std: np.ndarray
    lead_time_days: np.ndarray  # NaN: no receipts
    lead_time_std_days: np.ndarray
    lead_time_source: np.ndarray
    non_normal: np.ndarray  # bool: intermittent or lumpy
    unit_cost: np.ndarray
    unit_price: np.ndarray
    revenue: np.ndarray
    period_days: float

    @classmethod
    def from_features(cls, features: pd.DataFrame) -> SkuInputs:
        def col(name: str) -> np.ndarray:
            if name not in features:
                return np.full(len(features), np.nan)
            return pd.to_numeric(features[name], errors="coerce").to_numpy(float)

        quantity, revenue = col("quantity"), col("revenue")
        with np.errstate(divide="ignore", invalid="ignore"):
            price = np.where(quantity > 0, revenue / quantity, np.nan)
        price = np.where(price > 0, price, np.nan)
        cost = col("unit_cost")
        cost = np.where(cost > 0, cost, price)
        source = (features["lead_time_source"].astype(object).to_numpy()
                  if "lead_time_source" in features else np.full(len(features), None))
        return cls(
            sku=features["sku"].astype(str).to_numpy(object),
            demand_mean=np.nan_to_num(np.maximum(col("demand_mean"), 0)),
            demand_std=np.nan_to_num(np.maximum(col("demand_std"), 0)),
            lead_time_days=col("lead_time_mean_days"),
            lead_time_std_days=col("lead_time_std_days"),
            lead_time_source=source,
            non_normal=(features["pattern"].isin(_NON_NORMAL_PATTERNS).to_numpy()
                        if "pattern" in features else np.zeros(len(features), bool)),
            unit_cost=cost,
            unit_price=price,
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
        values = np.array([getattr(p, name) for p in self.policies],
                          dtype=float if str(_POLICY_TYPES[name]) == "float" else object)
        return values[self.policy_index]


def resolve(table: PolicyTable, segments: np.ndarray) -> Resolved:
    labels, inverse = np.unique(np.asarray(segments, dtype=object).astype(str), return_inverse=True)
    return Resolved(np.asarray(segments, dtype=object), inverse.astype(np.int32),
                    [table.for_segment(code) for code in labels])


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


def protection(x: SkuInputs, r: Resolved) -> Protection:
    d, sd = x.demand_mean, x.demand_std
    fallback = np.isnan(x.lead_time_days)
    lt_days = np.where(fallback, r.param("fallback_lead_time_days"), x.lead_time_days)
    lt_std_days = np.where(fallback | np.isnan(x.lead_time_std_days), 0.0, x.lead_time_std_days)
    source = np.where(fallback, "fallback", x.lead_time_source).astype(object)
    lead = lt_days / x.period_days
    review = r.param("review_period_days") / x.period_days
    periods = lead + review
    std = lead_time_demand_std(d, sd, periods, lt_std_days / x.period_days)
    mean = d * periods

    periods_per_year = YEAR_DAYS / x.period_days
    holding = r.param("holding_rate") * x.unit_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        q_eoq = np.sqrt(2 * d * periods_per_year * r.param("order_cost") / holding)
    q_eoq = np.where(np.isfinite(q_eoq), q_eoq, np.nan)
    q_periods = d * r.param("periods_of_supply_weeks") * (WEEK_DAYS / x.period_days)
    rule = r.param("order_rule")
    q = np.where(rule == "periods", q_periods, q_eoq)
    q = np.where(np.isnan(q), q_periods, q)  # no cost known: periods of supply
    cycle = np.where(review > 0, d * review, q)

    strategy = r.param("strategy")
    stocked = np.isin(strategy, STOCKED) & (d > 0) & (cycle > 0)
    model = r.param("demand_model")
    gamma = stocked & (std > 0) & ((model == "gamma") | ((model == "auto") & x.non_normal))
    return Protection(stocked, gamma, periods, lead, review, mean, std, q, cycle,
                      lt_days, lt_std_days, source, x.unit_cost)


def cost_based_csl(x: SkuInputs, r: Resolved, pr: Protection) -> np.ndarray:
    """CSL* = p / (p + h): p = stockout_cost x unit price per unit short, h the holding cost
    per unit over one cycle (the review period, else Q / annual demand) (methods.md)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cycle_years = np.where(pr.review_periods > 0, pr.review_periods,
                               pr.order_quantity / x.demand_mean) * x.period_days / YEAR_DAYS
        h = r.param("holding_rate") * x.unit_cost * cycle_years
        p = r.param("stockout_cost") * x.unit_price
        ratio = p / (p + h)
    return np.clip(np.where(np.isfinite(ratio), ratio, 0.5), 0.5, MAX_SERVICE)


def targets(x: SkuInputs, r: Resolved, pr: Protection,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(service type, target, set from cost) per SKU: cost-based targets become CSL targets."""
    kind = r.param("service_type")
    target = r.param("service_target")
    from_cost = kind == "cost"
    if from_cost.any():
        target = np.where(from_cost, cost_based_csl(x, r, pr), target)
    return np.where(from_cost, "csl", kind), target, from_cost


def levels(pr: Protection, service_type: np.ndarray, target: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(safety stock, expected fill rate, expected CSL) for each SKU's target of its kind."""
    n = len(target)
    ss = np.zeros(n)
    fill = np.full(n, np.nan)
    csl = np.full(n, np.nan)
    target = np.clip(target, 1e-6, MAX_SERVICE)
    fill_kind = service_type == "fill_rate"

    nm = pr.stocked & ~pr.gamma
    if nm.any():
        s, q = pr.std[nm], pr.cycle_units[nm]
        k = np.maximum(special.ndtri(target[nm]), 0.0)
        by_fill = fill_kind[nm] & (s > 0)
        if by_fill.any():
            k[by_fill] = fill_rate_safety_factor(target[nm][by_fill], q[by_fill], s[by_fill])
        k = np.where(s > 0, k, 0.0)
        ss[nm] = k * s
        with np.errstate(invalid="ignore", divide="ignore"):
            fill[nm] = np.where(s > 0, 1 - s * normal_loss(k) / q, 1.0)
        csl[nm] = np.where(s > 0, special.ndtr(k), 1.0)

    gm = pr.gamma
    if gm.any():
        mu, s, q = pr.mean[gm], pr.std[gm], pr.cycle_units[gm]
        shape, scale = np.square(mu / s), np.square(s) / mu
        t = target[gm]
        by_fill = fill_kind[gm]
        y = np.empty_like(shape)
        if (~by_fill).any():
            y[~by_fill] = np.maximum(special.gammaincinv(shape[~by_fill], t[~by_fill]),
                                     shape[~by_fill])
        if by_fill.any():
            y[by_fill] = _gamma_fill_level(shape[by_fill],
                                           (1 - t[by_fill]) * q[by_fill] / scale[by_fill])
        ss[gm] = (y - shape) * scale
        fill[gm] = 1 - scale * gamma_loss(shape, y) / q
        csl[gm] = special.gammainc(shape, y)
    return ss, np.clip(fill, 0.0, 1.0), csl


def compute_policies(features: pd.DataFrame, segments: np.ndarray, table: PolicyTable,
                     ) -> pd.DataFrame:
    """The policy of every SKU: one row per feature row, columns :data:`POLICY_COLUMNS`."""
    x = SkuInputs.from_features(features)
    return policies_from_inputs(x, segments, table)


def policies_from_inputs(x: SkuInputs, segments: np.ndarray, table: PolicyTable) -> pd.DataFrame:
    r = resolve(table, segments)
    pr = protection(x, r)
    service_type, target, from_cost = targets(x, r, pr)
    ss, fill, csl = levels(pr, service_type, target)

    stocked = pr.stocked
    d = x.demand_mean
    rop = np.where(stocked, d * pr.lead_periods + ss, 0.0)
    s_level = np.where(pr.review_periods > 0, pr.mean + ss, rop + pr.order_quantity)
    s_level = np.where(stocked, s_level, 0.0)
    q = np.where(stocked, pr.order_quantity, 0.0)
    cycle_value = np.where(stocked, pr.cycle_units / 2 * x.unit_cost, 0.0)
    ss_value = ss * x.unit_cost
    model = np.where(pr.gamma, "gamma", np.where(stocked, "normal", "none"))
    return pd.DataFrame({
        "sku": x.sku,
        "segment": r.segment,
        "strategy": r.param("strategy"),
        "demand_model": model,
        "service_type": service_type,
        "service_target": target,
        "target_source": np.where(from_cost, "cost", "policy"),
        "review_period_days": r.param("review_period_days"),
        "order_rule": r.param("order_rule"),
        "demand_mean": d,
        "demand_std": x.demand_std,
        "lead_time_days": pr.lead_time_days,
        "lead_time_std_days": pr.lead_time_std_days,
        "lead_time_source": pr.lead_time_source,
        "protection_periods": pr.periods,
        "lead_time_demand_mean": pr.mean,
        "lead_time_demand_std": pr.std,
        "safety_stock": ss,
        "reorder_point": rop,
        "order_quantity": q,
        "order_up_to": s_level,
        "expected_fill_rate": np.where(stocked, fill, np.nan),
        "expected_csl": np.where(stocked, csl, np.nan),
        "unit_cost": x.unit_cost,
        "unit_price": x.unit_price,
        "safety_stock_value": ss_value,
        "cycle_stock_value": cycle_value,
        "inventory_value": ss_value + cycle_value,
        "revenue": x.revenue,
        "network": r.param("network"),
        "transport_mode": r.param("transport_mode"),
        "supplier_tier": r.param("supplier_tier"),
    })


ERP_COLUMNS = ["sku", "segment", "strategy", "demand_model", "service_type", "service_target",
               "safety_stock", "reorder_point", "order_quantity", "order_up_to",
               "review_period_days", "expected_fill_rate"]
_DECIMALS = 4


def erp_table(policies: pd.DataFrame, full: bool = False, whole_units: bool = False,
              ) -> pd.DataFrame:
    """The per-SKU parameters for an ERP upload (:data:`ERP_COLUMNS` first; with ``full`` every
    column of :data:`POLICY_COLUMNS`). ``whole_units`` rounds stock levels and order quantities
    up to whole units, as most ERPs want them."""
    cols = ERP_COLUMNS + ([c for c in policies.columns if c not in ERP_COLUMNS] if full else [])
    out = policies[cols].copy()
    if whole_units:
        for c in ("safety_stock", "reorder_point", "order_quantity", "order_up_to"):
            out[c] = np.ceil(out[c].round(6)).astype("int64")
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(_DECIMALS)
    return out


def segment_summary(policies: pd.DataFrame) -> pd.DataFrame:
    """Per segment: SKUs, revenue, planned inventory and the demand-weighted expected service."""
    df = policies.assign(
        _w=policies["demand_mean"].where(policies["demand_model"] != "none", 0.0),
    )
    df["_wf"] = df["_w"] * df["expected_fill_rate"].fillna(0)
    df["_wc"] = df["_w"] * df["expected_csl"].fillna(0)
    g = df.groupby("segment", sort=True)
    out = g.agg(skus=("sku", "size"), revenue=("revenue", "sum"),
                service_type=("service_type", lambda s: s.mode().iat[0]),
                service_target=("service_target", "mean"),
                safety_stock_value=("safety_stock_value", "sum"),
                cycle_stock_value=("cycle_stock_value", "sum"),
                inventory_value=("inventory_value", "sum"),
                _w=("_w", "sum"), _wf=("_wf", "sum"), _wc=("_wc", "sum"))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["expected_fill_rate"] = out["_wf"] / out["_w"]
        out["expected_csl"] = out["_wc"] / out["_w"]
    return out.drop(columns=["_w", "_wf", "_wc"]).reset_index()
