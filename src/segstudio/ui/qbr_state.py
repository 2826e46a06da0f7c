"""State of the QBR page: the review's data from what the other pages cache, so the review
shows the figures of the Segmentation sliders, the policy table and the KPI targets."""

from __future__ import annotations

import hashlib

from segstudio.config.rules import to_toml
from segstudio.report.qbr import QbrData, attach_operations

from . import ops_state
from .ops_settings import health_settings, supplier_settings
from .policy_state import curve_table
from .scorecard_state import score_context, trend_table
from .state import get_workspace


def qbr_data() -> QbrData | None:
    """The review under the session's rules, or None when no sales are loaded."""
    s = score_context()
    if s is None:
        return None
    ctx = s.ctx
    data = QbrData(
        ctx.portfolio,
        ctx.window,
        ctx.segmentation,
        ctx.rules,
        s.policies,
        s.scorecard,
        s.base_of,  # the per-SKU base only when the workbook is made
        curve_table(ctx, ctx.rules.policy),
        trend_table(ctx, s.columns),
        health_settings=health_settings(),  # as set on the Inventory health page
    )
    ageing = ops_state.ageing(ctx, data.health_settings.age_edges_days)
    sup = supplier_settings()  # as set on the Suppliers page
    shared = None
    if ops_state.has_receipts():  # the Suppliers page's tables, computed once for both
        shared, _ = ops_state.performance(ctx, sup.tiers, sup.otif_below, sup.segment_basis)
    return attach_operations(
        data,
        None,
        ageing,
        get_workspace().stored_columns("inventory"),
        tiers=sup.tiers,
        otif_below=sup.otif_below,
        segment_basis=sup.segment_basis,
        performance=shared,
        health_skus=None  # the Inventory health page's table, computed once for both
        if ageing is None
        else ops_state.health(ctx, ageing, data.health_settings),
    )


def qbr_signature(data: QbrData) -> str:
    """What the pack depends on: the segments, the rules (policy and KPI targets), the
    Suppliers and Inventory health settings, the data."""
    h = hashlib.blake2b(data.segmentation.codes.tobytes(), digest_size=16)
    h.update(repr((data.health_settings, supplier_settings())).encode())
    h.update("\x1f".join(data.segmentation.labels).encode())
    h.update(to_toml(data.rules).encode())
    h.update(str(get_workspace().version()).encode())
    return h.hexdigest()
