"""The textbook formulas (``segstudio.policy.formulas``) as the policy uses them: over arrays,
NaN for an element outside a formula's domain, a float and a ValueError naming the argument
for scalars; and the policy modules call them rather than re-deriving them. The published
values themselves are checked in test_policy.py and by the docstring examples
(test_doctests.py)."""

from __future__ import annotations

import inspect
import io
import math
import tokenize
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from segstudio.config.policy_table import PolicyTable, SegmentPolicy
from segstudio.policy import formulas, simulation, sku, tradeoff
from segstudio.policy.formulas import (
    critical_ratio,
    csl_for_safety_factor,
    csl_from_reorder_point,
    eoq,
    expected_fill_rate,
    fill_rate_safety_factor,
    gamma_fill_level,
    gamma_loss,
    lead_time_demand_std,
    newsvendor,
    normal_loss,
    normal_loss_inverse,
    safety_factor_for_csl,
    safety_stock_for_csl,
)
from segstudio.policy.sku import compute_policies

# One valid scalar call of every public formula, outputs as a tuple.
VALID_CALLS: list[tuple[Callable, tuple]] = [
    (eoq, (1300.0, 8.0, 0.225)),
    (critical_ratio, (0.7, 0.18)),
    (newsvendor, (0.18, 0.7, 50.0, 8.0)),
    (lead_time_demand_std, (50.0, 5.0, 6.0, 2.0)),
    (safety_factor_for_csl, (0.9,)),
    (csl_for_safety_factor, (1.2,)),
    (safety_stock_for_csl, (0.9, 100.0)),
    (csl_from_reorder_point, (6000.0, 5000.0, 707.0)),
    (normal_loss, (0.3,)),
    (normal_loss_inverse, (0.2,)),
    (expected_fill_rate, (707.0, 1.4, 10_000.0)),
    (fill_rate_safety_factor, (0.99, 1000.0, 300.0)),
    (gamma_loss, (2.0, 3.0)),
    (gamma_fill_level, (2.0, 0.05)),
]


def _outputs(value: object) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def test_all_lists_every_public_formula() -> None:
    public = {
        name
        for name, value in vars(formulas).items()
        if inspect.isfunction(value)
        and value.__module__ == formulas.__name__
        and not name.startswith("_")
    }
    assert set(formulas.__all__) == public
    assert {f.__name__ for f, _ in VALID_CALLS} == public


@pytest.mark.parametrize(
    "func", [getattr(formulas, n) for n in formulas.__all__], ids=formulas.__all__
)
def test_each_formula_docstring_cites_its_source_and_carries_an_example(func: Callable) -> None:
    doc = " ".join(inspect.getdoc(func).split())  # line breaks as spaces
    assert ">>> " in doc
    assert any(
        source in doc
        for source in ("Snyder & Shen", "Chopra & Meindl", "Silver, Pyke & Thomas", "Zipkin")
    )
    for name in inspect.signature(func).parameters:
        if name != "floor_at_zero":
            assert f"{name} [" in doc, f"{func.__name__}: {name} is not mapped to its symbol"


@pytest.mark.parametrize("func, args", VALID_CALLS, ids=[f.__name__ for f, _ in VALID_CALLS])
def test_scalars_give_floats_and_arrays_give_the_same_numbers_element_wise(
    func: Callable, args: tuple
) -> None:
    scalar = _outputs(func(*args))
    assert all(type(v) is float for v in scalar)
    # The first argument as an array of three copies, the others broadcast against it.
    array = _outputs(func(np.full(3, args[0]), *args[1:]))
    for s, a in zip(scalar, array, strict=True):
        assert isinstance(a, np.ndarray) and a.shape == (3,)
        assert a == pytest.approx([s] * 3, rel=1e-15)


def test_arrays_broadcast_against_each_other() -> None:
    sigma = np.array([100.0, 200.0])[:, None]
    k = np.array([0.0, 0.5, 1.0])[None, :]
    out = expected_fill_rate(sigma, k, 1000.0)
    assert out.shape == (2, 3)
    assert out[1, 2] == pytest.approx(expected_fill_rate(200.0, 1.0, 1000.0), rel=1e-15)


