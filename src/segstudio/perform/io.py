"""The scorecard's reads of the workspace: the service counts per SKU, and per SKU and quarter;
and what a load stores for the pages' first views (:func:`store_after_load`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from segstudio.common.arrow import floats
from segstudio.config.rules import Rules, to_toml
from segstudio.errors import SegStudioError
from segstudio.features.build import (
    FeatureSettings,
    Window,
    analysis_window,
    compute_features,
    profile_key,
    store_profile,
)
from segstudio.features.classes import ClassCuts
from segstudio.features.profile import profile
from segstudio.forecast.store import latest_errors
from segstudio.ingest.store import (
    ONE_CHUNK,
    derived_key,
    read_or_query,
    result_key,
    store_frame,
    store_frames,
    store_result,
    stored_frame,
    stored_frame_table,
    stored_frames,
)
from segstudio.ingest.workspace import Workspace
from segstudio.perform import kpis
from segstudio.perform import sql as q
from segstudio.perform.after_load import NOT_STORED, store_base
from segstudio.perform.health import (
    HealthSettings,
    ageing_in_order,
    ageing_query,
    align_ageing,
    read_ageing_table,
)
from segstudio.perform.root_causes import root_causes
from segstudio.perform.suppliers import (
    DEFAULT_OTIF_BELOW,
    DEFAULT_SEGMENT_BASIS,
    SupplierPerformance,
    TierRule,
    receipt_aggregates,
    sku_context,
    supplier_performance,
)
from segstudio.policy.valuation import Valuation
from segstudio.segment.decisions import official_rules, segment_skus
from segstudio.segment.io import abc_order_key, alerts_key, store_abc_order, store_alert_count
from segstudio.segment.segmentation import (
    PREPARED_MEASURE,
    Portfolio,
    Segmentation,
    alert_count,
)

if TYPE_CHECKING:
    from segstudio.policy.tradeoff import PolicyFigures

__all__ = [
    "Causes",
    "ageing_key",
    "scorecard_key",
    "sku_quarters",
    "sku_quarters_table",
    "sku_service",
    "sku_service_table",
    "store_after_load",
    "stored_ageing",
    "stored_curves",
    "stored_figures",
    "stored_levels",
    "stored_scorecard",
    "stored_suppliers",
    "stored_trend",
    "suppliers_key",
    "trend_key",
]

_LEVELS = ("safety_stock", "expected_fill_rate", "expected_csl")


def _service_query(window: Window) -> tuple[str, dict[str, object]]:
    return q.sku_service_sql(window.period), {"win_start": window.start, "win_end": window.end}


def sku_service(con: duckdb.DuckDBPyConnection, window: Window) -> pd.DataFrame:
    """Per SKU, over the window's positive sales lines: lines, ordered and shipped units, lines
    shipped complete, dated lines, lines on time and lines on time in full (one SQL pass)."""
    return sku_service_table(con, window).to_pandas()


def sku_service_table(con: duckdb.DuckDBPyConnection, window: Window) -> pa.Table:
    """:func:`sku_service` as the Arrow table it is read as (what
    :func:`segstudio.perform.kpis.kpi_base` takes quickest)."""
    return read_or_query(con, "sku_service", *_service_query(window), rows_per_batch=ONE_CHUNK)


def sku_quarters(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per SKU and calendar quarter over all sales: revenue, cost of goods, units and the
    service counts of :func:`sku_service` (one SQL pass, once per load)."""
    return sku_quarters_table(con).to_pandas()


def sku_quarters_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """:func:`sku_quarters` as the Arrow table it is read as (no pandas conversion: what
    :func:`segstudio.perform.kpis.prepare_quarters` takes quickest)."""
    return read_or_query(con, "sku_quarters", q.SKU_QUARTERS, rows_per_batch=ONE_CHUNK)


