"""The forecast policy table: one forecast policy per segment, plain data that the rules carry
(``[forecast.default]`` and ``[forecast."AX"]`` in a rules file, like ``[policy]``) and every
forecasting stage reads. Documented in methods.md (Forecasting)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

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
class ForecastTable:
    """The default forecast policy and one per named segment; a segment not in the table gets
    the default. In a rules file, ``[forecast.default]`` and ``[forecast."AX"]`` give only the
    keys that differ (a segment's missing keys come from the default). Without a
    ``[forecast]`` section the built-in table applies: the review cycles of
    :data:`BUILTIN_REVIEW_CYCLES`."""

    default: SegmentForecast = field(default_factory=SegmentForecast)
    segments: tuple[tuple[str, SegmentForecast], ...] = field(
        default_factory=lambda: tuple(
            (code, SegmentForecast(review_cycle=cycle))
            for code, cycle in BUILTIN_REVIEW_CYCLES.items()
        )
    )

    def __post_init__(self) -> None:
        self.default.check("default")
        for code, p in self.segments:
            p.check(f'"{code}"')

    def for_segment(self, code: str) -> SegmentForecast:
        return dict(self.segments).get(code, self.default)

    def with_segment(self, code: str, policy: SegmentForecast) -> ForecastTable:
        if code == "default":
            return replace(self, default=policy)
        table = dict(self.segments)
        table[code] = policy
        return replace(self, segments=tuple(table.items()))

    def to_dict(self) -> dict:
        base = asdict(self.default)
        out: dict = {"default": base}
        for code, p in self.segments:
            out[code] = {k: v for k, v in asdict(p).items() if v != base[k]}
        return out

    @classmethod
    def from_dict(cls, data: object, source: str = "rules") -> ForecastTable:
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ForecastError(
                f'{source}: [forecast] holds tables: [forecast.default], [forecast."AX"], ...'
            )
        default = _forecast_from(data.get("default", {}), SegmentForecast(), "default", source)
        segments = tuple(
            (str(code), _forecast_from(body, default, f'"{code}"', source))
            for code, body in data.items()
            if code != "default"
        )
        try:
            return cls(default=default, segments=segments)
        except ForecastError as exc:
            raise ForecastError(f"{source}: {exc}") from exc


def _forecast_from(body: object, base: SegmentForecast, where: str, source: str) -> SegmentForecast:
    if not isinstance(body, dict):
        raise ForecastError(f"{source}: [forecast.{where}] must be a table")
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key not in FORECAST_TYPES:
            raise ForecastError(
                f"{source}: unknown key {key!r} in [forecast.{where}]; "
                f"use {', '.join(FORECAST_KEYS)}"
            )
        values[key] = _coerce(
            value, str(FORECAST_TYPES[key]), f"{source}: [forecast.{where}] {key}"
        )
    return replace(base, **values)


def _coerce(value: object, typ: str, where: str) -> object:
    if typ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ForecastError(f"{where}: a whole number, not {value!r}")
        return value
    if typ == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ForecastError(f"{where}: a number, not {value!r}")
        if value != value or value in (float("inf"), float("-inf")):
            raise ForecastError(f"{where}: a finite number, not {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ForecastError(f"{where}: text, not {value!r}")
    return value.strip()
