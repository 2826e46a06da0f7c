"""KPI scorecards per segment: targets with red/amber/green status, the balanced scorecard
that links operations to finance, its trend by quarter, and the root causes of a miss.

Definitions (methods.md, "KPIs"):

- unit fill rate = shipped units / ordered units; line fill rate = share of order lines
  shipped complete; OTIF = share of dated lines shipped on time (ship date <= requested date)
  and in full. Only positive sales lines count (returns are not orders). They need the sales
  file's ``shipped_qty`` (and ``requested_date``, ``ship_date`` for OTIF); the ordered
  quantity is ``ordered_qty`` where mapped, else the line's quantity. Without those columns
  the cell says which column is missing.
- inventory turns = annualised cost of goods sold / average inventory value at cost. One
  inventory snapshot is loaded, so the average inventory is that snapshot. Turns, days of
  supply and GMROI hold cost against cost: they count the stock of SKUs with a unit cost.
  The balanced scorecard's inventory value, carrying cost and working capital value the stock
  by the one rule of :mod:`segstudio.policy.valuation` (cost, else price).
- days of supply of a segment = inventory value / average daily cost of goods sold: the
  value-weighted form of on hand / average daily demand (= 365.25 / turns).
- GMROI = annualised gross margin / average inventory cost.
- service level, achieved against the policy's target: a cycle-service-level target is held
  against the line fill rate (the share of order lines that found the stock to ship complete),
  a fill-rate target against the unit fill rate.
- forecast accuracy = 1 - WAPE (at least 0) of the latest forecast run's backtest, pooled over
  the segment's SKUs; until a run exists the cell says so.

Status: a KPI where higher is better is green at or above its target, amber within the
relative ``amber_band`` below it (default 5%), red further below; the reverse for days of
supply. A KPI that cannot be computed is "n/a" with a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segstudio.common import fmt
from segstudio.common.lookup import positions
from segstudio.common.methods import methods_section
from segstudio.common.numeric import safe_divide
from segstudio.common.pareto import positive_part, share_of_total
from segstudio.common.periods import YEAR_DAYS
from segstudio.config.kpi_targets import DEFAULT_AMBER_BAND, KPIS, KpiTargets
from segstudio.policy.valuation import COST, VALUED_AT, Valuation, counted, feature_unit_values

if TYPE_CHECKING:
    from segstudio.config.policy_table import PolicyTable
    from segstudio.features.build import Window

__all__ = [
    "ACHIEVED_SERVICE",
    "BALANCED_CHARTED",
    "BALANCED_COLUMNS",
    "NO_FORECASTS",
    "PORTFOLIO",
    "Quarters",
    "SERVICE_DEFINITIONS",
    "SIMULATED_SERVICE",
    "STATUSES",
    "Scorecard",
    "ServiceColumns",
    "balanced",
    "balanced_caption",
    "balanced_unmeasured",
    "balanced_unmeasured_lines",
    "build_scorecard",
    "forecast_accuracy_by_segment",
    "kpi_base",
    "kpi_values",
    "prepare_quarters",
    "quarterly_trend",
    "scorecard",
    "segment_totals",
    "service_side_by_side",
    "service_targets",
    "status",
    "window_years",
]

PORTFOLIO = "Portfolio"
STATUSES = ("green", "amber", "red", "n/a")
NO_FORECASTS = (
    "no forecasts yet: run one on the Forecast page (or segstudio forecast) to measure accuracy"
)
ACHIEVED_SERVICE = "Achieved service (history)"
"""The Scorecard's service: what the sales lines say was shipped (methods.md)."""
SIMULATED_SERVICE = "Simulated service (under the policy)"
"""The Simulation's service: what the policy would have given over the same weeks."""
SERVICE_DEFINITIONS = methods_section("Service: achieved and simulated")
"""Both definitions, as methods.md writes them (a page's help quotes this)."""


