"""Service against inventory: trade-off curves per segment and for the portfolio, and the best
mix of service targets for a budget (or the least inventory for a service target).

A curve point is "every stocked SKU of the segment at this target": safety stock from the
SKU's own model (normal or gamma, as in :mod:`policy`) plus its cycle stock, valued at cost.
Gamma SKUs use tables over a grid of shapes (built once): their curve points are within about
1% of the exact per-SKU figures, which is plenty for a chart and keeps 100,000 SKUs x 50
points well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse, special

from .policy import (
    PolicyTable,
    SkuInputs,
    normal_loss,
    protection,
    resolve,
    segment_summary,
)

__all__ = [
    "MEASURES",
    "PORTFOLIO",
    "SERVICE_POINTS",
    "Mix",
    "best_mix_for_budget",
    "curves",
    "least_inventory_for_service",
    "mix_comparison",
    "today_points",
]

SERVICE_POINTS = np.round(np.linspace(0.80, 0.999, 50), 6)
MEASURES = {"csl": "Cycle service level", "fill_rate": "Fill rate"}
PORTFOLIO = "Portfolio"

_K_GRID = np.linspace(0.0, 8.0, 16_001)
_G_GRID = normal_loss(_K_GRID)
_SHAPE_GRID = np.geomspace(1e-2, 1e4, 600)
_LEVEL_P = np.concatenate([np.linspace(0.0, 0.99, 100), 1 - np.geomspace(1e-2, 1e-8, 80)[1:]])


@lru_cache(maxsize=1)
def _gamma_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each grid shape a: the CSL points' levels y (>= a: no negative safety stock), a fine
    ladder of levels, and the standard gamma loss at each ladder level."""
    from .policy import gamma_loss

    a = _SHAPE_GRID[:, None]
    csl_levels = np.maximum(special.gammaincinv(a, SERVICE_POINTS[None, :]), a)
    p_start = special.gammainc(a, a)  # the CSL of zero safety stock
    p = p_start + (1 - p_start) * _LEVEL_P[None, :]
    ladder = np.maximum(special.gammaincinv(a, np.minimum(p, 1 - 1e-12)), a)
    ladder = np.maximum.accumulate(ladder, axis=1)
    loss = gamma_loss(np.broadcast_to(a, ladder.shape), ladder)
    loss = np.minimum.accumulate(loss, axis=1)  # keep it non-increasing against rounding
    return csl_levels, ladder, loss


