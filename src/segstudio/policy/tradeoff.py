"""Service against inventory: trade-off curves per segment and for the portfolio, and the best
mix of service targets for a budget (or the least inventory for a service target).

A curve point is "every stocked SKU of the segment at this target": safety stock from the
SKU's own model (normal or gamma, as in :mod:`policy`) plus its cycle stock, valued at cost.
Gamma SKUs use tables over a grid of shapes (built once), read between the two grid shapes
either side of the SKU's own (linear in log shape) and scaled to its standard deviation: each
SKU's curve points are within 1% of its exact figures (sums within about 0.5%), which keeps
100,000 SKUs x 50 points under a second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from segstudio.config.policy_table import PolicyTable
from segstudio.config.rules import Rules, to_toml
from segstudio.policy.formulas import (
    expected_fill_rate,
    gamma_loss,
    normal_loss_inverse,
    safety_factor_for_csl,
)
from segstudio.policy.sku import Protection, SkuInputs, protection, resolve, segment_summary
from segstudio.policy.valuation import Valuation, valuation

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "Comparison",
    "MEASURES",
    "Mix",
    "PORTFOLIO",
    "PolicyFigures",
    "SERVICE_POINTS",
    "apply_mix",
    "best_mix_for_budget",
    "chart_data",
    "curves",
    "curves_key",
    "least_inventory_for_service",
    "mix_comparison",
    "mix_unmeasured",
    "policy_figures",
    "portfolio_today",
    "summary_as_measured",
    "today_points",
    "value_unmeasured",
]

SERVICE_POINTS = np.round(np.linspace(0.80, 0.999, 50), 6)
MEASURES = {"csl": "Cycle service level", "fill_rate": "Fill rate"}
PORTFOLIO = "Portfolio"

_SHAPE_GRID = np.geomspace(1e-2, 1e4, 600)
_LOSS_GRID = np.geomspace(1e-9, 1.0, 512)  # loss / shape, for the fill-rate look-up
_GAMMA_CHUNK = 4096  # gamma SKUs per block of the curve computation
_LEVEL_P = np.concatenate([np.linspace(0.0, 0.99, 100), 1 - np.geomspace(1e-2, 1e-8, 80)[1:]])


@lru_cache(maxsize=1)
def _gamma_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each grid shape a: the CSL points' levels y (>= a: no negative safety stock), a fine
    ladder of levels, and the standard gamma loss at each ladder level."""
    from scipy import special  # here: the stored curves of a load need no scipy

    a = _SHAPE_GRID[:, None]
    csl_levels = np.maximum(special.gammaincinv(a, SERVICE_POINTS[None, :]), a)
    p_start = special.gammainc(a, a)  # the CSL of zero safety stock
    p = p_start + (1 - p_start) * _LEVEL_P[None, :]
    ladder = np.maximum(special.gammaincinv(a, np.minimum(p, 1 - 1e-12)), a)
    ladder = np.maximum.accumulate(ladder, axis=1)
    loss = gamma_loss(np.broadcast_to(a, ladder.shape), ladder)
    loss = np.minimum.accumulate(loss, axis=1)  # keep it non-increasing against rounding
    csl_loss = cast(np.ndarray, gamma_loss(np.broadcast_to(a, csl_levels.shape), csl_levels))
    # The level for a loss of u x shape, on one log grid of u for every shape: a query is then
    # two look-ups, no search.
    by_loss = np.empty((len(_SHAPE_GRID), len(_LOSS_GRID)))
    for i, shape in enumerate(_SHAPE_GRID):
        by_loss[i] = np.interp(
            np.log(_LOSS_GRID * shape), np.log(np.maximum(loss[i, ::-1], 1e-300)), ladder[i, ::-1]
        )
    return csl_levels, by_loss, loss, csl_loss


