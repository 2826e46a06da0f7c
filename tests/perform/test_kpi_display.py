"""A KPI value as people read it (perform.kpi_display.format_value): the unit picks the one
formatter of its kind in segstudio.common.fmt."""

from __future__ import annotations

import pytest

from segstudio.common import fmt
from segstudio.perform.kpi_display import format_value


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.971, "rate", "97.1%"),
        (0.84, "rate", "84.0%"),
        (4.2, "ratio", "4.20x"),
        (88.4, "days", "88 d"),
        (1234.6, "days", "1,235 d"),
        (4.2, "unknown unit", "4.20x"),
        (float("nan"), "rate", "n/a"),
        (None, "days", "n/a"),
        (float("inf"), "ratio", "n/a"),
        # no negative zero from rounding (days used to read "-0 d")
        (-0.0004, "rate", "0.0%"),
        (-0.004, "ratio", "0.00x"),
        (-0.4, "days", "0 d"),
    ],
)
def test_format_value_by_unit(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize("value", [0.0, 0.5, 0.97149, 3.14159, 88.5, 12_345.678])
def test_format_value_is_the_common_formatter_of_its_kind(value: float) -> None:
    assert format_value(value, "rate") == fmt.share(value)
    assert format_value(value, "ratio") == fmt.ratio(value)
    assert format_value(value, "days") == fmt.days(value)