def trend_key(codes: np.ndarray, labels: Sequence[str], weeks: int, exclude: Sequence[str]) -> str:
    """What the quarterly trend of a segmentation depends on besides the data: each SKU's
    segment (``codes`` into ``labels``, in the portfolio's order), the portfolio (the window's
    ``weeks`` and the excluded SKUs) and the query that sums the quarters."""
    h = hashlib.blake2b(np.ascontiguousarray(codes).tobytes(), digest_size=16)
    h.update(str(np.asarray(codes).dtype).encode())
    h.update("\x1f".join(labels).encode())
    h.update(f"\x1e{weeks}\x1e".encode())
    h.update("\x1f".join(sorted(exclude)).encode())
    h.update(q.SKU_QUARTERS.encode())
    return h.hexdigest()


def stored_trend(ws: Workspace, key: str) -> pd.DataFrame | None:
    """The quarterly trend stored at the load for ``key`` (:func:`trend_key`) on the current
    data, else None."""
    with ws.connect() as con:
        return stored_frame(con, "scorecard_trend", key)


def suppliers_key(s: Segmentation, tiers: TierRule, otif_below: float, basis: str) -> str:
    """What the supplier tables of a segmentation depend on besides the data: each SKU's
    segment and classes (``s``), its rules (the window, the ABC boundaries, the lead-time
    limits), the settings (``tiers``, ``otif_below``, ``basis``) and the receipts' queries."""
    h = hashlib.blake2b(np.ascontiguousarray(s.codes).tobytes(), digest_size=16)
    h.update("\x1f".join(s.labels).encode())
    for c in s.criteria:
        h.update(f"\x1e{c.name}".encode())
        h.update(np.ascontiguousarray(c.codes).tobytes())
    h.update(to_toml(s.rules).encode())
    h.update(repr((tiers, float(otif_below), basis)).encode())
    for sql in q.RECEIPT_QUERIES.values():
        h.update(sql.encode())
    return h.hexdigest()


_SUPPLIER_FRAMES = ("suppliers", "by_segment", "trend", "dual_sourcing")


def _store_suppliers(con: duckdb.DuckDBPyConnection, key: str, perf: SupplierPerformance) -> None:
    frames = {name: getattr(perf, name) for name in _SUPPLIER_FRAMES}
    frames["overall"] = pd.DataFrame({k: [v] for k, v in perf.overall.items()})
    frames["notes"] = pd.DataFrame({"note": pd.Series(perf.notes, dtype=object)})
    store_frames(con, "supplier_performance", key, frames)


def stored_suppliers(ws: Workspace, key: str) -> SupplierPerformance | None:
    """The supplier tables stored at the load for ``key`` (:func:`suppliers_key`) on the
    current data, else None."""
    with ws.connect() as con:
        frames = stored_frames(con, "supplier_performance", key)
    if frames is None:
        return None
    overall = frames["overall"]
    return SupplierPerformance(
        frames["suppliers"],
        frames["by_segment"],
        frames["trend"],
        frames["dual_sourcing"],
        overall={str(c): overall[c].iloc[0].item() for c in overall.columns},
        notes=[str(n) for n in frames["notes"]["note"]],
    )


def ageing_key(settings: HealthSettings, weeks: int, exclude: Sequence[str]) -> str:
    """What the inventory's ageing aligned to a portfolio depends on besides the data: the
    ageing query under the buckets of ``settings``, and the portfolio's SKUs and their order
    (the feature table's over ``weeks``, without the ``exclude``d ones)."""
    return derived_key(result_key(*ageing_query(settings)), str(weeks), *sorted(exclude))


def stored_ageing(ws: Workspace, key: str, skus: pd.Series) -> pd.DataFrame | None:
    """The ageing aligned to the portfolio of ``skus`` (:func:`align_ageing`), stored at the
    load for ``key`` (:func:`ageing_key`) on the current data, else None (also when no
    inventory was loaded: nothing is stored then)."""
    with ws.connect() as con:
        table = stored_frame_table(con, "health_ageing", key)
    if table is None or table.num_rows != len(skus):
        return None
    return ageing_in_order(table, skus)


