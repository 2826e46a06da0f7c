"""The KPI catalogue and the KPI targets: plain data that the rules carry (``[kpi]``,
``[kpi.default]``, ``[kpi."AX"]``) and every stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from segstudio.errors import SegStudioError

__all__ = [
    "DEFAULT_AMBER_BAND",
    "EDITABLE",
    "KPIS",
    "Kpi",
    "KpiError",
    "KpiTargets",
    "check_target",
]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # "rate" (shown as %), "ratio" (x), "days"
    higher_is_better: bool
    default_target: float | None  # None: the target comes from elsewhere (the policy table)
    definition: str
    editable: bool = True


KPIS: dict[str, Kpi] = {
    k.key: k
    for k in (
        Kpi(
            "unit_fill_rate", "Unit fill rate", "rate", True, 0.97, "shipped units / ordered units"
        ),
        Kpi(
            "line_fill_rate",
            "Line fill rate",
            "rate",
            True,
            0.95,
            "share of order lines shipped complete",
        ),
        Kpi("otif", "OTIF", "rate", True, 0.90, "share of dated lines shipped on time and in full"),
        Kpi(
            "inventory_turns",
            "Inventory turns",
            "ratio",
            True,
            4.0,
            "annualised cost of goods sold / inventory value at cost",
        ),
        Kpi(
            "days_of_supply",
            "Days of supply",
            "days",
            False,
            90.0,
            "inventory value at cost / average daily cost of goods sold",
        ),
        Kpi(
            "gmroi",
            "GMROI",
            "ratio",
            True,
            1.5,
            "annualised gross margin / inventory value at cost",
        ),
        Kpi(
            "service_level",
            "Achieved service vs target",
            "rate",
            True,
            None,
            "achieved service in the history (line fill for CSL targets, unit fill for "
            "fill-rate targets) against the policy's service target; not the Simulation's "
            "simulated service under the policy",
            editable=False,
        ),
        Kpi(
            "forecast_accuracy",
            "Forecast accuracy",
            "rate",
            True,
            0.70,
            "1 - WAPE of the segment's forecasts",
        ),
    )
}
EDITABLE = [k for k, v in KPIS.items() if v.editable]
DEFAULT_AMBER_BAND = 0.05


class KpiError(SegStudioError):
    """A KPI target that cannot be used; the message names the key."""


@dataclass(frozen=True)
class KpiTargets:
    """The KPI targets: a default and one set per segment, only the keys that differ.

    In a rules file::

        [kpi]
        amber_band = 0.05          # amber: within 5% of the target (relative)

        [kpi.default]
        unit_fill_rate = 0.97

        [kpi."AX"]
        unit_fill_rate = 0.99
    """

    default: tuple[tuple[str, float], ...] = field(
        default_factory=lambda: tuple(
            (k, float(v.default_target))
            for k, v in KPIS.items()
            if v.editable and v.default_target is not None
        )
    )
    segments: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    amber_band: float = DEFAULT_AMBER_BAND

    def __post_init__(self) -> None:
        if not 0 <= self.amber_band < 1:
            raise KpiError(f"[kpi] amber_band: must be in [0, 1), not {self.amber_band}")
        for where, values in (("default", self.default), *self.segments):
            for key, value in values:
                check_target(key, value, where)

    def for_segment(self, code: str) -> dict[str, float]:
        out = dict(self.default)
        out.update(dict(dict(self.segments).get(code, ())))
        return out

    def target(self, code: str, key: str) -> float | None:
        return self.for_segment(code).get(key)

    def with_target(self, code: str, key: str, value: float) -> KpiTargets:
        """The targets with ``key`` of segment ``code`` (or "default") set to ``value``."""
        check_target(key, value, code)
        if code == "default":
            return replace(self, default=tuple({**dict(self.default), key: float(value)}.items()))
        table = {c: dict(v) for c, v in self.segments}
        own = table.setdefault(code, {})
        if value == dict(self.default).get(key):
            own.pop(key, None)
        else:
            own[key] = float(value)
        return replace(self, segments=tuple((c, tuple(v.items())) for c, v in table.items() if v))

    def to_dict(self) -> dict:
        out: dict = {"amber_band": self.amber_band, "default": dict(self.default)}
        for code, values in self.segments:
            out[code] = dict(values)
        return out

    @classmethod
    def from_dict(cls, data: object, source: str = "rules") -> KpiTargets:
        if not isinstance(data, dict):
            raise KpiError(f"{source}: [kpi] must be a table")
        band = data.get("amber_band", DEFAULT_AMBER_BAND)
        if isinstance(band, bool) or not isinstance(band, int | float):
            raise KpiError(f"{source}: [kpi] amber_band: a number, not {band!r}")
        base = dict(cls().default)
        segments = []
        for code, body in data.items():
            if code == "amber_band":
                continue
            if not isinstance(body, dict):
                raise KpiError(
                    f"{source}: [kpi.{code}] must be a table of targets, e.g. "
                    f'[kpi."AX"] unit_fill_rate = 0.99'
                )
            values = {}
            for key, value in body.items():
                where = f"{source}: [kpi.{code}] {key}"
                if key not in EDITABLE:
                    raise KpiError(f"{where}: unknown KPI; use {', '.join(EDITABLE)}")
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise KpiError(f"{where}: a number, not {value!r}")
                values[key] = float(value)
            if code == "default":
                base.update(values)
            else:
                segments.append((str(code), tuple(values.items())))
        try:
            return cls(
                default=tuple(base.items()), segments=tuple(segments), amber_band=float(band)
            )
        except KpiError as exc:
            raise KpiError(f"{source}: {exc}") from exc


def check_target(key: str, value: float, where: str) -> None:
    kpi = KPIS.get(key)
    if kpi is None or not kpi.editable:
        raise KpiError(f"[kpi.{where}] {key}: unknown KPI; use {', '.join(EDITABLE)}")
    if not np.isfinite(value) or value < 0 or (kpi.unit == "rate" and value > 1):
        limit = "between 0 and 1" if kpi.unit == "rate" else "zero or more"
        raise KpiError(f"[kpi.{where}] {key}: must be {limit}, not {value}")
