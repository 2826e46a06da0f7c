"""Arrow columns as numpy (common.arrow): the buffer itself where it can be read as it is (and
then read only), a new array with NaN for the missing values otherwise."""

from __future__ import annotations

import doctest

import numpy as np
import pyarrow as pa
import pytest

from segstudio.common import arrow
from segstudio.common.arrow import floats


def test_a_complete_float_column_is_read_without_a_copy_and_refuses_writes() -> None:
    column = pa.chunked_array([pa.array([1.5, -2.0, 0.0])])
    out = floats(column)
    assert out.tolist() == [1.5, -2.0, 0.0]
    assert out.ctypes.data == column.chunk(0).buffers()[1].address  # the Arrow buffer itself
    with pytest.raises(ValueError):
        out[0] = 9.0


@pytest.mark.parametrize(
    "column, expected",
    [
        (pa.chunked_array([[1.0, None, 3.0]]), [1.0, np.nan, 3.0]),  # missing: NaN
        (pa.chunked_array([[1, 2], [3]]), [1.0, 2.0, 3.0]),  # integers in two chunks
        (pa.array([None], type=pa.float64()), [np.nan]),
        (pa.chunked_array([], type=pa.float64()), []),
    ],
)
def test_other_columns_are_converted_to_floats(
    column: pa.ChunkedArray | pa.Array, expected: list[float]
) -> None:
    out = floats(column)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.array(expected, dtype=float))


def test_the_docstring_example_runs() -> None:
    result = doctest.testmod(arrow, verbose=False, report=True)
    assert result.failed == 0 and result.attempted >= 1