def _interp_rows(keys_rows: np.ndarray, xs: np.ndarray, ys: np.ndarray, query: np.ndarray,
                 ) -> np.ndarray:
    """Row-wise linear interpolation, for many rows at once: row ``keys_rows[i]`` of the
    increasing table ``xs`` (values ``ys``) at ``query[i, :]``; clamped at both ends."""
    n_rows, m = xs.shape
    span = xs[:, -1] - xs[:, 0]
    scale = float(np.nanmax(span)) + 1.0
    offset = (np.arange(n_rows) * scale)[:, None]
    flat = ((xs - xs[:, :1]) + offset).ravel()
    q = np.clip(query - xs[keys_rows, :1], 0.0, span[keys_rows][:, None]) + offset[keys_rows]
    pos = np.searchsorted(flat, q, side="left")
    row_start = (keys_rows * m)[:, None]
    hi = np.clip(pos, row_start + 1, row_start + m - 1)
    lo = hi - 1
    x0, x1 = flat[lo], flat[hi]
    y0, y1 = ys.ravel()[lo], ys.ravel()[hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(x1 > x0, (q - x0) / (x1 - x0), 0.0)
    return y0 + np.clip(w, 0.0, 1.0) * (y1 - y0)


@dataclass
class _Curves:
    labels: list[str]
    safety: dict[str, np.ndarray]  # measure -> (segments, points) safety stock value
    cycle: np.ndarray  # per segment cycle stock value
    skus: np.ndarray  # stocked SKUs per segment
    revenue: np.ndarray  # per segment revenue of stocked SKUs


def _compute(x: SkuInputs, segments: np.ndarray, table: PolicyTable) -> _Curves:
    r = resolve(table, segments)
    pr = protection(x, r)
    seg_labels, seg_idx = np.unique(np.asarray(segments, dtype=object).astype(str),
                                    return_inverse=True)
    n_seg = len(seg_labels)
    cost = np.nan_to_num(x.unit_cost)
    stocked = pr.stocked
    shape = np.where(pr.gamma, np.square(pr.mean) / np.maximum(np.square(pr.std), 1e-300), 0.0)
    gamma = pr.gamma & (shape <= _SHAPE_GRID[-1])
    normal = stocked & ~gamma & (pr.std > 0)

    def by_segment(mask: np.ndarray, weights: np.ndarray) -> sparse.csr_matrix:
        rows = seg_idx[mask]
        return sparse.csr_matrix((weights, (rows, np.arange(mask.sum()))),
                                 shape=(n_seg, int(mask.sum())))

    safety = {m: np.zeros((n_seg, len(SERVICE_POINTS))) for m in MEASURES}
    z = np.maximum(special.ndtri(SERVICE_POINTS), 0.0)
    if normal.any():
        s, q, c = pr.std[normal], pr.cycle_units[normal], cost[normal]
        sigma_value = np.bincount(seg_idx[normal], weights=s * c, minlength=n_seg)
        safety["csl"] += sigma_value[:, None] * z[None, :]
        target = (1 - SERVICE_POINTS)[None, :] * (q / s)[:, None]
        k = np.interp(target, _G_GRID[::-1], _K_GRID[::-1])
        safety["fill_rate"] += by_segment(normal, s * c) @ k
    if gamma.any():
        csl_levels, ladder, loss = _gamma_tables()
        a = np.clip(shape[gamma], _SHAPE_GRID[0], _SHAPE_GRID[-1])
        row = np.clip(np.searchsorted(_SHAPE_GRID, a), 0, len(_SHAPE_GRID) - 1)
        a_row = _SHAPE_GRID[row]
        scale = pr.mean[gamma] / a_row  # keeps the mean with the grid shape
        c = cost[gamma]
        ss_csl = (csl_levels[row] - a_row[:, None])
        safety["csl"] += by_segment(gamma, scale * c) @ ss_csl
        target = (1 - SERVICE_POINTS)[None, :] * (pr.cycle_units[gamma] / scale)[:, None]
        # the loss falls along the ladder: interpolate on its negative, which rises
        y = _interp_rows(row, -loss, ladder, -target)
        safety["fill_rate"] += by_segment(gamma, scale * c) @ (y - a_row[:, None])
    cycle_value = np.where(stocked, pr.cycle_units / 2 * cost, 0.0)
    return _Curves(
        labels=[str(s) for s in seg_labels],
        safety=safety,
        cycle=np.bincount(seg_idx, weights=cycle_value, minlength=n_seg),
        skus=np.bincount(seg_idx, weights=stocked.astype(float), minlength=n_seg),
        revenue=np.bincount(seg_idx, weights=np.where(stocked, x.revenue, 0.0), minlength=n_seg),
    )


def curves(x: SkuInputs, segments: np.ndarray, table: PolicyTable) -> pd.DataFrame:
    """Long table: segment (and :data:`PORTFOLIO`), measure (csl or fill_rate), service_level,
    safety_stock_value, cycle_stock_value, inventory_value, and next_point_cost: the extra
    inventory value of one more percentage point of service from this point."""
    c = _compute(x, segments, table)
    keep = c.skus > 0
    frames = []
    for measure in MEASURES:
        ss = c.safety[measure][keep]
        cyc = c.cycle[keep]
        labels = [lab for lab, k in zip(c.labels, keep, strict=True) if k]
        if labels:
            ss = np.vstack([ss, ss.sum(axis=0)])
            cyc = np.append(cyc, cyc.sum())
            labels = [*labels, PORTFOLIO]
        for i, lab in enumerate(labels):
            inv = ss[i] + cyc[i]
            step = np.diff(inv) / np.diff(SERVICE_POINTS) * 0.01
            frames.append(pd.DataFrame({
                "segment": lab, "measure": measure, "service_level": SERVICE_POINTS,
                "safety_stock_value": ss[i], "cycle_stock_value": cyc[i],
                "inventory_value": inv, "next_point_cost": np.append(step, np.nan),
            }))
    if not frames:
        return pd.DataFrame(columns=["segment", "measure", "service_level", "safety_stock_value",
                                     "cycle_stock_value", "inventory_value", "next_point_cost"])
    return pd.concat(frames, ignore_index=True)


def today_points(policies: pd.DataFrame) -> pd.DataFrame:
    """Where today's policy sits on the curves: per segment and for the portfolio, inventory
    value and the demand-weighted expected CSL and fill rate of the stocked SKUs."""
    stocked = policies[policies["demand_model"] != "none"]
    if stocked.empty:
        return pd.DataFrame(columns=["segment", "inventory_value", "csl", "fill_rate",
                                     "service_type", "service_target", "revenue"])
    per = segment_summary(stocked)
    w = stocked["demand_mean"]
    total = pd.DataFrame([{
        "segment": PORTFOLIO,
        "inventory_value": per["inventory_value"].sum(),
        "expected_csl": float((w * stocked["expected_csl"]).sum() / w.sum()),
        "expected_fill_rate": float((w * stocked["expected_fill_rate"]).sum() / w.sum()),
        "service_type": stocked["service_type"].mode().iat[0],
        "service_target": float(stocked["service_target"].mean()),
        "revenue": per["revenue"].sum(),
    }])
    out = pd.concat([per, total], ignore_index=True)
    return out.rename(columns={"expected_csl": "csl", "expected_fill_rate": "fill_rate"})[
        ["segment", "inventory_value", "csl", "fill_rate", "service_type", "service_target",
         "revenue"]]


# --- the best mix ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Mix:
    """A fill-rate target per segment, its inventory value and revenue-weighted fill rate."""

    segments: list[str]
    targets: np.ndarray
    inventory: np.ndarray  # per segment
    weights: np.ndarray  # revenue shares
    method: str  # "marginal" (equal marginal return) or "uniform" (a uniform target did better)

    @property
    def total_inventory(self) -> float:
        return float(self.inventory.sum())

    @property
    def service(self) -> float:
        return float(self.weights @ self.targets)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"segment": self.segments, "fill_rate_target": self.targets,
                             "inventory_value": self.inventory, "revenue_share": self.weights})


