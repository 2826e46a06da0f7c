"""The inventory-health settings and the ageing query the load stores under their defaults,
apart from :mod:`segstudio.perform.health` so that ``segstudio load`` reads them without
importing pandas."""

from __future__ import annotations

import math
from dataclasses import dataclass

from segstudio.common import fmt
from segstudio.errors import SegStudioError
from segstudio.perform import sql as q

__all__ = [
    "EXCESS_BASES",
    "HealthError",
    "HealthSettings",
    "UNKNOWN",
    "ageing_query",
    "bucket_keys",
]

EXCESS_BASES = {
    "order_up_to": "stock above the policy's order-up-to level (Inventory policy page)",
    "cover": "stock above cover_weeks of mean weekly demand",
}
UNKNOWN = "unknown"
_MAX_WEEKS = 520.0


class HealthError(SegStudioError, ValueError):
    """A health setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class HealthSettings:
    """The inventory-health settings, with their defaults.

    - ``age_edges_days``: upper edges of the ageing buckets in days: (90, 180, 365) gives
      0-90, 91-180, 181-365 and over 365 days, plus "unknown" for stock whose age cannot be told.
      Stock in the oldest bucket (over the last edge) is *aged*.
    - ``excess_basis``: "order_up_to" (stock above the policy's order-up-to level) or "cover"
      (stock above ``cover_weeks`` of mean weekly demand).
    - ``cover_weeks``: 26, half a year of demand, for the "cover" basis.
    - ``obsolete_weeks``: 26: obsolete = stock of an SKU whose last sale is on or before the
      window's last day minus 26 weeks (no sale in the last 26 weeks), or that never sold; the
      same cut as the feature table's end-of-life flag.
    - Write-down rates, shares of the stock's value: ``obsolete_rate`` 1.0 (fully written
      down), ``aged_rate`` 0.5 (stock over a year old is usually sold at a deep discount or
      scrapped), ``excess_rate`` 0.2 (excess of a selling SKU is worth something, less the cost
      of holding it until it sells or of returning it). Each unit carries one rate: the highest
      of the categories it falls in (see :data:`METHODS`).
    """

    age_edges_days: tuple[float, ...] = (90.0, 180.0, 365.0)
    excess_basis: str = "order_up_to"
    cover_weeks: float = 26.0
    obsolete_weeks: float = 26.0
    obsolete_rate: float = 1.0
    aged_rate: float = 0.5
    excess_rate: float = 0.2

    def __post_init__(self) -> None:
        def fail(key: str, msg: str) -> None:
            raise HealthError(f"health setting {key}: {msg}")

        edges = tuple(self.age_edges_days)
        if not edges or not all(math.isfinite(e) and e > 0 for e in edges):
            fail("age_edges_days", f"give one or more positive numbers of days, not {edges}")
        if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
            fail("age_edges_days", f"must increase, not {edges}")
        if self.excess_basis not in EXCESS_BASES:
            fail("excess_basis", f"use one of {', '.join(EXCESS_BASES)}, not {self.excess_basis!r}")
        for key in ("cover_weeks", "obsolete_weeks"):
            value = getattr(self, key)
            if not (math.isfinite(value) and 0 < value <= _MAX_WEEKS):
                fail(key, f"must be in (0, {fmt.plain(_MAX_WEEKS)}] weeks, not {value}")
        for key in ("obsolete_rate", "aged_rate", "excess_rate"):
            value = getattr(self, key)
            if not (math.isfinite(value) and 0 <= value <= 1):
                fail(key, f"must be a share between 0 and 1 (e.g. 0.2), not {value}")
        object.__setattr__(self, "age_edges_days", tuple(float(e) for e in edges))

    @property
    def buckets(self) -> list[str]:
        return bucket_keys(self.age_edges_days)

    @property
    def aged_bucket(self) -> str:
        """The oldest dated bucket: its stock is *aged*."""
        return self.buckets[-2]


def bucket_keys(edges: tuple[float, ...]) -> list[str]:
    """Column-safe bucket names, youngest first, "unknown" last: (90, 180, 365) gives
    ["0_90", "91_180", "181_365", "over_365", "unknown"]."""
    keys, low = [], "0"
    for e in edges:
        keys.append(f"{low}_{fmt.plain(e)}")
        low = fmt.plain(e + 1) if float(e).is_integer() else fmt.plain(e)
    return [
        *(k.replace(".", "p") for k in keys),
        f"over_{fmt.plain(edges[-1])}".replace(".", "p"),
        UNKNOWN,
    ]


def ageing_query(settings: HealthSettings) -> tuple[str, dict[str, object]]:
    """The ageing SQL of :func:`read_ageing` and its parameters (stored at the load for the
    default buckets)."""
    params: dict[str, object] = {f"edge_{i}": e for i, e in enumerate(settings.age_edges_days)}
    return q.inventory_ageing_sql(settings.buckets), params