def status(
    value: np.ndarray | float,
    target: np.ndarray | float,
    higher_is_better: bool,
    amber_band: float = DEFAULT_AMBER_BAND,
) -> np.ndarray:
    """Red/amber/green of values against targets (relative band); "n/a" where either is
    missing."""
    v = np.asarray(value, dtype=float)
    t = np.asarray(target, dtype=float)
    v, t = np.broadcast_arrays(v, t)
    if higher_is_better:
        green = v >= t
        amber = v >= t * (1 - amber_band)
    else:
        green = v <= t
        amber = v <= t * (1 + amber_band)
    out = np.where(green, "green", np.where(amber, "amber", "red")).astype(object)
    out[~(np.isfinite(v) & np.isfinite(t))] = "n/a"
    return out


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ServiceColumns:
    """Which service KPIs the sales file's mapped columns allow, and why not otherwise."""

    fill: bool
    otif: bool
    missing_fill: str
    missing_otif: str

    @classmethod
    def from_stored(cls, stored: set[str]) -> ServiceColumns:
        fill = "shipped_qty" in stored
        dates = [c for c in ("requested_date", "ship_date") if c not in stored]
        otif_missing = dates + ([] if fill else ["shipped_qty"])
        return cls(
            fill=fill,
            otif=not otif_missing,
            missing_fill="" if fill else "needs shipped_qty, which the sales file does not map",
            missing_otif=""
            if not otif_missing
            else f"needs {', '.join(otif_missing)}, which the sales file does not map",
        )


def window_years(window: Window) -> float:
    return ((window.last_day - window.start).days + 1) / YEAR_DAYS


_SERVICE_SUMS = (
    "lines",
    "ordered_units",
    "shipped_units",
    "lines_complete",
    "lines_dated",
    "lines_otif",
)
_MONEY_SUMS = (
    "revenue",
    "positive_revenue",
    "margin",
    "cogs",
    "inventory_value",
    "inventory_at_cost",
    "on_order_value",
    "carrying_cost",
)


def kpi_base(
    features: pd.DataFrame,
    segments: np.ndarray,
    service: pd.DataFrame | pa.Table,
    policy: PolicyTable,
) -> pd.DataFrame:
    """One row per SKU of the feature table with its segment, money (revenue and its positive
    part, margin, cost of goods; inventory and on-order value at the SKU's unit value, cost
    else price, with what it is at (:data:`VALUED_AT`) and the inventory at cost alone; annual
    carrying cost at the segment policy's holding rate) and the service counts (0 where the
    SKU had no order line). ``service``: :func:`segstudio.perform.io.sku_service`, as a frame
    or as the Arrow table it is read as."""
    sku = features["sku"].to_numpy()
    segment = np.asarray(segments)
    revenue = features["revenue"].fillna(0.0).to_numpy(dtype=float)
    qty = features["quantity"].fillna(0.0).to_numpy(dtype=float)
    unit_cost = features["unit_cost"].to_numpy(dtype=float)
    margin = features["margin"].to_numpy(dtype=float)
    cogs = np.where(np.isfinite(margin), revenue - margin, qty * unit_cost)
    cogs = np.where(np.isfinite(cogs), cogs, np.nan)
    unit_value, valued_at = feature_unit_values(features)  # cost, else price (one rule)
    on_hand = features["on_hand"].to_numpy(dtype=float) if "on_hand" in features else 0.0
    on_hand = np.nan_to_num(np.maximum(on_hand, 0.0)) * np.ones(len(sku))
    inventory_value = np.nan_to_num(on_hand * unit_value)
    on_order = features["on_order"].to_numpy(dtype=float) if "on_order" in features else 0.0
    codes, labels = pd.factorize(segment)
    rates = np.array([policy.for_segment(str(s)).holding_rate for s in labels], dtype=float)
    columns: dict[str, np.ndarray] = {
        "sku": sku,
        "segment": segment,
        "revenue": revenue,
        "positive_revenue": positive_part(revenue),
        "cogs": cogs,
        "margin": revenue - cogs,
        "on_hand": on_hand,
        "inventory_value": inventory_value,
        VALUED_AT: valued_at,
        "inventory_at_cost": np.where(valued_at == COST, inventory_value, 0.0),
        "on_order_value": np.nan_to_num(on_order * unit_value),
        "carrying_cost": inventory_value * rates[codes],
    }
    idx = positions(service["sku"], sku)
    found = idx >= 0
    for col in _SERVICE_SUMS:
        values = np.zeros(len(sku))
        values[found] = _floats(service[col])[idx[found]]
        columns[col] = values
    return pd.DataFrame(columns)  # one frame at once: no block per added column


