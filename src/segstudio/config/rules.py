"""Segmentation rules: every boundary and choice, saved to and read from TOML.

The same file drives the app and the command line (``segstudio classify --rules R.toml``)::

    [window]
    weeks = 52

    [abc]
    measure = "revenue"   # revenue, quantity, margin or order_lines
    a = 0.80
    b = 0.95

    [xyz]
    x = 0.5
    y = 1.0

    [pattern]
    adi = 1.32
    cv2 = 0.49

    [alerts]
    band_share = 0.02     # ABC: share points either side of a boundary
    band_relative = 0.10  # ratios (CoV, ADI, ...): relative distance to a threshold

    [segments]
    criteria = ["abc", "xyz"]
    hysteresis = false

    [segments.names]
    AX = "core runners"

    [scope]
    exclude = ["POST", "DOT"]  # SKUs left out: postage, fees and other non-products

    [policy.default]          # the inventory policy of each segment (see policy.py)
    service_type = "csl"      # csl, fill_rate or cost
    service_target = 0.95

    [policy."AX"]
    service_target = 0.98

    [kpi]                     # KPI targets of the scorecard (see kpis.py)
    amber_band = 0.05

    [kpi.default]
    unit_fill_rate = 0.97

    [kpi."AX"]
    unit_fill_rate = 0.99

    [forecast.default]        # the forecast policy of each segment (see forecast/)
    model = "auto"            # auto, naive, seasonal_naive, ses, ets, arima, croston, sba, ...
    horizon = 13              # periods of the data
    accuracy_metric = "rmsse" # rmsse or wape, against accuracy_target
    accuracy_target = 1.0

    [forecast."AZ"]
    review_cycle = "weekly"
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

from segstudio.config.forecast_table import ForecastError, ForecastTable
from segstudio.config.kpi_targets import KpiError, KpiTargets
from segstudio.config.policy_table import PolicyError, PolicyTable
from segstudio.errors import SegStudioError

__all__ = [
    "ABC_MEASURES",
    "CRITERIA",
    "Rules",
    "RulesError",
    "check",
    "from_dict",
    "from_toml",
    "read_rules",
    "to_dict",
    "to_toml",
    "write_rules",
]

ABC_MEASURES = {
    "revenue": "revenue",
    "quantity": "quantity",
    "margin": "margin",
    "order_lines": "order_lines",
}
CRITERIA = {
    "abc": "ABC (Pareto share of the measure)",
    "xyz": "XYZ (CoV of weekly demand)",
    "pattern": "Demand pattern (ADI, CV2)",
    "leadtime": "Lead time (long or unreliable)",
    "replenishment": "Replenishment frequency",
    "lifecycle": "Lifecycle (new, end-of-life)",
    "concentration": "Customer concentration",
}
MAX_CRITERIA = 3


class RulesError(SegStudioError):
    """A rules file or value that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Rules:
    """All boundaries and choices of a segmentation (methods.md defaults)."""

    weeks: int = 52
    abc_measure: str = "revenue"
    abc_a: float = 0.80
    abc_b: float = 0.95
    xyz_x: float = 0.5
    xyz_y: float = 1.0
    pattern_adi: float = 1.32
    pattern_cv2: float = 0.49
    leadtime_days: float = 30.0  # long: mean lead time above this many days
    leadtime_cov: float = 0.5  # unreliable: lead-time CoV (std / mean) above this
    replenishment_per_year: float = 12.0  # frequent: at least this many receipts a year
    lifecycle_new_weeks: int = 13
    lifecycle_eol_weeks: int = 26
    concentration_share: float = 0.5  # concentrated: the top customer takes at least this share
    band_share: float = 0.02
    band_relative: float = 0.10
    criteria: tuple[str, ...] = ("abc", "xyz")
    hysteresis: bool = False
    exclude: tuple[str, ...] = ()  # SKUs left out of the segmentation (non-products: POST, ...)
    names: dict[str, str] = field(default_factory=dict)
    policy: PolicyTable = field(default_factory=PolicyTable)
    kpi: KpiTargets = field(default_factory=KpiTargets)
    forecast: ForecastTable = field(default_factory=ForecastTable)

    def __post_init__(self) -> None:
        check(self)

    def __hash__(self) -> int:  # names is a dict: hash the TOML text instead
        return hash(to_toml(self))

    def with_(self, **changes: Any) -> Rules:
        return replace(self, **changes)

    def segment_name(self, code: str) -> str:
        """``"AX: core runners"`` where the segment is named, else the code."""
        name = self.names.get(code)
        return f"{code}: {name}" if name else code


def check(r: Rules) -> None:
    """Raise :class:`RulesError` naming the first value that cannot be used."""

    def fail(key: str, msg: str) -> None:
        raise RulesError(f"{key}: {msg}")

    if not 2 <= r.weeks <= 520:
        fail("[window] weeks", f"must be between 2 and 520, not {r.weeks}")
    if r.abc_measure not in ABC_MEASURES:
        fail("[abc] measure", f"must be one of {', '.join(ABC_MEASURES)}, not {r.abc_measure!r}")
    if not 0 < r.abc_a < r.abc_b <= 1:
        fail("[abc] a, b", f"need 0 < a < b <= 1, not a = {r.abc_a}, b = {r.abc_b}")
    if not 0 < r.xyz_x < r.xyz_y:
        fail("[xyz] x, y", f"need 0 < x < y, not x = {r.xyz_x}, y = {r.xyz_y}")
    if r.pattern_adi <= 0 or r.pattern_cv2 <= 0:
        fail("[pattern] adi, cv2", "must be positive")
    for key, value in (
        ("[leadtime] days", r.leadtime_days),
        ("[leadtime] cov", r.leadtime_cov),
        ("[replenishment] per_year", r.replenishment_per_year),
    ):
        if value <= 0:
            fail(key, f"must be positive, not {value}")
    if not 0 < r.concentration_share <= 1:
        fail("[concentration] share", f"must be in (0, 1], not {r.concentration_share}")
    if not 0 <= r.band_share < 0.5:
        fail("[alerts] band_share", f"must be in [0, 0.5), not {r.band_share}")
    if not 0 <= r.band_relative < 1:
        fail("[alerts] band_relative", f"must be in [0, 1), not {r.band_relative}")
    if not 1 <= len(r.criteria) <= MAX_CRITERIA:
        fail("[segments] criteria", f"choose 1 to {MAX_CRITERIA} criteria")
    unknown = [c for c in r.criteria if c not in CRITERIA]
    if unknown:
        fail("[segments] criteria", f"unknown {', '.join(unknown)}; use {', '.join(CRITERIA)}")
    if len(set(r.criteria)) != len(r.criteria):
        fail("[segments] criteria", "a criterion is listed twice")


