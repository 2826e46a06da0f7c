"""The per-SKU policy parameters as an ERP takes them."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ERP_COLUMNS", "erp_table"]

ERP_COLUMNS = [
    "sku",
    "segment",
    "strategy",
    "demand_model",
    "service_type",
    "service_target",
    "safety_stock",
    "reorder_point",
    "order_quantity",
    "order_up_to",
    "review_period_days",
    "expected_fill_rate",
]
_DECIMALS = 4


def erp_table(
    policies: pd.DataFrame,
    full: bool = False,
    whole_units: bool = False,
) -> pd.DataFrame:
    """The per-SKU parameters for an ERP upload (:data:`ERP_COLUMNS` first; with ``full`` every
    column of :data:`POLICY_COLUMNS`). ``whole_units`` rounds stock levels and order quantities
    up to whole units, as most ERPs want them."""
    cols = ERP_COLUMNS + ([c for c in policies.columns if c not in ERP_COLUMNS] if full else [])
    out = policies[cols].copy()
    if whole_units:
        for c in ("safety_stock", "reorder_point", "order_quantity", "order_up_to"):
            out[c] = np.ceil(out[c].round(6)).astype("int64")
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(_DECIMALS)
    return out