def scorecard_key(codes: np.ndarray, labels: Sequence[str], rules: Rules, period: str) -> str:
    """What the scorecard of a segmentation depends on besides the data: each SKU's segment
    (``codes`` into ``labels``), the rules (window, exclusions, policy table, KPI targets),
    each segment's policy as resolved and the query of the service counts."""
    from segstudio.policy.tradeoff import curves_key  # scipy only when a page asks

    h = hashlib.blake2b(curves_key(codes, labels, rules, rules.policy).encode(), digest_size=16)
    h.update(to_toml(rules).encode())
    h.update(q.sku_service_sql(period).encode())
    return h.hexdigest()


Causes: TypeAlias = tuple[pd.DataFrame, pd.DataFrame]
"""The root causes of the misses: (summary, SKUs) (:func:`segstudio.perform.root_causes`)."""


def _store_scorecard(
    con: duckdb.DuckDBPyConnection, key: str, sc: kpis.Scorecard, causes: Causes
) -> None:
    frames = {
        "causes_summary": causes[0],
        "causes_skus": causes[1],
        "long": sc.long,
        "values": sc.values,
        "totals": sc.totals,
        "service": sc.service.reset_index(),
        "valued": pd.DataFrame(
            {k: [getattr(sc.valued, k)] for k in ("at_cost", "at_price", "unvalued")}
        ),
    }
    store_frames(con, "scorecard", key, frames)


def stored_scorecard(
    ws: Workspace, key: str, columns: kpis.ServiceColumns
) -> tuple[kpis.Scorecard, Causes] | None:
    """The scorecard and its root causes (under the rules' boundaries and the default cause
    settings) stored at the load for ``key`` (:func:`scorecard_key`) on the current data,
    with ``columns`` (what the sales file maps), else None."""
    with ws.connect() as con:
        frames = stored_frames(con, "scorecard", key)
    if frames is None:
        return None
    v = frames["valued"].iloc[0]
    sc = kpis.Scorecard(
        frames["long"],
        frames["values"],
        frames["totals"],
        frames["service"].set_index("segment"),
        columns,
        Valuation(int(v["at_cost"]), int(v["at_price"]), int(v["unvalued"])),
    )
    return sc, (frames["causes_summary"], frames["causes_skus"])


