"""The textbook inventory formulas the policy runs, vectorised over numpy arrays.

One function per formula, the one :mod:`segstudio.policy.sku` and
:mod:`segstudio.policy.tradeoff` call. Each docstring maps the arguments to the textbook
symbols, names the equation and its source, and carries the published example (methods
guide, "Published values to test against") as a doctest, run by ``make test``
(tests/policy/test_doctests.py).

Every function takes floats or numpy arrays (broadcast against each other). Scalar inputs
give a float and are checked first: an input outside the formula's domain raises a
``ValueError`` that names the argument. Array inputs give an array, NaN in the elements
where an input is outside the domain (or NaN), so one bad SKU does not stop the others.
Each public function is a thin wrapper of an array core (``_eoq``, ``_critical_ratio``, ...)
that the other formulas here compose.

``scipy.special`` is imported by the functions that call it, when first called: a page whose
service levels the load stored (its policies need only the closed forms) does not wait the
third of a second scipy takes to import.
"""

from __future__ import annotations

import math
from functools import cache
from typing import cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "critical_ratio",
    "csl_for_safety_factor",
    "csl_from_reorder_point",
    "eoq",
    "expected_fill_rate",
    "fill_rate_safety_factor",
    "gamma_fill_level",
    "gamma_loss",
    "lead_time_demand_std",
    "newsvendor",
    "normal_loss",
    "normal_loss_inverse",
    "safety_factor_for_csl",
    "safety_stock_for_csl",
]

FloatOrArray = float | np.ndarray

_MAX_NEWTON = 60
_SQRT_2PI = math.sqrt(2 * math.pi)  # bit for bit the constant of scipy.stats.norm.pdf


# --- helpers ---------------------------------------------------------------------------------


def _scalar(*values: object) -> bool:
    """True when every input is a scalar (a number or a 0-d array): then check and raise."""
    return all(np.ndim(cast(npt.ArrayLike, v)) == 0 for v in values)


def _require(ok: object, name: str, value: object, rule: str) -> None:
    if not ok:
        raise ValueError(f"{name} must be {rule}, not {value}")


def _floats(*values: object) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(v, dtype=float) for v in values)


