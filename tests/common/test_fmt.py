"""How figures read (segstudio.common.fmt): one formatter per kind, the expected texts written
out by hand, "n/a" for whatever cannot be shown, and never a negative zero."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segstudio.common import fmt

NAN = float("nan")
INF = float("inf")


@pytest.mark.parametrize(
    ("args", "kwargs", "text"),
    [
        ((0.971,), {}, "97.1%"),
        ((0.97,), {}, "97.0%"),
        ((1.0,), {}, "100.0%"),
        ((0.0,), {}, "0.0%"),
        ((-0.25,), {}, "-25.0%"),
        ((0.5, 0), {}, "50%"),
        ((0.1234, 2), {}, "12.34%"),
        ((-0.0004,), {}, "0.0%"),  # rounds to zero: no sign
        ((0.004, 0), {}, "0%"),
        ((0.004, 0), {"mark_tiny": True}, "<1%"),  # positive but too small to show
        ((0.0004,), {"mark_tiny": True}, "<0.1%"),
        ((0.0, 0), {"mark_tiny": True}, "0%"),  # nothing is not "a little"
        ((0.006, 0), {"mark_tiny": True}, "1%"),
    ],
)
def test_share(args: tuple, kwargs: dict, text: str) -> None:
    assert fmt.share(*args, **kwargs) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_234_567.8, "1,234,568"),
        (100, "100"),
        (100.4, "100"),
        (99.5, "99.50"),
        (12.5, "12.50"),
        (0, "0.00"),
        (-0.004, "0.00"),
        (-1_500.4, "-1,500"),
        (99.999, "100"),
    ],
)
def test_money_shows_cents_below_100_only(value: float, text: str) -> None:
    assert fmt.money(value) == text


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((1234,), "1,234"),
        ((0,), "0"),
        ((np.int64(12),), "12"),
        ((34.6,), "35"),
        ((-0.3,), "0"),
        ((10**20,), "100,000,000,000,000,000,000"),  # exact, not through a float
        ((1, "SKU"), "1 SKU"),
        ((2, "SKU"), "2 SKUs"),
        ((0, "SKU"), "0 SKUs"),
        ((1_234_567, "row"), "1,234,567 rows"),
        ((3, "child", "children"), "3 children"),
        ((1.2, "day"), "1 day"),  # the noun agrees with the number shown
    ],
)
def test_count(args: tuple, text: str) -> None:
    assert fmt.count(*args) == text


def test_days_ratio_fixed() -> None:
    assert fmt.days(88.4) == "88 d"
    assert fmt.days(1234.6) == "1,235 d"
    assert fmt.days(-0.4) == "0 d"
    assert fmt.days(12.26, 1, suffix="") == "12.3"
    assert fmt.ratio(4.2) == "4.20x"
    assert fmt.ratio(2.5, 1) == "2.5x"
    assert fmt.ratio(1234.5) == "1,234.50x"
    assert fmt.ratio(-0.004) == "0.00x"
    assert fmt.fixed(1234.5, 1) == "1,234.5"
    assert fmt.fixed(0.534, 2) == "0.53"
    assert fmt.fixed(-0.001, 2) == "0.00"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_234_567, "1,234,567"),
        (1234.56789, "1,234.568"),
        (2.5, "2.5"),
        (3.0, "3"),
        (0.012345, "0.0123"),
        (0.5, "0.5"),
        (1e-5, "1.00e-05"),
        (0.0, "0"),
        (-0.0, "0"),
        (-1234.5, "-1,234.5"),
    ],
)
def test_number_as_in_a_table_cell(value: float, text: str) -> None:
    assert fmt.number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (90.0, "90"),
        (0.5, "0.5"),
        (1.32, "1.32"),
        (1000, "1000"),
        (-0.0, "0"),
        (365.5, "365.5"),
    ],
)
def test_plain_is_a_setting_as_typed(value: float, text: str) -> None:
    assert fmt.plain(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.date(2024, 1, 31), "2024-01-31"),
        (dt.datetime(2024, 1, 31), "2024-01-31"),
        (pd.Timestamp("2024-01-31"), "2024-01-31"),
        (np.datetime64("2024-01-31"), "2024-01-31"),
        (dt.datetime(2024, 1, 31, 14, 5, 9), "2024-01-31 14:05"),
    ],
)
def test_date(value: object, text: str) -> None:
    assert fmt.date(value) == text


FIGURES = [fmt.share, fmt.money, fmt.count, fmt.days, fmt.ratio, fmt.fixed, fmt.number, fmt.plain]


@pytest.mark.parametrize("formatter", FIGURES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("value", [None, NAN, INF, -INF, pd.NA, np.float64("nan")], ids=repr)
def test_what_cannot_be_shown_is_n_a(formatter, value: object) -> None:
    assert formatter(value) == fmt.MISSING == "n/a"


def test_n_a_cases_of_the_others() -> None:
    assert fmt.count(None, "SKU") == "n/a"  # not "n/a SKUs"
    assert fmt.share(NAN, 0, mark_tiny=True) == "n/a"
    for missing in (None, pd.NaT, np.datetime64("NaT")):
        assert fmt.date(missing) == "n/a"


@pytest.mark.parametrize("formatter", FIGURES, ids=lambda f: f.__name__)
def test_text_is_not_a_figure(formatter) -> None:
    with pytest.raises(TypeError):
        formatter("12")


def test_each_gives_an_object_array_to_build_texts_with() -> None:
    texts = fmt.each(fmt.share, np.array([0.1, NAN]), 0)
    assert texts.dtype == object and texts.tolist() == ["10%", "n/a"]
    assert ("in " + fmt.each(fmt.count, [3.0, 1_500.0]) + " weeks").tolist() == [
        "in 3 weeks",
        "in 1,500 weeks",
    ]
    assert fmt.each(fmt.ratio, []).shape == (0,)


# --------------------------------------------------------------------------- properties
finite = st.floats(allow_nan=False, allow_infinity=False)
decimals = st.integers(0, 3)


def _all_texts(x: float, d: int) -> list[str]:
    return [
        fmt.share(x, d),
        fmt.share(x, d, mark_tiny=True),
        fmt.money(x),
        fmt.count(x),
        fmt.days(x, d),
        fmt.ratio(x, d),
        fmt.fixed(x, d),
        fmt.number(x),
        fmt.plain(x),
    ]


@given(finite, decimals)
def test_a_minus_sign_always_comes_with_a_nonzero_digit(x: float, d: int) -> None:
    for text in _all_texts(x, d):
        assert not text.startswith("-") or re.search("[1-9]", text), text


@given(st.floats(-0.49, 0.49), decimals)
def test_values_that_round_to_zero_read_zero(x: float, d: int) -> None:
    scale = 10.0**-d  # |x| * scale rounds to 0 at d decimals, and so in each unit below
    for text in (
        fmt.fixed(x * scale, d),
        fmt.days(x * scale, d),
        fmt.ratio(x * scale, d),
        fmt.share(x * scale / 100, d),
        fmt.money(x / 100),
        fmt.count(x),
    ):
        assert not text.startswith("-0") and "-0.0" not in text, text
    assert fmt.share(x * scale / 100, d) == f"{0:.{d}f}%"


@given(st.floats(-1e6, 1e6), decimals)
def test_share_parses_back_to_within_half_a_unit_of_its_last_digit(x: float, d: int) -> None:
    text = fmt.share(x, d)
    assert text.endswith("%") and "," not in text
    back = float(text[:-1]) / 100
    half_unit = 0.5 * 10.0 ** -(d + 2)
    assert abs(back - x) <= half_unit * (1 + 1e-9) + 1e-15 * abs(x)


_UNITS = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


@given(st.floats(-1e15, 1e15, allow_nan=False))
def test_compact_fits_a_metric_and_reads_back_to_three_digits(x: float) -> None:
    text = fmt.compact(x)
    assert not re.search(r"\d{1,3}(,\d{3}){2,}", text), text  # never "1,019,234"
    assert len(text) <= 9, text
    assert not text.startswith("-0") or re.search("[1-9]", text), text
    if abs(x) < 10_000:
        assert text in (fmt.money(x), fmt.count(x))
        return
    unit = text[-1]
    back = float(text[:-1]) * _UNITS[unit]
    assert abs(back - x) <= 0.005 * abs(x), (x, text)  # three significant digits


def test_compact_examples() -> None:
    assert fmt.compact(1_019_234) == "1.02M"
    assert fmt.compact(999_999) == "1.00M"  # not "1000k"
    assert fmt.compact(5_341) == "5,341"
    assert fmt.compact(None) == fmt.MISSING