def _segment_curves(curve_table: pd.DataFrame, weights: pd.Series,
                    ) -> tuple[list[str], np.ndarray, np.ndarray]:
    fill = curve_table[(curve_table["measure"] == "fill_rate")
                       & (curve_table["segment"] != PORTFOLIO)]
    segs = sorted(fill["segment"].unique())
    inv = np.vstack([fill.loc[fill["segment"] == s, "inventory_value"].to_numpy() for s in segs]) \
        if segs else np.zeros((0, len(SERVICE_POINTS)))
    w = np.array([max(float(weights.get(s, 0.0)), 0.0) for s in segs])
    w = w / w.sum() if w.sum() > 0 else np.full(len(segs), 1 / max(len(segs), 1))
    return segs, inv, w


def _hull_steps(inv: np.ndarray, w: np.ndarray) -> list[tuple[float, int, int, float]]:
    """Steps along each segment's upper concave hull of (inventory, service): (return per unit
    of inventory, segment, next point, extra inventory). Returns fall along a hull, so taking
    steps in order of return gives equal marginal returns across segments."""
    steps = []
    for s in range(inv.shape[0]):
        hull = [0]
        for j in range(1, inv.shape[1]):
            while len(hull) >= 2:
                i0, i1 = hull[-2], hull[-1]
                r01 = _ratio(inv[s], i0, i1)
                r1j = _ratio(inv[s], i1, j)
                if r1j >= r01:
                    hull.pop()
                else:
                    break
            hull.append(j)
        for i0, i1 in zip(hull[:-1], hull[1:], strict=True):
            extra = inv[s, i1] - inv[s, i0]
            steps.append((w[s] * _ratio(inv[s], i0, i1), s, i1, extra))
    steps.sort(key=lambda t: -t[0])
    return steps


