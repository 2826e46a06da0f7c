"""The Data page: what is loaded, the portfolio's profile, and loading new files."""

from __future__ import annotations

import uuid
from pathlib import Path

import streamlit as st

from segstudio.common import fmt
from segstudio.errors import SegStudioError
from segstudio.features import profile
from segstudio.features.build import FEATURE_COLUMNS
from segstudio.ingest.paths import allowed_folders, check_server_path
from segstudio.ingest.readers import SourceFile, detect_kind, list_sheets, peek_columns
from segstudio.ingest.schema import TABLES
from segstudio.ingest.validate import FileReport
from segstudio.perform.io import store_after_load
from segstudio.report import charts
from segstudio.report.exports import to_csv_bytes

from . import keys, uploads
from .downloads import on_request
from .seg_state import current_rules
from .state import get_features, get_workspace
from .text import md_escape

_NOT_MAPPED = "— not mapped —"
_MAX_ROWS_SHOWN = 1_000


def current_data() -> None:
    ws = get_workspace()
    counts = ws.table_counts()
    st.subheader("Current data")
    cols = st.columns(4)
    for col, (key, table) in zip(cols, TABLES.items(), strict=True):
        col.metric(table.label, fmt.count(counts.get(key, 0), "row"))
    latest = ws.latest_loads()
    if len(latest):
        st.table(
            latest.rename(
                columns={
                    "file_key": "file",
                    "file_label": "loaded from",
                    "loaded_at": "when",
                    "rows_read": "read",
                    "rows_accepted": "accepted",
                    "rows_rejected": "rejected",
                    "load_id": "load",
                }
            )
        )


def portfolio_profile() -> None:
    result = get_features(current_rules()[0])  # the classes under the session's rules
    st.subheader("Portfolio profile")
    if result is None:
        st.info("Load a sales file below to see the portfolio's profile.")
        return
    features, window = result
    counts = profile.lifecycle_counts(features)
    top20 = profile.share_of_top(features, 0.2)
    st.caption(
        f"{fmt.count(counts['skus'], 'SKU')}; window {fmt.date(window.start)} to "
        f"{fmt.date(window.last_day)} ({fmt.count(window.periods, window.period)}). "
        f"The top 20% of SKUs bring {fmt.share(top20, 0)} of revenue."
    )
    c = st.columns(5)
    c[0].metric("SKUs", fmt.count(counts["skus"]))
    c[1].metric(
        "New", fmt.count(counts["new"]), help="First sale in the last 13 weeks of the window"
    )
    c[2].metric(
        "End-of-life",
        fmt.count(counts["end_of_life"]),
        help="No sale in the last 26 weeks of the window",
    )
    c[3].metric("No demand in window", fmt.count(counts["no_demand"]))
    c[4].metric("Stocked, never sold", fmt.count(counts["never_sold"]))
    left, right = st.columns(2)
    left.plotly_chart(charts.pareto_figure(profile.pareto_curve(features)), key=keys.DATA_PARETO)
    right.plotly_chart(
        charts.pattern_mix_figure(profile.pattern_mix(features)), key=keys.DATA_PATTERNS
    )


def _server_path(key: str, folders: list[Path]) -> tuple[Path, str] | None:
    """The path typed for ``key`` (offered only when the operator allows folders), checked:
    (real path, label), or None when none is typed or it is refused (the refusal shown)."""
    if not folders:
        return None
    server = st.text_input(
        "or a path on this machine (for large files)",
        key=keys.server_path(key),
        placeholder=str(folders[0] / f"{key}.parquet"),
        help="Allowed folders: " + md_escape(", ".join(str(f) for f in folders)),
    ).strip()
    if not server:
        return None
    try:
        path = check_server_path(server)
    except SegStudioError as exc:
        st.error(md_escape(exc))
        return None
    return path, str(path)


def _chosen_sources() -> dict[str, SourceFile]:
    sources: dict[str, SourceFile] = {}
    folders = allowed_folders()
    cols = st.columns(2)
    for i, (key, table) in enumerate(TABLES.items()):
        with cols[i % 2]:
            st.markdown(f"**{table.label}**" + (" (optional)" if key == "products" else ""))
            uploaded = st.file_uploader(
                f"{table.label} file",
                type=["csv", "gz", "txt", "tsv", "xlsx", "parquet"],
                key=uploads.uploader_key(key),
                label_visibility="collapsed",
            )
            typed = _server_path(key, folders)
            if uploaded is not None:
                path, label = uploads.stored_path(key, uploaded), uploaded.name
            else:
                uploads.forget(key)  # the user emptied the uploader: its stored copy goes
                if typed is None:
                    continue
                path, label = typed
            sheet = None
            try:
                if detect_kind(path) == "xlsx":
                    sheet = st.selectbox("Sheet", list_sheets(path), key=keys.sheet(key))
            except SegStudioError as exc:
                st.error(md_escape(exc))
                continue
            sources[key] = SourceFile(path, label=label, sheet=sheet)
    return sources