def _floats(a: pd.Series | pa.ChunkedArray) -> np.ndarray:
    if isinstance(a, pa.ChunkedArray):
        return pc.fill_null(a.cast(pa.float64()), np.nan).to_numpy()
    return a.to_numpy(dtype=float)


def segment_totals(base: pd.DataFrame, segment_order: list[str] | None = None) -> pd.DataFrame:
    """The sums of :func:`kpi_base` per segment, then a Portfolio row (all SKUs). A base
    made without ``positive_revenue`` or ``inventory_at_cost`` reads its revenue's positive
    part and its whole inventory value as at cost."""
    if "positive_revenue" not in base or "inventory_at_cost" not in base:
        base = base.assign(
            positive_revenue=positive_part(base["revenue"].to_numpy(dtype=float)),
            inventory_at_cost=base["inventory_value"],
        )
    cols = [*_MONEY_SUMS, *_SERVICE_SUMS]
    # Grouped by integer codes, not the segment strings: the same sums (pandas' own, row order
    # kept) without hashing a million strings twice.
    codes, labels = pd.factorize(base["segment"], sort=True)
    have = codes >= 0  # a missing segment is in no group, as groupby drops it
    values = base[cols]
    if not have.all():
        values, codes = values[have], codes[have]
    grouped = values.groupby(codes, sort=True).sum(min_count=1)
    grouped.insert(0, "skus", np.bincount(codes, minlength=len(labels))[grouped.index])
    grouped.index = pd.Index(labels[grouped.index], name="segment")
    if segment_order is not None:
        grouped = grouped.reindex([s for s in segment_order if s in grouped.index])
    total = base[cols].sum(min_count=1).to_frame().T
    total.insert(0, "skus", len(base))
    total.index = [PORTFOLIO]
    out = pd.concat([grouped, total])
    out.index.name = "segment"
    return out.reset_index()


