"""The results the pages share across sessions (each SKU's policy, the supplier tables) equal
the fresh computation, and one session's edits never reach another's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from segstudio.perform.suppliers import sku_context, supplier_performance
from segstudio.policy.sku import compute_policies
from tests.conftest import ROOT, open_page


def _safety_stock_value(at: AppTest) -> float:
    table = next(d.value for d in at.dataframe if "safety_stock_value" in d.value.columns)
    return float(table["safety_stock_value"].sum())


def test_the_shared_policies_are_the_fresh_ones_whatever_a_caller_does(app_env: Path) -> None:
    from segstudio.ui import policy_state

    ctx = policy_state.context()
    assert ctx is not None
    table = ctx.rules.policy
    fresh = compute_policies(ctx.portfolio.features, ctx.segments, table)
    shared = policy_state.policies(ctx, table)
    pd.testing.assert_frame_equal(shared, fresh)
    # Another policy table is another result, and leaves the official one as it was.
    seg = ctx.present_segments()[0]
    edited = table.with_segment(seg, replace(table.for_segment(seg), service_target=0.6))
    other = policy_state.policies(ctx, edited)
    mine = other["segment"] == seg
    assert (other.loc[mine, "service_target"] == 0.6).all()
    assert not other["safety_stock"].equals(fresh["safety_stock"])
    # A caller replacing a column of its copy changes nobody else's.
    shared["safety_stock"] = 0.0
    pd.testing.assert_frame_equal(policy_state.policies(ctx, table), fresh)


def test_one_sessions_policy_edit_never_reaches_another_session(app_env: Path) -> None:
    first = open_page("pages/policy.py")
    before = _safety_stock_value(first)
    first.selectbox(key="pol.segment").set_value("AX").run()
    first.slider(key="pol.edit.AX.service_target").set_value(0.995).run()
    assert not first.exception, [e.value for e in first.exception]
    assert _safety_stock_value(first) > before
    second = open_page("pages/policy.py")
    assert _safety_stock_value(second) == before  # the official policy table's figures
    health = open_page("pages/health.py")  # another page, the shared official policies
    assert not health.exception, [e.value for e in health.exception]


def test_the_shared_supplier_tables_are_the_fresh_ones_for_each_setting(app_env: Path) -> None:
    from segstudio.perform.suppliers import TierRule
    from segstudio.ui import ops_state, policy_state

    ctx = policy_state.context()
    assert ctx is not None
    agg = ops_state.receipts()
    assert not agg.empty
    skus = sku_context(ctx.portfolio, ctx.segmentation)
    for otif_below in (0.9, 0.5, 0.9):
        shared, _ = ops_state.performance(ctx, TierRule(), otif_below, "lines")
        fresh = supplier_performance(agg, skus, ctx.rules, TierRule(), otif_below, "lines")
        pd.testing.assert_frame_equal(shared.suppliers, fresh.suppliers)
        pd.testing.assert_frame_equal(shared.by_segment, fresh.by_segment)
        pd.testing.assert_frame_equal(shared.dual_sourcing, fresh.dual_sourcing)
        assert shared.overall == fresh.overall


def test_the_qbr_shows_the_suppliers_pages_tables(app_env: Path) -> None:
    from segstudio.ui import ops_state, qbr_state
    from segstudio.ui.ops_settings import supplier_settings

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/suppliers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/qbr.py").run()
    assert not at.exception, [e.value for e in at.exception]
    data = qbr_state.qbr_data()
    assert data is not None and data.suppliers is not None
    ctx = qbr_state.score_context()
    assert ctx is not None
    sup = supplier_settings()  # the defaults, as in the session above
    shared, _ = ops_state.performance(ctx.ctx, sup.tiers, sup.otif_below, sup.segment_basis)
    assert data.suppliers is shared
    assert data.health_skus is not None
    assert data.health_skus is ops_state.health(ctx.ctx, _ageing(ctx.ctx), data.health_settings)


def test_the_supplier_tables_are_computed_once_for_the_suppliers_page_and_the_qbr(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segstudio.ui import ops_state

    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return supplier_performance(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ops_state, "supplier_performance", counted)
    at = open_page("pages/suppliers.py")
    at.switch_page("pages/qbr.py").run()
    assert not at.exception, [e.value for e in at.exception]
    other = open_page("pages/qbr.py")  # another session, the same settings
    assert not other.exception, [e.value for e in other.exception]
    assert len(calls) == 1


def _ageing(ctx: object) -> pd.DataFrame:
    from segstudio.perform.health import HealthSettings
    from segstudio.ui import ops_state

    ageing = ops_state.ageing(ctx, HealthSettings().age_edges_days)  # type: ignore[arg-type]
    assert ageing is not None
    return ageing


def test_the_shared_health_table_is_the_fresh_one_for_each_setting(app_env: Path) -> None:
    from dataclasses import replace as changed

    from segstudio.perform.health import HealthSettings, sku_health
    from segstudio.ui import ops_state, policy_state

    ctx = policy_state.context()
    assert ctx is not None
    ageing = _ageing(ctx)
    pol = policy_state.policies(ctx, ctx.rules.policy)
    for settings in (HealthSettings(), changed(HealthSettings(), excess_basis="cover")):
        shared = ops_state.health(ctx, ageing, settings)
        fresh = sku_health(
            ctx.portfolio.features, ctx.segments, ageing, ctx.window.last_day, settings, pol
        )
        pd.testing.assert_frame_equal(shared, fresh)
        assert ops_state.health(ctx, ageing, settings) is shared  # once per setting
