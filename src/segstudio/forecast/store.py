"""A forecast run kept in the workspace: the latest run's backtest, accuracy and future
forecast, with what it was made from (the data version, the rules, the settings), so that the
Forecast page, the Scorecard and the command read one result and say when it is out of date."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from segstudio.common.periods import WEEK_DAYS, period_days
from segstudio.common.sql import ident, run
from segstudio.forecast import sql as q

if TYPE_CHECKING:
    from segstudio.config.policy_table import PolicyTable
    from segstudio.forecast.engine import Result
    from segstudio.ingest.workspace import Workspace

__all__ = [
    "RUN_TABLES",
    "StoredRun",
    "current_run_token",
    "latest_errors",
    "latest_run",
    "plans_on_forecast",
    "policy_demand",
    "save_run",
]

RUN_TABLES = {
    "backtest": "forecast_backtest",
    "accuracy": "forecast_accuracy",
    "forecast": "forecast_future",
}
_META = "forecast_run"


@dataclass(frozen=True)
class StoredRun:
    """The latest forecast run: its tables and what it was made from."""

    backtest: pd.DataFrame
    accuracy: pd.DataFrame
    forecast: pd.DataFrame
    period: str
    cutoffs: list[dt.date]
    made_at: dt.datetime
    made_by: str
    data_version: int
    settings: dict

    def is_current(self, ws: Workspace) -> bool:
        """Whether the data has not changed since the run (no load or undo after it)."""
        return self.data_version == ws.version()


def save_run(ws: Workspace, result: Result, user: str, settings: dict) -> None:
    """Replace the stored run by ``result`` (made by ``user`` with ``settings``: method,
    horizon, windows, the rules' text), in one write."""
    meta = {
        "period": result.period,
        "cutoffs": [d.isoformat() for d in result.cutoffs],
        "made_at": dt.datetime.now().replace(microsecond=0).isoformat(),
        "made_by": user,
        "settings": settings,
    }
    with ws.writing() as con:
        version = ws.version()
        con.execute("BEGIN")
        try:
            for key, table in RUN_TABLES.items():
                frame = getattr(result, key)
                con.register("__forecast_frame", frame)
                con.execute(
                    f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT * FROM __forecast_frame"
                )
                con.unregister("__forecast_frame")
            con.execute(f"CREATE OR REPLACE TABLE {_META} (meta VARCHAR, data_version BIGINT)")
            run(con, f"INSERT INTO {_META} VALUES (?, ?)", [json.dumps(meta), version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def latest_run(ws: Workspace) -> StoredRun | None:
    """The stored run, or None when no forecast has been made in this workspace."""
    with ws.connect() as con:
        row = _current_meta(con)
        if row is None:
            return None
        frames = {k: con.execute(f"SELECT * FROM {ident(t)}").df() for k, t in RUN_TABLES.items()}
    meta = json.loads(row[0])
    for key, cols in (("backtest", ("cutoff", "period_start")), ("forecast", ("period_start",))):
        for c in cols:
            frames[key][c] = pd.to_datetime(frames[key][c]).dt.date
    return StoredRun(
        backtest=frames["backtest"],
        accuracy=frames["accuracy"],
        forecast=frames["forecast"],
        period=meta["period"],
        cutoffs=[dt.date.fromisoformat(d) for d in meta["cutoffs"]],
        made_at=dt.datetime.fromisoformat(meta["made_at"]),
        made_by=meta["made_by"],
        data_version=int(row[1]),
        settings=meta["settings"],
    )


def _current_meta(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    """(meta text, data version) of the stored run; None when none is stored."""
    present = run(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND table_name = ?",
        [_META],
    ).fetchone()
    if not present or not present[0]:
        return None
    row = con.execute(f"SELECT meta, data_version FROM {_META}").fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def current_run_token(ws: Workspace) -> str:
    """When the stored run was made, if it was made on the data loaded now; "" otherwise
    (no run, or a load or undo since): what the Scorecard's caches key on."""
    meta = ws.remembered("forecast_run", _current_meta)
    if meta is None or meta[1] != ws.version():
        return ""
    return str(json.loads(meta[0])["made_at"])


def latest_errors(ws: Workspace) -> pd.DataFrame | None:
    """The stored run's per-SKU backtest totals (sku, abs_error_total, actual_total) of the
    scored SKUs, for the Scorecard's forecast accuracy; None when no run was made on the data
    loaded now."""
    if not current_run_token(ws):
        return None
    with ws.connect() as con:
        return con.execute(
            f"SELECT sku, abs_error_total, actual_total FROM {ident(RUN_TABLES['accuracy'])} "
            "WHERE windows > 0"
        ).df()


def policy_demand(ws: Workspace) -> pd.DataFrame | None:
    """Per SKU the demand the policy takes from the forecast (methods.md, Inventory policy):
    ``forecast_mean``, the mean of the stored future forecast, and ``forecast_std``, the root
    mean squared error of its backtest, both per week (a monthly forecast divided by
    365.25 / 12 / 7 weeks, its error by the square root of that, as for independent weeks);
    None when no run was made on the data loaded now."""
    if not current_run_token(ws):
        return None
    with ws.connect() as con:
        period = json.loads(_current_meta(con)[0])["period"]  # type: ignore[index]
        frame = con.execute(
            q.POLICY_DEMAND.format(
                future=ident(RUN_TABLES["forecast"]), backtest=ident(RUN_TABLES["backtest"])
            )
        ).df()
    weeks = period_days(period) / WEEK_DAYS
    frame["forecast_mean"] = frame["forecast_mean"] / weeks
    frame["forecast_std"] = frame["forecast_std"] / np.sqrt(weeks)
    return frame


def plans_on_forecast(table: PolicyTable) -> bool:
    """Whether some segment of the policy table takes its demand from the forecast."""
    return table.default.demand_source == "forecast" or any(
        p.demand_source == "forecast" for _, p in table.segments
    )