def _ratio(inv: np.ndarray, i0: int, i1: int) -> float:
    d_inv = inv[i1] - inv[i0]
    d_service = SERVICE_POINTS[i1] - SERVICE_POINTS[i0]
    return d_service / d_inv if d_inv > 0 else np.inf


def _mix(segs: list[str], inv: np.ndarray, w: np.ndarray, idx: np.ndarray, method: str) -> Mix:
    return Mix(segs, SERVICE_POINTS[idx], inv[np.arange(len(segs)), idx], w, method)


def best_mix_for_budget(curve_table: pd.DataFrame, revenue: pd.Series, budget: float) -> Mix | None:
    """Fill-rate targets per segment (on the curve points) maximising the revenue-weighted fill
    rate within ``budget``: marginal analysis on each segment's concave hull, and never worse
    than the best uniform target that fits. None when even the lowest point does not fit."""
    segs, inv, w = _segment_curves(curve_table, revenue)
    if not segs or inv[:, 0].sum() > budget:
        return None
    idx = np.zeros(len(segs), dtype=int)
    spent = inv[:, 0].sum()
    blocked = np.zeros(len(segs), dtype=bool)
    for _, s, j, extra in _hull_steps(inv, w):
        if blocked[s] or j <= idx[s]:
            continue
        if spent + extra <= budget + 1e-9:
            spent += extra
            idx[s] = j
        else:
            blocked[s] = True  # the later steps of this hull cost more per point
    best = _mix(segs, inv, w, idx, "marginal")
    fits = np.nonzero(inv.sum(axis=0) <= budget + 1e-9)[0]
    if len(fits):
        uniform = _mix(segs, inv, w, np.full(len(segs), fits[-1]), "uniform")
        if uniform.service > best.service + 1e-12:
            return uniform
    return best


def least_inventory_for_service(curve_table: pd.DataFrame, revenue: pd.Series,
                                service: float) -> Mix | None:
    """The least inventory reaching a revenue-weighted fill rate of ``service`` (marginal
    analysis, never worse than a uniform target). None when 99.9% everywhere is not enough."""
    segs, inv, w = _segment_curves(curve_table, revenue)
    if not segs or service > SERVICE_POINTS[-1] + 1e-12:
        return None
    idx = np.zeros(len(segs), dtype=int)
    mix = _mix(segs, inv, w, idx, "marginal")
    for _, s, j, _extra in _hull_steps(inv, w):
        if mix.service >= service - 1e-12:
            break
        if j > idx[s]:
            idx[s] = j
            mix = _mix(segs, inv, w, idx, "marginal")
    if mix.service < service - 1e-12:
        return None
    j_uniform = int(np.searchsorted(SERVICE_POINTS, service - 1e-12))
    uniform = _mix(segs, inv, w, np.full(len(segs), j_uniform), "uniform")
    return uniform if uniform.total_inventory < mix.total_inventory - 1e-9 else mix


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
    segs, inv, w = _segment_curves(curve_table, revenue)
    fill = per["fill_rate"].reindex(segs).fillna(0).to_numpy()
    today_service = float(w @ fill) if segs else 0.0
    today_inventory = float(per["inventory_value"].reindex(segs).fillna(0).sum())
    return Comparison(
        today_inventory=today_inventory,
        today_service=today_service,
        same_service=least_inventory_for_service(curve_table, revenue,
                                                 max(today_service, SERVICE_POINTS[0])),
        same_inventory=best_mix_for_budget(curve_table, revenue, today_inventory),
    )
