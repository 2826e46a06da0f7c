"""``segstudio features``: the feature table written as CSV or Parquet from the command line."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from segstudio.cli import main
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace

MON = dt.date(2024, 1, 1)  # a Monday
REQUIRED = [
    "sku",
    "quantity",
    "revenue",
    "margin",
    "weeks_active",
    "weeks_with_demand",
    "demand_mean",
    "demand_std",
    "cov",
    "adi",
    "cv2",
    "pattern",
    "on_hand",
    "lead_time_mean_days",
    "lead_time_std_days",
]
# 10 weeks of one date each (Mondays); --weeks 8 keeps weeks 2..9.
SERIES = {"00123": [9, 9, 4, 0, 6, 2, 0, 8, 4, 0], "A1": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    sales = ["sku,date,quantity,unit_price,unit_cost"]
    for sku, series in SERIES.items():
        for i, x in enumerate(series):
            if x:
                sales.append(f"{sku},{MON + dt.timedelta(weeks=i)},{x},5,3")
    inventory = ["sku,location,on_hand", "00123,L1,12", "00123,L2,8", "A1,L1,3"]
    receipts = [
        "supplier,sku,order_date,receipt_date",
        "0042,00123,2023-01-02,2023-01-09",  # 7 days
        "0042,00123,2023-02-01,2023-02-11",  # 10 days
        "0042,00123,2023-03-01,2023-03-14",  # 13 days
        "0042,A1,2023-04-01,2023-04-05",
    ]  # 4 days: A1 takes its supplier's
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        _, reports = ws.load(
            {
                "sales": SourceFile(_write(tmp_path / "sales.csv", sales)),
                "inventory": SourceFile(_write(tmp_path / "inventory.csv", inventory)),
                "suppliers": SourceFile(_write(tmp_path / "receipts.csv", receipts)),
            }
        )
    assert all(r.rejected == 0 for r in reports.values())
    return path


def _check_values(df: pd.DataFrame) -> None:
    assert list(df["sku"]) == ["00123", "A1"]
    assert set(REQUIRED) <= set(df.columns)
    row = df.set_index("sku").loc["00123"]
    window = [4, 0, 6, 2, 0, 8, 4, 0]  # weeks 2..9
    mean = sum(window) / 8  # 3
    std = math.sqrt(sum((x - mean) ** 2 for x in window) / 7)  # sqrt(64 / 7)
    assert std == pytest.approx(math.sqrt(64 / 7))
    assert row["quantity"] == pytest.approx(24)
    assert row["revenue"] == pytest.approx(24 * 5)
    assert row["margin"] == pytest.approx(24 * (5 - 3))
    assert row["weeks_active"] == 8
    assert row["weeks_with_demand"] == 5
    assert row["demand_mean"] == pytest.approx(mean)
    assert row["demand_std"] == pytest.approx(std)
    assert row["cov"] == pytest.approx(std / mean)
    assert row["adi"] == pytest.approx(8 / 5)
    # non-zero weeks [4, 6, 2, 8, 4]: mean 4.8; squared deviations 0.64 + 1.44 + 7.84 + 10.24
    # + 0.64 = 20.8
    assert row["cv2"] == pytest.approx((math.sqrt(20.8 / 4) / 4.8) ** 2)
    assert row["pattern"] == "intermittent"  # ADI 1.6 >= 1.32, CV2 5.2 / 23.04 < 0.49
    assert row["on_hand"] == pytest.approx(12 + 8)
    assert row["lead_time_mean_days"] == pytest.approx((7 + 10 + 13) / 3)
    assert row["lead_time_std_days"] == pytest.approx(3.0)  # deviations -3, 0, 3
    a1 = df.set_index("sku").loc["A1"]
    assert a1["pattern"] == "smooth"
    assert a1["lead_time_mean_days"] == pytest.approx((7 + 10 + 13 + 4) / 4)
    assert a1["main_supplier"] == "0042"


def test_features_csv(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out" / "features.csv"
    assert main(["features", "--workspace", str(workspace), "--weeks", "8", "--out", str(out)]) == 0
    assert "2 SKUs, 8 weeks" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[1].startswith("00123,")  # the leading zeros are written
    df = pd.read_csv(out, dtype={"sku": str, "main_supplier": str})
    _check_values(df)


def test_features_parquet(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "features.parquet"
    assert main(["features", "--workspace", str(workspace), "--weeks", "8", "--out", str(out)]) == 0
    df = pd.read_parquet(out)
    assert pd.api.types.is_string_dtype(df["sku"])  # text, not a number
    _check_values(df)


def test_missing_workspace_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    ws = tmp_path / "nowhere.duckdb"
    out = tmp_path / "f.csv"
    assert main(["features", "--workspace", str(ws), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("segstudio features: ")
    assert "no such workspace" in err and str(ws) in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not ws.exists() and not out.exists()


def test_bad_arguments_exit_2(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["features", "--workspace", str(workspace), "--out", str(tmp_path / "f.txt")]) == 2
    assert ".csv or .parquet" in capsys.readouterr().err
    assert (
        main(
            [
                "features",
                "--workspace",
                str(workspace),
                "--weeks",
                "1",
                "--out",
                str(tmp_path / "f.csv"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "weeks must be at least 2" in err and err.count("\n") == 1
