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
    """The official policy's safety stocks and expected service, and its figures (its points
    on the curves, its per-segment summary, what its stock is valued at, ...), were stored at
    the load: the first view reads them, and they are those computed afresh."""
    import pandas as pd

    from segstudio.policy.sku import compute_policies
    from segstudio.policy.tradeoff import policy_figures
    from segstudio.ui import policy_state

    assert store_after_load(Workspace(app_env)) is None
    ctx = policy_state.context()
    assert ctx is not None
    table = ctx.rules.policy
    fresh = compute_policies(ctx.portfolio.features, ctx.segments, table)
    expected = policy_figures(fresh)
    monkeypatch.setattr("segstudio.ui.policy_state.policy_figures", _fail)
    monkeypatch.setattr("segstudio.policy.sku.levels", _fail)
    pd.testing.assert_frame_equal(policy_state.policies(ctx, table), fresh)
    figures = policy_state.figures(ctx, table, fresh)
    pd.testing.assert_frame_equal(figures.today, expected.today)
    pd.testing.assert_frame_equal(figures.by_segment, expected.by_segment)
    assert (figures.unvalued, figures.unmeasured_mix) == (
        expected.unvalued,
        expected.unmeasured_mix,
    )
    assert (figures.models, figures.valued) == (expected.models, expected.valued)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/policy.py").run()
    assert not at.exception, [e.value for e in at.exception]


def _shown(at: AppTest) -> tuple[dict[str, str], list[object]]:
    """What a page shows in figures: its metrics (label: value, with their help) and its
    tables."""
    metrics = {m.label: f"{m.value} | {m.proto.help}" for m in at.metric}
    return metrics, [d.value for d in at.dataframe]


