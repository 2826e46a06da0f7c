"""The lifecycle's day counts (features/classes.days_since): the integer arithmetic on the
feature table's datetime columns gives what pandas' timedelta ``days`` gives, whatever the unit,
the time of day and the missing dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from segstudio.features.classes import days_since


def _reference(dates: pd.Series, last_day: dt.date) -> np.ndarray:
    d = pd.to_datetime(pd.Series(dates))
    return (pd.Timestamp(last_day) - d).dt.days.to_numpy(dtype=float, na_value=np.nan)


_moments = st.lists(
    st.one_of(
        st.none(),
        st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31)),
    ),
    max_size=40,
)


@given(
    _moments,
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)),
    st.sampled_from(["s", "ms", "us", "ns"]),
    st.booleans(),
)
def test_days_since_a_datetime_column_is_the_timedelta_days(
    moments: list[dt.datetime | None], last_day: dt.date, unit: str, whole_days: bool
) -> None:
    if whole_days:
        moments = [
            m.replace(hour=0, minute=0, second=0, microsecond=0) if m else m for m in moments
        ]
    series = pd.Series(pd.to_datetime(moments), dtype=f"datetime64[{unit}]")
    expected = _reference(series, last_day)
    np.testing.assert_array_equal(days_since(series, last_day), expected)
    np.testing.assert_array_equal(days_since(series.to_numpy(), last_day), expected)


def test_days_since_dates_as_objects_and_no_dates() -> None:
    dates = pd.Series([dt.date(2024, 1, 1), None, dt.date(2024, 3, 31)], dtype=object)
    np.testing.assert_array_equal(
        days_since(dates, dt.date(2024, 3, 31)), np.array([90.0, np.nan, 0.0])
    )
    none = pd.Series(pd.NaT, index=range(3))
    assert np.isnan(days_since(none, dt.date(2024, 3, 31))).all()
