"""The receipts' and the inventory's per-load aggregates, cached once for every page that
shows them (Suppliers, Inventory health, QBR), and the supplier tables they make."""

from __future__ import annotations

import hashlib

import pandas as pd
import pyarrow as pa
import streamlit as st

from segstudio.perform import io as perform_io
from segstudio.perform.health import HealthSettings, align_ageing, read_ageing_table, sku_health
from segstudio.perform.suppliers import (
    ReceiptAggregates,
    SupplierPerformance,
    TierRule,
    receipt_aggregates,
    receipt_lines,
    sku_context,
    supplier_performance,
)

from .policy_state import Context, policies, signature
from .state import get_workspace


# A resource, not data: a million pairs are read once and shared, not copied for each caller
# (every reader only reads them).
@st.cache_resource(max_entries=4, show_spinner="Reading the supplier receipts...")
def _receipts(path: str, version: int) -> ReceiptAggregates:
    return receipt_aggregates(get_workspace())


@st.cache_data(max_entries=4, show_spinner=False)
def _lines(path: str, version: int) -> int:
    return receipt_lines(get_workspace())


def has_receipts() -> bool:
    """Whether receipts are loaded (one count per data version; the aggregates are read only
    when a table must be computed)."""
    ws = get_workspace()
    return _lines(str(ws.path), ws.version()) > 0


def receipts() -> ReceiptAggregates:
    """The receipts' SQL aggregates, once per data version (``.empty`` without receipts;
    shared, read only)."""
    ws = get_workspace()
    return _receipts(str(ws.path), ws.version())


# A resource: a million rows are read once and shared (read only), not unpickled per call.
@st.cache_resource(max_entries=4, show_spinner="Ageing the inventory snapshot...")
def _ageing(path: str, version: int, edges: tuple[float, ...]) -> pa.Table:
    ws = get_workspace()
    with ws.connect() as con:
        return read_ageing_table(con, HealthSettings(age_edges_days=edges))


@st.cache_resource(max_entries=4, show_spinner=False)
def _aligned(
    path: str,
    version: int,
    weeks: int,
    exclude: tuple[str, ...],
    edges: tuple[float, ...],
    _skus: pd.Series,
) -> pd.DataFrame | None:
    # The SKUs (and their order) depend on the data, the window and the exclusions only; the
    # official portfolio's under the default buckets were stored at the load.
    settings = HealthSettings(age_edges_days=edges)
    key = perform_io.ageing_key(settings, weeks, exclude)
    stored = perform_io.stored_ageing(get_workspace(), key, _skus)
    if stored is not None:
        return stored
    table = _ageing(path, version, edges)
    return None if table.num_rows == 0 else align_ageing(table, _skus)


def ageing(ctx: Context, edges: tuple[float, ...]) -> pd.DataFrame | None:
    """The per-SKU ageing in the portfolio's SKU order (read from the load's store, or read
    once per data version and aligned once per load; shared, read only), or None when no
    inventory is loaded."""
    ws = get_workspace()
    return _aligned(
        str(ws.path),
        ws.version(),
        ctx.rules.weeks,
        tuple(sorted(ctx.rules.exclude)),
        edges,
        ctx.portfolio.features["sku"],
    )


@st.cache_resource(max_entries=4, show_spinner="Checking the stock's health...")
def _health(
    path: str,
    sig: str,
    settings: str,
    _settings: HealthSettings,
    _ctx: Context,
    _ageing: pd.DataFrame,
    _policies: pd.DataFrame | None,
) -> pd.DataFrame:
    # ``sig`` names the data version, the segments, the rules and the policy table;
    # ``settings`` the health settings (the ageing's buckets among them).
    return sku_health(
        _ctx.portfolio.features,
        _ctx.segments,
        _ageing,
        _ctx.window.last_day,
        _settings,
        _policies,
        unit_values=(_ctx.inputs.unit_cost, _ctx.inputs.valued_at),  # once per load
    )


def health(ctx: Context, ageing: pd.DataFrame, settings: HealthSettings) -> pd.DataFrame:
    """Each SKU's health (:func:`sku_health`) under these segments and ``settings``, with
    ``ageing`` (:func:`ageing` under the settings' buckets) and, for the order-up-to excess
    basis, the rules' policies: computed once per data version, segmentation, rules and
    settings, and shared by the Inventory health and QBR pages of every session (read only)."""
    ws = get_workspace()
    table = ctx.rules.policy
    pol = policies(ctx, table) if settings.excess_basis == "order_up_to" else None
    sig = signature(ctx, table)
    return _health(str(ws.path), sig, repr(settings), settings, ctx, ageing, pol)


@st.cache_resource(max_entries=4, show_spinner="Scoring the suppliers...")
def _performance(
    path: str,
    sig: str,
    _ctx: Context | None,
    _tiers: TierRule,
    _otif_below: float,
    _basis: str,
) -> SupplierPerformance:
    # ``sig`` names the data version, the segments, the rules and the settings; the official
    # segmentation's tables under the default settings were stored at the load.
    if _ctx is not None:
        key = perform_io.suppliers_key(_ctx.segmentation, _tiers, _otif_below, _basis)
        stored = perform_io.stored_suppliers(get_workspace(), key)
        if stored is not None:
            return stored
    skus = None if _ctx is None else sku_context(_ctx.portfolio, _ctx.segmentation)
    rules = None if _ctx is None else _ctx.rules
    return supplier_performance(receipts(), skus, rules, _tiers, _otif_below, _basis)


def performance(
    ctx: Context | None,
    tiers: TierRule,
    otif_below: float,
    basis: str,
) -> tuple[SupplierPerformance, str]:
    """The supplier tables (:func:`supplier_performance`) under these segments and settings,
    with their signature (for the downloads): read from the load's store or computed once per
    data version, segmentation, rules and settings, and shared by the Suppliers and QBR pages
    of every session (read only). Only when :func:`has_receipts`."""
    ws = get_workspace()
    if ctx is None:
        h = hashlib.blake2b(str(ws.version()).encode(), digest_size=16)
    else:
        h = hashlib.blake2b(signature(ctx, ctx.rules.policy).encode(), digest_size=16)
    h.update(repr((tiers, otif_below, basis)).encode())
    sig = h.hexdigest()
    return _performance(str(ws.path), sig, ctx, tiers, otif_below, basis), sig