def _visit(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("page", ["pages/health.py", "pages/policy.py"])
def test_a_first_view_from_the_store_shows_the_figures_computed_afresh(
    app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """The same page on the same data, once on a workspace whose load stored its tables and
    once on a copy without the page's own (its ageing in the portfolio's order, the policy's
    figures; the copy keeps the SQL results they are made of, whose sums the query may add in
    another order): the same metrics and the same tables, to the last digit."""
    import shutil

    import pandas as pd

    assert store_after_load(Workspace(app_env)) is None
    plain = tmp_path / "plain" / "workspace.duckdb"
    plain.parent.mkdir()
    shutil.copy(app_env, plain)
    with Workspace(plain) as ws:
        ws.con.execute(
            "DELETE FROM stored_results WHERE name IN ('health_ageing', 'policy_figures')"
        )
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(plain))
    computed = _shown(_visit(page))
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(app_env))
    # The stored ageing is in the portfolio's order: neither read nor aligned on the way.
    monkeypatch.setattr("segstudio.ui.ops_state.align_ageing", _fail)
    monkeypatch.setattr("segstudio.ui.ops_state.read_ageing_table", _fail)
    monkeypatch.setattr("segstudio.ui.policy_state.policy_figures", _fail)
    stored = _shown(_visit(page))
    assert stored[0] == computed[0] and len(computed[0]) >= 4
    assert len(stored[1]) == len(computed[1]) >= 2
    for a, b in zip(stored[1], computed[1], strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def _same_suppliers(a: object, b: object) -> None:
    import pandas as pd

    from segstudio.perform.suppliers import SupplierPerformance

    assert isinstance(a, SupplierPerformance) and isinstance(b, SupplierPerformance)
    for name in ("suppliers", "by_segment", "trend", "dual_sourcing"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.overall == b.overall
    assert a.notes == b.notes


def test_the_stored_supplier_tables_are_those_computed_afresh(app_env: Path) -> None:
    """The load stores the official segmentation's supplier tables under the default
    settings; they equal the fresh computation, and other settings are not read from it."""
    from segstudio.perform import io as perform_io
    from segstudio.perform.suppliers import (
        DEFAULT_OTIF_BELOW,
        DEFAULT_SEGMENT_BASIS,
        TierRule,
        receipt_aggregates,
        sku_context,
        supplier_performance,
    )
    from segstudio.segment.decisions import segment_skus

    ws = Workspace(app_env)
    assert store_after_load(ws) is None
    portfolio, seg = segment_skus(ws)
    fresh = supplier_performance(receipt_aggregates(ws), sku_context(portfolio, seg), seg.rules)
    key = perform_io.suppliers_key(seg, TierRule(), DEFAULT_OTIF_BELOW, DEFAULT_SEGMENT_BASIS)
    stored = perform_io.stored_suppliers(ws, key)
    _same_suppliers(stored, fresh)
    assert len(fresh.suppliers) and len(fresh.by_segment)
    other = perform_io.suppliers_key(seg, TierRule(), 0.5, DEFAULT_SEGMENT_BASIS)
    assert perform_io.stored_suppliers(ws, other) is None
    moved = seg.rules.with_(leadtime_cov=seg.rules.leadtime_cov + 0.1)
    _, moved_seg = segment_skus(ws, moved)
    key = perform_io.suppliers_key(moved_seg, TierRule(), DEFAULT_OTIF_BELOW, DEFAULT_SEGMENT_BASIS)
    assert perform_io.stored_suppliers(ws, key) is None


def test_the_stored_scorecard_is_the_one_computed_afresh(app_env: Path) -> None:
    import pandas as pd

    from segstudio.features.build import FeatureSettings, analysis_window
    from segstudio.perform import io as perform_io
    from segstudio.perform import kpis
    from segstudio.perform.root_causes import root_causes
    from segstudio.policy.sku import compute_policies
    from segstudio.segment.decisions import segment_skus

    ws = Workspace(app_env)
    assert store_after_load(ws) is None
    portfolio, seg = segment_skus(ws)
    with ws.connect() as con:
        window = analysis_window(con, FeatureSettings(weeks=seg.rules.weeks))
        service = perform_io.sku_service(con, window)
    policy = seg.rules.policy
    pol = compute_policies(portfolio.features, seg.segment, seg.rules.policy)
    fresh, base = kpis.build_scorecard(
        portfolio.features,
        seg.segment,
        service,
        policy,
        seg.rules.kpi,
        pol,
        window,
        ws.stored_columns("sales"),
        seg.present_labels(),
    )
    key = perform_io.scorecard_key(seg.codes, seg.labels, seg.rules, window.period)
    stored = perform_io.stored_scorecard(ws, key, fresh.columns)
    assert stored is not None
    sc, (summary, skus) = stored
    for name in ("long", "values", "totals", "service"):
        pd.testing.assert_frame_equal(getattr(sc, name), getattr(fresh, name))
    assert sc.valued == fresh.valued
    assert sc.counts() == fresh.counts()
    causes = root_causes(
        base, portfolio.features, pol, fresh, seg.rules.xyz_y, seg.rules.leadtime_cov
    )
    assert not fresh.misses().empty and len(causes[1])  # the demo has misses to explain
    pd.testing.assert_frame_equal(summary, causes[0])
    pd.testing.assert_frame_equal(skus, causes[1])
    targets = seg.rules.kpi.with_target("default", "otif", 0.5)
    other = perform_io.scorecard_key(
        seg.codes, seg.labels, seg.rules.with_(kpi=targets), window.period
    )
    assert perform_io.stored_scorecard(ws, other, fresh.columns) is None


def test_the_suppliers_and_scorecards_first_views_read_the_store(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the supplier tables nor the scorecard, its per-SKU base or its root causes are
    computed on the first views, nor the receipts' aggregates read (the QBR too)."""
    assert store_after_load(Workspace(app_env)) is None
    for name in ("supplier_performance", "receipt_aggregates"):
        monkeypatch.setattr(f"segstudio.ui.ops_state.{name}", _fail)
    monkeypatch.setattr("segstudio.ui.scorecard_state.kpis.build_scorecard", _fail)
    monkeypatch.setattr("segstudio.ui.scorecard_state.root_causes.root_causes", _fail)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    for page in ("suppliers", "scorecard", "qbr"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.get("plotly_chart"), page  # the page's charts were drawn


def _data_page_shown(at: AppTest) -> dict[str, object]:
    """What the Data page shows as text: the metrics, the captions and the charts."""
    return {
        "metrics": [(m.label, m.value) for m in at.metric],
        "captions": [c.value for c in at.caption],
        "charts": [c.proto.spec for c in at.get("plotly_chart")],
    }


def test_the_data_pages_first_view_reads_the_store_and_shows_the_same(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the load's store step the Data page (and its sidebar) neither reads the feature
    table nor segments it, and shows exactly what it showed when it computed them."""
    import pandas as pd

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    computed, computed_table = _data_page_shown(at), at.dataframe[0].value
    assert ("Boundary alerts", "0") not in computed["metrics"]  # the demo has alerts
    assert any(label == "Boundary alerts" for label, _ in computed["metrics"])
    assert store_after_load(Workspace(app_env)) is None
    monkeypatch.setattr("segstudio.ui.state.compute_features", _fail)
    monkeypatch.setattr("segstudio.ui.seg_state.classify", _fail)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _data_page_shown(at) == computed
    # The stored table is the query's output (a standard deviation may differ in its last bit).
    pd.testing.assert_frame_equal(at.dataframe[0].value, computed_table)


def test_the_data_pages_table_is_read_a_page_at_a_time_and_downloads_whole(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import pandas as pd

    from segstudio.features.build import FeatureSettings, compute_features

    assert store_after_load(Workspace(app_env)) is None
    with Workspace(app_env) as ws:
        whole, _ = compute_features(ws.con, FeatureSettings())
    monkeypatch.setattr("segstudio.ui.tables.MAX_ROWS_SHOWN", 100)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    pager = at.number_input(key="data.features.page")
    assert pager.max == -(-len(whole) // 100)
    pager.set_value(2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["sku"].tolist() == whole["sku"].iloc[100:200].tolist()
    assert any(f"Rows 101 to 200 of {len(whole):,}" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Prepare: Download the feature table (CSV)").click()
    at.run()
    prepared = at.session_state["data.features.csv.prepared"]
    table = pd.read_csv(io.BytesIO(prepared[1]), encoding="utf-8-sig")
    assert table["sku"].astype(str).tolist() == whole["sku"].astype(str).tolist()
