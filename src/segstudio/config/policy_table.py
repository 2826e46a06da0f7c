"""The inventory policy table: one policy per segment, plain data that the rules carry and every
stage reads (``[policy.default]`` and ``[policy."AX"]`` in a rules file)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from segstudio.common.periods import YEAR_DAYS
from segstudio.config.segment_table import SegmentTable
from segstudio.errors import SegStudioError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BUILTIN_CELL_TARGETS",
    "DEMAND_MODELS",
    "DEMAND_SOURCES",
    "NON_NORMAL_PATTERNS",
    "ORDER_RULES",
    "POLICY_KEYS",
    "POLICY_TYPES",
    "PolicyError",
    "PolicyTable",
    "SERVICE_TYPES",
    "STOCKED",
    "STRATEGIES",
    "SegmentPolicy",
]

STRATEGIES = {
    "MTS": "make-to-stock: finished stock held against the forecast",
    "ATO": "assemble-to-order: components stocked (planned like make-to-stock here)",
    "MTO": "make-to-order: no finished stock; the customer waits the lead time",
    "ETO": "engineer-to-order: no stock; designed per order",
}
STOCKED = ("MTS", "ATO")
SERVICE_TYPES = {
    "csl": "cycle service level: probability of no stockout in a replenishment cycle",
    "fill_rate": "fill rate: share of demand served from stock",
    "cost": "cost-based: the cycle service level p / (p + h) of the newsvendor critical ratio",
}
ORDER_RULES = {
    "eoq": "economic order quantity sqrt(2 D K / h)",
    "periods": "fixed periods of supply: demand of periods_of_supply_weeks weeks per order",
    "minmax": "min-max: min = reorder point, max = min + EOQ",
}
DEMAND_MODELS = {
    "auto": "gamma for intermittent and lumpy SKUs, normal for the others",
    "normal": "normal lead-time demand (methods.md)",
    "gamma": "gamma lead-time demand with the same mean and standard deviation",
}
DEMAND_SOURCES = {
    "history": "mean and standard deviation of the demand per period (feature table)",
    "forecast": "the latest forecast run: its mean per period and its backtest RMSE",
}
NON_NORMAL_PATTERNS = ("intermittent", "lumpy")  # the demand model "auto" plans them with gamma


class PolicyError(SegStudioError):
    """A policy value that cannot be used; the message names the segment and the key."""


@dataclass(frozen=True)
class SegmentPolicy:
    """The inventory policy of one segment. Documented in methods.md (Inventory policy)."""

    strategy: str = "MTS"
    service_type: str = "csl"
    service_target: float = 0.95
    review_period_days: float = 0.0  # 0: continuous review (s, Q); else periodic (R, S)
    order_rule: str = "eoq"
    periods_of_supply_weeks: float = 4.0  # order size under the "periods" rule
    holding_rate: float = 0.25  # per year, as a share of the unit cost
    order_cost: float = 50.0  # per order, in the sales currency
    stockout_cost: float = 0.5  # per unit short, as a share of the unit price
    demand_model: str = "auto"
    demand_source: str = "history"  # or "forecast": the latest forecast run's mean and error
    fallback_lead_time_days: float = 28.0  # SKUs without receipts
    network: str = ""  # fulfilment network, transport mode, supplier tier: workshop fields
    transport_mode: str = ""
    supplier_tier: str = ""

    def check(self, where: str) -> None:
        def fail(key: str, msg: str) -> None:
            raise PolicyError(f"[policy.{where}] {key}: {msg}")

        if self.strategy not in STRATEGIES:
            fail("strategy", f"use one of {', '.join(STRATEGIES)}, not {self.strategy!r}")
        if self.service_type not in SERVICE_TYPES:
            fail(
                "service_type", f"use one of {', '.join(SERVICE_TYPES)}, not {self.service_type!r}"
            )
        if not 0 < self.service_target < 1:
            fail(
                "service_target", f"must be between 0 and 1 (e.g. 0.95), not {self.service_target}"
            )
        if self.order_rule not in ORDER_RULES:
            fail("order_rule", f"use one of {', '.join(ORDER_RULES)}, not {self.order_rule!r}")
        if self.demand_model not in DEMAND_MODELS:
            fail(
                "demand_model", f"use one of {', '.join(DEMAND_MODELS)}, not {self.demand_model!r}"
            )
        if self.demand_source not in DEMAND_SOURCES:
            fail(
                "demand_source",
                f"use one of {', '.join(DEMAND_SOURCES)}, not {self.demand_source!r}",
            )
        for key in (
            "review_period_days",
            "holding_rate",
            "order_cost",
            "stockout_cost",
            "fallback_lead_time_days",
        ):
            value = getattr(self, key)
            if not np.isfinite(value) or value < 0:
                fail(key, f"must be a number >= 0, not {value}")
        if self.review_period_days > 3 * YEAR_DAYS:
            fail("review_period_days", "more than three years")
        if not 0 < self.periods_of_supply_weeks <= 520:
            fail(
                "periods_of_supply_weeks",
                f"must be in (0, 520], not {self.periods_of_supply_weeks}",
            )
        if self.holding_rate <= 0:
            fail("holding_rate", "must be positive (e.g. 0.25 a year)")


POLICY_TYPES = {f.name: f.type for f in fields(SegmentPolicy)}
POLICY_KEYS = list(POLICY_TYPES)

# Built-in targets per ABC x XYZ cell: most service where value is high and demand steady.
BUILTIN_CELL_TARGETS: dict[str, float] = {
    "AX": 0.98,
    "AY": 0.97,
    "AZ": 0.95,
    "BX": 0.96,
    "BY": 0.95,
    "BZ": 0.92,
    "CX": 0.92,
    "CY": 0.90,
    "CZ": 0.85,
}
_BUILTIN_CELL_POLICY: dict[str, dict[str, Any]] = {  # SegmentPolicy keyword arguments
    "A": {"review_period_days": 7.0, "order_rule": "eoq"},
    "B": {"review_period_days": 7.0, "order_rule": "eoq"},
    "C": {"review_period_days": 14.0, "order_rule": "periods", "periods_of_supply_weeks": 8.0},
}


def _builtin_segments() -> dict[str, SegmentPolicy]:
    return {
        cell: SegmentPolicy(service_target=t, **_BUILTIN_CELL_POLICY[cell[0]])
        for cell, t in BUILTIN_CELL_TARGETS.items()
    }


@dataclass(frozen=True)
class PolicyTable(SegmentTable[SegmentPolicy]):
    """The default policy and one policy per named segment (:class:`SegmentTable`). Without a
    ``[policy]`` section the built-in table applies (the ABC x XYZ cells of
    :data:`BUILTIN_CELL_TARGETS`)."""

    default: SegmentPolicy = field(default_factory=SegmentPolicy)
    segments: tuple[tuple[str, SegmentPolicy], ...] = field(
        default_factory=lambda: tuple(_builtin_segments().items())
    )

    SECTION: ClassVar[str] = "policy"
    ITEM: ClassVar[type] = SegmentPolicy
    ERROR: ClassVar[type[SegStudioError]] = PolicyError

    def frame(self, codes: list[str] | None = None) -> pd.DataFrame:
        """The table as rows (default first, then ``codes`` or the table's segments)."""
        listed = codes if codes is not None else [c for c, _ in self.segments]
        rows = [{"segment": "default", **asdict(self.default)}]
        rows += [{"segment": c, **asdict(self.for_segment(c))} for c in listed if c != "default"]
        import pandas as pd

        return pd.DataFrame(rows)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, keep: PolicyTable | None = None) -> PolicyTable:
        """A table from edited rows (the app's editor); segments not in ``df`` keep ``keep``'s."""
        table = keep or cls()
        for row in df.to_dict("records"):
            code = str(row.pop("segment"))
            values = {k: row[k] for k in POLICY_KEYS if k in row}
            table = table.with_segment(code, cls.item_from(values, SegmentPolicy(), code, "table"))
        return table
