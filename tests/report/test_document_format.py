"""Table cell text of the PDF and the slides (report.document.format_value): numbers and dates
through segstudio.common.fmt, a missing value as a blank cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from segstudio.common import fmt
from segstudio.report.document import format_value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (np.int64(1_234_567), "1,234,567"),
        (-0.0, "0"),
        (-1e-5, "-1.00e-05"),
        (float("inf"), "inf"),
        (-float("inf"), "-inf"),
        (np.float32("nan"), ""),
        (pd.NA, ""),
        (True, "True"),
        (np.datetime64("2024-01-02T03:04"), "2024-01-02 03:04"),
        (np.datetime64("NaT"), ""),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 0, 0), "2024-01-02"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert format_value(value) == text


@pytest.mark.parametrize("value", [0.5, 1234.56789, 0.012345, -2.5, 7, 1e-6])
def test_numbers_are_the_common_number_formatter(value: float) -> None:
    assert format_value(value) == fmt.number(value)
