"""Key lookups over a million SKU texts: one Arrow hash lookup instead of pandas' Index."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Keys", "positions"]

Keys: TypeAlias = "pd.Series | pa.ChunkedArray | pa.Array | np.ndarray"


def _strings(a: Keys) -> pa.Array | pa.ChunkedArray:
    if isinstance(a, pa.ChunkedArray | pa.Array):
        return a.cast(pa.string())
    return pa.array(np.asarray(a, dtype=object), type=pa.string())


def positions(keys: Keys, of: Keys) -> np.ndarray:
    """Each of ``of``'s positions in ``keys`` (-1 where absent; the first match): what
    ``pd.Index(keys).get_indexer(of)`` gives for unique keys, by one Arrow hash lookup."""
    found = pc.index_in(_strings(of), value_set=_strings(keys))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
