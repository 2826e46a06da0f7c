"""The policy figures the files cannot give: stock without any unit cost has no value (the
headline and the curves say so), and the best mix, which weights segments by revenue, needs
prices as well."""

from __future__ import annotations

import pandas as pd

from segstudio.policy.tradeoff import mix_unmeasured, value_unmeasured


def _policies(unit_cost: list[float], revenue: list[float]) -> pd.DataFrame:
    n = len(unit_cost)
    return pd.DataFrame(
        {
            "sku": [f"S{i}" for i in range(n)],
            "demand_model": ["normal"] * (n - 1) + ["none"],
            "unit_cost": unit_cost,
            "revenue": revenue,
        }
    )


def test_stock_without_any_cost_cannot_be_valued_and_names_the_column() -> None:
    pol = _policies([float("nan"), 0.0, 9.0], [10.0, 10.0, 10.0])  # only the unstocked has one
    assert "unit_cost" in value_unmeasured(pol)
    assert mix_unmeasured(pol) == value_unmeasured(pol)


def test_a_cost_values_the_stock_and_prices_allow_the_mix() -> None:
    pol = _policies([2.0, float("nan"), 0.0], [10.0, 0.0, 0.0])
    assert value_unmeasured(pol) == ""
    assert mix_unmeasured(pol) == ""


def test_without_prices_the_best_mix_cannot_be_weighted() -> None:
    pol = _policies([2.0, 3.0, 1.0], [0.0, 0.0, 5.0])  # revenue only on the unstocked SKU
    assert value_unmeasured(pol) == ""
    assert "unit_price" in mix_unmeasured(pol)
