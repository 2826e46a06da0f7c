"""The Data page: what is loaded, the portfolio's profile, and loading new files."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from segstudio.common import fmt
from segstudio.errors import SegStudioError
from segstudio.features.build import FEATURE_COLUMNS
from segstudio.features.classes import ClassCuts
from segstudio.features.profile import TOP_FRACTION
from segstudio.ingest.paths import allowed_folders, check_server_path
from segstudio.ingest.readers import SourceFile, detect_kind, list_sheets, peek_columns
from segstudio.ingest.schema import TABLES
from segstudio.ingest.validate import FileReport
from segstudio.ingest.workspace import DEFAULT_USER, Staging, Workspace, own_workspace_path
from segstudio.report import charts
from segstudio.report.exports import to_csv_bytes

from . import keys, tables, uploads
from .seg_state import current_rules
from .state import (
    feature_counts,
    feature_profile,
    feature_rows,
    get_features,
    get_workspace,
    stored_feature_counts,
)
from .text import md_escape

_NOT_MAPPED = "— not mapped —"
_HISTORY_SHOWN = 12  # the latest entries of the load history shown on the page


def current_data() -> None:
    ws = get_workspace()
    with ws.reading():  # two small reads, the file opened once
        counts = ws.table_counts()
        latest = ws.latest_loads()
    st.subheader("Current data")
    cols = st.columns(4)
    for col, (key, table) in zip(cols, TABLES.items(), strict=True):
        col.metric(table.label, fmt.count(counts.get(key, 0), "row"))
    if len(latest):
        tables.static(
            latest.assign(loaded_at=fmt.each(fmt.date, latest["loaded_at"])).rename(
                columns={
                    "file_key": "file",
                    "file_label": "loaded from",
                    "loaded_at": "when",
                    "rows_read": "read",
                    "rows_accepted": "accepted",
                    "rows_rejected": "rejected",
                    "load_id": "load",
                }
            ),
            kinds={"read": "count", "accepted": "count", "rejected": "count", "load": "text"},
        )


def portfolio_profile() -> None:
    result = feature_profile(current_rules()[0])  # the classes under the session's rules
    st.subheader("Portfolio profile")
    if result is None:
        st.info("Load a sales file below to see the portfolio's profile.")
        return
    prof, window = result
    counts = prof.counts
    st.caption(
        f"{fmt.count(counts['skus'], 'SKU')}; window {fmt.date(window.start)} to "
        f"{fmt.date(window.last_day)} ({fmt.count(window.periods, window.period)}). "
        f"The top {fmt.share(TOP_FRACTION, 0)} of SKUs bring {fmt.share(prof.top_share, 0)} "
        "of revenue."
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
    left.plotly_chart(charts.pareto_figure(prof.curve), key=keys.DATA_PARETO)
    right.plotly_chart(charts.pattern_mix_figure(prof.patterns), key=keys.DATA_PATTERNS)


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
        tables.show(report.rejects, keys.rejects_table(key), width="stretch")
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


def _who() -> str:
    """Who this session is, for the load history: the name given, else 'local'."""
    return str(st.session_state.get(keys.USER_NAME) or "").strip() or DEFAULT_USER


def _staging_workspace() -> Workspace:
    """The workspace the session's staging waits in (the current one, or the user's own new
    workspace when their first upload into the demo starts one)."""
    target = st.session_state.get(keys.STAGING_TARGET)
    current = get_workspace()
    return current if target is None or Path(target) == current.path else Workspace(target)


def _drop_staging() -> None:
    """Discard the session's staging, and the new own workspace it was to start (still empty)."""
    staging = st.session_state.pop(keys.STAGING, None)
    target = _staging_workspace()
    if staging is not None:
        target.discard(staging)
    st.session_state.pop(keys.STAGING_TARGET, None)
    _remove_if_unused(target)


def _remove_if_unused(target: Workspace) -> None:
    if target.path != get_workspace().path and target.version() == 0:
        for p in (target.path, target.path.with_name(target.path.name + ".wal")):
            p.unlink(missing_ok=True)


