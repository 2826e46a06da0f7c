"""``segstudio policy``: every SKU's inventory policy from the command line, as CSV or XLSX."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from segstudio.cli import main
from segstudio.config.policy_table import BUILTIN_CELL_TARGETS
from segstudio.policy.erp import ERP_COLUMNS

REQUIRED = [
    "sku",
    "segment",
    "demand_model",
    "service_type",
    "service_target",
    "safety_stock",
    "reorder_point",
    "order_quantity",
    "order_up_to",
    "expected_fill_rate",
]
# The table is rounded to 4 decimals (erp_table): products of rounded columns (745 units a
# week x 19.8571 days) carry a few thousandths, so compare to 1e-5 relative or 1e-3 absolute.
ROUNDING = 1e-3
REL = 1e-5

POLICY_RULES = """
[policy.default]
service_type = "fill_rate"
service_target = 0.97

[policy."AX"]
service_target = 0.99
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path, dtype={"sku": str, "segment": str}, keep_default_na=False, na_values=[""]
    )


def _policy(
    capsys: pytest.CaptureFixture[str],
    ws: Path,
    out: Path,
    *extra: str | Path,
) -> tuple[pd.DataFrame, str]:
    code, stdout, err = _run(capsys, "policy", "--workspace", ws, "--out", out, *extra)
    assert code == 0, err
    assert err == ""
    return _read(out), stdout


