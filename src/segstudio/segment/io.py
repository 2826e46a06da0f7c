"""The segment stage's reads of the workspace: the sales history per SKU and quarter, for the
churn of segments over time (:mod:`segstudio.segment.churn` classifies it)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from segstudio.errors import SegStudioError
from segstudio.features.build import FeatureSettings, analysis_window
from segstudio.features.sql import SALES_DATES
from segstudio.ingest.store import read_or_query
from segstudio.segment import sql as q

__all__ = ["history_weeks", "quarterly_features"]


def history_weeks(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date]:
    """The Mondays of the first and the last complete ISO week of the sales history.

    The analysis window's rule over the whole history (methods.md, *Time*): with daily data a
    first or last week the data only partly covers is left out. Monthly files are refused:
    their weekly demand would be one week per month.
    """
    dates = read_or_query(con, "sales_dates", SALES_DATES).column("date").to_pylist()
    if not dates:
        raise SegStudioError("no sales loaded: load a sales file first")
    weeks = (dates[-1] - dates[0]).days // 7 + 2  # a window as long as the whole history
    win = analysis_window(con, FeatureSettings(weeks=weeks, period="auto"))
    if win.period != "week":
        raise SegStudioError(
            "churn per quarter needs weekly or daily sales: this sales file "
            "is monthly (one date per month)"
        )
    return win.start, win.end


def quarterly_features(con: duckdb.DuckDBPyConnection, net_returns: bool = True) -> pd.DataFrame:
    """One row per SKU and quarter of the history (see the module's docstring and
    :func:`segstudio.segment.sql.quarterly_features_sql` for every column).

    Columns: sku, quarter (its first day), weeks_in_quarter, calendar_weeks, complete,
    weeks_active, weeks_with_demand, quantity, revenue, margin, order_lines, demand_mean,
    demand_std, cov, adi, cv2. Callers pass a connection of their own (``with ws.connect() as con``).
    """
    first_week, last_week = history_weeks(con)
    table = con.execute(
        q.quarterly_features_sql(net_returns), {"first_week": first_week, "last_week": last_week}
    ).fetch_arrow_table()
    return table.to_pandas(date_as_object=False)
