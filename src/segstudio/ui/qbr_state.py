"""State of the QBR page: the review's data from what the other pages cache, so the review
shows the figures of the Segmentation sliders, the policy table and the KPI targets."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from .. import health, suppliers
from ..qbr import QbrData
from ..rules import to_toml
from .policy_state import curve_table
from .scorecard_state import quarters, score_context
from .state import get_workspace


@st.cache_data(max_entries=2, show_spinner="Reading the supplier receipts...")
def _receipts(path: str, version: int) -> suppliers.ReceiptAggregates:
    return suppliers.receipt_aggregates(get_workspace())


@st.cache_data(max_entries=2, show_spinner="Ageing the stock...")
def _ageing(path: str, version: int) -> pd.DataFrame | None:
    ws = get_workspace()
    if ws.table_counts().get("inventory", 0) == 0:
        return None
    with ws.lock:
        return health.read_ageing(ws.con, health.HealthSettings())


def qbr_data() -> QbrData | None:
    """The review under the session's rules, or None when no sales are loaded."""
    s = score_context()
    if s is None:
        return None
    ctx = s.ctx
    ws = get_workspace()
    path, version = str(ws.path), ws.version()
    data = QbrData(ctx.portfolio, ctx.window, ctx.segmentation, ctx.rules, s.policies,
                   s.scorecard, s.base, curve_table(ctx, ctx.rules.policy), quarters(ctx),
                   s.columns)
    agg = _receipts(path, version)
    if not agg.empty:
        data.suppliers = suppliers.supplier_performance(
            agg, suppliers.sku_context(ctx.portfolio, ctx.segmentation), ctx.rules)
    ageing = _ageing(path, version)
    if ageing is not None:
        data.health_skus = health.sku_health(ctx.portfolio.features, ctx.segments, ageing,
                                             ctx.window.last_day, data.health_settings,
                                             s.policies)
        data.health_note = health.ageing_note(ws.stored_columns("inventory")) or ""
    return data


def qbr_signature(data: QbrData) -> str:
    """What the pack depends on: the segments, the rules (policy and KPI targets), the data."""
    h = hashlib.blake2b(data.segmentation.codes.tobytes(), digest_size=16)
    h.update("\x1f".join(data.segmentation.labels).encode())
    h.update(to_toml(data.rules).encode())
    h.update(str(get_workspace().version()).encode())
    return h.hexdigest()
