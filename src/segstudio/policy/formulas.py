"""The textbook inventory formulas the policy runs, vectorised over numpy arrays.

Each docstring maps the arguments to the textbook symbols, names the equation and its source,
and carries the published example as a doctest (run by ``make test``).
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

__all__ = [
    "csl_from_reorder_point",
    "eoq",
    "expected_fill_rate",
    "fill_rate_safety_factor",
    "gamma_fill_level",
    "gamma_loss",
    "lead_time_demand_std",
    "newsvendor",
    "normal_loss",
    "safety_stock_for_csl",
]

_MAX_NEWTON = 60


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


def gamma_fill_level(shape: np.ndarray, target: np.ndarray) -> np.ndarray:
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

