"""The quarterly business review: one story per screen (segment matrix, KPI scorecard,
trade-off curves, balanced scorecard, suppliers, inventory health), and the same stories as a
report for PDF, PowerPoint and Excel (:mod:`segstudio.report`).

The app builds :class:`QbrData` from what its pages have cached; the ``segstudio report``
command builds it from a workspace with :func:`gather`. Both then call :func:`story` and
:func:`build_report`, so the screen and the pack always show the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from segstudio.common import fmt
from segstudio.config.kpi_targets import KPIS
from segstudio.config.rules import Rules
from segstudio.features.build import FeatureSettings, Window, analysis_window
from segstudio.forecast.store import latest_errors, plans_on_forecast, policy_demand
from segstudio.ingest.workspace import Workspace
from segstudio.perform import health, kpi_display, kpis, root_causes, suppliers
from segstudio.perform import io as perform_io
from segstudio.perform.kpis import Scorecard
from segstudio.policy.sku import SkuInputs, policies_from_inputs, segment_summary
from segstudio.policy.tradeoff import chart_data, curves, curves_key, today_points
from segstudio.policy.valuation import valuation
from segstudio.report import charts
from segstudio.report.document import Report, Section
from segstudio.report.health_charts import ageing_figure
from segstudio.segment.decisions import segment_skus
from segstudio.segment.segmentation import (
    Portfolio,
    Segmentation,
    abc_measure_note,
    cell_labels,
    matrix,
)

__all__ = [
    "MAX_SHEET_ROWS",
    "QbrData",
    "STORIES",
    "attach_operations",
    "build_report",
    "gather",
    "sheets",
    "story",
]


@dataclass
class QbrData:
    """Everything the stories show, computed once."""

    portfolio: Portfolio
    window: Window
    segmentation: Segmentation
    rules: Rules
    policies: pd.DataFrame
    scorecard: Scorecard
    base: pd.DataFrame | Callable[[], pd.DataFrame]  # kpis.kpi_base, or how to get it
    curves: pd.DataFrame
    trend: pd.DataFrame  # kpis.quarterly_trend of the segmentation
    suppliers: suppliers.SupplierPerformance | None = None
    health_skus: pd.DataFrame | None = None
    health_settings: health.HealthSettings = field(default_factory=health.HealthSettings)
    health_note: str = ""

    @property
    def years(self) -> float:
        return kpis.window_years(self.window)

    def sku_base(self) -> pd.DataFrame:
        """The per-SKU base of the scorecard (got when first needed: the root causes)."""
        return self.base() if callable(self.base) else self.base

    @cached_property
    def balanced(self) -> pd.DataFrame:
        return kpis.balanced(self.scorecard, self.years)

    @cached_property
    def health_segments(self) -> pd.DataFrame | None:
        if self.health_skus is None:
            return None
        return health.segment_health(self.health_skus, self.health_settings)

    @cached_property
    def health_actions(self) -> pd.DataFrame | None:
        if self.health_skus is None:
            return None
        return health.act_on_first(self.health_skus, self.health_settings)


def attach_operations(
    d: QbrData,
    receipts: suppliers.ReceiptAggregates | None,
    ageing: pd.DataFrame | None,
    inventory_columns: set[str],
    *,
    tiers: suppliers.TierRule | None = None,
    otif_below: float | None = None,
    segment_basis: str | None = None,
    performance: suppliers.SupplierPerformance | None = None,
    health_skus: pd.DataFrame | None = None,
) -> QbrData:
    """Add the supplier performance (when receipts are loaded; under ``tiers``, ``otif_below``
    and ``segment_basis``, the Suppliers page's settings) and the inventory health (when
    ``ageing``, :func:`health.read_ageing` or its aligned form, is given; under
    ``d.health_settings``) to ``d``. ``performance``: the supplier tables already computed
    from ``receipts`` for these segments and settings (the app's shared ones; ``receipts``
    may then be None); ``health_skus``: :func:`health.sku_health` already computed from
    ``ageing`` for these segments and ``d.health_settings``."""
    if performance is not None:
        d.suppliers = performance
    elif receipts is not None and not receipts.empty:
        given = {"otif_below": otif_below, "segment_basis": segment_basis}
        d.suppliers = suppliers.supplier_performance(
            receipts,
            suppliers.sku_context(d.portfolio, d.segmentation),
            d.rules,
            tiers,
            **{k: v for k, v in given.items() if v is not None},  # type: ignore[arg-type]
        )
    if health_skus is not None:
        d.health_skus = health_skus
    elif ageing is not None:
        d.health_skus = health.sku_health(
            d.portfolio.features,
            d.segmentation.segment,
            ageing,
            d.window.last_day,
            d.health_settings,
            d.policies,
        )
    if d.health_skus is not None:
        d.health_note = health.ageing_note(inventory_columns) or ""
    return d


def _matrix(d: QbrData) -> Section:
    rules = d.rules
    cells = matrix(d.portfolio, d.segmentation)
    rows, cols = cell_labels(rules)
    row_name = rules.criteria[0]
    col_name = rules.criteria[1] if len(rules.criteria) > 1 else ""
    measure = d.portfolio.abc_measure(rules.abc_measure)  # quantity when prices are missing
    shown = ["segment", "name", "skus", "revenue", "revenue_share", "margin"]
    if measure != "revenue" and "measure_share" in cells:
        shown.insert(3, "measure_share")
    table = cells[cells["skus"] > 0][shown].rename(columns={"measure_share": f"{measure}_share"})
    notes = [
        f"Criteria: {', '.join(rules.criteria)}; window {rules.weeks} weeks, "
        f"{fmt.date(d.window.start)} to {fmt.date(d.window.last_day)}."
    ]
    if "abc" in rules.criteria:
        notes.append(
            f"ABC on {measure.replace('_', ' ')}: A up to {fmt.boundary(rules.abc_a)} of the "
            f"total, B up to {fmt.boundary(rules.abc_b)} (shares of the measure)."
        )
        fallback = abc_measure_note(d.portfolio, rules.abc_measure)
        if fallback:
            notes.append(fallback)
    if "xyz" in rules.criteria:
        notes.append(
            f"XYZ on the CoV of weekly demand: X up to {fmt.plain(rules.xyz_x)}, "
            f"Y up to {fmt.plain(rules.xyz_y)}."
        )
    return Section(
        "Segment matrix",
        fmt.count(len(d.portfolio), "SKU"),
        charts.matrix_heatmap(cells, rows, cols, row_name, col_name, measure),
        table,
        tuple(notes),
    )


def _scorecard(d: QbrData) -> Section:
    sc = d.scorecard
    missing = kpi_display.unmeasured(sc)  # KPIs no row can measure: said, not drawn grey
    measured = len(missing) < len(KPIS)
    fig = (
        charts.scorecard_figure(
            kpi_display.measured_only(kpi_display.display_table(sc, with_targets=False), missing),
            kpi_display.measured_only(sc.wide("status"), missing),
            "KPI scorecard by segment",
        )
        if measured
        else None
    )
    counts = sc.counts()
    table = kpi_display.measured_only(kpi_display.display_table(sc), missing).reset_index()
    notes = (
        f"Status: green at or better than target, amber within "
        f"{fmt.share(d.rules.kpi.amber_band, 0)}, red further off; cells show value / "
        "target.",
        *kpi_display.notes(sc, skip=missing),
    )
    return Section(
        "KPI scorecard",
        f"{counts['green']} green, {counts['amber']} amber, {counts['red']} red"
        if measured
        else "No KPI can be measured from these files",
        fig,
        table if measured else None,
        notes if measured else (),
        unmeasured=kpi_display.unmeasured_lines(missing),
    )


def _tradeoff(d: QbrData) -> Section:
    today = today_points(d.policies)
    seg_curves, seg_today = chart_data(d.curves, today, "csl", portfolio=False)
    valued = valuation(d.policies)
    fig = charts.tradeoff_figure(
        seg_curves,
        seg_today,
        "Cycle service level",
        "Inventory against service, per segment",
        valued.short,
    )
    cols = [
        "segment",
        "service_type",
        "service_target",
        "expected_csl",
        "expected_fill_rate",
        "inventory_value",
    ]
    table = today[[c for c in cols if c in today.columns]]
    return Section(
        "Service against inventory",
        "Today's policy (diamonds) on each segment's curve",
        fig,
        table,
        (
            "A curve point puts every stocked SKU of the segment at that target.",
            f"Inventory value = safety stock + half an order, {valued.label}.",
        ),
    )


def _balanced(d: QbrData) -> Section:
    table = d.balanced
    missing = kpis.balanced_unmeasured(table)
    charted = len(missing) < len(kpis.BALANCED_CHARTED)
    return Section(
        "Balanced scorecard",
        "Operations linked to finance, per segment",
        charts.balanced_figure(table, hidden=tuple(missing)) if charted else None,
        table,
        (kpis.balanced_caption(d.scorecard, d.years),),
        unmeasured=kpis.balanced_unmeasured_lines(missing),
    )


def _suppliers(d: QbrData) -> Section:
    if d.suppliers is None:
        return Section(
            "Suppliers",
            "No supplier receipts loaded",
            notes=("Load a supplier receipts file to see on-time, in-full and lead times.",),
        )
    perf = d.suppliers
    table = perf.suppliers
    cols = [
        c
        for c in (
            "supplier",
            "tier",
            "lines",
            "spend",
            "on_time_rate",
            "in_full_rate",
            "otif_rate",
            "lead_time_mean_days",
            "lead_time_std_days",
            "segments",
        )
        if c in table.columns
    ]
    fig = charts.supplier_otif_figure(table)
    notes = tuple(perf.notes) + (
        f"{fmt.count(len(perf.dual_sourcing), 'dual-sourcing candidate')} (single-sourced A or "
        "long-lead-time SKUs with an unreliable supplier).",
    )
    # The table comes sorted by spend (by lines where no spend is known).
    return Section(
        "Supplier performance", fmt.count(len(table), "supplier"), fig, table[cols], notes
    )


def _health(d: QbrData) -> Section:
    if d.health_skus is None:
        return Section(
            "Inventory health",
            "No inventory snapshot loaded",
            notes=(
                d.health_note or "Load an inventory file to see ageing, excess and obsolete stock.",
            ),
        )
    segs = d.health_segments
    if segs is None:  # health_skus is set, so are its segments (for the type checker)
        raise AssertionError("the health segments of the health SKUs")
    valued = health.stock_valuation(d.health_skus)
    fig = ageing_figure(health.ageing_chart_data(segs, d.health_settings), valued_at=valued.short)
    h = health.headline(d.health_skus)
    unvalued = health.value_unmeasured(d.health_skus)
    notes = [
        *([] if unvalued else [f"Stock valued {valued.label}."]),
        "Act on first: the SKUs with value at risk, most first, are in the workbook's "
        "health_actions sheet.",
    ]
    if d.health_note:
        notes.append(d.health_note)
    return Section(
        "Inventory health",
        f"{fmt.count(int((segs['skus_with_stock']).sum()), 'SKU')} in stock; its value cannot "
        "be measured"
        if unvalued
        else f"Write-down exposure {fmt.money(h['write_down_exposure'])} "
        f"of {fmt.money(h['value'])} on hand; {fmt.count(h['skus_at_risk'], 'SKU')} "
        "at risk",
        None if unvalued else fig,
        segs[["segment", "skus", "skus_with_stock"]] if unvalued else segs,
        tuple(notes),
        unmeasured=(f"Inventory health cannot be measured: {unvalued}.",) if unvalued else (),
    )


STORIES: dict[str, tuple[str, Callable[[QbrData], Section]]] = {
    "matrix": ("Segment matrix", _matrix),
    "scorecard": ("KPI scorecard", _scorecard),
    "tradeoff": ("Service against inventory", _tradeoff),
    "balanced": ("Balanced scorecard", _balanced),
    "suppliers": ("Supplier performance", _suppliers),
    "health": ("Inventory health", _health),
}


def story(d: QbrData, key: str) -> Section:
    """One story of the review, as a section: title, chart, table and notes."""
    return STORIES[key][1](d)


def sheets(d: QbrData) -> dict[str, pd.DataFrame]:
    """The tables under the stories, for the Excel workbook."""
    out = {
        "scorecard": d.scorecard.long,
        "balanced": d.balanced,
        "trend_by_quarter": d.trend,
        "segment_matrix": matrix(d.portfolio, d.segmentation),
        "policy_by_segment": segment_summary(d.policies),
        "tradeoff_curves": d.curves,
    }
    summary, skus = root_causes.root_causes(
        d.sku_base(),
        d.portfolio.features,
        d.policies,
        d.scorecard,
        d.rules.xyz_y,
        d.rules.leadtime_cov,
    )
    out["root_causes"] = summary
    out["root_cause_skus"] = skus
    if d.suppliers is not None:
        out.update(suppliers.export_frames(d.suppliers))
    if d.health_skus is not None:
        out["health_by_segment"] = d.health_segments
        out["health_actions"] = d.health_actions
    return out


MAX_SHEET_ROWS = 20_000  # a review's lists keep their first rows (most important first)
FULL_LISTS = {
    "dual_sourcing": "segstudio suppliers --out F.xlsx",
    "health_actions": "the Inventory health page's download",
    "root_cause_skus": "the Scorecard page's root-cause download",
}


def _capped(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with long lists cut to :data:`MAX_SHEET_ROWS`, and an "about" table saying
    what was cut and where the whole list is."""
    out, about = {}, []
    for name, df in tables.items():
        cut = len(df) > MAX_SHEET_ROWS
        out[name] = df.head(MAX_SHEET_ROWS) if cut else df
        about.append(
            {
                "sheet": name,
                "rows": min(len(df), MAX_SHEET_ROWS),
                "rows_in_full": len(df),
                "note": (
                    f"first {fmt.count(MAX_SHEET_ROWS, 'row')}, most important "
                    f"first; the whole list: {FULL_LISTS.get(name, 'the app')}"
                )
                if cut
                else "",
            }
        )
    out["about"] = pd.DataFrame(about)
    return out


