"""The scorecard's reads of the workspace: the service counts per SKU, and per SKU and quarter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from segstudio.perform import sql as q

if TYPE_CHECKING:
    from segstudio.features.build import Window

__all__ = ["sku_quarters", "sku_service"]


def sku_service(con: duckdb.DuckDBPyConnection, window: Window) -> pd.DataFrame:
    """Per SKU, over the window's positive sales lines: lines, ordered and shipped units, lines
    shipped complete, dated lines, lines on time and lines on time in full (one SQL pass)."""
    params = {"win_start": window.start, "win_end": window.end}
    return con.execute(q.sku_service_sql(window.period), params).fetch_arrow_table().to_pandas()


def sku_quarters(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per SKU and calendar quarter over all sales: revenue, cost of goods, units and the
    service counts of :func:`sku_service` (one SQL pass, once per load)."""
    return con.execute(q.SKU_QUARTERS).fetch_arrow_table().to_pandas()