# Array calls with one bad element (the second) each: that element is NaN, the others not.
NAN_CASES: list[tuple[str, Callable, tuple]] = [
    ("eoq demand 0", eoq, ([1300.0, 0.0, 10.0], 8.0, 0.225)),
    ("eoq negative holding", eoq, (1300.0, 8.0, [0.225, -1.0, 1.0])),
    ("critical ratio p = h = 0", critical_ratio, ([0.7, 0.0, 1.0], [0.18, 0.0, 0.0])),
    ("critical ratio p < 0", critical_ratio, ([0.7, -1.0, 1.0], 0.18)),
    ("newsvendor h = 0", newsvendor, ([0.18, 0.0, 0.5], 0.7, 50.0, 8.0)),
    ("newsvendor sigma < 0", newsvendor, (0.18, 0.7, 50.0, [8.0, -1.0, 0.0])),
    ("sigma_DL negative lead time", lead_time_demand_std, (50.0, 5.0, [6.0, -1.0, 0.0], 2.0)),
    ("safety factor CSL 1", safety_factor_for_csl, ([0.9, 1.0, 0.5],)),
    ("safety factor CSL 0", safety_factor_for_csl, ([0.9, 0.0, 0.5],)),
    ("safety stock negative sigma", safety_stock_for_csl, (0.9, [100.0, -1.0, 0.0])),
    ("CSL of ROP sigma 0", csl_from_reorder_point, (6000.0, 5000.0, [707.0, 0.0, 1.0])),
    ("loss inverse negative", normal_loss_inverse, ([0.2, -0.1, 0.0],)),
    ("fill rate Q = 0", expected_fill_rate, (707.0, 1.4, [10_000.0, 0.0, 1.0])),
    ("fill-rate factor target 1", fill_rate_safety_factor, ([0.99, 1.0, 0.5], 1000.0, 300.0)),
    ("fill-rate factor sigma 0", fill_rate_safety_factor, (0.99, 1000.0, [300.0, 0.0, 1.0])),
    ("gamma loss shape 0", gamma_loss, ([2.0, 0.0, 1.0], 3.0)),
    ("gamma level target 0", gamma_fill_level, (2.0, [0.05, 0.0, 1.0])),
]


@pytest.mark.parametrize("func, args", [c[1:] for c in NAN_CASES], ids=[c[0] for c in NAN_CASES])
def test_an_array_element_outside_the_domain_is_nan_and_the_others_are_computed(
    func: Callable, args: tuple
) -> None:
    for out in _outputs(func(*(np.asarray(a, dtype=float) for a in args))):
        assert np.isnan(out[1])
        assert np.isfinite(out[[0, 2]]).all()


@pytest.mark.parametrize(
    "func, args, name",
    [
        (eoq, (-1.0, 8.0, 0.225), "annual_demand_units"),
        (eoq, (1300.0, 8.0, math.nan), "holding_cost_per_unit_year"),
        (critical_ratio, (0.0, 0.0), "stockout_cost + holding_cost"),
        (critical_ratio, (0.7, -0.1), "holding_cost"),
        (newsvendor, (0.18, 0.0, 50.0, 8.0), "stockout_cost"),
        (newsvendor, (0.18, 0.7, 50.0, -8.0), "demand_sd"),
        (lead_time_demand_std, (50.0, 5.0, 6.0, -2.0), "lead_time_std"),
        (safety_factor_for_csl, (1.0,), "csl"),
        (safety_stock_for_csl, (0.9, -1.0), "sigma_dl"),
        (csl_from_reorder_point, (6000.0, 5000.0, 0.0), "sigma_dl"),
        (normal_loss_inverse, (-0.5,), "loss"),
        (expected_fill_rate, (707.0, 1.4, 0.0), "order_quantity"),
        (fill_rate_safety_factor, (1.0, 1000.0, 300.0), "fill_rate"),
        (fill_rate_safety_factor, (0.99, 1000.0, 0.0), "sigma_dl"),
        (gamma_loss, (2.0, -1.0), "level"),
        (gamma_fill_level, (0.0, 0.05), "shape"),
    ],
)
def test_a_scalar_outside_the_domain_raises_naming_the_argument(
    func: Callable, args: tuple, name: str
) -> None:
    with pytest.raises(ValueError, match=f"^{name.replace('+', '[+]')} must be "):
        func(*args)


def test_critical_ratio_limits_are_all_or_nothing() -> None:
    # No stockout cost: never worth holding a unit (0); no holding cost: always (1).
    assert critical_ratio(0.0, 0.18) == 0.0
    assert critical_ratio(0.7, 0.0) == 1.0


def test_newsvendor_is_the_critical_ratio_and_its_normal_quantile() -> None:
    h, p = np.array([0.18, 1.0, 0.05]), np.array([0.7, 0.2, 3.0])
    ratio, s_star, _ = newsvendor(h, p, 50.0, 8.0)
    assert ratio == pytest.approx(critical_ratio(p, h), rel=1e-15)
    assert s_star == pytest.approx(50.0 + 8.0 * safety_factor_for_csl(ratio), rel=1e-15)