def build_report(
    d: QbrData, title: str = "Quarterly business review", subtitle: str = ""
) -> Report:
    """The whole review as a report: every story, then the tables for Excel."""
    sub = subtitle or (
        f"{fmt.count(len(d.portfolio), 'SKU')}, {fmt.date(d.window.start)} to "
        f"{fmt.date(d.window.last_day)}, "
        f"segments {' x '.join(c.upper() for c in d.rules.criteria)}"
    )
    return Report(title, sub, [story(d, k) for k in STORIES], _capped(sheets(d)))


def gather(
    ws: Workspace,
    rules: Rules | None = None,
    *,
    health_settings: health.HealthSettings | None = None,
    tiers: suppliers.TierRule | None = None,
    otif_below: float | None = None,
    segment_basis: str | None = None,
    performance: suppliers.SupplierPerformance | None = None,
    health_skus: pd.DataFrame | None = None,
) -> QbrData:
    """The review's data from a workspace under ``rules`` (default: the official rules) and
    the Suppliers and Inventory health settings (default: theirs), the way the ``segstudio
    report`` command needs it."""
    settings = health_settings or health.HealthSettings()
    p, s = segment_skus(ws, rules)
    rules = s.rules
    has_stock = ws.table_counts().get("inventory", 0) > 0
    # The official segmentation's trend is stored at the load; any other is summed here.
    trend = perform_io.stored_trend(
        ws, perform_io.trend_key(s.codes, s.labels, rules.weeks, sorted(rules.exclude))
    )
    with ws.connect() as con:  # the reads; the maths below runs with the file closed
        window = analysis_window(con, FeatureSettings(weeks=rules.weeks))
        service = perform_io.sku_service_table(con, window)
        sku_quarters = perform_io.sku_quarters_table(con) if trend is None else None
        ageing = health.read_ageing(con, settings) if has_stock else None
    # once, for the policies and the curves (with the forecast where a policy plans on it)
    forecast = policy_demand(ws)
    inputs = SkuInputs.from_features(p.features, forecast)
    key = curves_key(s.codes, s.labels, rules, rules.policy)  # stored at the load if official
    on_forecast = forecast is not None and plans_on_forecast(rules.policy)
    # the load stored the levels planned on the history, not on a later forecast
    known = None if on_forecast else perform_io.stored_levels(ws, key, len(inputs))
    pol = policies_from_inputs(inputs, s.segment, rules.policy, known_levels=known)
    sc, base = kpis.build_scorecard(
        p.features,
        s.segment,
        service,
        rules.policy,
        rules.kpi,
        pol,
        window,
        ws.stored_columns("sales"),
        s.present_labels(),
        latest_errors(ws),
    )
    crv = None if on_forecast else perform_io.stored_curves(ws, key)
    if crv is None:
        crv = curves(inputs, s.segment, rules.policy)
    if sku_quarters is not None:
        quarters = kpis.prepare_quarters(sku_quarters, p.sku)
        trend = kpis.quarterly_trend(quarters, s.segment, sc.columns, window.last_day)
    data = QbrData(p, window, s, rules, pol, sc, base, crv, trend, health_settings=settings)
    return attach_operations(
        data,
        suppliers.receipt_aggregates(ws),
        ageing,
        ws.stored_columns("inventory"),
        tiers=tiers,
        otif_below=otif_below,
        segment_basis=segment_basis,
    )
