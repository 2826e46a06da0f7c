"""The scorecard as people read it: cells of value / target, and the notes of what is missing."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from segstudio.common import fmt
from segstudio.config.kpi_targets import KPIS
from segstudio.perform.kpis import Scorecard

__all__ = ["display_table", "format_value", "notes"]

_FORMAT_BY_UNIT: dict[str, Callable[[object], str]] = {
    "rate": fmt.share,
    "days": fmt.days,
    "ratio": fmt.ratio,
}


def format_value(value: float, unit: str) -> str:
    """A KPI value as people read it, by its unit (``Kpi.unit``): rate 97.1%, ratio 4.20x,
    days 88 d; "n/a" when missing (:mod:`segstudio.common.fmt`)."""
    return _FORMAT_BY_UNIT.get(unit, fmt.ratio)(value)


def display_table(sc: Scorecard, with_targets: bool = True) -> pd.DataFrame:
    """Segments as rows, KPIs as columns, each cell "97.1% / 97.0%" (value / target); the
    status of each cell is ``sc.wide("status")``."""
    long = sc.long
    text = [
        format_value(v, u)
        + (f" / {format_value(t, u)}" if with_targets and t is not None and np.isfinite(t) else "")
        for v, t, u in zip(long["value"], long["target"], long["unit"], strict=True)
    ]
    table = long.assign(text=text).pivot(index="segment", columns="label", values="text")
    segs = list(dict.fromkeys(long["segment"]))
    order = [k.label for k in KPIS.values()]
    return table.reindex(index=segs, columns=[c for c in order if c in table.columns])


def notes(sc: Scorecard) -> list[str]:
    """The distinct notes of the scorecard's cells, each with its KPI and, when it does not
    hold for every row, the segments it holds for."""
    rows = sc.long[sc.long["note"] != ""]
    every = sc.long["segment"].nunique()
    out = []
    for (label, note), g in rows.groupby(["label", "note"], sort=False):
        segs = list(dict.fromkeys(g["segment"]))
        where = "" if len(segs) == every else f" ({', '.join(segs)})"
        out.append(f"{label}{where}: {note}")
    return out
