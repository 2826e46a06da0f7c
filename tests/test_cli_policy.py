"""`segstudio policy`: the per-SKU policy as CSV or XLSX, from the official rules or a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from segstudio.cli import main

CONTRACT = ["sku", "segment", "demand_model", "service_type", "service_target", "safety_stock",
            "reorder_point", "order_quantity", "order_up_to", "expected_fill_rate"]


def test_policy_writes_one_row_per_classified_sku(demo_workspace: Path, tmp_path: Path) -> None:
    assert main(["classify", "--workspace", str(demo_workspace), "--out",
                 str(tmp_path / "c.csv")]) == 0
    assert main(["policy", "--workspace", str(demo_workspace), "--out",
                 str(tmp_path / "p.csv")]) == 0
    classes = pd.read_csv(tmp_path / "c.csv", dtype={"sku": str})
    pol = pd.read_csv(tmp_path / "p.csv", dtype={"sku": str})
    assert set(CONTRACT) <= set(pol.columns)
    assert sorted(pol["sku"]) == sorted(classes["sku"])
    merged = pol.merge(classes[["sku", "segment"]], on="sku", suffixes=("", "_c"))
    assert (merged["segment"] == merged["segment_c"]).all()
    stocked = pol[pol["demand_model"] != "none"]
    # reorder point = demand over the lead time + safety stock, by the table's own columns
    lead = stocked["demand_mean"] * stocked["lead_time_days"] / 7
    assert np.allclose(stocked["reorder_point"], lead + stocked["safety_stock"], atol=1e-3)
    assert (stocked["safety_stock"] >= 0).all()


def test_a_rules_file_sets_the_policy_table(demo_workspace: Path, tmp_path: Path) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text('[policy.default]\nservice_type = "fill_rate"\nservice_target = 0.97\n'
                     '[policy."AX"]\nservice_target = 0.99\n')
    out = tmp_path / "p.xlsx"
    assert main(["policy", "--workspace", str(demo_workspace), "--rules", str(rules),
                 "--out", str(out)]) == 0
    rows = list(load_workbook(out, read_only=True)["policy"].values)
    pol = pd.DataFrame(rows[1:], columns=rows[0])
    assert set(pol["service_type"]) == {"fill_rate"}
    assert (pol.loc[pol["segment"] == "AX", "service_target"] == 0.99).all()
    assert (pol.loc[pol["segment"] != "AX", "service_target"] == 0.97).all()
    buffered = pol[(pol["demand_model"] != "none") & (pol["safety_stock"] > 0)]
    assert len(buffered) > 0
    assert np.allclose(buffered["expected_fill_rate"], buffered["service_target"], atol=1e-3)


def test_bad_arguments_exit_2_with_one_line(demo_workspace: Path, tmp_path: Path, capsys) -> None:
    bad_rules = tmp_path / "bad.toml"
    bad_rules.write_text('[policy."AX"]\nservice_level = 0.99\n')
    cases = [
        (["--out", str(tmp_path / "p.txt")], ".csv or .xlsx"),
        (["--rules", str(bad_rules), "--out", str(tmp_path / "p.csv")], "service_level"),
    ]
    for extra, message in cases:
        assert main(["policy", "--workspace", str(demo_workspace), *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert main(["policy", "--workspace", str(tmp_path / "none.duckdb"), "--out",
                 str(tmp_path / "p.csv")]) == 2
    assert "no such workspace" in capsys.readouterr().err
