"""The per-SKU feature table: one row per SKU, every later page builds on it.

Definitions follow ``segstudio/methods.md``, shown on the Methods page: ISO weeks, the last N
complete periods, net demand with returns netted within the period and floored at 0, active
weeks from the later of the window start and the SKU's first positive sale. The SQL itself is :func:`segstudio.queries.features_sql`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from segstudio.common.periods import add_periods, period_start
from segstudio.common.sql import ident, literal, one_row, run
from segstudio.errors import SegStudioError
from segstudio.features import sql as q
from segstudio.features.classes import PATTERNS, ClassCuts, class_columns, with_classes
from segstudio.ingest.store import (
    ONE_CHUNK,
    data_version,
    derived_key,
    holds,
    read_or_query,
    result_key,
    store_frames,
    store_result,
    stored_frames,
    stored_or_query,
    stored_table,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from segstudio.features import profile as prof

__all__ = [
    "FEATURE_COLUMNS",
    "FeatureSettings",
    "Window",
    "analysis_window",
    "compute_features",
    "export_features",
    "features_key",
    "features_page",
    "profile_key",
    "store_features",
    "store_profile",
    "stored_profile",
    "stored_size",
]

FEATURE_COLUMNS: dict[str, str] = {
    "sku": "Product code, as written in the files",
    "description": "From the product master, where loaded",
    "family": "From the product master, where loaded",
    "quantity": "Net units sold in the window (returns included)",
    "revenue": "Net revenue in the window: the revenue column, else quantity x unit price",
    "margin": "Revenue minus the lines' cost (each line's cost, else the SKU's unit cost)",
    "margin_pct": "Margin / revenue",
    "order_lines": "Sales lines with a positive quantity in the window",
    "quantity_share": "Quantity / the sum over SKUs with positive quantity",
    "revenue_share": "Revenue / the sum over SKUs with positive revenue",
    "margin_share": "Margin / the sum over SKUs with positive margin",
    "order_lines_share": "Order lines / all order lines",
    "unit_cost": "Cost per unit: product master, else the sales lines' average, else inventory "
    "(methods.md, valued sales lines)",
    "period": "The period the demand statistics were computed on: week, or month for monthly files",
    "weeks_active": "Periods from the later of window start and first sale to the window end",
    "weeks_with_demand": "Active periods with demand > 0",
    "demand_mean": "Mean weekly demand over the active periods (zeros included)",
    "demand_std": "Sample standard deviation of weekly demand over the active periods",
    "cov": "demand_std / demand_mean of the period's demand (empty: no demand)",
    "adi": "Average demand interval: active periods / periods with demand",
    "cv2": "Squared coefficient of variation of the non-zero period demands",
    "pattern": "smooth, erratic, intermittent, lumpy (Syntetos-Boylan) or insufficient history",
    "first_sale": "Date of the first positive sale in the whole history",
    "last_sale": "Date of the last positive sale in the whole history",
    "is_new": "First positive sale fewer than new_weeks weeks before the window's last day",
    "is_end_of_life": "No positive sale in the eol_weeks weeks before the window's last day",
    "on_hand": "Units on hand, all locations",
    "inventory_value": "on_hand x unit_cost",
    "days_of_supply": "on_hand / average daily demand (empty: no demand)",
    "on_order": "Units on order, where the inventory file has them",
    "lead_time_mean_days": "Mean of receipt date - order date: the SKU's own with >= 3 receipts, "
    "else its main supplier's",
    "lead_time_std_days": "Sample standard deviation of the same lead times",
    "lead_time_source": "sku or supplier: whose receipts gave the lead time",
    "n_receipts": "Receipts (purchase-order lines) of the SKU",
    "on_time_rate": "Share of receipts on or before the promised date",
    "in_full_rate": "Share of receipts with received >= ordered quantity",
    "receipts_per_year": "Receipts per year over the span of the receipts file",
    "main_supplier": "The supplier with most of the SKU's receipts (else the product master's)",
    "n_customers": "Distinct customers buying the SKU in the window",
    "top_customer_share": "The largest customer's share of the SKU's units in the window",
}


@dataclass(frozen=True)
class FeatureSettings:
    """The analysis window (methods.md defaults). The class cut-offs are the rules' own
    (:class:`segstudio.features.classes.ClassCuts`)."""

    weeks: int = 52
    period: str = "auto"  # "week", "month" or "auto" (month for monthly files)
    net_returns: bool = True

    def __post_init__(self) -> None:
        if self.weeks < 2:
            raise ValueError("weeks must be at least 2")
        if self.period not in ("auto", "week", "month"):
            raise ValueError("period must be 'auto', 'week' or 'month'")


@dataclass(frozen=True)
class Window:
    """The periods the features were computed over."""

    period: str
    start: dt.date  # first day of the first period
    end: dt.date  # first day of the last period
    periods: int
    last_day: dt.date  # last day of the last period
    bucketed: bool  # the file had one date per period (no partial periods)

    def period_starts(self) -> list[dt.date]:
        """The first day of each period of the window, in order."""
        return [add_periods(self.start, i, self.period) for i in range(self.periods)]


def analysis_window(con: duckdb.DuckDBPyConnection, settings: FeatureSettings) -> Window:
    """The last ``settings.weeks`` complete periods of the sales data (methods.md)."""
    dates = [d for (d,) in run(con, *stored_or_query(con, "sales_dates", q.SALES_DATES)).fetchall()]
    if not dates:
        raise SegStudioError("no sales loaded: load a sales file first")
    first, last = dates[0], dates[-1]
    n_dates = len(dates)
    n_weeks = len({period_start(d, "week") for d in dates})
    all_first_of_month = all(d.day == 1 for d in dates)
    period = settings.period
    if period == "auto":
        gaps = sorted((b - a).days for a, b in zip(dates, dates[1:], strict=False))
        gap = gaps[len(gaps) // 2] if gaps else None
        period = "month" if all_first_of_month and gap is not None and gap >= 28 else "week"
    if period == "week":
        bucketed = n_dates == n_weeks
        periods = settings.weeks
    else:
        bucketed = bool(all_first_of_month)
        periods = max(2, round(settings.weeks * 12 / 52))
    end = period_start(last, period)
    start_data = period_start(first, period)
    if not bucketed:
        # Daily data: a first or last period the data covers only in part is left out.
        if add_periods(end, 1, period) - dt.timedelta(days=1) > last:
            end = add_periods(end, -1, period)
        if first > start_data:
            start_data = add_periods(start_data, 1, period)
    start = max(add_periods(end, -(periods - 1), period), start_data)
    if start > end:
        raise SegStudioError("the sales history is shorter than one complete period")
    count = 0
    d = start
    while d <= end:
        count, d = count + 1, add_periods(d, 1, period)
    last_day = add_periods(end, 1, period) - dt.timedelta(days=1)
    return Window(period, start, end, count, last_day, bucketed)


def compute_features(
    con: duckdb.DuckDBPyConnection,
    settings: FeatureSettings | None = None,
    cuts: ClassCuts | None = None,
) -> tuple[pd.DataFrame, Window]:
    """The feature table of the workspace's sales under ``settings``, with its window; the
    pattern and lifecycle columns under ``cuts`` (default: the default rules')."""
    settings = settings or FeatureSettings()
    win = analysis_window(con, settings)
    sql, params = _features_query(win, settings)
    # Through Arrow, one chunk per column: several times faster than .df(). Stored at the load
    # for its settings.
    table = read_or_query(con, "features", sql, params, rows_per_batch=ONE_CHUNK)
    return with_classes(_frame(table), win.last_day, cuts or ClassCuts.from_rules()), win


def _frame(table: pa.Table) -> pd.DataFrame:
    """The feature table as pandas, one block per column (no copy of every number into one
    block) and with repeated texts (pattern, supplier, ...) as one Python string each, but
    the SKU, unique per row, without pyarrow's search for repeats: each of the two costs more
    than the conversion itself at a million SKUs."""
    if "sku" not in table.column_names or table.num_rows == 0:
        return table.to_pandas(date_as_object=False, split_blocks=True)
    at = table.column_names.index("sku")
    frame = table.remove_column(at).to_pandas(date_as_object=False, split_blocks=True)
    frame.insert(at, "sku", table.column("sku").to_pandas(deduplicate_objects=False))
    return frame


def export_features(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    settings: FeatureSettings | None = None,
    cuts: ClassCuts | None = None,
) -> tuple[int, Window]:
    """Write the feature table of :func:`compute_features` (same settings, same cuts) to the
    Parquet file ``out``, straight from DuckDB: (its SKUs, its window).

    The classes come from :func:`segstudio.features.classes.class_columns` like a frame's; the
    rest is read and written by DuckDB, so that a command on a stored table needs neither
    pandas nor pyarrow (what `segstudio features` costs right after `segstudio load`)."""
    import numpy as np

    settings = settings or FeatureSettings()
    cuts = cuts or ClassCuts.from_rules()
    win = analysis_window(con, settings)
    sql, params = stored_or_query(con, "features", *_features_query(win, settings))
    if params:  # not stored for these settings: the query, once
        run(con, f"CREATE OR REPLACE TEMP TABLE __features_out AS {sql}", params)
        sql = "SELECT * FROM __features_out"
    inputs = con.execute(
        f"SELECT adi, cv2, weeks_with_demand, first_sale, last_sale FROM ({sql})"
    ).fetchnumpy()

    def column(name: str) -> np.ndarray:
        values = inputs[name]
        if values.dtype.kind == "M":
            return np.ma.filled(values, np.datetime64("NaT"))
        return np.ma.filled(values.astype(float), np.nan)

    n = len(inputs["adi"])
    # Numbers and flags only: DuckDB scans them without pandas (text would need it).
    con.register("__feature_classes", class_columns(n, column, win.last_day, cuts))
    names = "[" + ", ".join(literal(p) for p in PATTERNS) + "]"
    con.execute(
        f"COPY (SELECT f.* REPLACE ({names}[c.pattern_code + 1] AS pattern, "
        "c.is_new AS is_new, c.is_end_of_life AS is_end_of_life) "
        f"FROM ({sql}) f POSITIONAL JOIN __feature_classes c) TO {literal(str(out))} (FORMAT parquet)"
    )
    con.unregister("__feature_classes")
    con.execute("DROP TABLE IF EXISTS __features_out")
    return n, win


def _features_query(win: Window, settings: FeatureSettings) -> tuple[str, dict[str, object]]:
    params: dict[str, object] = {
        "win_start": win.start,
        "win_end": win.end,
        "n_periods": win.periods,
        "per_week": 1.0 if win.period == "week" else 12 / 52,
    }
    return q.features_sql(win.period, settings.net_returns, win.periods), params


def store_features(con: duckdb.DuckDBPyConnection, settings: FeatureSettings | None = None) -> None:
    """Keep the feature table under ``settings`` (and the sale dates its window comes from) in
    the workspace for the current data, so that :func:`compute_features` with these settings
    reads it instead of querying (right after a load; on a connection that may write)."""
    settings = settings or FeatureSettings()
    store_result(con, "sales_dates", q.SALES_DATES)
    sql, params = _features_query(analysis_window(con, settings), settings)
    store_result(con, "features", sql, params)


def features_key(con: duckdb.DuckDBPyConnection, settings: FeatureSettings) -> str:
    """What a result computed from the feature table under ``settings`` depends on in the
    data: the feature query (its text and its window) and the data version, read now
    (:func:`segstudio.ingest.store.data_version`)."""
    key = result_key(*_features_query(analysis_window(con, settings), settings))
    return f"{key}.{data_version(con)}"


def profile_key(con: duckdb.DuckDBPyConnection, settings: FeatureSettings, cuts: ClassCuts) -> str:
    """What the :class:`segstudio.features.profile.Profile` of the feature table under
    ``settings`` and ``cuts`` depends on (:func:`features_key` and the cut-offs)."""
    return derived_key(features_key(con, settings), repr(cuts))


_PROFILE = "feature_profile"
_TOP_SHARE = "top_share"


def store_profile(con: duckdb.DuckDBPyConnection, key: str, profile: prof.Profile) -> None:
    """Keep ``profile``, the profile of the feature table that ``key`` names
    (:func:`profile_key`, taken before the table was read), for the current data (right after
    a load: the Data page's first view reads it instead of the table)."""
    import pandas as pd

    counts = pd.DataFrame({**profile.counts, _TOP_SHARE: profile.top_share}, index=[0])
    frames = {"counts": counts, "curve": profile.curve, "patterns": profile.patterns}
    store_frames(con, _PROFILE, key, frames)


def stored_profile(
    con: duckdb.DuckDBPyConnection, settings: FeatureSettings, cuts: ClassCuts
) -> tuple[prof.Profile, Window] | None:
    """The profile of the feature table under ``settings`` and ``cuts`` and its window, as
    the load stored it (:func:`store_profile`) for the current data, else None."""
    frames = stored_frames(con, _PROFILE, profile_key(con, settings, cuts))
    if frames is None:
        return None
    from segstudio.features import profile as prof  # pandas: not for every command

    row = frames["counts"].iloc[0]
    counts = {str(c): int(row[c]) for c in frames["counts"].columns if c != _TOP_SHARE}
    profile = prof.Profile(counts, float(row[_TOP_SHARE]), frames["curve"], frames["patterns"])
    return profile, analysis_window(con, settings)


def _stored_query(con: duckdb.DuckDBPyConnection, settings: FeatureSettings) -> Window | None:
    """The window of the feature table under ``settings`` when the load stored that table for
    the current data, else None."""
    win = analysis_window(con, settings)
    return win if holds(con, "features", *_features_query(win, settings)) else None


def stored_size(
    con: duckdb.DuckDBPyConnection, settings: FeatureSettings
) -> tuple[int, Window] | None:
    """The number of SKUs (rows) of the feature table under ``settings`` and its window,
    counted in the table the load stored, without reading it; None when it was not stored."""
    win = _stored_query(con, settings)
    if win is None:
        return None
    rows = int(one_row(con, f"SELECT count(*) FROM {ident(stored_table('features'))}")[0])
    return rows, win


def features_page(
    con: duckdb.DuckDBPyConnection,
    settings: FeatureSettings,
    cuts: ClassCuts,
    first: int,
    count: int,
) -> pd.DataFrame | None:
    """Rows ``first`` to ``first + count`` (from 0) of :func:`compute_features` under
    ``settings`` and ``cuts``, read alone from the table the load stored (the classes are per
    row); None when it was not stored."""
    import pandas as pd
    import pyarrow as pa

    win = _stored_query(con, settings)
    if win is None:
        return None
    stored = ident(stored_table("features"))
    # A plain scan keeps the stored table's order (the query's), as the whole read does.
    table = con.execute(
        f"SELECT * FROM {stored} LIMIT ? OFFSET ?", [count, first]
    ).fetch_arrow_table()
    frame = _frame(table)
    frame.index = pd.RangeIndex(first, first + len(frame))
    # pandas reads a column of integers (or booleans) with a missing value anywhere as floats
    # (or objects): the page's columns take the whole table's types, whatever rows it holds.
    typed = [
        f.name for f in table.schema if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)
    ]
    if typed:
        missing = one_row(
            con,
            "SELECT "
            + ", ".join(f"count(*) - count({ident(c)})" for c in typed)
            + f" FROM {stored}",
        )
        for c, n in zip(typed, missing, strict=True):
            if n and not frame[c].isna().any():
                frame[c] = frame[c].astype(object if frame[c].dtype == bool else float)
    return with_classes(frame, win.last_day, cuts)
