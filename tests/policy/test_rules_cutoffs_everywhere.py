"""The rules' demand-pattern and lifecycle cut-offs are the only ones: the feature table, the
segmentation, the policy's demand model and the root causes all follow the same rules file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segstudio.cli import main
from segstudio.config.rules import Rules, from_toml
from segstudio.features.build import FeatureSettings, compute_features
from segstudio.features.classes import ClassCuts
from segstudio.ingest.workspace import Workspace
from segstudio.policy.sku import compute_policies
from segstudio.segment.decisions import segment_skus
from tests.builders import MON, build_workspace

WEEKS = 10
# "SIX" sells 5 units in 6 of the 10 weeks: ADI = 10 / 6 = 1.67 and CV2 = 0. Under the
# default ADI cut-off (1.32) it is intermittent, planned with the gamma model; under a cut-off
# of 2.0 it is smooth, planned with the normal model.
SIX_WEEKS = (0, 1, 3, 5, 7, 9)
ADI_2 = "[pattern]\nadi = 2.0\n[window]\nweeks = 10\n"
DEFAULT_10 = "[window]\nweeks = 10\n"


def _sales() -> list[dict]:
    rows = []
    for i in range(WEEKS):
        day = MON + dt.timedelta(weeks=i)
        rows.append({"sku": "EVERY", "date": day, "quantity": 3 + i % 2, "unit_price": 4.0})
        if i in SIX_WEEKS:
            rows.append({"sku": "SIX", "date": day, "quantity": 5, "unit_price": 2.0})
    return rows


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("cutoffs"), sales=_sales())


def _row(df: pd.DataFrame, sku: str) -> pd.Series:
    return df.set_index(df["sku"].astype(str)).loc[sku]


@pytest.mark.parametrize(
    ("rules_text", "pattern", "model"),
    [
        (DEFAULT_10, "intermittent", "gamma"),
        (ADI_2, "smooth", "normal"),
    ],
)
def test_feature_table_segmentation_and_policy_agree_on_the_rules_cutoff(
    workspace: Path, rules_text: str, pattern: str, model: str
) -> None:
    rules = from_toml(rules_text)
    with Workspace(workspace) as ws:
        features, _ = compute_features(
            ws.con, FeatureSettings(weeks=WEEKS), ClassCuts.from_rules(rules)
        )
        portfolio, seg = segment_skus(ws, rules.with_(criteria=("abc", "pattern")))
    assert _row(features, "SIX")["pattern"] == pattern
    assert _row(portfolio.features, "SIX")["pattern"] == pattern
    six = int(np.flatnonzero(portfolio.sku == "SIX")[0])
    assert seg.segment[six].endswith(pattern)
    policies = compute_policies(portfolio.features, seg.segment, rules.policy)
    assert _row(policies, "SIX")["demand_model"] == model


@pytest.mark.parametrize(
    ("rules_text", "pattern", "model"),
    [
        (DEFAULT_10, "intermittent", "gamma"),
        (ADI_2, "smooth", "normal"),
    ],
)
def test_every_command_follows_the_rules_file(
    workspace: Path, tmp_path: Path, rules_text: str, pattern: str, model: str
) -> None:
    rules_file = tmp_path / "R.toml"
    rules_file.write_text(rules_text, encoding="utf-8")
    common = ["--workspace", str(workspace), "--rules", str(rules_file)]
    assert main(["features", *common, "--out", str(tmp_path / "f.csv")]) == 0
    assert main(["classify", *common, "--out", str(tmp_path / "c.csv")]) == 0
    assert main(["policy", *common, "--out", str(tmp_path / "p.csv")]) == 0
    assert _row(pd.read_csv(tmp_path / "f.csv"), "SIX")["pattern"] == pattern
    assert _row(pd.read_csv(tmp_path / "c.csv"), "SIX")["pattern"] == pattern
    assert _row(pd.read_csv(tmp_path / "p.csv"), "SIX")["demand_model"] == model


def test_lifecycle_flags_follow_the_rules(workspace: Path) -> None:
    # SIX first sold on the Monday of week 0, 69 days before the window's last day (the
    # Sunday of week 9): new under the default 13 weeks (91 days), not under 9 weeks (63 days).
    with Workspace(workspace) as ws:
        default, _ = compute_features(ws.con, FeatureSettings(weeks=WEEKS))
        ten, _ = compute_features(
            ws.con, FeatureSettings(weeks=WEEKS), ClassCuts.from_rules(Rules(lifecycle_new_weeks=9))
        )
    assert bool(_row(default, "SIX")["is_new"]) is True  # 69 days < 13 weeks
    assert bool(_row(ten, "SIX")["is_new"]) is False  # 69 days is not fewer than 63
