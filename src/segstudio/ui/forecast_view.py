"""The Forecast page: per segment the model, review cycle and accuracy against its target and
the benchmarks; one SKU's history, backtest and forecast; where a planner's hour matters most.
A forecast run is started here (or by ``segstudio forecast``) and runs in the background: the
user may look at other pages meanwhile; the result is kept in the workspace."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import streamlit as st

from segstudio.common import fmt
from segstudio.config.forecast_table import FORECAST_MODELS
from segstudio.forecast.stage import (
    DEFAULT_WINDOWS,
    forecast_workspace,
    planner_effort,
    segment_accuracy,
    sku_history,
)
from segstudio.forecast.store import StoredRun, latest_run, save_run
from segstudio.ingest.workspace import DEFAULT_USER, Workspace
from segstudio.report import charts

from . import keys, tables
from .guard import no_sales
from .seg_state import get_portfolio, official
from .state import get_workspace
from .text import md_escape

__all__ = ["show"]


@dataclass
class _Job:
    """A forecast run in the background (one per workspace file, whichever session started
    it): its progress, its message, and the error that stopped it, if any."""

    thread: threading.Thread | None = None
    progress: float = 0.0
    message: str = "starting"
    error: str | None = None
    started_by: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


@st.cache_resource
def _jobs() -> dict[str, _Job]:
    """The server's background runs, by workspace path (shared by every session)."""
    return {}


def _start(ws: Workspace, user: str, method: str, horizon: int, windows: int) -> None:
    job = _jobs().setdefault(str(ws.path), _Job())
    if job.running:
        return
    rules = official()
    job.progress, job.message, job.error, job.started_by = 0.0, "starting", None, user

    def work() -> None:
        def progress(done: float, message: str) -> None:
            job.progress, job.message = done, message

        try:
            result = forecast_workspace(
                ws,
                rules,
                method=None if method == "auto" else method,
                horizon=horizon,
                windows=windows,
                n_jobs=1,  # a thread of the app's server: no worker processes forked from it
                progress=progress,
            )
            settings = {"method": method, "horizon": horizon, "windows": windows}
            save_run(ws, result, user, settings)
        except Exception as exc:  # noqa: BLE001 - shown on the page, never a traceback
            job.error = f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)

    job.thread = threading.Thread(target=work, name="segstudio-forecast", daemon=True)
    job.thread.start()


@st.fragment(run_every=1.0)
def _progress(path: str) -> None:
    """The running job's progress, redrawn every second; the page reruns when it ends."""
    job = _jobs().get(path)
    if job is None:
        return
    if job.running:
        st.progress(min(job.progress, 1.0), text=f"Forecasting: {job.message}")
        st.caption(
            f"Started by {job.started_by}. You can use the other pages meanwhile; the result "
            "is kept in the workspace."
        )
    elif st.session_state.get(keys.FORECAST_WAITING):
        st.session_state[keys.FORECAST_WAITING] = False
        st.rerun(scope="app")


def _controls(ws: Workspace) -> None:
    job = _jobs().get(str(ws.path))
    with st.form(keys.FORECAST_FORM):
        c = st.columns(3)
        method = c[0].selectbox(
            "Model", list(FORECAST_MODELS), help="auto: each segment's forecast policy"
        )
        horizon = c[1].number_input("Horizon (periods)", 1, 104, 13, key=keys.FORECAST_HORIZON)
        windows = c[2].number_input(
            "Backtest windows", 1, 12, DEFAULT_WINDOWS, key=keys.FORECAST_WINDOWS
        )
        go = st.form_submit_button("Run the forecast", disabled=bool(job and job.running))
    if go:
        user = str(st.session_state.get(keys.USER_NAME) or "").strip() or DEFAULT_USER
        _start(ws, user, str(method), int(horizon), int(windows))
        st.session_state[keys.FORECAST_WAITING] = True
    if job is not None and job.error and not job.running:
        st.error(f"The forecast stopped: {md_escape(job.error)}")
    _progress(str(ws.path))


def _summary(run: StoredRun) -> None:
    table = segment_accuracy(run.accuracy, official())
    st.subheader("Accuracy by segment")
    st.caption(
        "Over the backtest windows (cutoffs "
        + ", ".join(fmt.date(d) for d in run.cutoffs)
        + "). RMSSE below 1 beats the in-sample one-step naive; the benchmarks' figures over "
        "the same periods sit beside the model's (definitions on the Methods page)."
    )
    shown = table.assign(
        meets_target=table["meets_target"].map({True: "yes", False: "no", None: "n/a"})
    )
    tables.static(
        shown.set_index("segment"),
        kinds={
            "skus": "count",
            "skus_scored": "count",
            "models": "text",
            "review_cycle": "text",
            "rmsse": "number",
            "mase": "number",
            "wape": "share",
            "bias": "share",
            "naive_rmsse": "number",
            "seasonal_naive_rmsse": "number",
            "accuracy_metric": "text",
            "accuracy_target": "number",
            "meets_target": "text",
        },
    )


def _sku_chart(ws: Workspace, run: StoredRun, effort_order: list[str]) -> None:
    st.subheader("One SKU")
    skus = effort_order + sorted(set(run.accuracy["sku"].astype(str)) - set(effort_order))
    if not skus:
        return
    sku = st.selectbox("SKU (largest error value first)", skus, key=keys.FORECAST_SKU)
    history = sku_history(ws, str(sku), official().weeks)
    bt = run.backtest[run.backtest["sku"].astype(str) == sku]
    future = run.forecast[run.forecast["sku"].astype(str) == sku]
    st.plotly_chart(
        charts.forecast_figure(history, bt, future, str(sku), run.period),
        key=keys.FORECAST_CHART,
    )


def show() -> None:
    ws = get_workspace()
    loaded = get_portfolio(official())
    if loaded is None:
        no_sales()
        return
    _controls(ws)
    run = latest_run(ws)
    if run is None:
        st.info(
            "No forecast yet: run one above (or `segstudio forecast` on the command line). "
            "It backtests every SKU with its segment's forecast policy, then forecasts ahead."
        )
        return
    st.caption(
        f"Forecast made {fmt.date(run.made_at.date())} {run.made_at:%H:%M} by "
        f"{run.made_by}: model {run.settings.get('method') or 'auto'}, "
        f"{fmt.count(len(run.cutoffs), 'backtest window')}, "
        f"{fmt.count(len(run.accuracy), 'SKU')}."
    )
    if not run.is_current(ws):
        st.warning("The data changed after this forecast was made: run it again.")
    _summary(run)
    effort = planner_effort(run.accuracy, loaded[0].features)
    _sku_chart(ws, run, effort["sku"].astype(str).head(50).tolist())
    st.subheader("Where a planner's hour matters most")
    st.caption(
        "SKUs ranked by the value of their backtest error (units missed or over-forecast x "
        "unit value): the top of the list holds most of the error to win back."
    )
    tables.show(
        effort,
        keys.FORECAST_EFFORT,
        kinds={
            "rmsse": "number",
            "wape": "share",
            "bias": "share",
            "error_units": "quantity",
            "unit_value": "money",
            "error_value": "money",
            "error_share": "share",
            "cumulative_share": "share",
        },
        file_name="forecast_effort.csv",
        signature=f"{run.made_at.isoformat()}",
    )
    tables.show(
        run.forecast,
        keys.FORECAST_TABLE,
        kinds={"forecast": "number", "lo_80": "number", "hi_80": "number"},
        file_name="forecast.csv",
        signature=f"{run.made_at.isoformat()}",
    )
