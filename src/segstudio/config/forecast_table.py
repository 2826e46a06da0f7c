"""The forecast policy table: one forecast policy per segment, plain data that the rules carry
(``[forecast.default]`` and ``[forecast."AX"]`` in a rules file, like ``[policy]``) and every
forecasting stage reads. Documented in methods.md (Forecasting)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar

from segstudio.config.segment_table import SegmentTable
from segstudio.errors import SegStudioError

__all__ = [
    "ACCURACY_METRICS",
    "BUILTIN_REVIEW_CYCLES",
    "FORECAST_KEYS",
    "FORECAST_MODELS",
    "ForecastError",
    "ForecastTable",
    "GRANULARITIES",
    "REVIEW_CYCLES",
    "SegmentForecast",
]

FORECAST_MODELS = {
    "auto": "the candidate with the lowest backtest error, chosen on data before each cutoff",
    "naive": "the last period's demand",
    "seasonal_naive": "the demand of the same period one season earlier",
    "ses": "simple exponential smoothing, its smoothing weight fitted",
    "ets": "exponential smoothing state space model (error, trend; AutoETS)",
    "arima": "ARIMA, its orders chosen by AutoARIMA",
    "croston": "Croston (1972), alpha 0.1 on sizes and intervals",
    "sba": "Syntetos-Boylan approximation: 0.95 x Croston",
    "tsb": "Teunter-Syntetos-Babai: demand probability and size smoothed (0.1, 0.1)",
    "adida": "ADIDA: aggregate to the mean interval, smooth, disaggregate",
    "imapa": "IMAPA: ADIDA over several aggregation levels, averaged",
}
GRANULARITIES = {
    "sku": "each SKU forecast on its own history",
    "family": "the family's total forecast, split to its SKUs by their recent share",
}
REVIEW_CYCLES = {"weekly": 7, "monthly": 30}  # days between two reviews of the forecast
ACCURACY_METRICS = {
    "rmsse": "root mean squared scaled error (M5): below 1 beats the one-step naive in-sample",
    "wape": "weighted absolute percentage error: sum |F - A| / sum A",
}


class ForecastError(SegStudioError):
    """A forecast policy value that cannot be used; the message names the segment and key."""


@dataclass(frozen=True)
class SegmentForecast:
    """The forecast policy of one segment."""

    model: str = "auto"
    granularity: str = "sku"
    review_cycle: str = "monthly"
    horizon: int = 13  # periods of the data (weeks, or months for a monthly file)
    accuracy_metric: str = "rmsse"
    accuracy_target: float = 1.0  # at most this (RMSSE 1.0: as good as the in-sample naive)

    def check(self, where: str) -> None:
        def fail(key: str, msg: str) -> None:
            raise ForecastError(f"[forecast.{where}] {key}: {msg}")

        for key, allowed in (
            ("model", FORECAST_MODELS),
            ("granularity", GRANULARITIES),
            ("review_cycle", REVIEW_CYCLES),
            ("accuracy_metric", ACCURACY_METRICS),
        ):
            value = getattr(self, key)
            if value not in allowed:
                fail(key, f"use one of {', '.join(allowed)}, not {value!r}")
        if not 1 <= self.horizon <= 104:
            fail("horizon", f"a whole number of periods from 1 to 104, not {self.horizon}")
        if not 0 < self.accuracy_target <= 10:
            fail("accuracy_target", f"a number in (0, 10], not {self.accuracy_target}")

    @property
    def review_days(self) -> int:
        return REVIEW_CYCLES[self.review_cycle]


FORECAST_TYPES = {f.name: f.type for f in fields(SegmentForecast)}
FORECAST_KEYS = list(FORECAST_TYPES)

# Volatile segments (Y and Z demand) are reviewed weekly, stable ones (X) monthly.
BUILTIN_REVIEW_CYCLES: dict[str, str] = {
    f"{abc}{xyz}": ("monthly" if xyz == "X" else "weekly") for abc in "ABC" for xyz in "XYZ"
}


@dataclass(frozen=True)
class ForecastTable(SegmentTable[SegmentForecast]):
    """The default forecast policy and one per named segment (:class:`SegmentTable`). Without
    a ``[forecast]`` section the built-in table applies: the review cycles of
    :data:`BUILTIN_REVIEW_CYCLES`."""

    default: SegmentForecast = field(default_factory=SegmentForecast)
    segments: tuple[tuple[str, SegmentForecast], ...] = field(
        default_factory=lambda: tuple(
            (code, SegmentForecast(review_cycle=cycle))
            for code, cycle in BUILTIN_REVIEW_CYCLES.items()
        )
    )

    SECTION: ClassVar[str] = "forecast"
    ITEM: ClassVar[type] = SegmentForecast
    ERROR: ClassVar[type[SegStudioError]] = ForecastError