def _level_for_loss(by_loss: np.ndarray, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The standard gamma level whose loss is ``u`` x shape, for shape-grid rows ``row``
    (one per SKU) and many ``u`` per SKU: linear in log u between the grid's points."""
    step = np.log(_LOSS_GRID[1] / _LOSS_GRID[0])
    pos = (np.log(np.clip(u, _LOSS_GRID[0], _LOSS_GRID[-1])) - np.log(_LOSS_GRID[0])) / step
    lo = np.minimum(pos.astype(np.int64), len(_LOSS_GRID) - 2)
    frac = pos - lo
    flat = by_loss.ravel()
    base = (row * len(_LOSS_GRID))[:, None] + lo
    return flat[base] * (1 - frac) + flat[base + 1] * frac


@dataclass
class _Curves:
    labels: list[str]
    safety: dict[str, np.ndarray]  # measure -> (segments, points) safety stock value
    service: dict[str, np.ndarray]  # measure -> (segments, points) demand-weighted expected
    fill_of_csl: np.ndarray  # (segments, points) expected fill rate at each CSL target
    cycle: np.ndarray  # per segment cycle stock value
    skus: np.ndarray  # stocked SKUs per segment
    revenue: np.ndarray  # per segment revenue of stocked SKUs
    demand: np.ndarray  # per segment demand per period of stocked SKUs (service weights)


@dataclass
class _Sums:
    """Per segment and service point, the sums the curves are made of: safety stock value per
    measure, demand-weighted service served per measure, and the demand-weighted fill rate at
    each CSL target."""

    seg_idx: np.ndarray
    n_seg: int
    safety: dict[str, np.ndarray]
    served: dict[str, np.ndarray]
    fill_of_csl: np.ndarray

    @classmethod
    def empty(cls, seg_idx: np.ndarray, n_seg: int) -> _Sums:
        n_points = len(SERVICE_POINTS)
        return cls(
            seg_idx,
            n_seg,
            {m: np.zeros((n_seg, n_points)) for m in MEASURES},
            {m: np.zeros((n_seg, n_points)) for m in MEASURES},
            np.zeros((n_seg, n_points)),
        )

    def by_segment(self, mask: np.ndarray, weights: np.ndarray) -> sparse.csr_matrix:
        """(segments x SKUs in ``mask``) matrix of ``weights``: a product sums per segment."""
        from scipy import sparse

        return sparse.csr_matrix(
            (weights, (self.seg_idx[mask], np.arange(mask.sum()))),
            shape=(self.n_seg, int(mask.sum())),
        )


def _add_certain(acc: _Sums, certain: np.ndarray, weight: np.ndarray) -> None:
    """SKUs without variability: always served, whatever the target."""
    if not certain.any():
        return
    w = np.bincount(acc.seg_idx[certain], weights=weight[certain], minlength=acc.n_seg)
    for m in MEASURES:
        acc.served[m] += w[:, None]
    acc.fill_of_csl += w[:, None]


def _add_normal(
    acc: _Sums, normal: np.ndarray, pr: Protection, cost: np.ndarray, weight: np.ndarray
) -> None:
    """SKUs on the normal model: safety stock k sigma_DL at each point, k exact for CSL
    targets and from the table inverse of G for fill-rate targets."""
    if not normal.any():
        return
    n_points = len(SERVICE_POINTS)
    z = np.maximum(safety_factor_for_csl(SERVICE_POINTS), 0.0)
    s, q, c, w = pr.std[normal], pr.cycle_units[normal], cost[normal], weight[normal]
    sigma_value = np.bincount(acc.seg_idx[normal], weights=s * c, minlength=acc.n_seg)
    acc.safety["csl"] += sigma_value[:, None] * z[None, :]
    acc.served["csl"] += acc.by_segment(normal, w) @ np.broadcast_to(
        np.maximum(SERVICE_POINTS, 0.5)[None, :], (int(normal.sum()), n_points)
    )
    acc.fill_of_csl += acc.by_segment(normal, w) @ np.clip(
        expected_fill_rate(s[:, None], z[None, :], q[:, None]), 0.0, 1.0
    )
    # Fill-rate factors from the table inverse of G, well within the curves' 1%, rather
    # than an exact solve for every SKU x point.
    k = normal_loss_inverse((1 - SERVICE_POINTS)[None, :] * (q / s)[:, None])
    acc.safety["fill_rate"] += acc.by_segment(normal, s * c) @ k
    fill_at_zero = np.clip(expected_fill_rate(s, 0.0, q), 0.0, 1.0)
    acc.served["fill_rate"] += acc.by_segment(normal, w) @ np.maximum(
        SERVICE_POINTS[None, :], fill_at_zero[:, None]
    )


def _add_gamma(
    acc: _Sums,
    gamma: np.ndarray,
    shape: np.ndarray,
    pr: Protection,
    cost: np.ndarray,
    weight: np.ndarray,
) -> None:
    """SKUs on the gamma model, read from the precomputed grid of shapes."""
    if not gamma.any():
        return
    from scipy import sparse, special

    csl_levels, by_loss, loss, csl_loss = _gamma_tables()
    a = np.clip(shape[gamma], _SHAPE_GRID[0], _SHAPE_GRID[-1])
    # The two grid shapes either side of the SKU's, weighted linearly in log shape. Each
    # keeps the SKU's standard deviation (scale = sigma / sqrt(grid shape)), so the safety
    # stock is exact in sigma and the skewness is interpolated between the grid's.
    hi = np.clip(np.searchsorted(_SHAPE_GRID, a), 1, len(_SHAPE_GRID) - 1)
    lo = hi - 1
    t = np.clip(np.log(a / _SHAPE_GRID[lo]) / np.log(_SHAPE_GRID[hi] / _SHAPE_GRID[lo]), 0.0, 1.0)[
        :, None
    ]
    g_idx = np.flatnonzero(gamma)
    for start in range(0, len(g_idx), _GAMMA_CHUNK):
        # In chunks of SKUs: the (SKUs x points) arrays stay small and are reused, which
        # keeps the first call (fresh memory) nearly as fast as the next ones.
        part = slice(start, start + _GAMMA_CHUNK)
        sel = g_idx[part]
        sd, c, w, q = pr.std[sel], cost[sel], weight[sel], pr.cycle_units[sel]
        lo_p, hi_p, t_p = lo[part], hi[part], t[part]

        def per_row(
            row: np.ndarray,
            sd: np.ndarray = sd,
            q: np.ndarray = q,
        ) -> tuple[np.ndarray, ...]:
            """Safety stock (units) for the CSL and fill-rate points, the fill rate at
            each CSL point, and the CSL and fill rate of zero safety stock, for grid rows
            ``row``."""
            a_row = _SHAPE_GRID[row]
            scale = sd / np.sqrt(a_row)
            ss_csl = scale[:, None] * (csl_levels[row] - a_row[:, None])
            fill_csl = np.clip(1 - (scale / q)[:, None] * csl_loss[row], 0.0, 1.0)
            target = (1 - SERVICE_POINTS)[None, :] * (q / (scale * a_row))[:, None]
            ss_fill = scale[:, None] * (_level_for_loss(by_loss, row, target) - a_row[:, None])
            csl_zero = special.gammainc(a_row, a_row)
            fill_zero = np.clip(1 - scale * loss[row, 0] / q, 0.0, 1.0)
            return ss_csl, fill_csl, ss_fill, csl_zero[:, None], fill_zero[:, None]

        ss_csl, fill_csl_g, ss_fill, csl_zero, fill_zero = (
            (1 - t_p) * x_lo + t_p * x_hi
            for x_lo, x_hi in zip(per_row(lo_p), per_row(hi_p), strict=True)
        )
        by_seg = sparse.csr_matrix(
            (np.ones(len(sel)), (acc.seg_idx[sel], np.arange(len(sel)))),
            shape=(acc.n_seg, len(sel)),
        )
        acc.safety["csl"] += by_seg @ (c[:, None] * ss_csl)
        acc.fill_of_csl += by_seg @ (w[:, None] * fill_csl_g)
        acc.served["csl"] += by_seg @ (w[:, None] * np.maximum(SERVICE_POINTS[None, :], csl_zero))
        acc.safety["fill_rate"] += by_seg @ (c[:, None] * ss_fill)
        acc.served["fill_rate"] += by_seg @ (
            w[:, None] * np.maximum(SERVICE_POINTS[None, :], fill_zero)
        )


def _compute(x: SkuInputs, segments: np.ndarray, table: PolicyTable) -> _Curves:
    """The curves' sums: each SKU's protection once, then the SKUs without variability, those
    on the normal model and those on the gamma model each add to their segment's sums."""
    pr = protection(x, resolve(table, segments))
    seg_labels, seg_idx = np.unique(
        np.asarray(segments, dtype=object).astype(str), return_inverse=True
    )
    n_seg = len(seg_labels)
    cost = np.nan_to_num(x.unit_cost)
    stocked = pr.stocked
    shape = np.where(pr.gamma, np.square(pr.mean) / np.maximum(np.square(pr.std), 1e-300), 0.0)
    gamma = pr.gamma & (shape <= _SHAPE_GRID[-1])
    normal = stocked & ~gamma & (pr.std > 0)
    weight = np.where(stocked, pr.demand_mean, 0.0)
    acc = _Sums.empty(seg_idx, n_seg)
    _add_certain(acc, stocked & ~gamma & ~(pr.std > 0), weight)
    _add_normal(acc, normal, pr, cost, weight)
    _add_gamma(acc, gamma, shape, pr, cost, weight)
    cycle_value = np.where(stocked, pr.cycle_units / 2 * cost, 0.0)
    demand = np.bincount(seg_idx, weights=weight, minlength=n_seg)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Service actually expected at each point: a target below what zero safety stock
        # already gives (cycle stock alone) is exceeded.
        service = {
            m: np.where(
                demand[:, None] > 0, acc.served[m] / demand[:, None], SERVICE_POINTS[None, :]
            )
            for m in MEASURES
        }
        fill_csl = np.where(
            demand[:, None] > 0, acc.fill_of_csl / demand[:, None], SERVICE_POINTS[None, :]
        )
    return _Curves(
        labels=[str(s) for s in seg_labels],
        safety=acc.safety,
        service=service,
        fill_of_csl=fill_csl,
        cycle=np.bincount(seg_idx, weights=cycle_value, minlength=n_seg),
        skus=np.bincount(seg_idx, weights=stocked.astype(float), minlength=n_seg),
        revenue=np.bincount(seg_idx, weights=np.where(stocked, x.revenue, 0.0), minlength=n_seg),
        demand=demand,
    )


def curves_key(codes: np.ndarray, labels: Sequence[str], rules: Rules, table: PolicyTable) -> str:
    """What the curves of one data version depend on besides the data: the segments (codes
    into labels), the rules (window, exclusions, cut-offs) and each segment's policy under
    ``table`` as resolved (however the table spells it), as a digest."""
    h = hashlib.blake2b(np.ascontiguousarray(codes).tobytes(), digest_size=16)
    h.update("\x1f".join(labels).encode())
    h.update(to_toml(rules.with_(policy=PolicyTable())).encode())
    for label in labels:
        h.update(f"\x1f{table.for_segment(label)!r}".encode())
    return h.hexdigest()


def curves(x: SkuInputs, segments: np.ndarray, table: PolicyTable) -> pd.DataFrame:
    """Long table: segment (and :data:`PORTFOLIO`), measure (csl or fill_rate), target (the
    target every SKU gets), service_level (the demand-weighted service expected: an SKU whose
    cycle stock alone beats the target keeps its better figure), safety_stock_value,
    cycle_stock_value, inventory_value, and next_point_cost: the extra inventory value per
    percentage point of expected service to the next point."""
    c = _compute(x, segments, table)
    keep = c.skus > 0
    frames = []
    for measure in MEASURES:
        ss = c.safety[measure][keep]
        cyc = c.cycle[keep]
        service = c.service[measure][keep]
        fill = (c.fill_of_csl if measure == "csl" else c.service["fill_rate"])[keep]
        demand = c.demand[keep]
        labels = [lab for lab, k in zip(c.labels, keep, strict=True) if k]
        if labels:
            ss = np.vstack([ss, ss.sum(axis=0)])
            cyc = np.append(cyc, cyc.sum())
            total = demand.sum()
            mean = (demand @ service) / total if total > 0 else SERVICE_POINTS
            service = np.vstack([service, mean])
            fill = np.vstack([fill, (demand @ fill) / total if total > 0 else SERVICE_POINTS])
            labels = [*labels, PORTFOLIO]
        for i, lab in enumerate(labels):
            inv = ss[i] + cyc[i]
            with np.errstate(invalid="ignore", divide="ignore"):
                step = np.diff(inv) / np.diff(service[i]) * 0.01
            step = np.where(np.isfinite(step), step, np.nan)
            frames.append(
                pd.DataFrame(
                    {
                        "segment": lab,
                        "measure": measure,
                        "target": SERVICE_POINTS,
                        "service_level": service[i],
                        "expected_fill_rate": fill[i],
                        "safety_stock_value": ss[i],
                        "cycle_stock_value": cyc[i],
                        "inventory_value": inv,
                        "next_point_cost": np.append(step, np.nan),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(
            columns=[
                "segment",
                "measure",
                "target",
                "service_level",
                "expected_fill_rate",
                "safety_stock_value",
                "cycle_stock_value",
                "inventory_value",
                "next_point_cost",
            ]
        )
    return pd.concat(frames, ignore_index=True)


def _stocked(policies: pd.DataFrame) -> np.ndarray:
    """Whether each SKU is stocked (a demand model other than "none")."""
    return np.asarray(policies["demand_model"].to_numpy(object) != "none", dtype=bool)


def _positive(policies: pd.DataFrame, column: str) -> np.ndarray:
    """Whether each SKU's ``column`` is a number above 0 (text or missing: no)."""
    values = pd.to_numeric(policies[column], errors="coerce")
    return np.asarray(values.to_numpy(float, na_value=np.nan) > 0, dtype=bool)


def today_points(policies: pd.DataFrame) -> pd.DataFrame:
    """Where today's policy sits on the curves: per segment and for the portfolio, inventory
    value and the demand-weighted expected CSL and fill rate of the stocked SKUs."""
    mask = _stocked(policies)
    if not mask.any():
        return pd.DataFrame(
            columns=[
                "segment",
                "inventory_value",
                "csl",
                "fill_rate",
                "service_type",
                "service_target",
                "revenue",
            ]
        )
    per = segment_summary(policies, rows=mask)
    # The stocked rows of the columns read, not a copy of the whole table.
    read = ("demand_mean", "expected_csl", "expected_fill_rate", "service_type", "service_target")
    stocked = {c: policies[c][mask] for c in read}
    w = stocked["demand_mean"]
    total = pd.DataFrame(
        [
            {
                "segment": PORTFOLIO,
                "inventory_value": per["inventory_value"].sum(),
                "expected_csl": float((w * stocked["expected_csl"]).sum() / w.sum()),
                "expected_fill_rate": float((w * stocked["expected_fill_rate"]).sum() / w.sum()),
                "service_type": stocked["service_type"].mode().iat[0],
                "service_target": float(stocked["service_target"].mean()),
                "revenue": per["revenue"].sum(),
            }
        ]
    )
    out = pd.concat([per, total], ignore_index=True)
    return out.rename(columns={"expected_csl": "csl", "expected_fill_rate": "fill_rate"})[
        [
            "segment",
            "inventory_value",
            "csl",
            "fill_rate",
            "service_type",
            "service_target",
            "revenue",
        ]
    ]


def portfolio_today(today: pd.DataFrame) -> tuple[float, float]:
    """The portfolio's expected fill rate and CSL under today's policy, from
    :func:`today_points` (NaN without stocked SKUs): the Policy page's headline and the
    portfolio curve's "today" marker are these numbers, one each."""
    row = today[today["segment"] == PORTFOLIO]
    if row.empty:
        return float("nan"), float("nan")
    return float(row["fill_rate"].iat[0]), float(row["csl"].iat[0])


def value_unmeasured(policies: pd.DataFrame) -> str:
    """Why the stock's value cannot be told ("" when it can): no stocked SKU has a unit cost
    nor a unit price (:mod:`policy.valuation`)."""
    if valuation(policies).measurable:
        return ""
    return (
        "cannot be measured: no SKU has a unit_cost (nor a unit_price to fall back on); map "
        "unit_cost in the sales, inventory or products file to value the stock"
    )


def summary_as_measured(policies: pd.DataFrame) -> pd.DataFrame:
    """:func:`segment_summary` with what the data cannot tell as NaN, not 0: the stock values
    without any unit cost, the revenue without any price."""
    out = segment_summary(policies)
    if value_unmeasured(policies):
        out[["safety_stock_value", "cycle_stock_value", "inventory_value"]] = np.nan
    if not _positive(policies, "revenue").any():
        out["revenue"] = np.nan
    return out


def mix_unmeasured(policies: pd.DataFrame) -> str:
    """Why the best mix cannot be computed ("" when it can): it trades inventory value against
    the revenue-weighted fill rate, so it needs costs and prices."""
    if why := value_unmeasured(policies):
        return why
    if (_stocked(policies) & _positive(policies, "revenue")).any():
        return ""
    return (
        "cannot be measured: no SKU has revenue, and the best mix weights the segments by "
        "revenue; map revenue or unit_price in the sales file"
    )


@dataclass(frozen=True)
class PolicyFigures:
    """What the Policy page shows of a set of policies besides their rows (stored at the load
    for the official policy)."""

    today: pd.DataFrame  # :func:`today_points`
    by_segment: pd.DataFrame  # :func:`summary_as_measured`
    unvalued: str  # :func:`value_unmeasured`
    unmeasured_mix: str  # :func:`mix_unmeasured`
    models: dict[str, int]  # demand model (none, normal, gamma) -> SKUs, most first
    valued: Valuation  # what the stock is valued at (:func:`policy.valuation.valuation`)


def policy_figures(policies: pd.DataFrame) -> PolicyFigures:
    """The :class:`PolicyFigures` of ``policies`` (:func:`policy.sku.compute_policies`)."""
    return PolicyFigures(
        today_points(policies),
        summary_as_measured(policies),
        value_unmeasured(policies),
        mix_unmeasured(policies),
        {str(k): int(v) for k, v in policies["demand_model"].value_counts().items()},
        valuation(policies),
    )


# --- the best mix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mix:
    """A target per segment (cycle service level or fill rate, whichever buys the fill rate
    cheaper), its inventory value, the fill rate it is expected to give and the revenue
    weights."""

    segments: list[str]
    service_types: list[str]
    targets: np.ndarray
    expected: np.ndarray  # per segment, demand-weighted expected fill rate
    inventory: np.ndarray  # per segment
    weights: np.ndarray  # revenue shares
    method: str  # "marginal" (equal marginal return) or "uniform" (a uniform target did better)

    @property
    def total_inventory(self) -> float:
        return float(self.inventory.sum())

    @property
    def service(self) -> float:
        """Revenue-weighted expected fill rate across the segments."""
        return float(self.weights @ self.expected)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "segment": self.segments,
                "service_type": self.service_types,
                "target": self.targets,
                "expected_fill_rate": self.expected,
                "inventory_value": self.inventory,
                "revenue_share": self.weights,
            }
        )


@dataclass(frozen=True)
class _Segments:
    """Per segment, the curve points of both target kinds as (inventory, expected fill rate),
    cheapest first, points that add inventory without adding fill rate dropped."""

    names: list[str]
    inventory: list[np.ndarray]
    service: list[np.ndarray]
    kind: list[np.ndarray]
    target: list[np.ndarray]
    family: dict[str, tuple[np.ndarray, np.ndarray]]  # kind -> (inventory, fill) grids
    weights: np.ndarray

    def mix(self, idx: np.ndarray | list[int], method: str) -> Mix:
        return Mix(
            self.names,
            [str(self.kind[s][i]) for s, i in enumerate(idx)],
            np.array([self.target[s][i] for s, i in enumerate(idx)]),
            np.array([self.service[s][i] for s, i in enumerate(idx)]),
            np.array([self.inventory[s][i] for s, i in enumerate(idx)]),
            self.weights,
            method,
        )

    def uniform(self, kind: str, j: int) -> Mix:
        inv, fill = self.family[kind]
        n = len(self.names)
        return Mix(
            self.names,
            [kind] * n,
            np.full(n, SERVICE_POINTS[j]),
            fill[:, j],
            inv[:, j],
            self.weights,
            "uniform",
        )


def _segment_curves(curve_table: pd.DataFrame, weights: pd.Series) -> _Segments:
    ct = curve_table[curve_table["segment"] != PORTFOLIO]
    segs = sorted(ct["segment"].unique())
    family = {}
    for kind in MEASURES:
        part = ct[ct["measure"] == kind]
        points = part[["inventory_value", "expected_fill_rate"]].to_numpy(float)
        of = part["segment"].to_numpy(object)
        grids = [points[of == s] for s in segs]  # each segment's rows, in their order
        family[kind] = (
            (np.vstack([g[:, 0] for g in grids]), np.vstack([g[:, 1] for g in grids]))
            if segs
            else (np.zeros((0, 0)), np.zeros((0, 0)))
        )
    inventory, service, kinds, targets = [], [], [], []
    for i in range(len(segs)):
        inv = np.concatenate([family[k][0][i] for k in MEASURES])
        fill = np.concatenate([family[k][1][i] for k in MEASURES])
        kind_of = np.repeat(list(MEASURES), len(SERVICE_POINTS))
        target = np.tile(SERVICE_POINTS, len(MEASURES))
        order = np.lexsort((-fill, inv))
        picked, best = [], -np.inf
        for j in order:
            if fill[j] > best + 1e-12:
                picked.append(j)
                best = fill[j]
        keep = np.array(picked)
        inventory.append(inv[keep])
        service.append(fill[keep])
        kinds.append(kind_of[keep])
        targets.append(target[keep])
    w = np.array([max(float(weights.get(s, 0.0)), 0.0) for s in segs])
    w = w / w.sum() if w.sum() > 0 else np.full(len(segs), 1 / max(len(segs), 1))
    return _Segments(segs, inventory, service, kinds, targets, family, w)


def _hull_steps(c: _Segments) -> list[tuple[float, int, int, float]]:
    """Steps along each segment's upper concave hull of (inventory, fill rate): (return per
    unit of inventory, segment, next point, extra inventory). Returns fall along a hull, so
    taking steps in order of return gives equal marginal returns across segments."""
    steps = []
    for s in range(len(c.names)):
        inv, svc = c.inventory[s], c.service[s]
        hull = [0]
        for j in range(1, len(inv)):
            while len(hull) >= 2 and _ratio(inv, svc, hull[-1], j) >= _ratio(
                inv, svc, hull[-2], hull[-1]
            ):
                hull.pop()
            hull.append(j)
        for i0, i1 in zip(hull[:-1], hull[1:], strict=False):
            steps.append((c.weights[s] * _ratio(inv, svc, i0, i1), s, i1, inv[i1] - inv[i0]))
    steps.sort(key=lambda t: -t[0])
    return steps


def _ratio(inv: np.ndarray, svc: np.ndarray, i0: int, i1: int) -> float:
    d_inv = inv[i1] - inv[i0]
    d_service = svc[i1] - svc[i0]
    return d_service / d_inv if d_inv > 0 else np.inf


def _uniform_candidates(c: _Segments) -> list[Mix]:
    return [c.uniform(kind, j) for kind in MEASURES for j in range(len(SERVICE_POINTS))]


def best_mix_for_budget(curve_table: pd.DataFrame, revenue: pd.Series, budget: float) -> Mix | None:
    """Targets per segment (curve points of either kind) maximising the revenue-weighted
    expected fill rate within ``budget``: marginal analysis on each segment's concave hull, and
    never worse than any uniform target that fits. None when the cheapest points do not fit."""
    c = _segment_curves(curve_table, revenue)
    if not c.names or sum(inv[0] for inv in c.inventory) > budget + 1e-9:
        return None
    idx = [0] * len(c.names)
    spent = sum(inv[0] for inv in c.inventory)
    blocked = np.zeros(len(c.names), dtype=bool)
    for _, s, j, extra in _hull_steps(c):
        if blocked[s] or j <= idx[s]:
            continue
        if spent + extra <= budget + 1e-9:
            spent += extra
            idx[s] = j
        else:
            blocked[s] = True  # the later steps of this hull cost more per point
    best = c.mix(idx, "marginal")
    for uniform in _uniform_candidates(c):
        if uniform.total_inventory <= budget + 1e-9 and uniform.service > best.service + 1e-12:
            best = uniform
    return best


def least_inventory_for_service(
    curve_table: pd.DataFrame, revenue: pd.Series, service: float
) -> Mix | None:
    """The least inventory reaching a revenue-weighted expected fill rate of ``service``
    (marginal analysis, never worse than a uniform target). None when unreachable."""
    c = _segment_curves(curve_table, revenue)
    if not c.names:
        return None
    idx = [0] * len(c.names)
    mix = c.mix(idx, "marginal")
    for _, s, j, _extra in _hull_steps(c):
        if mix.service >= service - 1e-12:
            break
        if j > idx[s]:
            idx[s] = j
            mix = c.mix(idx, "marginal")
    best = mix if mix.service >= service - 1e-12 else None
    for uniform in _uniform_candidates(c):
        if uniform.service >= service - 1e-12 and (
            best is None or uniform.total_inventory < best.total_inventory - 1e-9
        ):
            best = uniform
    return best


@dataclass(frozen=True)
class Comparison:
    today_inventory: float
    today_service: float
    same_service: Mix | None  # least inventory for today's service
    same_inventory: Mix | None  # most service for today's inventory

    @property
    def inventory_saved(self) -> float | None:
        if self.same_service is None:
            return None
        return self.today_inventory - self.same_service.total_inventory

    @property
    def service_gained(self) -> float | None:
        if self.same_inventory is None:
            return None
        return self.same_inventory.service - self.today_service


def mix_comparison(curve_table: pd.DataFrame, today: pd.DataFrame) -> Comparison:
    """Today's policy against the best mix: the same revenue-weighted fill rate for less
    inventory, and more fill rate for the same inventory."""
    per = today[today["segment"] != PORTFOLIO].set_index("segment")
    revenue = per["revenue"]
    c = _segment_curves(curve_table, revenue)
    fill = per["fill_rate"].reindex(c.names).fillna(0).to_numpy()
    today_service = float(c.weights @ fill) if c.names else 0.0
    today_inventory = float(per["inventory_value"].reindex(c.names).fillna(0).sum())
    return Comparison(
        today_inventory=today_inventory,
        today_service=today_service,
        same_service=least_inventory_for_service(curve_table, revenue, today_service),
        same_inventory=best_mix_for_budget(curve_table, revenue, today_inventory),
    )


def chart_data(
    curve_table: pd.DataFrame,
    today: pd.DataFrame,
    measure: str,
    portfolio: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The curves and today's markers of one measure, for the segments or for the portfolio."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    c = curve_table[curve_table["measure"] == measure]
    pick = (c["segment"] == PORTFOLIO) if portfolio else (c["segment"] != PORTFOLIO)
    t = today[(today["segment"] == PORTFOLIO) == portfolio]
    return c[pick], t.assign(service=t[measure])[["segment", "service", "inventory_value"]]


def apply_mix(table: PolicyTable, mix: Mix) -> PolicyTable:
    """The policy table with each segment of ``mix`` set to its target and service type."""
    from dataclasses import replace

    for seg, kind, target in zip(mix.segments, mix.service_types, mix.targets, strict=True):
        current = table.for_segment(seg)
        table = table.with_segment(
            seg, replace(current, service_type=kind, service_target=round(float(target), 4))
        )
    return table
