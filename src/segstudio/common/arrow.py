"""Arrow columns as numpy arrays, without a copy where the column's buffer can be read as it
is: a million SKUs' numbers read from the workspace cost no second million."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["floats"]


def floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """``column`` as floats, missing values NaN: the Arrow buffer itself (read only) when it
    is one chunk of float64 without a missing value, else a new array.

    >>> floats(pa.chunked_array([[1.0, 2.5]])).tolist(), floats(pa.array([1, None])).tolist()
    ([1.0, 2.5], [1.0, nan])
    """
    if isinstance(column, pa.ChunkedArray) and column.num_chunks == 1:
        column = column.chunk(0)
    if isinstance(column, pa.Array) and column.type == pa.float64() and column.null_count == 0:
        return column.to_numpy(zero_copy_only=True)
    return np.asarray(pc.fill_null(column.cast(pa.float64()), np.nan).to_numpy())
