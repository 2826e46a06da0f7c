"""What every load stores for the commands, right after it commits: the SKU overlap of the
tables, the receipts' aggregates, the inventory's ageing under the default buckets and the
feature table under the official rules' window. :func:`segstudio.perform.io.store_after_load`
adds what the app's pages read; this part imports neither pandas nor pyarrow, so that
``segstudio load`` stays quick."""

from __future__ import annotations

import duckdb

from segstudio.errors import SegStudioError
from segstudio.features.build import FeatureSettings, store_features
from segstudio.ingest.overlap import store_overlap
from segstudio.ingest.store import store_result
from segstudio.ingest.workspace import Workspace
from segstudio.perform import sql as q
from segstudio.perform.health_settings import HealthSettings, ageing_query
from segstudio.segment.decisions import official_rules

__all__ = [
    "NOT_STORED",
    "store_base",
    "store_for_commands",
]

NOT_STORED = "the per-SKU tables were not stored ({exc}); they are computed when first needed"


def store_for_commands(ws: Workspace) -> str | None:
    """Store what the commands read (see the module); None, or one line saying why it could
    not (the load stands; what is missing is computed when first asked for). Without sales
    the feature table is left out."""
    try:
        settings = FeatureSettings(weeks=official_rules(ws).weeks)
        with ws.writing() as con:
            store_base(con, settings)
    except SegStudioError:  # no sales loaded yet: nothing more to store
        return None
    except duckdb.Error as exc:
        return NOT_STORED.format(exc=exc)
    return None


def store_base(con: duckdb.DuckDBPyConnection, settings: FeatureSettings) -> None:
    """The stores of :func:`store_for_commands` on an open write; raises SegStudioError
    (after the rest is stored) when there are no sales."""
    store_overlap(con)  # the banner every page checks
    for name, sql in q.RECEIPT_QUERIES.items():
        store_result(con, name, sql)
    store_result(con, "inventory_ageing", *ageing_query(HealthSettings()))
    store_features(con, settings)  # raises SegStudioError without sales
