"""The receipts' and the inventory's per-load aggregates, cached once for every page that
shows them (Suppliers, Inventory health, QBR)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from segstudio.perform.health import HealthSettings, align_ageing, read_ageing
from segstudio.perform.suppliers import ReceiptAggregates, receipt_aggregates

from .policy_state import Context
from .state import get_workspace


@st.cache_data(max_entries=4, show_spinner="Reading the supplier receipts...")
def _receipts(path: str, version: int) -> ReceiptAggregates:
    return receipt_aggregates(get_workspace())


def receipts() -> ReceiptAggregates:
    """The receipts' SQL aggregates, once per data version (``.empty`` without receipts)."""
    ws = get_workspace()
    return _receipts(str(ws.path), ws.version())


@st.cache_data(max_entries=4, show_spinner="Ageing the inventory snapshot...")
def _ageing(path: str, version: int, edges: tuple[float, ...]) -> pd.DataFrame:
    ws = get_workspace()
    with ws.connect() as con:
        return read_ageing(con, HealthSettings(age_edges_days=edges))


@st.cache_resource(max_entries=4, show_spinner=False)
def _aligned(
    path: str,
    version: int,
    weeks: int,
    exclude: tuple[str, ...],
    edges: tuple[float, ...],
    _skus: pd.Series,
) -> pd.DataFrame:
    # The SKUs (and their order) depend on the data, the window and the exclusions only.
    return align_ageing(_ageing(path, version, edges), _skus)


def ageing(ctx: Context, edges: tuple[float, ...]) -> pd.DataFrame | None:
    """The per-SKU ageing in the portfolio's SKU order (read once per data version, aligned
    once per load; shared, read only), or None when no inventory is loaded."""
    ws = get_workspace()
    path, version = str(ws.path), ws.version()
    if _ageing(path, version, edges).empty:
        return None
    return _aligned(
        path,
        version,
        ctx.rules.weeks,
        tuple(sorted(ctx.rules.exclude)),
        edges,
        ctx.portfolio.features["sku"],
    )