def _ratio(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    """A KPI's quotient: :func:`segstudio.common.numeric.safe_divide` over a positive
    denominator only (no order lines, no stock, or net returns in the sum give NaN: n/a)."""
    return safe_divide(num, den, positive_den=True)


def kpi_values(totals: pd.DataFrame, years: float) -> pd.DataFrame:
    """The KPI values of each row of :func:`segment_totals` (one column per KPI)."""
    out = pd.DataFrame({"segment": totals["segment"]})
    out["unit_fill_rate"] = _ratio(totals["shipped_units"], totals["ordered_units"])
    out["line_fill_rate"] = _ratio(totals["lines_complete"], totals["lines"])
    out["otif"] = _ratio(totals["lines_otif"], totals["lines_dated"])
    annual_cogs = totals["cogs"].to_numpy(dtype=float) / years
    at_cost = totals["inventory_at_cost"]  # cost of goods against stock at cost
    out["inventory_turns"] = _ratio(annual_cogs, at_cost)
    out["days_of_supply"] = _ratio(at_cost, annual_cogs / YEAR_DAYS)
    out["gmroi"] = _ratio(totals["margin"].to_numpy(dtype=float) / years, at_cost)
    return out


def service_targets(
    segments: list[str],
    policy: PolicyTable,
    policies: pd.DataFrame | None,
) -> pd.DataFrame:
    """Per segment, the policy's service measure and target. A cost-based policy's target is
    each SKU's critical ratio: its mean over the segment's stocked SKUs."""
    rows = []
    for seg in segments:
        p = policy.for_segment(seg)
        measure = "fill_rate" if p.service_type == "fill_rate" else "csl"
        target = p.service_target
        if p.service_type == "cost" and policies is not None:
            own = policies[(policies["segment"] == seg) & (policies["demand_model"] != "none")]
            target = float(own["service_target"].mean()) if len(own) else np.nan
        rows.append(
            {
                "segment": seg,
                "service_type": p.service_type,
                "measure": measure,
                "service_target": target,
            }
        )
    return pd.DataFrame(rows, columns=["segment", "service_type", "measure", "service_target"])


@dataclass
class Scorecard:
    """The scorecard: ``long`` has one row per segment and KPI (segment, kpi, label, unit,
    value, target, status, note); ``values`` the KPI values per segment; ``totals`` the sums
    behind them; ``service`` per segment the policy's measure, target and the achieved
    figure; ``columns`` which service KPIs the sales file's columns allow."""

    long: pd.DataFrame
    values: pd.DataFrame
    totals: pd.DataFrame
    service: pd.DataFrame
    columns: ServiceColumns
    # What the stock is valued at (policy.valuation), over the SKUs with stock on hand.
    valued: Valuation = Valuation(0, 0, 0)

    def wide(self, what: str = "value") -> pd.DataFrame:
        """Segments as rows, KPI labels as columns: ``what`` is value, target or status."""
        table = self.long.pivot(index="segment", columns="label", values=what)
        order = [k.label for k in KPIS.values()]
        segs = list(dict.fromkeys(self.long["segment"]))
        return table.reindex(index=segs, columns=[c for c in order if c in table.columns])

    def misses(self) -> pd.DataFrame:
        """The segments (not the portfolio) whose service is below target: red or amber."""
        s = self.long[
            (self.long["kpi"] == "service_level")
            & (self.long["segment"] != PORTFOLIO)
            & self.long["status"].isin(["red", "amber"])
        ]
        return s.reset_index(drop=True)

    def service_unmeasured(self) -> str:
        """Why no segment's achieved service can be measured ("" when one can): the missing
        column, or no order lines."""
        s = self.long[(self.long["kpi"] == "service_level") & (self.long["segment"] != PORTFOLIO)]
        if s.empty or np.isfinite(s["value"].to_numpy(dtype=float)).any():
            return ""
        return self.columns.missing_fill or "no order lines in the window"

    def counts(self) -> dict[str, int]:
        """How many cells are green, amber, red and n/a."""
        c = self.long["status"].value_counts()
        return {s: int(c.get(s, 0)) for s in STATUSES}


def scorecard(
    base: pd.DataFrame,
    targets: KpiTargets,
    policy: PolicyTable,
    years: float,
    columns: ServiceColumns,
    policies: pd.DataFrame | None = None,
    segment_order: list[str] | None = None,
    forecast_accuracy: dict[str, float] | None = None,
) -> Scorecard:
    """The KPI scorecard per segment and for the portfolio, with targets and status;
    ``forecast_accuracy``: per segment (and PORTFOLIO), 1 - WAPE of the latest forecast run
    (:func:`forecast_accuracy_by_segment`), None before any run."""
    totals = segment_totals(base, segment_order)
    values = kpi_values(totals, years)
    segs = [s for s in totals["segment"] if s != PORTFOLIO]
    svc = service_targets(segs, policy, policies).set_index("segment")
    achieved = np.where(
        svc["measure"] == "fill_rate",
        values.set_index("segment").loc[segs, "unit_fill_rate"],
        values.set_index("segment").loc[segs, "line_fill_rate"],
    ).astype(float)
    if not columns.fill:
        achieved[:] = np.nan
    svc["achieved"] = achieved
    lines = totals.set_index("segment")["lines"]
    w = lines.loc[segs].to_numpy(dtype=float)
    ok = np.isfinite(achieved) & np.isfinite(svc["service_target"].to_numpy(dtype=float)) & (w > 0)
    port_achieved = float(np.average(achieved[ok], weights=w[ok])) if ok.any() else np.nan
    port_target = (
        float(np.average(svc["service_target"].to_numpy(dtype=float)[ok], weights=w[ok]))
        if ok.any()
        else np.nan
    )

    stock = _stock(totals)
    rows = []
    for seg in totals["segment"]:
        own = targets.for_segment("default" if seg == PORTFOLIO else seg)
        vals = values.set_index("segment").loc[seg]
        for key, kpi in KPIS.items():
            note = ""
            if key == "service_level":
                if seg == PORTFOLIO:
                    value, target = port_achieved, port_target
                    note = "line-weighted over the segments"
                else:
                    value = float(svc.loc[seg, "achieved"])
                    target = float(svc.loc[seg, "service_target"])
                    measure = svc.loc[seg, "measure"]
                    note = (
                        "unit fill rate against a fill-rate target"
                        if measure == "fill_rate"
                        else "line fill rate against a cycle-service-level target"
                    )
                if not columns.fill:
                    value, note = np.nan, columns.missing_fill
            elif key == "forecast_accuracy":
                target = own.get(key, np.nan)
                if forecast_accuracy is None:
                    value, note = np.nan, NO_FORECASTS
                else:
                    value = forecast_accuracy.get(seg, np.nan)
                    note = "1 - WAPE of the latest forecast's backtest"
                    if not np.isfinite(value):
                        note = "no SKU of the segment was scored in the forecast's backtest"
            else:
                value, target = float(vals[key]), own.get(key, np.nan)
                if key in ("unit_fill_rate", "line_fill_rate") and not columns.fill:
                    value, note = np.nan, columns.missing_fill
                elif key == "otif" and not columns.otif:
                    value, note = np.nan, columns.missing_otif
                elif not np.isfinite(value):
                    note = _empty_note(key, stock)
            rows.append(
                {
                    "segment": seg,
                    "kpi": key,
                    "label": kpi.label,
                    "unit": kpi.unit,
                    "value": value,
                    "target": target,
                    "note": note,
                    "higher_is_better": kpi.higher_is_better,
                }
            )
    long = pd.DataFrame(rows)
    long["status"] = "n/a"
    for better in (True, False):
        m = long["higher_is_better"] == better
        long.loc[m, "status"] = status(
            long.loc[m, "value"], long.loc[m, "target"], better, targets.amber_band
        )
    long = long.drop(columns="higher_is_better")
    stocked = base["on_hand"].to_numpy(dtype=float) > 0 if "on_hand" in base else []
    valued = (
        counted(base[VALUED_AT].to_numpy(object)[stocked]) if len(stocked) else Valuation(0, 0, 0)
    )
    return Scorecard(long, values, totals, svc, columns, valued)


def service_side_by_side(sc: Scorecard, simulated: pd.DataFrame | None) -> pd.DataFrame:
    """Per segment: the service type, its target, :data:`ACHIEVED_SERVICE` (the Scorecard's,
    from the history) and :data:`SIMULATED_SERVICE` (the Simulation's ``achieved`` figure of
    the same service type, NaN before a simulation or for a segment it did not cover)."""
    svc = sc.service
    out = pd.DataFrame(
        {
            "segment": svc.index.astype(str),
            "service_type": svc["service_type"].to_numpy(),
            "service_target": svc["service_target"].to_numpy(dtype=float),
            "achieved_service": svc["achieved"].to_numpy(dtype=float),
        }
    )
    sim = (
        simulated.set_index("segment")["achieved"].astype(float)
        if simulated is not None and len(simulated)
        else pd.Series(dtype=float)
    )
    out["simulated_service"] = out["segment"].map(sim).astype(float).to_numpy()
    return out


def _stock(totals: pd.DataFrame) -> str:
    """What the portfolio's stock allows the cost-based KPIs: "none" (no stock on hand, or
    none with a value), "no cost" (stock valued, but none at cost) or "cost"."""
    if not (totals["inventory_value"].fillna(0) > 0).any():
        return "none"
    return "cost" if (totals["inventory_at_cost"].fillna(0) > 0).any() else "no cost"


def _empty_note(key: str, stock: str) -> str:
    if key in ("inventory_turns", "days_of_supply", "gmroi"):
        if stock == "none":
            return (
                "no inventory snapshot with stock is loaded: needs the inventory file's on_hand, "
                "and unit_cost for the stock at cost"
            )
        if stock == "no cost":
            return (
                "needs unit_cost (in the sales, inventory or products file): cost of goods "
                "and stock at cost"
            )
        return "no stock at cost, or no cost of goods, in this segment"
    return "no order lines in the window"


# --------------------------------------------------------------------------- balanced scorecard
BALANCED_COLUMNS: dict[str, str] = {
    "segment": "Segment (Portfolio: all SKUs)",
    "skus": "SKUs",
    "revenue": "Revenue in the window",
    "revenue_share": "Share of the portfolio's revenue (methods.md: a segment's share)",
    "gross_margin": "Revenue - cost of goods sold, in the window",
    "margin_pct": "Gross margin / revenue",
    "inventory_value": "On-hand stock (the snapshot) at cost, else at price (policy.valuation)",
    "carrying_cost": "Annual cost of holding the stock: inventory value x the policy's "
    "holding rate",
    "working_capital": "Cash tied up in stock: on hand plus on order, valued as the stock",
    "gmroi": "Annualised gross margin / inventory at cost",
    "margin_after_carrying": "Annualised gross margin - annual carrying cost",
    "unit_fill_rate": "Shipped / ordered units",
}


def balanced(sc: Scorecard, years: float) -> pd.DataFrame:
    """Operations linked to finance, per segment and for the portfolio (columns
    :data:`BALANCED_COLUMNS`)."""
    t = sc.totals
    v = sc.values
    positive = t["positive_revenue"].to_numpy(dtype=float)
    total_positive = float(positive[(t["segment"] == PORTFOLIO).to_numpy()][0])
    out = pd.DataFrame({"segment": t["segment"], "skus": t["skus"].astype(int)})
    out["revenue"] = t["revenue"].to_numpy(dtype=float)
    out["revenue_share"] = share_of_total(positive, total_positive)  # common.pareto
    out["gross_margin"] = t["margin"].to_numpy(dtype=float)
    out["margin_pct"] = _ratio(out["gross_margin"], out["revenue"])
    out["inventory_value"] = t["inventory_value"].to_numpy(dtype=float)
    out["carrying_cost"] = t["carrying_cost"].to_numpy(dtype=float)
    out["working_capital"] = out["inventory_value"] + t["on_order_value"].to_numpy(dtype=float)
    out["gmroi"] = v["gmroi"].to_numpy(dtype=float)
    out["margin_after_carrying"] = out["gross_margin"] / years - out["carrying_cost"]
    out["unit_fill_rate"] = v["unit_fill_rate"].to_numpy(dtype=float)
    # What the files cannot tell reads n/a, not 0: no prices, no stock at a cost, no shipped_qty.
    if not (out["revenue"].fillna(0) > 0).any():
        out[["revenue", "revenue_share"]] = np.nan
    if not (out["inventory_value"].fillna(0) > 0).any():
        out[["inventory_value", "carrying_cost", "working_capital"]] = np.nan
    if not sc.columns.fill:
        out["unit_fill_rate"] = np.nan
    return out[list(BALANCED_COLUMNS)]


def balanced_caption(sc: Scorecard, years: float) -> str:
    """What the balanced scorecard's figures are, the stock's valuation included
    (:mod:`segstudio.policy.valuation`), in the words of the page and the review."""
    stock = (
        f"Stock (inventory value, carrying cost, working capital) valued {sc.valued.label}. "
        if sc.valued.total
        else ""
    )
    return (
        f"The window is {fmt.fixed(years, 2)} years; GMROI and margin after carrying are "
        f"annualised. {stock}One inventory snapshot is loaded, so the average inventory is "
        "that snapshot; receivables and payables are not in the data, so working capital "
        "here is the stock on hand and on order."
    )


BALANCED_CHARTED: dict[str, str] = {
    "gross_margin": "Gross margin",
    "inventory_value": "Inventory value",
    "carrying_cost": "Carrying cost",
}
"""The balanced scorecard's figures its chart draws, with their names."""


def balanced_unmeasured(table: pd.DataFrame) -> dict[str, str]:
    """Each charted figure of :func:`balanced` that no segment has, with why and the column
    that would let it be measured (empty when every one has a value somewhere)."""
    segs = table[table["segment"] != PORTFOLIO]
    missing = [c for c in BALANCED_CHARTED if not segs[c].notna().any()]
    no_revenue = not segs["revenue"].notna().any()
    why = {
        "gross_margin": "needs revenue (or unit_price) and unit_cost in the sales file"
        if no_revenue
        else "needs unit_cost (in the sales, inventory or products file)",
        "inventory_value": "needs an inventory snapshot (the inventory file's on_hand) and a "
        "unit_cost or unit price",
        "carrying_cost": "needs the inventory value: an inventory snapshot (on_hand) and a "
        "unit_cost or unit price",
    }
    return {c: why[c] for c in missing}


def balanced_unmeasured_lines(missing: dict[str, str]) -> tuple[str, ...]:
    """What the balanced chart cannot show (``missing``: :func:`balanced_unmeasured`), in one
    line: nothing drawn when none of its figures can be measured."""
    if not missing:
        return ()
    each = "; ".join(f"{BALANCED_CHARTED[c].lower()} {why}" for c, why in missing.items())
    if len(missing) == len(BALANCED_CHARTED):
        return (f"No chart: none of its figures can be measured. {each[0].upper()}{each[1:]}.",)
    return (f"Left out of the chart, as it cannot be measured: {each}.",)


@dataclass(frozen=True)
class Quarters:
    """:func:`sku_quarters` prepared once per load for a portfolio's SKU order, so that the
    trend of any segmentation is a few weighted bincounts (no string work per slider move)."""

    pos: np.ndarray  # each row's SKU position in the portfolio
    quarter: np.ndarray  # each row's quarter number (index into ``starts``)
    starts: tuple[dt.date, ...]  # the first day of each quarter
    sums: dict[str, np.ndarray]  # the additive columns, one value per row
    first_day: dt.date | None  # the first sales day in the data


_EPOCH = dt.date(1970, 1, 1)  # Arrow's day 0
_TREND_SUMS = ("revenue", "cogs", "quantity", *_SERVICE_SUMS)


def prepare_quarters(quarters: pd.DataFrame | pa.Table, sku: np.ndarray) -> Quarters:
    """Rows of ``quarters`` (a frame or, quicker at a million SKUs, the Arrow table of
    :func:`sku_quarters`) for the SKUs of ``sku`` (the portfolio's order), coded."""
    if isinstance(quarters, pd.DataFrame):
        quarters = pa.Table.from_pandas(quarters, preserve_index=False)
    pos = positions(np.asarray(sku, dtype=object), quarters.column("sku"))
    keep = pos >= 0
    every = bool(keep.all())
    days = _int_days(quarters.column("quarter"))
    codes, uniques = _ranks(days if every else days[keep])
    first = pc.min(quarters.column("first_day").cast(pa.date32())).as_py()

    def sums(c: str) -> np.ndarray:  # a null (no such line) adds nothing, as a NaN would not
        col = quarters.column(c).cast(pa.float64())
        v = (pc.fill_null(col, 0.0) if col.null_count else col).to_numpy()  # no copy: 1 chunk
        if not np.isfinite(v).all():
            v = np.nan_to_num(v)
        return v if every else v[keep]

    return Quarters(
        pos=pos if every else pos[keep],
        quarter=codes,
        starts=tuple(_EPOCH + dt.timedelta(days=int(d)) for d in uniques),
        sums={c: sums(c) for c in _TREND_SUMS},
        first_day=first,
    )


def _int_days(dates: pa.ChunkedArray) -> np.ndarray:
    return dates.cast(pa.date32()).cast(pa.int32()).to_numpy()


_DENSE_DAYS = 1 << 21  # a span of days (5,700 years) small enough to rank by a lookup table


def _ranks(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(days, sort=True)`` (each value's rank among the distinct values, and
    those values) by a table over the span of days instead of a hash of every row."""
    if len(days) == 0 or int(days.max()) - int(days.min()) >= _DENSE_DAYS:
        codes, uniques = pd.factorize(days, sort=True)
        return codes.astype(np.int64), np.asarray(uniques)
    low = int(days.min())
    offset = days.astype(np.int64) - low
    seen = np.zeros(int(offset.max()) + 1, dtype=bool)
    seen[offset] = True
    rank = np.cumsum(seen) - 1
    return rank[offset].astype(np.int64), np.flatnonzero(seen) + low


def quarterly_trend(
    q: Quarters, segments: np.ndarray, columns: ServiceColumns, last_day: dt.date | None = None
) -> pd.DataFrame:
    """Per segment (and Portfolio) and quarter: revenue, gross margin, margin %, units, unit
    and line fill rate and OTIF (NaN where the columns are not mapped). Segments are the
    SKUs' segments today. ``complete`` is false for a quarter the data covers only in part
    (it starts before the first sales day or ends after ``last_day``)."""
    codes, labels = pd.factorize(np.asarray(segments), sort=True)
    n_seg, n_q = len(labels), len(q.starts)
    key = codes[q.pos].astype(np.int64) * n_q + q.quarter
    sums = {
        c: np.bincount(key, weights=v, minlength=n_seg * n_q).reshape(n_seg, n_q)
        for c, v in q.sums.items()
    }
    present = np.bincount(key, minlength=n_seg * n_q).reshape(n_seg, n_q) > 0
    seg_names = [*map(str, labels), PORTFOLIO]
    table = {c: np.vstack([v, v.sum(axis=0)]) for c, v in sums.items()}
    present = np.vstack([present, present.any(axis=0)])
    rows, cols = np.nonzero(present)
    t = {c: v[rows, cols] for c, v in table.items()}
    starts = np.array(q.starts, dtype=object)[cols] if n_q else np.array([], dtype=object)
    out = pd.DataFrame(
        {
            "segment": np.array(seg_names, dtype=object)[rows],
            "quarter": [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in starts],
            "revenue": t["revenue"],
            "quantity": t["quantity"],
        }
    )
    out["gross_margin"] = t["revenue"] - t["cogs"]
    out["margin_pct"] = _ratio(out["gross_margin"], t["revenue"])
    nan = np.full(len(out), np.nan)
    out["unit_fill_rate"] = _ratio(t["shipped_units"], t["ordered_units"]) if columns.fill else nan
    out["line_fill_rate"] = _ratio(t["lines_complete"], t["lines"]) if columns.fill else nan
    out["otif"] = _ratio(t["lines_otif"], t["lines_dated"]) if columns.otif else nan
    complete = np.ones(len(out), dtype=bool)
    for i, d in enumerate(starts):
        end = (pd.Timestamp(d) + pd.offsets.QuarterEnd(0)).date()
        if (last_day is not None and end > last_day) or (
            q.first_day is not None and d < q.first_day
        ):
            complete[i] = False
    out["complete"] = complete
    return out


def build_scorecard(
    features: pd.DataFrame,
    segments: np.ndarray,
    service: pd.DataFrame,
    rules_policy: PolicyTable,
    targets: KpiTargets,
    policies: pd.DataFrame,
    window: Window,
    stored_sales: set[str],
    segment_order: list[str] | None = None,
    forecast_errors: pd.DataFrame | None = None,
) -> tuple[Scorecard, pd.DataFrame]:
    """The scorecard of a segmented portfolio, and the per-SKU base it was summed from;
    ``forecast_errors``: the latest forecast run's per-SKU backtest totals (sku,
    abs_error_total, actual_total), None before any run."""
    base = kpi_base(features, segments, service, rules_policy)
    accuracy = (
        None
        if forecast_errors is None
        else forecast_accuracy_by_segment(features, segments, forecast_errors)
    )
    sc = scorecard(
        base,
        targets,
        rules_policy,
        window_years(window),
        ServiceColumns.from_stored(stored_sales),
        policies,
        segment_order,
        accuracy,
    )
    return sc, base


def forecast_accuracy_by_segment(
    features: pd.DataFrame, segments: np.ndarray, errors: pd.DataFrame
) -> dict[str, float]:
    """1 - WAPE (at least 0) per segment and for PORTFOLIO: the backtest's absolute errors
    over its actuals, each summed over the segment's scored SKUs (methods.md, KPI scorecard);
    NaN where the actuals sum to 0."""
    own = pd.DataFrame({"sku": features["sku"].astype(str).to_numpy(), "segment": segments})
    e = errors.assign(sku=errors["sku"].astype(str))[["sku", "abs_error_total", "actual_total"]]
    m = own.merge(e.dropna(), on="sku", how="inner")
    sums = m.groupby("segment")[["abs_error_total", "actual_total"]].sum()
    sums.loc[PORTFOLIO] = m[["abs_error_total", "actual_total"]].sum()

    def accuracy(abs_error: float, actual: float) -> float:
        return max(0.0, 1.0 - abs_error / actual) if actual > 0 else float("nan")

    return {
        str(seg): accuracy(float(r["abs_error_total"]), float(r["actual_total"]))
        for seg, r in sums.iterrows()
    }