def store_after_load(ws: Workspace) -> str | None:
    """Right after a load commits: store what depends only on the data, so that no visitor
    waits for it (:mod:`segstudio.ingest.store`): the SKU overlap of the tables, the feature
    table under the official rules' window, the receipts' aggregates, the inventory's ageing
    under the default buckets (:func:`segstudio.perform.after_load.store_for_commands`, all that
    ``segstudio load`` stores); and what the Data page and the sidebar show
    (the feature table's profile and the official alert count, :func:`_store_data_page`), the
    scorecard's service counts over the window and its quarterly table, the trade-off curves
    and quarterly trend of the official segmentation, each SKU's service levels under the
    official policy (:func:`segstudio.policy.sku.service_levels`) and that policy's points and
    per-segment summary (:func:`stored_figures`), the official scorecard
    (:func:`stored_scorecard`), the supplier tables under the default settings
    (:func:`stored_suppliers`) and the ageing in the official portfolio's SKU order
    (:func:`stored_ageing`). Returns None, or one line saying why it could not (the load stands;
    what is missing is computed when first asked for).
    """
    try:
        official = official_rules(ws)
        settings = FeatureSettings(weeks=official.weeks)
        with ws.writing() as con:
            store_base(con, settings)  # raises SegStudioError without sales
            window = analysis_window(con, settings)
            store_result(con, "sku_service", *_service_query(window))
            store_result(con, "sku_quarters", q.SKU_QUARTERS)
        # computed with the file closed, stored in a write of its own
        portfolio, seg = _store_data_page(ws, official)
        # Imported here: the commands (store_for_commands) never import scipy.
        from segstudio.policy.sku import SkuInputs, policies_from_inputs, service_levels
        from segstudio.policy.tradeoff import curves, curves_key, policy_figures

        with ws.connect() as con:
            inventory = read_ageing_table(con)  # the default buckets, stored above
        ageing = None
        if inventory.num_rows:  # the Inventory health page's: in the portfolio's order
            ageing = align_ageing(inventory, portfolio.features["sku"]).drop(columns="sku")
        del inventory
        x = SkuInputs.from_features(portfolio.features)
        table = curves(x, seg.segment, seg.rules.policy)
        ss, fill, csl = service_levels(x, seg.segment, seg.rules.policy)
        levels = pd.DataFrame(
            {"row": np.arange(len(x)), **dict(zip(_LEVELS, (ss, fill, csl), strict=True))}
        )
        pol = policies_from_inputs(x, seg.segment, seg.rules.policy, (ss, fill, csl))
        figures = policy_figures(pol)
        key = curves_key(seg.codes, seg.labels, seg.rules, seg.rules.policy)
        with ws.connect() as con:
            quarters = kpis.prepare_quarters(sku_quarters_table(con), portfolio.sku)
        trend = kpis.quarterly_trend(
            quarters,
            seg.segment,
            kpis.ServiceColumns.from_stored(ws.stored_columns("sales")),
            window.last_day,
        )
        del quarters
        by = trend_key(seg.codes, seg.labels, seg.rules.weeks, sorted(seg.rules.exclude))
        with ws.connect() as con:
            service = sku_service_table(con, window)
        sc, base = kpis.build_scorecard(
            portfolio.features,
            seg.segment,
            service,
            seg.rules.policy,
            seg.rules.kpi,
            pol,
            window,
            ws.stored_columns("sales"),
            seg.present_labels(),
            latest_errors(ws),
        )
        causes = root_causes(
            base, portfolio.features, pol, sc, seg.rules.xyz_y, seg.rules.leadtime_cov
        )
        del service, base
        agg = receipt_aggregates(ws)
        perf = None
        if not agg.empty:  # the Suppliers page's first view: the default settings
            perf = supplier_performance(agg, sku_context(portfolio, seg), seg.rules)
        del agg
        with ws.writing() as con:
            store_frame(con, "policy_curves", key, table)
            store_frame(con, "scorecard_trend", by, trend)
            _store_scorecard(
                con, scorecard_key(seg.codes, seg.labels, seg.rules, window.period), sc, causes
            )
            if perf is not None:
                tiers = suppliers_key(seg, TierRule(), DEFAULT_OTIF_BELOW, DEFAULT_SEGMENT_BASIS)
                _store_suppliers(con, tiers, perf)
            if ageing is not None:
                by_sku = ageing_key(HealthSettings(), seg.rules.weeks, seg.rules.exclude)
                store_frame(con, "health_ageing", by_sku, ageing)
            store_frame(con, "policy_levels", key, levels)
            if len(figures.today) and len(figures.by_segment):  # else: computed on the page
                _store_figures(con, key, figures)
    except SegStudioError:  # no sales loaded yet: nothing more to store
        return None
    except duckdb.Error as exc:
        return NOT_STORED.format(exc=exc)
    return None