def _demo_choice(ws: Workspace, sources: dict[str, SourceFile]) -> Path:
    """Where files chosen while the demo is open go: a workspace of the user's own (the demo
    untouched), unless they choose to mix them into the demo, told what would stay."""
    left = ws.demo_leftovers(list(sources))
    if not left:
        return ws.path
    own = own_workspace_path(ws.path)
    st.info(
        f"This is the demo workspace. Your files will start a workspace of your own "
        f"({md_escape(own.name)}, beside the demo); the demo stays as it is."
    )
    mix = st.checkbox(
        "Mix them into the demo instead: its "
        + ", ".join(t.lower() for t in left)
        + " would stay and count in your figures",
        key=keys.DATA_INTO_DEMO,
    )
    return ws.path if mix else own


def load_new_data() -> None:
    st.subheader("Load new data")
    st.caption(
        "CSV (any delimiter; UTF-8, UTF-8 with BOM or latin-1), CSV.gz, XLSX or Parquet. "
        "Nothing changes until you press *Replace current data*; files you do not give keep "
        "their current data. Every load can be undone (Load history, below)."
    )
    st.text_input("Your name (for the load history)", key=keys.USER_NAME, placeholder="local")
    ws = get_workspace()
    sources = _chosen_sources()
    if sources:
        mappings = _mapping_editor(sources)
        if mappings is not None:
            _drop_staging()
            path = _demo_choice(ws, sources) if ws.is_demo() else ws.path
            target = ws if path == ws.path else Workspace(path)  # a new file: the user's own
            try:
                with st.status("Reading and validating...", expanded=False) as status:
                    tag = "_" + uuid.uuid4().hex[:8]
                    st.session_state[keys.STAGING] = target.stage(sources, mappings, tag=tag)
                    st.session_state[keys.STAGING_TARGET] = str(target.path)
                    status.update(label="Validated", state="complete")
                st.session_state.pop(keys.STAGING_ERROR, None)
            except SegStudioError as exc:
                st.session_state[keys.STAGING_ERROR] = str(exc)
                _remove_if_unused(target)
        elif ws.is_demo():
            _demo_choice(ws, sources)  # the choice stays on screen until validated
    if keys.STAGING_ERROR in st.session_state:
        st.error(md_escape(st.session_state[keys.STAGING_ERROR]) + " Nothing was changed.")
        st.button("Discard these files", key=keys.DATA_DISCARD_FAILED, on_click=_discard_failed)
    staging = st.session_state.get(keys.STAGING)
    if staging is not None:
        st.markdown("#### Validation report")
        for key, report in staging.reports.items():
            _report(report, key)
        a, b = st.columns(2)
        refusal = staging.refusal()
        if refusal is not None:  # a file with no accepted row would empty its table
            st.error(md_escape(refusal))
        elif a.button("Replace current data", type="primary", key=keys.DATA_COMMIT):
            _commit(staging)
        if b.button("Discard", key=keys.DATA_DISCARD):
            _drop_staging()
            uploads.release_all()
            st.rerun()
    last = st.session_state.get(keys.LAST_LOAD)
    if last is not None:
        load_id, summaries, where = last
        st.success(
            f"Load {load_id} is now the current data"
            + (
                f" of your own workspace {md_escape(where)} (the demo is unchanged)"
                if where
                else ""
            )
            + ": "
            + "; ".join(
                f"{md_escape(s['file'])}: {fmt.count(s['accepted'], 'row')}"
                for s in summaries.values()
            )
        )


def _store_after_load(ws: Workspace) -> str | None:
    """:func:`segstudio.perform.io.store_after_load`, imported when a load needs it (its
    imports are not needed to show the page)."""
    from segstudio.perform.io import store_after_load

    return store_after_load(ws)


def _commit(staging: Staging) -> None:
    ws, target = get_workspace(), _staging_workspace()
    try:
        load_id = target.commit(staging, _who())
        with st.spinner("Preparing the feature table..."):
            note = _store_after_load(target)  # once per load, not at each first view
        if note:  # loaded all the same: only the first views will be slower
            st.toast(md_escape(note))
        own = target.path != ws.path
        if own:
            ws.set_successor(target.path)  # the app opens the user's workspace from now on
        st.session_state[keys.LAST_LOAD] = (
            load_id,
            {k: r.summary() for k, r in staging.reports.items()},
            str(target.path) if own else "",
        )
        st.session_state.pop(keys.LAST_UNDO, None)
        uploads.release_all()  # loaded: the stored copies are no longer needed
    except SegStudioError as exc:
        st.session_state[keys.STAGING_ERROR] = str(exc)
        _remove_if_unused(target)
    st.session_state.pop(keys.STAGING, None)
    st.session_state.pop(keys.STAGING_TARGET, None)
    st.rerun()


