"""demand_source = "forecast": the policy plans on the latest forecast's mean and its backtest
RMSE per period (methods.md, Inventory policy), in the policies, the curves and the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segstudio.cli import main
from segstudio.config.policy_table import PolicyTable, SegmentPolicy
from segstudio.policy.formulas import lead_time_demand_std
from segstudio.policy.sku import SkuInputs, compute_policies, protection, resolve


def _features() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": ["a", "b"],
            "demand_mean": [10.0, 10.0],
            "demand_std": [4.0, 4.0],
            "lead_time_mean_days": [14.0, 14.0],
            "lead_time_std_days": [0.0, 0.0],
            "quantity": [520.0, 520.0],
            "revenue": [5200.0, 5200.0],
            "unit_cost": [5.0, 5.0],
            "pattern": ["smooth", "smooth"],
        }
    )


def test_the_forecast_stands_for_the_history_where_the_policy_says_so() -> None:
    forecast = pd.DataFrame(
        {"sku": ["a", "b"], "forecast_mean": [12.0, 12.0], "forecast_std": [2.0, 2.0]}
    )
    x = SkuInputs.from_features(_features(), forecast)
    table = PolicyTable(
        default=SegmentPolicy(),
        segments=(("F", SegmentPolicy(demand_source="forecast")),),
    )
    segments = np.array(["F", "H"], dtype=object)
    pr = protection(x, resolve(table, segments))
    periods = 14 / 7
    assert pr.std[0] == pytest.approx(float(lead_time_demand_std(12.0, 2.0, periods, 0.0)))
    assert pr.std[1] == pytest.approx(float(lead_time_demand_std(10.0, 4.0, periods, 0.0)))
    assert pr.demand_source.tolist() == ["forecast", "history"]
    pol = compute_policies(_features(), segments, table, forecast)
    assert pol["demand_source"].tolist() == ["forecast", "history"]
    assert pol.loc[0, "safety_stock"] < pol.loc[1, "safety_stock"]  # a smaller error: less stock
    # no forecast run: the history, whatever the policy says
    none = compute_policies(_features(), segments, table, None)
    assert none["demand_source"].tolist() == ["history", "history"]


def test_the_command_plans_on_the_stored_forecast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_workspace: Path
) -> None:
    bt = tmp_path / "bt.csv"
    assert main(["forecast", "--workspace", str(demo_workspace), "--horizon", "4", "--windows", "2",
                 "--out", str(tmp_path / "f.csv"), "--backtest", str(bt)]) == 0  # fmt: skip
    rules = tmp_path / "r.toml"
    rules.write_text('[policy.default]\ndemand_source = "forecast"\n', encoding="utf-8")
    out = tmp_path / "p.csv"
    assert (
        main(
            ["policy", "--workspace", str(demo_workspace), "--rules", str(rules), "--out", str(out)]
        )
        == 0
    )
    capsys.readouterr()
    pol = pd.read_csv(out, encoding="utf-8-sig").set_index("sku")
    b = pd.read_csv(bt, encoding="utf-8-sig")
    sq = (b["forecast"] - b["actual"]) ** 2
    rmse = np.sqrt(sq.groupby(b["sku"]).mean())  # weekly data: per week as it is
    planned = pol[pol["demand_source"] == "forecast"]
    assert len(planned) > 0.9 * len(rmse)
    common = planned.index.intersection(rmse.index)
    np.testing.assert_allclose(
        planned.loc[common, "demand_std"], rmse.loc[common], rtol=1e-5, atol=1e-4
    )  # the policy CSV keeps 4 decimals of a quantity