def test_csl_and_safety_factor_are_inverse() -> None:
    csl = np.array([0.5, 0.8, 0.95, 0.999])
    assert csl_for_safety_factor(safety_factor_for_csl(csl)) == pytest.approx(csl, abs=1e-15)
    assert csl_from_reorder_point(
        200 + safety_stock_for_csl(csl, 60.0), 200.0, 60.0
    ) == pytest.approx(csl, abs=1e-12)


def test_the_table_inverse_of_the_loss_is_close_to_the_exact_factor() -> None:
    k = np.linspace(0.0, 6.0, 241)
    assert normal_loss_inverse(normal_loss(k)) == pytest.approx(k, abs=1e-6)
    assert normal_loss_inverse(1.0) == 0.0  # above G(0) = 0.399: no negative safety factor


# --- the policy runs these formulas ------------------------------------------------------------


def test_the_policy_table_is_these_formulas_applied_to_every_sku() -> None:
    df = pd.DataFrame(
        {
            "sku": ["S1", "S2", "S3"],
            "quantity": [5200.0, 2600.0, 900.0],
            "revenue": [31200.0, 9100.0, 4500.0],
            "unit_cost": [4.0, 2.0, 3.0],
            "demand_mean": [100.0, 50.0, 17.0],
            "demand_std": [30.0, 20.0, 8.0],
            "pattern": "smooth",
            "lead_time_mean_days": [14.0, 35.0, 7.0],
            "lead_time_std_days": [3.5, 10.0, 0.0],
            "lead_time_source": "sku",
            "period": "week",
        }
    )
    csl = SegmentPolicy(service_type="csl", service_target=0.95)
    fill = SegmentPolicy(service_type="fill_rate", service_target=0.99)
    cost = SegmentPolicy(service_type="cost", stockout_cost=0.5)
    table = PolicyTable(default=csl, segments=(("F", fill), ("C", cost)))
    out = compute_policies(df, np.array(["D", "F", "C"], dtype=object), table)

    weeks = df["lead_time_mean_days"].to_numpy() / 7
    sigma = lead_time_demand_std(
        df["demand_mean"].to_numpy(),
        df["demand_std"].to_numpy(),
        weeks,
        df["lead_time_std_days"].to_numpy() / 7,
    )
    assert out["lead_time_demand_std"].to_numpy() == pytest.approx(sigma, rel=1e-15)
    q, _ = eoq(df["demand_mean"].to_numpy() * 365.25 / 7, 50.0, 0.25 * df["unit_cost"].to_numpy())
    assert out["order_quantity"].to_numpy() == pytest.approx(q, rel=1e-15)
    ss = out["safety_stock"].to_numpy()
    assert ss[0] == pytest.approx(safety_stock_for_csl(0.95, sigma[0]), rel=1e-15)
    assert ss[1] == pytest.approx(
        fill_rate_safety_factor(0.99, q[1], sigma[1]) * sigma[1], rel=1e-15
    )
    h = 0.25 * 3.0 * (q[2] / 17.0) * 7 / 365.25  # holding over one cycle of Q / d weeks
    p = 0.5 * 4500.0 / 900.0
    assert out["service_target"].iat[2] == pytest.approx(critical_ratio(p, h), rel=1e-15)
    assert ss[2] == pytest.approx(safety_stock_for_csl(critical_ratio(p, h), sigma[2]), rel=1e-15)
    assert out["expected_fill_rate"].to_numpy() == pytest.approx(
        expected_fill_rate(sigma, ss / sigma, q), rel=1e-14
    )
    assert out["expected_csl"].to_numpy() == pytest.approx(
        csl_from_reorder_point(
            out["reorder_point"].to_numpy(), out["lead_time_demand_mean"].to_numpy(), sigma
        ),
        rel=1e-12,
    )


def _code(module: ModuleType) -> str:
    """The module's code without strings, comments or spaces."""
    skip = {
        tokenize.STRING,
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
    }
    tokens = tokenize.generate_tokens(io.StringIO(inspect.getsource(module)).readline)
    return "".join(t.string for t in tokens if t.type not in skip)


@pytest.mark.parametrize("module", [sku, tradeoff, simulation], ids=lambda m: m.__name__)
def test_policy_modules_call_the_formulas_instead_of_re_deriving_them(module: ModuleType) -> None:
    code = _code(module)
    for inline in (
        "ndtri(",
        "ndtr(",
        "norm.pdf(",
        "norm.ppf(",
        "norm.cdf(",
        "sqrt(2*",
        "normal_loss(",
        "G_GRID",
        "/(p+h)",
    ):
        assert inline not in code, f"{module.__name__} computes {inline!r} inline"