def _undo(load_id: int) -> None:
    """The undo button's action: the message (or the refusal) is shown after the rerun."""
    try:
        undo_id = get_workspace().undo(load_id, _who())
        _store_after_load(get_workspace())  # the stored tables of the data as it is now
        st.session_state[keys.LAST_UNDO] = (
            True,
            f"Load {load_id} undone (load {undo_id}): its tables are as they were before it.",
        )
    except SegStudioError as exc:
        st.session_state[keys.LAST_UNDO] = (False, str(exc))
    st.session_state.pop(keys.LAST_LOAD, None)


def _clear(file_key: str) -> None:
    try:
        clear_id = get_workspace().clear([file_key], _who())
        _store_after_load(get_workspace())
        st.session_state[keys.LAST_UNDO] = (
            True,
            f"The {TABLES[file_key].label.lower()} cleared (load {clear_id}); undo it below "
            "to put the rows back.",
        )
    except SegStudioError as exc:
        st.session_state[keys.LAST_UNDO] = (False, str(exc))
    st.session_state.pop(keys.LAST_LOAD, None)
    st.session_state.pop(keys.DATA_CLEAR_CONFIRM, None)


def load_history() -> None:
    """Every load, clear and undo (who, when, files, rows), an undo button per load, and
    clearing a table on purpose."""
    ws = get_workspace()
    st.subheader("Load history")
    done = st.session_state.get(keys.LAST_UNDO)
    if done is not None:
        (st.success if done[0] else st.error)(md_escape(done[1]))
    entries = ws.load_entries().head(_HISTORY_SHOWN)
    if entries.empty:
        st.caption("No loads yet.")
    blockers = ws.undo_blockers([int(n) for n in entries["load"]])
    for e in entries.itertuples():
        text, button = st.columns([6, 1])
        note = ""
        if not pd.isna(e.undone_by):
            note = f" · undone by load {int(e.undone_by)}"
        text.markdown(
            f"**Load {int(e.load)}** · {fmt.date(e.when)} · {md_escape(e.who)} · "
            f"{e.action} · {md_escape(e.files)} · {fmt.count(e.rows, 'row')}{note}"
        )
        if e.action != "undo":
            blocker = blockers.get(int(e.load))
            button.button(
                f"Undo load {int(e.load)}",
                key=keys.undo_button(int(e.load)),
                disabled=blocker is not None,
                help=blocker or "Put back the tables this load replaced, as they were before it",
                on_click=_undo,
                args=(int(e.load),),
            )
    counts = ws.table_counts()
    loaded = [k for k in TABLES if counts.get(k, 0)]
    if loaded:
        with st.expander("Clear a table"):
            key = st.selectbox(
                "Table",
                loaded,
                format_func=lambda k: f"{TABLES[k].label} ({fmt.count(counts[k], 'row')})",
                key=keys.DATA_CLEAR_TABLE,
            )
            sure = st.checkbox(
                f"Yes, empty the {TABLES[key].label.lower()} (undo puts the rows back)",
                key=keys.DATA_CLEAR_CONFIRM,
            )
            st.button(
                "Clear table", key=keys.DATA_CLEAR, disabled=not sure, on_click=_clear, args=(key,)
            )


def history_and_features() -> None:
    with get_workspace().reading():  # the history's small reads, the file opened once
        load_history()
        rules = current_rules()[0]
        size = stored_feature_counts(rules)
    if size is None:  # not stored at the load: counted in the table
        size = feature_counts(rules)
    if size is None:
        return
    st.subheader("Per-SKU features")

    def whole() -> pd.DataFrame:
        loaded = get_features(rules)
        if loaded is None:
            raise SegStudioError("no sales loaded: load a sales file first")
        return loaded[0]

    tables.show_rows(
        size[0],
        lambda first, count: feature_rows(rules, first, count),
        keys.DATA_FEATURES,
        whole=whole,
        file_name="features.csv",
        signature=f"{get_workspace().version()}:{rules.weeks}:{ClassCuts.from_rules(rules)}",
        label="Download the feature table (CSV)",
        width="stretch",
    )
    with st.expander("What each column means"):
        st.table({"column": list(FEATURE_COLUMNS), "definition": list(FEATURE_COLUMNS.values())})
