"""``segstudio classify`` and ``segstudio alerts``: the segmentation from the command line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segstudio.cli import main
from segstudio.config.rules import Rules
from segstudio.features.build import FeatureSettings, compute_features
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.segment import decisions

MON = dt.date(2024, 1, 1)  # a Monday
# One unit a week for 10 weeks at these prices: revenue 550, 220, 120, 70, 40 (total 1000),
# so the Pareto share before each SKU is 0, .55, .77, .89, .96. Constant demand: CoV 0 (X),
# ADI 1, CV2 0 (smooth).
PRICES = {"S1": 55, "S2": 22, "S3": 12, "S4": 7, "S5": 4}
REQUIRED = [
    "sku",
    "abc",
    "xyz",
    "pattern",
    "segment",
    "nearest_boundary",
    "boundary_distance",
    "segment_name",
    "would_move_to",
    "overridden",
    "revenue",
    "margin",
]


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    lines = ["sku,date,quantity,unit_price,unit_cost"]
    for sku, price in PRICES.items():
        lines += [f"{sku},{MON + dt.timedelta(weeks=i)},1,{price},1" for i in range(10)]
    sales = tmp_path / "sales.csv"
    sales.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "tiny.duckdb"
    with Workspace(path) as ws:
        ws.load({"sales": SourceFile(sales)})
    return path


def _rules_file(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _classify(
    capsys: pytest.CaptureFixture[str],
    ws: Path,
    out: Path,
    *extra: str | Path,
) -> pd.DataFrame:
    code, _, err = _run(capsys, "classify", "--workspace", ws, "--out", out, *extra)
    assert code == 0, err
    return pd.read_csv(out, keep_default_na=False, na_values=[""])


def test_classify_tiny_by_hand(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "classify", "--workspace", tiny, "--out", tmp_path / "c.csv")
    assert code == 0 and err == ""
    assert out.strip() == f"5 SKUs in 3 segments (0 overridden) -> {tmp_path / 'c.csv'}"
    df = pd.read_csv(tmp_path / "c.csv").set_index("sku")
    assert list(df.index) == ["S1", "S2", "S3", "S4", "S5"]
    assert list(df["abc"]) == ["A", "A", "A", "B", "C"]
    assert list(df["xyz"]) == ["X"] * 5
    assert list(df["pattern"]) == ["smooth"] * 5
    assert list(df["segment"]) == ["AX", "AX", "AX", "BX", "CX"]
    assert list(df["revenue"]) == pytest.approx([550, 220, 120, 70, 40])
    assert list(df["margin"]) == pytest.approx([540, 210, 110, 60, 30])
    # Nearest boundary in bands (ABC 0.02 share points, ratios 10 %): S1 and S2 are nearer
    # X/Y (CoV 0 vs 0.5: relative 1.0 = 10 bands) than A/B (.80 and .25 = 40, 12.5 bands).
    assert list(df["nearest_boundary"]) == ["xyz X/Y", "xyz X/Y", "abc A/B", "abc B/C", "abc B/C"]
    assert list(df["boundary_distance"]) == pytest.approx([1.0, 1.0, 0.03, 0.06, 0.01])
    assert list(df["would_move_to"]) == ["AY", "AY", "BX", "CX", "BX"]
    assert not df["overridden"].any()


def test_classify_demo_one_row_per_sku_with_the_classes(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    df = _classify(capsys, demo_workspace, tmp_path / "c.csv")
    assert set(REQUIRED) <= set(df.columns)
    assert list(df.columns[:4]) == ["sku", "abc", "xyz", "pattern"]
    with Workspace(demo_workspace) as ws, ws.connect() as con:
        features, _ = compute_features(con, FeatureSettings(weeks=52))
    assert len(df) == len(features) == df["sku"].nunique()
    assert list(df["sku"].astype(str)) == list(features["sku"])
    f = features.set_index("sku")
    c = df.assign(sku=df["sku"].astype(str)).set_index("sku")
    # XYZ by hand from the feature table: X CoV <= .5, Y <= 1, Z above, N without demand.
    cov = f["cov"].astype(float)
    xyz = np.select([cov.isna(), cov <= 0.5, cov <= 1.0], ["N", "X", "Y"], "Z")
    assert list(c["xyz"]) == list(xyz)
    # Patterns agree with the feature query's own (same ADI 1.32 and CV2 0.49 cut-offs).
    assert list(c["pattern"]) == list(f["pattern"].replace("insufficient history", "insufficient"))
    # Segments combine the default criteria, ABC then XYZ.
    assert list(c["segment"]) == list(c["abc"] + c["xyz"])
    assert set(c["abc"]) == {"A", "B", "C"}


def test_classes_present_whatever_the_criteria(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    default = _classify(capsys, demo_workspace, tmp_path / "d.csv")
    rules = _rules_file(tmp_path, '[segments]\ncriteria = ["leadtime"]\n')
    lead = _classify(capsys, demo_workspace, tmp_path / "l.csv", "--rules", rules)
    for col in ("abc", "xyz", "pattern"):
        assert list(lead[col]) == list(default[col])
    # "-" (no receipts) starts like a formula: escape_formulas writes it as "'-".
    assert set(lead["segment"]) <= {"R", "L", "U", "LU", "'-"}
    assert "'-" in set(lead["segment"])
    assert list(lead["segment"]) == list(lead["leadtime"])
    assert lead["nearest_boundary"].dropna().str.startswith("leadtime ").all()


def test_rules_file_with_a_lower_a_gives_fewer_a(
    tiny: Path, demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _rules_file(tmp_path, "[abc]\na = 0.5\n")
    # Tiny by hand: shares before 0, .55, .77, .89, .96 -> A only for S1 with a = .5.
    tiny_half = _classify(capsys, tiny, tmp_path / "t.csv", "--rules", rules)
    assert list(tiny_half["abc"]) == ["A", "B", "B", "B", "C"]
    default = _classify(capsys, demo_workspace, tmp_path / "d.csv")
    half = _classify(capsys, demo_workspace, tmp_path / "h.csv", "--rules", rules)
    n_default, n_half = (default["abc"] == "A").sum(), (half["abc"] == "A").sum()
    assert 0 < n_half < n_default
    # b is unchanged: the C SKUs are the same.
    assert list(half["abc"] == "C") == list(default["abc"] == "C")


def test_without_rules_the_official_rules_apply(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(tiny) as ws:
        decisions.adopt(ws, Rules(abc_a=0.5), "ana", "fewer A")
    df = _classify(capsys, tiny, tmp_path / "c.csv")
    assert list(df["segment"]) == ["AX", "BX", "BX", "BX", "CX"]


def test_alerts_tiny_by_hand(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "alerts", "--workspace", tiny, "--out", tmp_path / "a.csv")
    assert code == 0
    assert out.startswith("1 of 5 SKUs within the band")
    df = pd.read_csv(tmp_path / "a.csv")
    # Only S5 (.96, .01 past B/C) is within .02; S3 (.03 from A/B) and S4 (.06) are not.
    assert list(df["sku"]) == ["S5"]
    assert list(df["nearest_boundary"]) == ["abc B/C"]
    assert df["boundary_distance"].iloc[0] == pytest.approx(0.01)
    assert list(df["would_move_to"]) == ["BX"]
    # A wider band takes S3 in too, nearest first.
    rules = _rules_file(tmp_path, "[alerts]\nband_share = 0.04\n")
    code, _, _ = _run(
        capsys, "alerts", "--workspace", tiny, "--out", tmp_path / "w.csv", "--rules", rules
    )
    assert code == 0
    assert list(pd.read_csv(tmp_path / "w.csv")["sku"]) == ["S5", "S3"]


def test_alerts_demo_only_skus_within_the_band(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        capsys, "alerts", "--workspace", demo_workspace, "--out", tmp_path / "a.csv"
    )
    assert code == 0
    alerts = pd.read_csv(tmp_path / "a.csv", keep_default_na=False, na_values=[""])
    assert out.startswith(f"{len(alerts)} of ")
    assert len(alerts) > 0
    is_abc = alerts["nearest_boundary"].str.startswith("abc ")
    assert is_abc.any() and (~is_abc).any()
    assert (alerts.loc[is_abc, "boundary_distance"] <= 0.02).all()
    assert (alerts.loc[~is_abc, "boundary_distance"] <= 0.10).all()
    # Exactly the SKUs of classify's table whose nearest boundary is within its band.
    table = _classify(capsys, demo_workspace, tmp_path / "c.csv")
    band = np.where(table["nearest_boundary"].str.startswith("abc ", na=False), 0.02, 0.10)
    within = table.loc[table["boundary_distance"] <= band, "sku"]
    assert set(alerts["sku"]) == set(within)
    assert len(alerts) < len(table)


def test_override_shows_in_classify_escaped(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Workspace(tiny) as ws:
        decisions.set_override(ws, "S2", "CZ", "supplier exit", "ana")
        decisions.set_override(ws, "S5", "=HOLD", "quality block", "ana")
        decisions.set_override(
            ws, "S4", "AX", "old promo", "ana", expires=dt.date.today() - dt.timedelta(days=1)
        )
    code, out, _ = _run(capsys, "classify", "--workspace", tiny, "--out", tmp_path / "c.csv")
    assert code == 0
    assert "(2 overridden)" in out
    df = pd.read_csv(tmp_path / "c.csv").set_index("sku")
    assert list(df["segment"]) == ["AX", "CZ", "AX", "BX", "'=HOLD"]  # S4's has expired
    assert list(df["overridden"]) == [False, True, False, False, True]
    # The classes stay the computed ones.
    assert list(df["abc"]) == ["A", "A", "A", "B", "C"]


@pytest.mark.parametrize(
    "rules_text, message",
    [
        ("[abc\na = 0.5\n", "not valid TOML"),
        ("[abc]\nalpha = 0.5\n", "unknown key 'alpha' in [abc]"),
        ("[abc]\na = 0.99\n", "need 0 < a < b <= 1"),
    ],
)
def test_bad_rules_file_exits_2(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], rules_text: str, message: str
) -> None:
    rules = _rules_file(tmp_path, rules_text)
    for command in ("classify", "alerts"):
        code, out, err = _run(
            capsys, command, "--workspace", tiny, "--rules", rules, "--out", tmp_path / "x.csv"
        )
        assert code == 2
        assert out == ""
        assert len(err.strip().splitlines()) == 1
        assert err.startswith(f"segstudio {command}: {rules}")
        assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()


def test_other_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.duckdb"
    code, _, err = _run(capsys, "classify", "--workspace", missing, "--out", tmp_path / "c.csv")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "no such workspace" in err
    assert not missing.exists()  # not created by the attempt
    empty = tmp_path / "empty.duckdb"
    Workspace(empty).close()
    code, _, err = _run(capsys, "alerts", "--workspace", empty, "--out", tmp_path / "a.csv")
    assert code == 2 and err.strip() == "segstudio alerts: no sales loaded: load a sales file first"
    code, _, err = _run(
        capsys,
        "classify",
        "--workspace",
        empty,
        "--rules",
        tmp_path / "none.toml",
        "--out",
        tmp_path / "c.csv",
    )
    assert code == 2 and "rules file not found" in err


def test_errors_in_a_real_process_have_no_traceback(tmp_path: Path) -> None:
    rules = _rules_file(tmp_path, "[abc]\nalpha = 0.5\n")
    for argv in (
        [
            "classify",
            "--workspace",
            str(tmp_path / "nope.duckdb"),
            "--out",
            str(tmp_path / "c.csv"),
        ],
        [
            "alerts",
            "--workspace",
            str(tmp_path / "nope.duckdb"),
            "--rules",
            str(rules),
            "--out",
            str(tmp_path / "a.csv"),
        ],
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
        assert done.stderr.startswith(f"segstudio {argv[0]}: ")
