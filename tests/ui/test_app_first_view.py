"""The first views read what the load stored: on a workspace whose load stored its tables,
the Policy page's first view shows the official segmentation's trade-off curves, and the
Scorecard's its quarterly trend, without computing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from segstudio.ingest.workspace import Workspace
from segstudio.perform.io import store_after_load
from tests.conftest import ROOT


def _fail(*args: object, **kwargs: object) -> None:
    raise AssertionError("computed on the first view instead of read from the store")


def test_the_policy_pages_first_view_reads_the_stored_curves(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store_after_load(Workspace(app_env)) is None
    monkeypatch.setattr("segstudio.ui.policy_state.curves", _fail)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/policy.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("per segment" in c.proto.spec for c in at.get("plotly_chart"))


def test_the_scorecards_first_view_reads_the_stored_trend(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The official segmentation's quarterly trend is read, not summed: the quarterly table is
    never coded on the first view."""
    assert store_after_load(Workspace(app_env)) is None
    monkeypatch.setattr("segstudio.ui.scorecard_state.quarters", _fail)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/scorecard.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("by quarter" in c.proto.spec for c in at.get("plotly_chart"))


def test_one_callers_classes_never_change_the_shared_feature_table(app_env: Path) -> None:
    """The pages share one feature frame per data version; each caller gets its own columns
    for the classes, so other cut-offs in one session leave another's classes as they were."""
    from segstudio.config.rules import Rules
    from segstudio.features.build import FeatureSettings, compute_features
    from segstudio.ui import state

    with Workspace(app_env) as ws:
        expected, _ = compute_features(ws.con, FeatureSettings())
    other = state.get_features(Rules(pattern_adi=5.0, pattern_cv2=5.0))
    assert other is not None
    assert (other[0]["pattern"] != expected["pattern"]).any()  # the other cut-offs do differ
    mine = state.get_features(Rules())
    assert mine is not None
    assert mine[0]["pattern"].tolist() == expected["pattern"].tolist()
    assert mine[0]["is_new"].tolist() == expected["is_new"].tolist()
    assert (other[0]["pattern"] != expected["pattern"]).any()  # and the other keeps its own


def test_the_policies_first_computed_read_the_stored_service_levels(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The official policy's safety stocks and expected service, its points on the curves and
    its per-segment summary were stored at the load: the first view reads them, and they are
    those computed afresh."""
    import pandas as pd

    from segstudio.policy.sku import compute_policies
    from segstudio.policy.tradeoff import summary_as_measured, today_points
    from segstudio.ui import policy_state

    assert store_after_load(Workspace(app_env)) is None
    ctx = policy_state.context()
    assert ctx is not None
    table = ctx.rules.policy
    fresh = compute_policies(ctx.portfolio.features, ctx.segments, table)
    today, summary = today_points(fresh), summary_as_measured(fresh)
    for name in ("today_points", "summary_as_measured"):
        monkeypatch.setattr(f"segstudio.ui.policy_state.{name}", _fail)
    monkeypatch.setattr("segstudio.policy.sku.levels", _fail)
    pd.testing.assert_frame_equal(policy_state.policies(ctx, table), fresh)
    figures = policy_state.figures(ctx, table, fresh)
    pd.testing.assert_frame_equal(figures.today, today)
    pd.testing.assert_frame_equal(figures.by_segment, summary)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/policy.py").run()
    assert not at.exception, [e.value for e in at.exception]
