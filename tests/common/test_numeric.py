"""Safe division (segstudio.common.numeric): the one convention for a ratio that may not
exist. NaN where the denominator is 0 or either side is missing or not finite (and, with
``positive_den``, where the denominator is negative); a float for scalars, an ndarray for
arrays, lists and Series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from segstudio.common.numeric import safe_divide

NAN = float("nan")
INF = float("inf")


def test_scalars_give_a_float() -> None:
    out = safe_divide(3, 4)
    assert out == 0.75 and type(out) is float
    assert safe_divide(np.float64(1.0), np.int64(4)) == 0.25
    assert safe_divide(-1.0, 2.0) == -0.5  # a negative denominator is a real quotient...
    assert math.isnan(safe_divide(-1.0, -2.0, positive_den=True))  # ...unless it cannot be


@pytest.mark.parametrize(
    ("num", "den"),
    [
        (1.0, 0.0),
        (0.0, 0.0),
        (-1.0, -0.0),  # zero denominators
        (NAN, 1.0),
        (1.0, NAN),
        (None, 1.0),
        (1.0, None),
        (pd.NA, 1.0),  # missing
        (INF, 1.0),
        (1.0, INF),
        (-INF, 2.0),
        (INF, INF),  # not finite
    ],
)
def test_a_quotient_that_does_not_exist_is_nan(num: object, den: object) -> None:
    assert math.isnan(safe_divide(num, den))


def test_arrays_broadcast_and_mark_each_bad_pair() -> None:
    num = np.array([1.0, 2.0, NAN, 5.0, 6.0, -3.0])
    den = np.array([2.0, 0.0, 1.0, INF, -3.0, -1.5])
    out = safe_divide(num, den)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [0.5, NAN, NAN, NAN, -2.0, 2.0])
    np.testing.assert_array_equal(
        safe_divide(num, den, positive_den=True), [0.5, NAN, NAN, NAN, NAN, NAN]
    )
    np.testing.assert_array_equal(safe_divide([2, 4, 6], 2), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(safe_divide(1.0, np.array([0.0, 4.0])), [NAN, 0.25])
    assert safe_divide(np.array([]), np.array([])).shape == (0,)


def test_series_give_an_ndarray_without_the_index() -> None:
    num = pd.Series([3.0, 1.0, 2.0], index=["a", "b", "c"])
    den = pd.Series([0, 2, 4], index=["x", "y", "z"])  # positions, not labels, pair up
    out = safe_divide(num, den)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [NAN, 0.5, 0.5])


def test_nullable_series_missing_values_are_nan() -> None:
    num = pd.Series([1.0, None, 4.0], dtype="Float64")
    den = pd.Series([2, 1, None], dtype="Int64")
    np.testing.assert_array_equal(safe_divide(num, den), [0.5, NAN, NAN])


def test_an_overflowing_quotient_of_finite_numbers_is_inf_without_a_warning() -> None:
    # pytest turns warnings into errors: a RuntimeWarning here would fail the test.
    assert safe_divide(1e308, 1e-10) == INF
    np.testing.assert_array_equal(safe_divide(np.array([-1e308]), 1e-10), [-INF])


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite, finite.filter(lambda d: d != 0))
def test_where_the_denominator_is_nonzero_and_both_are_finite_it_is_the_quotient(
    num: float, den: float
) -> None:
    assert safe_divide(num, den) == num / den


@given(hnp.arrays(np.float64, st.integers(0, 30)), st.data())
def test_arrays_equal_the_quotient_where_defined_and_nan_elsewhere(
    num: np.ndarray, data: st.DataObject
) -> None:
    den = data.draw(hnp.arrays(np.float64, num.shape))
    out = safe_divide(num, den)
    ok = np.isfinite(num) & np.isfinite(den) & (den != 0)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(out[ok], num[ok] / den[ok])
    assert np.isnan(out[~ok]).all()
