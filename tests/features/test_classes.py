"""The lifecycle's day counts (features/classes.days_since): the integer arithmetic on the
feature table's datetime columns gives what pandas' timedelta ``days`` gives, whatever the unit,
the time of day and the missing dates; and the Data page's pattern mix (features/profile)
counts and sums as the groupby it replaces."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.features.classes import days_since
from segstudio.features.profile import PATTERN_ORDER, pattern_mix


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


@settings(deadline=None)
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


def _pattern_mix_reference(features: pd.DataFrame) -> pd.DataFrame:
    total = features["revenue"].clip(lower=0).sum()
    g = features.groupby("pattern", observed=True).agg(
        skus=("sku", "size"), revenue=("revenue", lambda s: s.clip(lower=0).sum())
    )
    g = g.reindex([p for p in PATTERN_ORDER if p in g.index])
    g["revenue_share"] = g["revenue"] / total if total > 0 else 0.0
    return g.reset_index()


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*PATTERN_ORDER, None, "other"]),
            st.one_of(st.none(), st.floats(-1e6, 1e6)),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_the_pattern_mix_counts_and_sums_as_the_groupby(rows: list[tuple]) -> None:
    features = pd.DataFrame(
        {
            "sku": [f"S{i}" for i in range(len(rows))],
            "pattern": pd.Series([r[0] for r in rows], dtype=object),
            "revenue": pd.Series([r[1] for r in rows], dtype=float),
        }
    )
    got, expected = pattern_mix(features), _pattern_mix_reference(features)
    assert got["pattern"].tolist() == expected["pattern"].tolist()
    assert got["skus"].tolist() == expected["skus"].tolist()
    np.testing.assert_allclose(got["revenue"], expected["revenue"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        got["revenue_share"], expected["revenue_share"], rtol=1e-9, atol=1e-12
    )