# TOML section -> (key in the file, Rules attribute)
_LAYOUT: dict[str, list[tuple[str, str]]] = {
    "window": [("weeks", "weeks")],
    "abc": [("measure", "abc_measure"), ("a", "abc_a"), ("b", "abc_b")],
    "xyz": [("x", "xyz_x"), ("y", "xyz_y")],
    "pattern": [("adi", "pattern_adi"), ("cv2", "pattern_cv2")],
    "leadtime": [("days", "leadtime_days"), ("cov", "leadtime_cov")],
    "replenishment": [("per_year", "replenishment_per_year")],
    "lifecycle": [("new_weeks", "lifecycle_new_weeks"), ("eol_weeks", "lifecycle_eol_weeks")],
    "concentration": [("share", "concentration_share")],
    "alerts": [("band_share", "band_share"), ("band_relative", "band_relative")],
    "segments": [("criteria", "criteria"), ("hysteresis", "hysteresis")],
    "scope": [("exclude", "exclude")],
}
_TYPES = {f.name: f.type for f in fields(Rules)}
# [policy] and [kpi]: section (= Rules attribute) -> (parser, its error)
_TABLES = {
    "policy": (PolicyTable.from_dict, PolicyError),
    "kpi": (KpiTargets.from_dict, KpiError),
    "forecast": (ForecastTable.from_dict, ForecastError),
}
_LISTS = ("criteria", "exclude")


def to_dict(r: Rules) -> dict:
    out: dict = {}
    values = asdict(r)
    for section, keys in _LAYOUT.items():
        out[section] = {k: (list(values[a]) if a in _LISTS else values[a]) for k, a in keys}
    out["segments"]["names"] = dict(r.names)
    out["policy"] = r.policy.to_dict()
    out["kpi"] = r.kpi.to_dict()
    out["forecast"] = r.forecast.to_dict()
    return out


def to_toml(r: Rules) -> str:
    """The rules file's text; written once per Rules (they are never changed: every change is
    a new Rules), as the pages key their caches and the hash by it on every slider move."""
    text = r.__dict__.get("_toml")
    if text is None:
        text = tomli_w.dumps(to_dict(r))
        object.__setattr__(r, "_toml", text)
    return text


def from_dict(data: dict, source: str = "rules") -> Rules:
    """Rules from a parsed TOML document; keys not given keep their defaults; unknown sections
    or keys are refused (a typo must not silently fall back to a default)."""
    kwargs: dict = {}
    for section, body in data.items():
        if section in _TABLES:  # sections that parse and check themselves
            parse, error = _TABLES[section]
            try:
                kwargs[section] = parse(body, source)
            except error as exc:
                raise RulesError(str(exc)) from exc
            continue
        if section not in _LAYOUT:
            raise RulesError(
                f"{source}: unknown section [{section}]; use "
                f"{', '.join('[' + s + ']' for s in _LAYOUT)}"
            )
        if not isinstance(body, dict):
            raise RulesError(f"{source}: [{section}] must be a table")
        keys = dict(_LAYOUT[section])
        for key, value in body.items():
            if section == "segments" and key == "names":
                if not isinstance(value, dict) or not all(
                    isinstance(v, str) for v in value.values()
                ):
                    raise RulesError(f"{source}: [segments.names] maps segment codes to names")
                kwargs["names"] = {str(k): v for k, v in value.items()}
                continue
            if key not in keys:
                raise RulesError(
                    f"{source}: unknown key {key!r} in [{section}]; use {', '.join(keys)}"
                )
            attr = keys[key]
            kwargs[attr] = _coerce(value, attr, f"{source}: [{section}] {key}")
    try:
        return Rules(**kwargs)
    except RulesError as exc:
        raise RulesError(f"{source}: {exc}") from exc


def _coerce(value: object, attr: str, where: str) -> object:
    typ = str(_TYPES[attr])
    if attr in _LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RulesError(f'{where}: a list of text, e.g. ["abc", "xyz"]')
        return tuple(value)
    if typ == "bool":
        if not isinstance(value, bool):
            raise RulesError(f"{where}: true or false, not {value!r}")
        return value
    if typ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise RulesError(f"{where}: a whole number, not {value!r}")
        return value
    if typ == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RulesError(f"{where}: a number, not {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise RulesError(f"{where}: text, not {value!r}")
    return value


def from_toml(text: str, source: str = "rules") -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: not valid TOML ({exc})") from exc
    return from_dict(data, source)


def read_rules(path: str | Path) -> Rules:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RulesError(f"{p}: rules file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{p}: cannot be read ({exc})") from exc
    return from_toml(text, str(p))


def write_rules(r: Rules, path: str | Path) -> None:
    Path(path).write_text(to_toml(r), encoding="utf-8")