def _nan_where(value: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """``value`` with NaN where ``bad`` (a copy only when some element is bad)."""
    return np.where(bad, np.nan, value) if np.any(bad) else value


def _out(value: np.ndarray) -> FloatOrArray:
    """A float for a 0-d result (scalar inputs), else the array."""
    return float(value) if np.ndim(value) == 0 else value


# --- order quantity and cost-based service -----------------------------------------------------


def _eoq(d: np.ndarray, k: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bad = ~(d > 0) | ~(k > 0) | ~(h > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = np.sqrt(2 * d * k / h)
        cost = np.sqrt(2 * k * d * h)
    return _nan_where(q, bad), _nan_where(cost, bad)


def eoq(
    annual_demand_units: FloatOrArray,
    order_cost: FloatOrArray,
    holding_cost_per_unit_year: FloatOrArray,
) -> tuple[FloatOrArray, FloatOrArray]:
    """Economic order quantity and its annual cost (NaN where an input <= 0).

    annual_demand_units [lambda], order_cost [K], holding_cost_per_unit_year [h]:
    Q* = sqrt(2 K lambda / h) and g* = sqrt(2 K lambda h).
    Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., eq. (3.4)-(3.5).

    >>> eoq(1300, 8, 0.225)   # Snyder & Shen, Example 3.1
    (304.0467800264368, 68.41052550594829)
    """
    if _scalar(annual_demand_units, order_cost, holding_cost_per_unit_year):
        for name, v in (
            ("annual_demand_units", annual_demand_units),
            ("order_cost", order_cost),
            ("holding_cost_per_unit_year", holding_cost_per_unit_year),
        ):
            _require(v > 0, name, v, "positive")
    q, cost = _eoq(*_floats(annual_demand_units, order_cost, holding_cost_per_unit_year))
    return _out(q), _out(cost)


def _critical_ratio(p: np.ndarray, h: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = p / (p + h)
    return _nan_where(ratio, ~(p >= 0) | ~(h >= 0) | ~(p + h > 0))


def critical_ratio(stockout_cost: FloatOrArray, holding_cost: FloatOrArray) -> FloatOrArray:
    """The newsvendor critical ratio p / (p + h): the cost-optimal cycle service level CSL*.

    stockout_cost [p] per unit short, holding_cost [h] per unit left over, over the same
    period. Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., eq. (4.27):
    S* = F^-1(p / (p + h)). Defined for p, h >= 0 with p + h > 0 (p = 0 gives 0, h = 0
    gives 1); NaN elsewhere.

    >>> round(critical_ratio(0.7, 0.18), 7)   # Snyder & Shen, Example 4.3
    0.7954545
    """
    if _scalar(stockout_cost, holding_cost):
        _require(stockout_cost >= 0, "stockout_cost", stockout_cost, ">= 0")
        _require(holding_cost >= 0, "holding_cost", holding_cost, ">= 0")
        _require(
            stockout_cost + holding_cost > 0,
            "stockout_cost + holding_cost",
            stockout_cost + holding_cost,
            "positive",
        )
    return _out(_critical_ratio(*_floats(stockout_cost, holding_cost)))


def newsvendor(
    holding_cost: FloatOrArray,
    stockout_cost: FloatOrArray,
    demand_mean: FloatOrArray,
    demand_sd: FloatOrArray,
) -> tuple[FloatOrArray, FloatOrArray, FloatOrArray]:
    """Newsvendor with normal demand: (critical ratio, order-up-to level S*, expected cost).

    holding_cost [h] and stockout_cost [p] per unit, demand_mean [mu], demand_sd [sigma]:
    alpha = p / (p + h) (:func:`critical_ratio`), z_alpha = Phi^-1(alpha)
    (:func:`safety_factor_for_csl`), S* = mu + z_alpha sigma and
    g(S*) = (p + h) sigma phi(z_alpha). Snyder & Shen, Fundamentals of Supply Chain Theory,
    2nd ed., eq. (4.27), (4.30) and (4.37). NaN where h <= 0, p <= 0 or sigma < 0.

    >>> ratio, s_star, cost = newsvendor(0.18, 0.7, 50, 8)   # Snyder & Shen, Example 4.3
    >>> round(ratio, 7), round(s_star, 9), round(cost, 9)
    (0.7954545, 56.603955927, 1.997605193)
    """
    if _scalar(holding_cost, stockout_cost, demand_mean, demand_sd):
        _require(holding_cost > 0, "holding_cost", holding_cost, "positive")
        _require(stockout_cost > 0, "stockout_cost", stockout_cost, "positive")
        _require(demand_sd >= 0, "demand_sd", demand_sd, ">= 0")
    h, p, mu, sd = _floats(holding_cost, stockout_cost, demand_mean, demand_sd)
    bad = ~(h > 0) | ~(p > 0) | ~(sd >= 0)
    ratio = _critical_ratio(p, h)
    z = _safety_factor(ratio)
    with np.errstate(invalid="ignore"):
        s_star = mu + sd * z
        cost = (p + h) * sd * _normal_pdf(z)
    return _out(_nan_where(ratio, bad)), _out(_nan_where(s_star, bad)), _out(_nan_where(cost, bad))


# --- normal lead-time demand: safety stock, service ------------------------------------------


def _lead_time_demand_std(
    d: np.ndarray,
    sd: np.ndarray,
    lt: np.ndarray,
    lt_sd: np.ndarray,
) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        out = np.sqrt(lt * np.square(sd) + np.square(d * lt_sd))
    return _nan_where(out, ~(d >= 0) | ~(sd >= 0) | ~(lt >= 0) | ~(lt_sd >= 0))


def lead_time_demand_std(
    demand_mean: FloatOrArray,
    demand_std: FloatOrArray,
    lead_time: FloatOrArray,
    lead_time_std: FloatOrArray,
) -> FloatOrArray:
    """Standard deviation of demand over the lead time (NaN where an input < 0).

    demand_mean [D] and demand_std [sigma_D] per period, lead_time [L] and lead_time_std
    [s_L] in periods: sigma_L = sqrt(L sigma_D^2 + D^2 s_L^2) (sigma_DL in the methods
    guide). Chopra & Meindl, Supply Chain Management, chapter 12 (safety inventory under
    lead-time uncertainty); with s_L = 0 it is sqrt(L) sigma_D.

    >>> round(lead_time_demand_std(2500, 500, 2, 0), 3)   # Chopra & Meindl, Ex. 12-1
    707.107
    >>> round(lead_time_demand_std(50, 5, 6, 2), 3)   # methods guide, lead-time variability
    100.747
    """
    if _scalar(demand_mean, demand_std, lead_time, lead_time_std):
        for name, v in (
            ("demand_mean", demand_mean),
            ("demand_std", demand_std),
            ("lead_time", lead_time),
            ("lead_time_std", lead_time_std),
        ):
            _require(v >= 0, name, v, ">= 0")
    return _out(_lead_time_demand_std(*_floats(demand_mean, demand_std, lead_time, lead_time_std)))


def _safety_factor(p: np.ndarray) -> np.ndarray:
    from scipy import special

    return _nan_where(special.ndtri(p), ~((p > 0) & (p < 1)))


def safety_factor_for_csl(csl: FloatOrArray) -> FloatOrArray:
    """Safety factor of a cycle service level, k = Phi^-1(CSL) (NaN outside 0 < CSL < 1).

    csl [CSL], the probability of no stockout in a replenishment cycle; Phi the standard
    normal distribution. Chopra & Meindl, Supply Chain Management, chapter 12:
    SS = F_S^-1(CSL) sigma_L.

    >>> round(safety_factor_for_csl(0.90), 9)   # the methods guide's lead-time example
    1.281551566
    """
    if _scalar(csl):
        _require(0 < csl < 1, "csl", csl, "in (0, 1)")
    return _out(_safety_factor(np.asarray(csl, dtype=float)))


def csl_for_safety_factor(k: FloatOrArray) -> FloatOrArray:
    """Cycle service level of a safety factor, CSL = Phi(k): the inverse of
    :func:`safety_factor_for_csl`, defined for every real k.

    k [k = SS / sigma_L]. Chopra & Meindl, Supply Chain Management, chapter 12:
    CSL = F(ROP, D_L, sigma_L) for normal lead-time demand.

    >>> sigma_l = lead_time_demand_std(2500, 500, 2, 0)   # Chopra & Meindl, Ex. 12-1
    >>> round(csl_for_safety_factor(1000 / sigma_l), 6)   # SS = 1000
    0.92135
    """
    from scipy import special

    return _out(special.ndtr(np.asarray(k, dtype=float)))


def safety_stock_for_csl(csl: FloatOrArray, sigma_dl: FloatOrArray) -> FloatOrArray:
    """Safety stock for a cycle service level, SS = Phi^-1(CSL) sigma_L.

    csl [CSL] in (0, 1), sigma_dl [sigma_L] >= 0 (:func:`lead_time_demand_std`). Chopra &
    Meindl, Supply Chain Management, chapter 12. NaN outside the domain.

    >>> ss = safety_stock_for_csl(0.90, lead_time_demand_std(50, 5, 6, 2))   # methods guide
    >>> round(ss, 3), round(50 * 6 + ss, 3)   # SS and ROP = D L + SS
    (129.113, 429.113)
    """
    if _scalar(csl, sigma_dl):
        _require(0 < csl < 1, "csl", csl, "in (0, 1)")
        _require(sigma_dl >= 0, "sigma_dl", sigma_dl, ">= 0")
    p, s = _floats(csl, sigma_dl)
    return _out(_nan_where(_safety_factor(p) * s, ~(s >= 0)))


def csl_from_reorder_point(
    reorder_point: FloatOrArray, mean_dl: FloatOrArray, sigma_dl: FloatOrArray
) -> FloatOrArray:
    """Cycle service level of a reorder point, CSL = Phi((ROP - D_L) / sigma_L).

    reorder_point [ROP], mean_dl [D_L = D L] and sigma_dl [sigma_L] > 0 of the normal
    lead-time demand. Chopra & Meindl, Supply Chain Management, chapter 12 (the cycle
    service level of a given policy). NaN where sigma_L <= 0.

    >>> sigma_l = lead_time_demand_std(2500, 500, 2, 0)   # Chopra & Meindl, Ex. 12-1
    >>> 6000 - 2500 * 2   # SS = ROP - D_L
    1000
    >>> round(csl_from_reorder_point(6000, 2500 * 2, sigma_l), 6)
    0.92135
    """
    from scipy import special

    if _scalar(reorder_point, mean_dl, sigma_dl):
        _require(sigma_dl > 0, "sigma_dl", sigma_dl, "positive")
    rop, mean, s = _floats(reorder_point, mean_dl, sigma_dl)
    with np.errstate(divide="ignore", invalid="ignore"):
        csl = special.ndtr((rop - mean) / s)
    return _out(_nan_where(csl, ~(s > 0)))


def _normal_pdf(k: np.ndarray) -> np.ndarray:
    """phi(k), the standard normal density: scipy.stats.norm.pdf's arithmetic (bit for bit)
    without its argument handling, which the Newton loops would pay at every step."""
    return np.exp(-(k**2) / 2.0) / _SQRT_2PI


def _normal_loss(k: np.ndarray) -> np.ndarray:
    from scipy import special

    return _normal_pdf(k) - k * special.ndtr(-k)


def normal_loss(k: FloatOrArray) -> FloatOrArray:
    """Standard normal loss function G(k) = E[(Z - k)+] = phi(k) - k (1 - Phi(k)).

    k [k, the standardised level; z in Snyder & Shen, whose L(z) this is; G_u(k) in Silver,
    Pyke & Thomas]. Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., eq. (C.22).
    Defined for every real k.

    >>> [round(normal_loss(k), 12) for k in (-1.4, 0.3)]   # methods guide, published values
    [1.436668142708, 0.266761242117]
    >>> f"{normal_loss(3.1):.11e}"
    '2.67249095223e-04'
    """
    return _out(_normal_loss(np.asarray(k, dtype=float)))


@cache
def _loss_table() -> tuple[np.ndarray, np.ndarray]:
    """G over [0, 8] for its table inverse, made when first needed: (G ascending, its k). G
    decreases, so the reversed arrays increase in G, as np.interp needs."""
    k = np.linspace(0.0, 8.0, 16_001)
    return _normal_loss(k)[::-1], k[::-1]


def _normal_loss_inverse(g: np.ndarray) -> np.ndarray:
    g_ascending, k_of_g = _loss_table()
    return _nan_where(np.interp(g, g_ascending, k_of_g), g < 0)


def normal_loss_inverse(loss: FloatOrArray) -> FloatOrArray:
    """The safety factor k in [0, 8] with G(k) = loss, read from a table of G at 16,001
    points (linear in between): the fast approximate inverse the trade-off curves use;
    :func:`fill_rate_safety_factor` solves the same equation exactly. A loss above G(0) gives
    0 (no negative safety factor), one below G(8) gives 8. NaN where loss < 0.

    loss [G_u(k) = Q (1 - P2) / sigma_L for a fill-rate target P2]. Silver, Pyke & Thomas,
    Inventory and Production Management in Supply Chains, 4th ed., chapter 6 (service
    measure P2).

    >>> round(normal_loss_inverse(normal_loss(0.3)), 6)
    0.3
    """
    if _scalar(loss):
        _require(loss >= 0, "loss", loss, ">= 0")
    return _out(_normal_loss_inverse(np.asarray(loss, dtype=float)))


def _expected_fill_rate(s: np.ndarray, k: np.ndarray, q: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - s * _normal_loss(k) / q
    return _nan_where(out, ~(s >= 0) | ~(q > 0))


def expected_fill_rate(
    sigma_dl: FloatOrArray, k: FloatOrArray, order_quantity: FloatOrArray
) -> FloatOrArray:
    """Expected fill rate of a policy, fr = 1 - ESC / Q with ESC = sigma_L G(k).

    sigma_dl [sigma_L] >= 0, k [k = SS / sigma_L], order_quantity [Q] > 0, the units per
    replenishment cycle. Chopra & Meindl, Supply Chain Management, chapter 12 (fill rate and
    the expected shortage per cycle ESC); G is :func:`normal_loss`. NaN outside the domain.

    >>> sigma_l = lead_time_demand_std(2500, 500, 2, 0)   # Chopra & Meindl, Ex. 12-1
    >>> round(expected_fill_rate(sigma_l, 1000 / sigma_l, 10_000), 6)
    0.997487
    """
    if _scalar(sigma_dl, k, order_quantity):
        _require(sigma_dl >= 0, "sigma_dl", sigma_dl, ">= 0")
        _require(order_quantity > 0, "order_quantity", order_quantity, "positive")
    return _out(_expected_fill_rate(*_floats(sigma_dl, k, order_quantity)))


def _fill_rate_safety_factor(
    beta: np.ndarray, q: np.ndarray, s: np.ndarray, floor_at_zero: bool
) -> np.ndarray:
    from scipy import special

    beta, q, s = np.broadcast_arrays(beta, q, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        target = (1 - beta) * q / s
    ok = np.isfinite(target) & (beta < 1) & (q > 0) & (s > 0)
    if not ok.all():
        target = np.where(ok, target, np.inf)  # G(k) - inf < 0: never iterated
    k = np.where(ok, 0.0 if floor_at_zero else -8.0, 0.0)
    for _ in range(_MAX_NEWTON):
        g = _normal_loss(k) - target
        active = g > 1e-12
        if not active.any():
            break
        step = g / np.maximum(special.ndtr(-k), 1e-300)
        k = np.where(active, k + step, k)
    return _nan_where(k, ~ok)


def fill_rate_safety_factor(
    fill_rate: FloatOrArray,
    order_quantity: FloatOrArray,
    sigma_dl: FloatOrArray,
    floor_at_zero: bool = True,
) -> FloatOrArray:
    """Safety factor k for a fill-rate target: the root of sigma_L G(k) = (1 - P2) Q.

    fill_rate [P2, the methods guide's beta] < 1, order_quantity [Q] > 0, sigma_dl
    [sigma_L] > 0. Silver, Pyke & Thomas, Inventory and Production Management in Supply
    Chains, 4th ed., chapter 6 (service measure P2: G_u(k) = Q (1 - P2) / sigma_L); the
    inverse of :func:`expected_fill_rate`. Newton's method on the convex, decreasing G
    (G'(k) = Phi(k) - 1) started left of the root, so the iterates rise monotonically to it.
    With ``floor_at_zero`` no negative safety stock is planned (k >= 0). NaN outside the
    domain.

    >>> sigma_l = lead_time_demand_std(2500, 500, 2, 0)   # Chopra & Meindl, Ex. 12-1, backwards
    >>> round(fill_rate_safety_factor(0.997487, 10_000, sigma_l) * sigma_l)   # SS
    1000
    """
    if _scalar(fill_rate, order_quantity, sigma_dl):
        _require(fill_rate < 1, "fill_rate", fill_rate, "below 1")
        _require(order_quantity > 0, "order_quantity", order_quantity, "positive")
        _require(sigma_dl > 0, "sigma_dl", sigma_dl, "positive")
    beta, q, sd = _floats(fill_rate, order_quantity, sigma_dl)
    return _out(_fill_rate_safety_factor(beta, q, sd, floor_at_zero))


# --- gamma lead-time demand (intermittent and lumpy SKUs) --------------------------------------


def _gamma_loss(shape: np.ndarray, y: np.ndarray) -> np.ndarray:
    from scipy import special

    upper = special.gammaincc(shape, y)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        extra = np.exp(shape * np.log(np.maximum(y, 1e-300)) - y - special.gammaln(shape + 1))
    upper_next = upper + np.where(y > 0, extra, 0.0)  # Q(a+1, y) = Q(a, y) + y^a e^-y / Gamma(a+1)
    return shape * upper_next - y * upper


def gamma_loss(shape: FloatOrArray, level: FloatOrArray) -> FloatOrArray:
    """Loss function of the standard gamma, E[(Y - y)+] = a Q(a + 1, y) - y Q(a, y).

    shape [a] > 0 of Y ~ Gamma(a, 1), level [y = r / scale] >= 0, Q the regularised upper
    incomplete gamma function; for X = scale Y, E[(X - r)+] = scale gamma_loss(a, r / scale).
    The gamma loss function (Zipkin, Foundations of Inventory Management, 2000, p. 457) in
    incomplete-gamma form; methods guide, non-normal demand. NaN outside the domain.

    >>> round(3 * gamma_loss(2, 4 / 3), 9)   # Gamma(2, scale 3) at 4, stockpyl's example
    2.635971381
    """
    if _scalar(shape, level):
        _require(shape > 0, "shape", shape, "positive")
        _require(level >= 0, "level", level, ">= 0")
    a, y = _floats(shape, level)
    with np.errstate(invalid="ignore"):
        out = _gamma_loss(a, y)
    return _out(_nan_where(out, ~(a > 0) | ~(y >= 0)))


def _gamma_fill_level(shape: np.ndarray, target: np.ndarray) -> np.ndarray:
    from scipy import special

    root_a = np.sqrt(shape)
    y = shape + _normal_loss_inverse(target / root_a) * root_a  # the normal approximation
    idx = np.arange(len(y))
    for _ in range(_MAX_NEWTON):
        a, t = shape[idx], target[idx]
        g = _gamma_loss(a, y[idx]) - t
        tol = 1e-10 * np.maximum(a, 1.0)
        active = (g > tol) | ((g < -tol) & (y[idx] > a))
        if not active.any():
            break
        idx, a, g = idx[active], a[active], g[active]
        y[idx] = np.maximum(y[idx] + g / np.maximum(special.gammaincc(a, y[idx]), 1e-300), a)
    return y


def gamma_fill_level(shape: FloatOrArray, target: FloatOrArray) -> FloatOrArray:
    """Standard gamma level y >= a (no negative safety stock) with gamma_loss(a, y) = target.

    shape [a] > 0; target [(1 - P2) Q / scale] > 0, the expected shortage per cycle allowed
    by a fill-rate target P2, in units of the scale: the gamma counterpart of
    :func:`fill_rate_safety_factor` (Silver, Pyke & Thomas, 4th ed., chapter 6, service
    measure P2; methods guide, non-normal demand). Newton's method (derivative -Q(a, y)) from
    the normal approximation: on the convex, decreasing loss a step from the right lands left
    of the root, and from there the iterates rise monotonically to it. NaN outside the domain.

    >>> y = gamma_fill_level(2.0, 0.05)
    >>> round(gamma_loss(2.0, y), 9), y > 2.0
    (0.05, True)
    """
    if _scalar(shape, target):
        _require(shape > 0, "shape", shape, "positive")
        _require(target > 0, "target", target, "positive")
    a, t = np.broadcast_arrays(*_floats(shape, target))
    out_shape = a.shape
    a, t = a.reshape(-1), t.reshape(-1)
    good = (a > 0) & (t > 0)
    if good.all():
        y = _gamma_fill_level(a, t)
    else:
        y = np.full(a.shape, np.nan)
        y[good] = _gamma_fill_level(a[good], t[good])
    return _out(y.reshape(out_shape))