def _store_data_page(ws: Workspace, official: Rules) -> tuple[Portfolio, Segmentation]:
    """What the Data page and the sidebar show, stored after the app's loads (``segstudio
    load`` leaves it to the app, to stay quick): the profile of the feature table under the official rules' window and
    cut-offs (:func:`segstudio.features.build.stored_profile`) and the alert count under the
    official rules (:func:`segstudio.segment.io.stored_alert_count`), and the official
    portfolio's Pareto order of revenue (:func:`segstudio.segment.io.stored_abc_order`, which
    every page's portfolio prepares). Returns the official portfolio and its segmentation, as
    :func:`segment_skus` gives it (hysteresis and overrides)."""
    settings, cuts = FeatureSettings(weeks=official.weeks), ClassCuts.from_rules(official)
    exclude = tuple(official.exclude)
    with ws.connect() as con:
        # The keys first: data loaded while this runs is never matched by them.
        keys = (
            profile_key(con, settings, cuts),
            alerts_key(con, official),
            abc_order_key(con, official.weeks, exclude, PREPARED_MEASURE),
        )
        features, window = compute_features(con, settings, cuts)
    portfolio = Portfolio.from_features(features, window.last_day, exclude)
    portfolio, seg = segment_skus(ws, portfolio=portfolio)
    with ws.writing() as con:
        store_profile(con, keys[0], profile(features))
        store_alert_count(con, keys[1], alert_count(seg))
        store_abc_order(con, keys[2], portfolio.abc_order(PREPARED_MEASURE))
    return portfolio, seg


def stored_curves(ws: Workspace, key: str) -> pd.DataFrame | None:
    """The trade-off curves stored at the load for ``key``
    (:func:`segstudio.policy.tradeoff.curves_key`) on the current data, else None."""
    with ws.connect() as con:
        return stored_frame(con, "policy_curves", key)


def stored_levels(
    ws: Workspace, key: str, skus: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Each of the ``skus`` SKUs' (safety stock, expected fill rate, expected CSL) stored at
    the load for ``key`` (:func:`segstudio.policy.tradeoff.curves_key`, which names the
    segments and the policy) on the current data, else None."""
    with ws.connect() as con:
        table = stored_frame_table(con, "policy_levels", key)
    if table is None or table.num_rows != skus:
        return None
    order = table.column("row").to_numpy()
    if not np.array_equal(order, np.arange(skus)):
        table = table.take(np.argsort(order, kind="stable"))
    # Through Arrow: the numbers without a copy where they have no missing value.
    ss, fill, csl = (floats(table.column(c)) for c in _LEVELS)
    return ss, fill, csl


def _store_figures(con: duckdb.DuckDBPyConnection, key: str, f: PolicyFigures) -> None:
    v = f.valued
    frames = {
        "today": f.today,
        "by_segment": f.by_segment,
        "models": pd.DataFrame(
            {
                "demand_model": pd.Series(list(f.models), dtype=object),
                "skus": pd.Series(list(f.models.values()), dtype=np.int64),
            }
        ),
        "facts": pd.DataFrame(
            {
                "unvalued": [f.unvalued],
                "unmeasured_mix": [f.unmeasured_mix],
                "at_cost": [v.at_cost],
                "at_price": [v.at_price],
                "no_value": [v.unvalued],
            }
        ),
    }
    store_frames(con, "policy_figures", key, frames)


def stored_figures(ws: Workspace, key: str) -> PolicyFigures | None:
    """The official policy's :class:`segstudio.policy.tradeoff.PolicyFigures` (its points on
    the curves, its per-segment summary, what its stock is valued at, ...) stored at the load
    for ``key`` (as :func:`stored_levels`) on the current data, else None."""
    from segstudio.policy.tradeoff import PolicyFigures  # scipy only when a page asks

    with ws.connect() as con:
        frames = stored_frames(con, "policy_figures", key)
    if frames is None:
        return None
    facts = frames["facts"].iloc[0]
    models = frames["models"]
    return PolicyFigures(
        frames["today"],
        frames["by_segment"],
        str(facts["unvalued"]),
        str(facts["unmeasured_mix"]),
        {str(m): int(n) for m, n in zip(models["demand_model"], models["skus"], strict=True)},
        Valuation(int(facts["at_cost"]), int(facts["at_price"]), int(facts["no_value"])),
    )
