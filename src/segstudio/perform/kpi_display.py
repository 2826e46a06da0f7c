"""The scorecard as people read it: cells of value / target, and the notes of what is missing."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from segstudio.common import fmt
from segstudio.config.kpi_targets import KPIS
from segstudio.perform.kpis import Scorecard

__all__ = [
    "display_table",
    "format_value",
    "measured_only",
    "notes",
    "unmeasured",
    "unmeasured_lines",
]

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


def notes(sc: Scorecard, skip: dict[str, str] | None = None) -> list[str]:
    """The distinct notes of the scorecard's cells, each with its KPI and, when it does not
    hold for every row, the segments it holds for; ``skip``: KPIs (keys) left out, as
    :func:`unmeasured_lines` already says why."""
    rows = sc.long[(sc.long["note"] != "") & ~sc.long["kpi"].isin(list(skip or {}))]
    every = sc.long["segment"].nunique()
    out = []
    for (label, note), g in rows.groupby(["label", "note"], sort=False):
        segs = list(dict.fromkeys(g["segment"]))
        where = "" if len(segs) == every else f" ({', '.join(segs)})"
        out.append(f"{label}{where}: {note}")
    return out


def unmeasured(sc: Scorecard) -> dict[str, str]:
    """Each KPI (key, in the catalogue's order) that no row of the scorecard, segment or
    portfolio, can measure, with why: its cells' note, which names the column that would let
    it be measured (empty when every KPI has a value somewhere)."""
    out = {}
    for key, g in sc.long.groupby("kpi", sort=False):
        if np.isfinite(g["value"].to_numpy(dtype=float)).any():
            continue
        why = sc.service_unmeasured() if key == "service_level" else ""
        out[str(key)] = (
            why or "; ".join(n for n in dict.fromkeys(g["note"]) if n) or ("no value in the data")
        )
    return {k: out[k] for k in KPIS if k in out}


def unmeasured_lines(missing: dict[str, str]) -> tuple[str, ...]:
    """What the scorecard grid cannot show (``missing``: :func:`unmeasured`), in one line: the
    KPIs with the same reason together, each reason once; no grid when no KPI is measured."""
    if not missing:
        return ()
    by_reason: dict[str, list[str]] = {}
    for key, why in missing.items():
        by_reason.setdefault(why, []).append(KPIS[key].label)
    each = "; ".join(f"{_and(labels)}: {why}" for why, labels in by_reason.items())
    if len(missing) == len(KPIS):
        return (f"No scorecard: no KPI can be measured from these files. {each}.",)
    return (f"Left out of the scorecard, as they cannot be measured: {each}.",)


def _and(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def measured_only(table: pd.DataFrame, missing: dict[str, str]) -> pd.DataFrame:
    """A scorecard table of KPI-label columns (:func:`display_table`, ``Scorecard.wide``)
    without the KPIs of ``missing`` (:func:`unmeasured`)."""
    return table.drop(columns=[KPIS[k].label for k in missing if KPIS[k].label in table])
