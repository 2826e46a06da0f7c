"""The segment stage's reads of the workspace: the sales history per SKU and quarter, for the
churn of segments over time (:mod:`segstudio.segment.churn` classifies it); and the count of
boundary alerts under a set of rules, stored at the load for the official rules (the sidebar
shows it on every page, the Data page first)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from segstudio.config.rules import Rules, to_toml
from segstudio.errors import SegStudioError
from segstudio.features.build import FeatureSettings, analysis_window, features_key
from segstudio.features.sql import SALES_DATES
from segstudio.ingest.store import derived_key, read_or_query, store_frame, stored_frame
from segstudio.segment import sql as q
from segstudio.segment.segmentation import AbcOrder

__all__ = [
    "abc_order_key",
    "alerts_key",
    "history_weeks",
    "quarterly_features",
    "store_abc_order",
    "store_alert_count",
    "stored_abc_order",
    "stored_alert_count",
]

_ALERTS = "alert_count"


def alerts_key(con: duckdb.DuckDBPyConnection, rules: Rules) -> str:
    """What the alert count under ``rules`` depends on: the feature table of their window
    (:func:`segstudio.features.build.features_key`, with the data version) and the rules
    (criteria, thresholds, bands, exclusions, class cut-offs). Neither the overrides nor
    hysteresis change it: an alert is an SKU within the band of a boundary it could cross
    (:meth:`segstudio.segment.segmentation.Segmentation.alert_mask`)."""
    return derived_key(features_key(con, FeatureSettings(weeks=rules.weeks)), to_toml(rules))


def store_alert_count(con: duckdb.DuckDBPyConnection, key: str, count: int) -> None:
    """Keep ``count``, the alert count that ``key`` names (:func:`alerts_key`, taken before the
    features were read), for the current data."""
    store_frame(con, _ALERTS, key, pd.DataFrame({"alerts": [int(count)]}))


def stored_alert_count(con: duckdb.DuckDBPyConnection, rules: Rules) -> int | None:
    """The alert count under ``rules`` as the load stored it for the current data, else
    None (other rules, or data loaded since)."""
    frame = stored_frame(con, _ALERTS, alerts_key(con, rules))
    return None if frame is None else int(frame["alerts"].iloc[0])


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


_ABC = "abc_order"


def abc_order_key(
    con: duckdb.DuckDBPyConnection, weeks: int, exclude: tuple[str, ...], measure: str
) -> str:
    """What a portfolio's Pareto order of ``measure`` depends on: the feature table of a
    ``weeks`` window (:func:`segstudio.features.build.features_key`, with the data version)
    and the SKUs left out."""
    base = features_key(con, FeatureSettings(weeks=weeks))
    return derived_key(base, measure, *sorted(exclude))


def store_abc_order(con: duckdb.DuckDBPyConnection, key: str, order: AbcOrder) -> None:
    """Keep ``order``, the Pareto order that ``key`` names (:func:`abc_order_key`, taken
    before the features were read), for the current data."""
    frame = pd.DataFrame({"share_before": order.share_before, "order": order.order})
    store_frame(con, _ABC, key, frame)


def stored_abc_order(
    con: duckdb.DuckDBPyConnection, weeks: int, exclude: tuple[str, ...], measure: str
) -> AbcOrder | None:
    """The Pareto order of ``measure`` the load stored for the portfolio of a ``weeks``
    window without ``exclude``, on the current data, else None."""
    frame = stored_frame(con, _ABC, abc_order_key(con, weeks, exclude, measure))
    if frame is None:
        return None
    return AbcOrder(frame["share_before"].to_numpy(float), frame["order"].to_numpy(np.int64))