def _mapping_editor(sources: dict[str, SourceFile]) -> dict[str, dict[str, str]] | None:
    ws = get_workspace()
    columns: dict[str, list[str]] = {}
    for key, src in sources.items():
        try:
            columns[key] = peek_columns(src.path, src.sheet)
        except SegStudioError as exc:
            st.error(md_escape(exc))
            return None
    with st.form(key=keys.DATA_MAPPING_FORM):
        st.markdown("**Column mapping** (required fields marked *)")
        chosen: dict[str, dict[str, str]] = {}
        for key, src in sources.items():
            table = TABLES[key]
            default, origin = ws.mapping_for(key, columns[key])
            with st.expander(
                f"{table.label}: {md_escape(src.label)} ({origin} mapping)", expanded=True
            ):
                options = [_NOT_MAPPED, *columns[key]]
                grid = st.columns(3)
                chosen[key] = {}
                for j, f in enumerate(table.fields):
                    pick = grid[j % 3].selectbox(
                        f.name + (" *" if f.required else ""),
                        options,
                        index=options.index(default[f.name]) if f.name in default else 0,
                        key=keys.mapping(key, f.name),
                        help=f.description,
                    )
                    if pick != _NOT_MAPPED:
                        chosen[key][f.name] = pick
        submitted = st.form_submit_button("Validate files", type="primary")
    return chosen if submitted else None


def _report(report: FileReport, key: str) -> None:
    table = TABLES[key]
    st.markdown(f"**{table.label}: {md_escape(report.file_label)}**")
    c = st.columns(3)
    c[0].metric("Rows read", fmt.count(report.read))
    c[1].metric("Accepted", fmt.count(report.accepted))
    c[2].metric("Rejected", fmt.count(report.rejected))
    for w in report.warnings + report.notes:  # they quote the file's values
        st.warning(md_escape(w))
    if report.rejected:
        st.dataframe(report.rejects, hide_index=True, width="stretch", key=keys.rejects_table(key))
        st.download_button(
            f"Download the {fmt.count(report.rejected, 'rejected row')} (CSV)",
            to_csv_bytes(report.rejects),
            file_name=f"rejects_{key}.csv",
            mime="text/csv",
            key=keys.rejects_download(key),
        )


def _discard_failed() -> None:
    """After a failed validation: the stored uploads go and the uploaders are emptied."""
    uploads.release_all()
    st.session_state.pop(keys.STAGING_ERROR, None)


def load_new_data() -> None:
    st.subheader("Load new data")
    st.caption(
        "CSV (any delimiter; UTF-8, UTF-8 with BOM or latin-1), CSV.gz, XLSX or Parquet. "
        "Nothing changes until you press *Replace current data*; files you do not give keep "
        "their current data."
    )
    ws = get_workspace()
    sources = _chosen_sources()
    if sources:
        mappings = _mapping_editor(sources)
        if mappings is not None:
            old = st.session_state.pop(keys.STAGING, None)
            if old is not None:
                ws.discard(old)
            try:
                with st.status("Reading and validating...", expanded=False) as status:
                    tag = "_" + uuid.uuid4().hex[:8]
                    st.session_state[keys.STAGING] = ws.stage(sources, mappings, tag=tag)
                    status.update(label="Validated", state="complete")
                st.session_state.pop(keys.STAGING_ERROR, None)
            except SegStudioError as exc:
                st.session_state[keys.STAGING_ERROR] = str(exc)
    if keys.STAGING_ERROR in st.session_state:
        st.error(md_escape(st.session_state[keys.STAGING_ERROR]) + " Nothing was changed.")
        st.button("Discard these files", key=keys.DATA_DISCARD_FAILED, on_click=_discard_failed)
    staging = st.session_state.get(keys.STAGING)
    if staging is not None:
        st.markdown("#### Validation report")
        for key, report in staging.reports.items():
            _report(report, key)
        a, b = st.columns(2)
        if a.button("Replace current data", type="primary", key=keys.DATA_COMMIT):
            try:
                load_id = ws.commit(staging)
                with st.spinner("Preparing the feature table..."):
                    note = store_after_load(ws)  # once per load, not at each first view
                if note:  # loaded all the same: only the first views will be slower
                    st.toast(md_escape(note))
                st.session_state[keys.LAST_LOAD] = (
                    load_id,
                    {k: r.summary() for k, r in staging.reports.items()},
                )
                uploads.release_all()  # loaded: the stored copies are no longer needed
            except SegStudioError as exc:
                st.session_state[keys.STAGING_ERROR] = str(exc)
            st.session_state.pop(keys.STAGING, None)
            st.rerun()
        if b.button("Discard", key=keys.DATA_DISCARD):
            ws.discard(staging)
            uploads.release_all()
            st.session_state.pop(keys.STAGING, None)
            st.rerun()
    last = st.session_state.get(keys.LAST_LOAD)
    if last is not None:
        load_id, summaries = last
        st.success(
            f"Load {load_id} is now the current data: "
            + "; ".join(
                f"{md_escape(s['file'])}: {fmt.count(s['accepted'], 'row')}"
                for s in summaries.values()
            )
        )


def history_and_features() -> None:
    ws = get_workspace()
    with st.expander("Load history"):
        st.dataframe(ws.load_history(), hide_index=True, width="stretch", key=keys.DATA_HISTORY)
    result = get_features(current_rules()[0])
    if result is None:
        return
    features, window = result
    st.subheader("Per-SKU features")
    # The first rows only: a million SKUs would be hundreds of MB for the browser.
    st.dataframe(
        features.head(_MAX_ROWS_SHOWN), hide_index=True, width="stretch", key=keys.DATA_FEATURES
    )
    if len(features) > _MAX_ROWS_SHOWN:
        st.caption(
            f"First {fmt.count(_MAX_ROWS_SHOWN)} of {fmt.count(len(features), 'SKU')}; "
            "the download has all."
        )
    on_request(
        "Download the feature table (CSV)",
        lambda: to_csv_bytes(features),
        "features.csv",
        keys.DATA_FEATURES_DL,
        str(get_workspace().version()),
    )
    with st.expander("What each column means"):
        st.table({"column": list(FEATURE_COLUMNS), "definition": list(FEATURE_COLUMNS.values())})