def _rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def default_policy(
    demo_workspace_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The policy and the classification of the demo under its official rules, computed once
    on a private copy of the demo workspace (the tests below only read them)."""
    folder = tmp_path_factory.mktemp("policy")
    ws = folder / "workspace.duckdb"
    shutil.copy(demo_workspace_template, ws)
    assert main(["policy", "--workspace", str(ws), "--out", str(folder / "p.csv")]) == 0
    assert main(["classify", "--workspace", str(ws), "--out", str(folder / "c.csv")]) == 0
    return _read(folder / "p.csv"), _read(folder / "c.csv")


def test_policy_one_row_per_classified_sku(default_policy: tuple) -> None:
    pol, classes = default_policy
    assert len(pol) > 0
    assert list(pol["sku"]) == list(classes["sku"])
    assert list(pol["segment"]) == list(classes["segment"])
    assert pol["sku"].is_unique


def test_policy_has_the_erp_columns_first(default_policy: tuple) -> None:
    pol, _ = default_policy
    assert set(REQUIRED) <= set(pol.columns)
    assert list(pol.columns[: len(ERP_COLUMNS)]) == ERP_COLUMNS


def test_policy_summary_line(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "p.csv"  # the folder is created
    pol, stdout = _policy(capsys, demo_workspace, out)
    stocked = int((pol["demand_model"] != "none").sum())
    assert stdout.startswith(f"{len(pol):,} SKUs ({stocked:,} stocked), safety stock value ")
    assert stdout.strip().endswith(f"-> {out}")
    assert len(stdout.strip().splitlines()) == 1


def test_without_a_policy_section_the_builtin_cell_targets_apply(default_policy: tuple) -> None:
    pol, _ = default_policy
    want = pol["segment"].map(lambda s: BUILTIN_CELL_TARGETS.get(s, 0.95))
    cost = pol["target_source"] == "cost"
    assert not cost.any()
    assert pol["service_target"].to_numpy() == pytest.approx(want.to_numpy())
    assert set(pol["service_type"]) == {"csl"}
    # The demo has SKUs of several cells and both demand models.
    assert {"AX", "CZ"} <= set(pol["segment"])
    assert {"normal", "gamma"} <= set(pol["demand_model"])


def test_stocked_skus_reorder_above_lead_time_demand(default_policy: tuple) -> None:
    pol, _ = default_policy
    s = pol[pol["demand_model"] != "none"]
    assert len(s) > 0
    lead_time_demand = s["demand_mean"] * s["lead_time_days"] / 7  # weekly demand statistics
    assert (s["safety_stock"] >= 0).all()
    assert (s["reorder_point"] >= lead_time_demand * (1 - REL) - ROUNDING).all()
    assert s["reorder_point"].to_numpy() == pytest.approx(
        (lead_time_demand + s["safety_stock"]).to_numpy(), rel=REL, abs=ROUNDING
    )
    assert (s["order_quantity"] > 0).all()
    assert ((s["expected_fill_rate"] >= 0) & (s["expected_fill_rate"] <= 1)).all()


def test_order_up_to_by_review_type(default_policy: tuple) -> None:
    pol, _ = default_policy
    s = pol[pol["demand_model"] != "none"]
    periodic = s["review_period_days"] > 0
    assert periodic.any()
    p = s[periodic]
    # Periodic (R, S): S = d (L + R) + SS.
    assert p["order_up_to"].to_numpy() == pytest.approx(
        (
            p["demand_mean"] * (p["lead_time_days"] + p["review_period_days"]) / 7
            + p["safety_stock"]
        ).to_numpy(),
        rel=REL,
        abs=ROUNDING,
    )
    # The reorder point covers the lead time only: below the order-up-to level.
    assert (p["reorder_point"] <= p["order_up_to"] + ROUNDING).all()


def test_csl_policies_expect_their_target(default_policy: tuple) -> None:
    pol, _ = default_policy
    s = pol[(pol["demand_model"] != "none") & (pol["safety_stock"] > 0)]
    assert len(s) > 0
    assert s["expected_csl"].to_numpy() == pytest.approx(s["service_target"].to_numpy(), abs=1e-4)


def test_unstocked_skus_have_no_stock(default_policy: tuple) -> None:
    pol, _ = default_policy
    none = pol[pol["demand_model"] == "none"]
    assert len(none) > 0  # SKUs without demand in the window
    assert (none["demand_mean"] == 0).all()
    for col in ("safety_stock", "reorder_point", "order_quantity", "order_up_to"):
        assert (none[col] == 0).all(), col
    assert none["expected_fill_rate"].isna().all()


def test_lead_time_sources(default_policy: tuple) -> None:
    pol, _ = default_policy
    assert set(pol["lead_time_source"]) <= {"sku", "supplier", "fallback"}
    fallback = pol[pol["lead_time_source"] == "fallback"]
    assert len(fallback) > 0
    # SegmentPolicy's fallback lead time: 28 days, no variability.
    assert (fallback["lead_time_days"] == 28.0).all()
    assert (fallback["lead_time_std_days"] == 0.0).all()


def test_rules_file_policy_sets_fill_rate_targets(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _rules_file(tmp_path, POLICY_RULES)
    pol, _ = _policy(capsys, demo_workspace, tmp_path / "p.csv", "--rules", rules)
    ax = pol["segment"] == "AX"
    assert ax.any() and (~ax).any()
    assert (pol.loc[ax, "service_target"] == 0.99).all()
    assert (pol.loc[~ax, "service_target"] == 0.97).all()
    assert set(pol["service_type"]) == {"fill_rate"}
    s = pol[(pol["demand_model"] != "none") & (pol["safety_stock"] > 0)]
    assert len(s) > 0 and (s["segment"] == "AX").any()
    assert s["expected_fill_rate"].to_numpy() == pytest.approx(
        s["service_target"].to_numpy(), abs=1e-4
    )
    # Where no safety stock is needed the target is met by cycle stock alone.
    zero = pol[(pol["demand_model"] != "none") & (pol["safety_stock"] == 0)]
    assert (zero["expected_fill_rate"] >= zero["service_target"] - 1e-4).all()


def test_a_default_only_policy_applies_to_every_segment(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], default_policy: tuple
) -> None:
    base, _ = default_policy
    # Only [policy.default]: no built-in cells any more, every segment gets the default
    # (continuous review: review_period_days 0).
    rules = _rules_file(tmp_path, "[policy.default]\nservice_target = 0.999\n")
    high, _ = _policy(capsys, demo_workspace, tmp_path / "p.csv", "--rules", rules)
    assert list(high["sku"]) == list(base["sku"])
    assert (high["service_target"] == 0.999).all()
    assert (high["review_period_days"] == 0).all()
    s = high[high["demand_model"] != "none"]
    assert len(s) > 0
    # Continuous review (s, Q): order-up-to = reorder point + Q.
    assert s["order_up_to"].to_numpy() == pytest.approx(
        (s["reorder_point"] + s["order_quantity"]).to_numpy(), rel=REL, abs=ROUNDING
    )
    buffered = s[s["safety_stock"] > 0]
    assert len(buffered) > 0.9 * len(s)
    assert buffered["expected_csl"].to_numpy() == pytest.approx(0.999, abs=1e-4)


def test_xlsx_output_has_the_same_rows(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], default_policy: tuple
) -> None:
    pol, _ = default_policy
    out = tmp_path / "p.xlsx"
    code, stdout, err = _run(capsys, "policy", "--workspace", demo_workspace, "--out", out)
    assert code == 0 and err == ""
    assert stdout.strip().endswith(f"-> {out}")
    wb = load_workbook(out, read_only=True)
    try:
        assert wb.sheetnames == ["policy"]
        rows = list(wb["policy"].iter_rows(values_only=True))
    finally:
        wb.close()
    header, body = list(rows[0]), rows[1:]
    assert header == list(pol.columns)
    assert len(body) == len(pol)
    book = pd.DataFrame(body, columns=header)
    assert list(book["sku"]) == list(pol["sku"])
    assert list(book["segment"]) == list(pol["segment"])
    assert list(book["demand_model"]) == list(pol["demand_model"])
    for col in ("safety_stock", "reorder_point", "order_quantity", "order_up_to", "service_target"):
        assert book[col].astype(float).to_numpy() == pytest.approx(pol[col].to_numpy()), col
    none = pol["demand_model"] == "none"
    assert book.loc[none.to_numpy(), "expected_fill_rate"].isna().all()  # empty cells


def test_bad_suffix_exits_2(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.txt"
    code, stdout, err = _run(capsys, "policy", "--workspace", demo_workspace, "--out", out)
    assert code == 2 and stdout == ""
    assert err.strip() == f"segstudio policy: {out}: use a .csv or .xlsx file name"
    assert not out.exists()


def test_missing_workspace_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.duckdb"
    code, stdout, err = _run(capsys, "policy", "--workspace", missing, "--out", tmp_path / "p.csv")
    assert code == 2 and stdout == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"segstudio policy: {missing}: no such workspace")
    assert not missing.exists()
    assert not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize(
    "text, names",
    [
        ('[policy."AX"]\nservice_targt = 0.9\n', ["unknown key 'service_targt'", '[policy."AX"]']),
        ("[policy.default]\nsafety_days = 3\n", ["unknown key 'safety_days'", "[policy.default]"]),
        ('[policy."CZ"]\nservice_target = 1.5\n', ['[policy."CZ"]', "service_target"]),
        ('[policy."BX"]\nstrategy = "JIT"\n', ['[policy."BX"]', "strategy", "JIT"]),
        ("[policy.default]\nholding_rate = 0\n", ["[policy.default]", "holding_rate"]),
    ],
)
def test_invalid_policy_in_the_rules_exits_2(
    demo_workspace: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    names: list[str],
) -> None:
    rules = _rules_file(tmp_path, text)
    out = tmp_path / "p.csv"
    code, stdout, err = _run(
        capsys, "policy", "--workspace", demo_workspace, "--rules", rules, "--out", out
    )
    assert code == 2 and stdout == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("segstudio policy: ")
    assert str(rules) in err
    for name in names:
        assert name in err
    assert "Traceback" not in err
    assert not out.exists()


def test_errors_in_a_real_process_have_no_traceback(demo_workspace: Path, tmp_path: Path) -> None:
    rules = _rules_file(tmp_path, '[policy."AX"]\nservice_targt = 0.9\n')
    for argv in (
        [
            "policy",
            "--workspace",
            str(demo_workspace),
            "--rules",
            str(rules),
            "--out",
            str(tmp_path / "p.csv"),
        ],
        ["policy", "--workspace", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "p.xlsx")],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "segstudio.cli", *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert done.stderr.startswith("segstudio policy: ")


def test_policy_csv_is_deterministic(
    default_policy: tuple, demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pol, _ = default_policy
    again, _ = _policy(capsys, demo_workspace, tmp_path / "again.csv")
    pd.testing.assert_frame_equal(again, pol)
