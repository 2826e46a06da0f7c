"""How far the loaded tables describe the same products: the share of the sales lines' SKUs
that the inventory snapshot, the supplier receipts and the product master hold.

Tables from different sources (the demo's inventory beside a user's sales, two ERP extracts
with different SKU codes) can each load cleanly and still share almost no SKU: every figure
that joins them (days of supply, turns, lead times, the policy's stock values) is then
computed on nothing. A load warns, and every page says so, when the share is below
:data:`MIN_SKU_OVERLAP`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from segstudio.common import fmt
from segstudio.common.sql import ident, one_row
from segstudio.ingest import sql as q
from segstudio.ingest.schema import TABLES
from segstudio.ingest.store import read_or_query, store_result

__all__ = ["MIN_SKU_OVERLAP", "SkuOverlap", "overlap_warnings", "read_overlap", "store_overlap"]

MIN_SKU_OVERLAP = 0.5  # below this share of the sales SKUs found in a table, warn
_CHECKED = ("inventory", "suppliers", "products")


@dataclass(frozen=True)
class SkuOverlap:
    """``found`` of the ``sales_skus`` distinct sales SKUs are in the table of ``file_key``."""

    file_key: str
    sales_skus: int
    found: int

    @property
    def share(self) -> float:
        return self.found / self.sales_skus if self.sales_skus else 1.0

    @property
    def low(self) -> bool:
        return self.share < MIN_SKU_OVERLAP

    def message(self) -> str:
        label = TABLES[self.file_key].label.lower()
        return (
            f"{fmt.count(self.found)} of {fmt.count(self.sales_skus)} sales SKUs are in the "
            f"{label} ({fmt.share(self.share, 0)}): figures that join the two are computed "
            "on the SKUs they share only. Are they from the same system?"
        )


_STORED = "sku_overlap"  # the stored result's name (ingest/store.py)


def _query(con: duckdb.DuckDBPyConnection) -> tuple[list[str], str] | None:
    """The other tables that have rows and the query of their overlap (None: no such table)."""
    loaded = [
        k for k in _CHECKED if one_row(con, f"SELECT count(*) > 0 FROM {ident(TABLES[k].name)}")[0]
    ]
    return (loaded, q.sku_overlap([TABLES[k] for k in loaded])) if loaded else None


def read_overlap(con: duckdb.DuckDBPyConnection) -> list[SkuOverlap]:
    """The overlap of the sales SKUs with each other loaded table that has rows (none when
    no sales are loaded): stored at the load (:func:`store_overlap`), else a scan of the sales."""
    query = _query(con)
    if query is None:
        return []
    loaded, sql = query
    row = next(iter(read_or_query(con, _STORED, sql).to_pylist()), None)
    if row is None:
        return []
    sales, *found = row.values()
    if not sales:
        return []
    return [SkuOverlap(k, int(sales), int(n)) for k, n in zip(loaded, found, strict=True)]


def store_overlap(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the overlap of the current data (right after a load, on a connection that may
    write), so that no page's first view scans the sales lines for it."""
    query = _query(con)
    if query is not None:
        store_result(con, _STORED, query[1])


def overlap_warnings(overlaps: list[SkuOverlap]) -> list[str]:
    """One line per table that holds too few of the sales SKUs."""
    return [o.message() for o in overlaps if o.low]
