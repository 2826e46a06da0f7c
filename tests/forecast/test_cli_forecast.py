"""segstudio forecast: the files' columns as the issue names them, one row per SKU and period,
the segments' forecast policies from the rules, and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segstudio.cli import main
from segstudio.ingest.demo import generate_demo
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fc")
    files = generate_demo(folder / "files", skus=40, weeks=70, grain="weekly")
    path = folder / "w.duckdb"
    with Workspace(path) as ws:
        ws.load({"sales": SourceFile(files["sales"])})
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_forecast_backtest_and_accuracy_files(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, bt, acc = tmp_path / "f.csv", tmp_path / "b.parquet", tmp_path / "a.xlsx"
    code, stdout, err = _run(
        capsys, "forecast", "--workspace", workspace, "--horizon", "4", "--windows", "2",
        "--out", out, "--backtest", bt, "--accuracy", acc,
    )  # fmt: skip
    assert code == 0, err
    assert "backtest windows" in stdout and "RMSSE" in stdout
    f = pd.read_csv(out, encoding="utf-8-sig")
    assert {"sku", "segment", "model", "period_start", "forecast", "lo_80", "hi_80"} <= set(f)
    assert f.groupby("sku").size().eq(4).all()
    b = pd.read_parquet(bt)
    assert {"sku", "segment", "model", "cutoff", "period_start", "actual", "forecast"} <= set(b)
    assert b["cutoff"].nunique() == 2  # --windows 2
    assert (pd.to_datetime(b["period_start"]) > pd.to_datetime(b["cutoff"])).all()
    a = pd.read_excel(acc)
    assert {"sku", "segment", "model", "rmsse", "mase", "wape", "bias"} <= set(a)
    assert set(a["sku"]) == set(f["sku"])
    # each SKU's model is the one its backtest used in the last window (auto chose it)
    assert set(a["model"]) <= {"ses", "ets", "naive", "seasonal_naive", "sba", "croston", "tsb",
                               "adida", "imapa"}  # fmt: skip


def test_method_and_the_rules_forecast_table(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.csv"
    code, _, err = _run(
        capsys, "forecast", "--workspace", workspace, "--method", "naive", "--horizon", "3",
        "--out", out,
    )  # fmt: skip
    assert code == 0, err
    f = pd.read_csv(out, encoding="utf-8-sig")
    assert set(f["model"]) == {"naive"}
    assert f["lo_80"].notna().any()  # naive gives an interval
    rules = tmp_path / "r.toml"
    rules.write_text('[forecast.default]\nmodel = "sba"\nhorizon = 5\n', encoding="utf-8")
    code, _, err = _run(
        capsys, "forecast", "--workspace", workspace, "--rules", rules, "--out", out
    )
    assert code == 0, err
    f = pd.read_csv(out, encoding="utf-8-sig")
    assert set(f["model"]) == {"sba"}
    assert f.groupby("sku").size().eq(5).all()  # the policy's horizon


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--method", "prophet"], "--method"),
        (["--out-ext"], ".csv, .parquet or .xlsx"),
        (["--windows", "30", "--horizon", "13"], "too few"),
    ],
)
def test_refusals_exit_2_with_one_clear_line(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    out = tmp_path / ("f.txt" if args == ["--out-ext"] else "f.csv")
    extra = [] if args == ["--out-ext"] else args
    code, _, err = _run(capsys, "forecast", "--workspace", workspace, "--out", out, *extra)
    assert code == 2
    assert says in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_rules_with_an_unknown_forecast_key_are_refused(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text('[forecast.default]\nmodle = "sba"\n', encoding="utf-8")
    code, _, err = _run(
        capsys, "forecast", "--workspace", workspace, "--rules", rules, "--out", tmp_path / "f.csv"
    )
    assert code == 2 and "unknown key 'modle'" in err  # names the key the user mistyped
