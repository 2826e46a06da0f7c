"""The Segmentation page: criteria and boundary sliders, and everything they change at once."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from segstudio.common import fmt
from segstudio.config.rules import ABC_MEASURES, CRITERIA, from_toml, to_toml
from segstudio.errors import SegStudioError
from segstudio.report import charts
from segstudio.report.exports import to_csv_bytes
from segstudio.segment import decisions
from segstudio.segment.segmentation import (
    ALERT_SCALE,
    abc_measure_note,
    alert_count,
    alerts,
    cell_labels,
    flows,
    matrix,
    movers,
    scatter_points,
    sku_table,
)

from . import keys, results, tables
from .downloads import on_request
from .guard import no_sales
from .seg_state import (
    active_overrides,
    churn_table,
    current_rules,
    get_portfolio,
    init_rules,
    list_overrides,
    official,
    official_history,
    pareto_curve,
    segmentations,
)
from .state import get_workspace
from .text import md_escape

# The ABC boundaries move by half a point and show three decimals (fmt.BOUNDARY_FORMAT): an
# official B of 0.935 reads 0.935, as the QBR says it.
_BOUNDARY_STEP = 0.005


def _controls() -> None:
    k = keys.rule
    st.multiselect(
        "Criteria (1 to 3)",
        list(CRITERIA),
        format_func=CRITERIA.get,
        max_selections=3,
        key=k("criteria"),
    )
    st.selectbox("ABC measure", list(ABC_MEASURES), key=k("abc_measure"))
    st.slider(
        "A stops at (share of the measure)",
        0.30,
        0.95,
        step=_BOUNDARY_STEP,
        format=fmt.BOUNDARY_FORMAT,
        key=k("abc_a"),
        help="Class A: SKUs whose share before them is below this",
    )
    st.slider(
        "B stops at",
        0.50,
        0.995,
        step=_BOUNDARY_STEP,
        format=fmt.BOUNDARY_FORMAT,
        key=k("abc_b"),
    )
    st.slider("X up to CoV", 0.05, 3.0, step=0.05, key=k("xyz_x"))
    st.slider("Y up to CoV", 0.10, 5.0, step=0.05, key=k("xyz_y"))
    with st.expander("Other criteria"):
        st.slider("ADI cut-off", 1.0, 3.0, step=0.01, key=k("pattern_adi"))
        st.slider("CV² cut-off", 0.10, 2.0, step=0.01, key=k("pattern_cv2"))
        st.slider("Long lead time above (days)", 1.0, 180.0, step=1.0, key=k("leadtime_days"))
        st.slider("Unreliable above lead-time CoV", 0.05, 2.0, step=0.05, key=k("leadtime_cov"))
        st.slider(
            "Frequent from receipts a year", 1.0, 52.0, step=1.0, key=k("replenishment_per_year")
        )
        st.slider("New: first sale within (weeks)", 1, 52, key=k("lifecycle_new_weeks"))
        st.slider("End-of-life: no sale for (weeks)", 4, 104, key=k("lifecycle_eol_weeks"))
        st.slider(
            "Key-account concentration from", 0.05, 1.0, step=0.05, key=k("concentration_share")
        )
    st.number_input("Analysis window (weeks)", 4, 260, step=1, key=k("weeks"))
    st.text_input(
        "Leave out SKUs (comma-separated)",
        key=k("exclude"),
        help="Non-products such as postage or fees: they take no share of the Pareto",
    )
    st.slider("Alert band, ABC (share points)", 0.0, 0.10, step=0.005, key=k("band_share"))
    st.slider("Alert band, ratios (relative)", 0.0, 0.5, step=0.01, key=k("band_relative"))
    st.toggle("Hysteresis: keep the official class inside the band", key=k("hysteresis"))


def show() -> None:
    init_rules(official())
    controls, main = st.columns([1, 3], gap="large")
    with controls:
        _controls()
        _rules_file()
    rules, error = current_rules()
    loaded = get_portfolio(rules)
    with main:
        if error:
            st.error(
                f"These boundaries do not make a valid segmentation: {md_escape(error)}. "
                "Showing the official rules."
            )
        if loaded is None:
            no_sales()
            return
        portfolio, window = loaded
        current, base = segmentations(portfolio, rules)
        moved = movers(portfolio, current, base)
        n_alerts = alert_count(current)
        c = st.columns(5)
        c[0].metric("SKUs", fmt.count(len(portfolio)))
        c[1].metric("Moved vs official", fmt.count(len(moved)))
        c[2].metric(
            "Revenue at stake", fmt.compact(moved["revenue"].sum(min_count=1) if len(moved) else 0)
        )
        c[3].metric("Near a boundary", fmt.count(n_alerts))
        c[4].metric(
            "Flips prevented",
            fmt.count(int(current.kept_by_hysteresis.sum())),
            help="SKUs kept in their official class by hysteresis",
        )
        st.caption(
            f"Window: {fmt.count(window.periods, window.period)} to "
            f"{fmt.date(window.last_day)}. "
            f"Segments: {', '.join(rules.criteria)}."
        )
        if "abc" in rules.criteria and (note := abc_measure_note(portfolio, rules.abc_measure)):
            st.info(note)
        view = _view()
        if view == "Matrix":
            _matrix_tab(portfolio, current, rules)
        elif view == "Variability":
            _variability_tab(portfolio, current, rules)
        elif view == "Movers":
            _movers_tab(moved, rules)
        elif view == "Alerts":
            _alerts_tab(portfolio, current)
        elif view == "Official rules":
            _official_tab()
        elif view == "Overrides":
            _overrides_tab(current)
        else:
            _churn_tab(rules)


# The page's views. Unlike tabs, only the chosen one is computed and sent: a slider move
# redraws the matrix, not the movers' and alerts' tables behind it. The variability scatter
# has a view of its own: a WebGL chart is drawn afresh on each move (a new context), the
# costliest redraw of the page where the browser has no GPU.
VIEWS = ("Matrix", "Variability", "Movers", "Alerts", "Official rules", "Overrides", "Churn")


def _view() -> str:
    """The view the user chose (kept for the session like every control), Matrix at first."""
    if st.session_state.get(keys.SEG_VIEW) not in VIEWS:
        st.session_state[keys.SEG_VIEW] = VIEWS[0]
    return str(
        st.radio("View", VIEWS, key=keys.SEG_VIEW, horizontal=True, label_visibility="collapsed")
    )


def _matrix_tab(portfolio, current, rules) -> None:
    cells = matrix(portfolio, current)
    rows, cols = cell_labels(rules)
    row_name = rules.criteria[0]
    col_name = rules.criteria[1] if len(rules.criteria) > 1 else ""
    measure = portfolio.abc_measure(rules.abc_measure)
    st.plotly_chart(  # as wide as its cells' text needs (up to the page's width)
        charts.matrix_heatmap(cells, rows, cols, row_name, col_name, measure),
        use_container_width=False,
        key=keys.SEG_MATRIX_CHART,
    )
    curve = pareto_curve(portfolio, measure)
    st.plotly_chart(
        charts.pareto_with_boundaries(curve, rules.abc_a, rules.abc_b, measure),
        key=keys.SEG_PARETO,
    )
    share_of = f"share of {measure.replace('_', ' ')}"
    shown = cells[cells["skus"] > 0][["segment", "name", "skus", "measure_share", "margin"]]
    tables.static(  # every figure through common.fmt: 2,034 SKUs, 4.6%, n/a
        shown.rename(columns={"measure_share": share_of}).set_index("segment"),
        kinds={"skus": "count", share_of: "share", "margin": "money"},
    )
    if shown["margin"].isna().any():
        st.caption("Margin n/a: the files give no unit_cost for these SKUs.")
    with st.expander("Name the segments"):
        _segment_names(cells)
    on_request(
        "Download every SKU's segment (CSV)",
        lambda: to_csv_bytes(sku_table(portfolio, current)),
        "segments.csv",
        keys.SEG_SEGMENTS_DL,
        _signature(rules),
    )


def _variability_tab(portfolio, current, rules) -> None:
    measure = portfolio.abc_measure(rules.abc_measure)
    st.caption(
        "Each SKU's coefficient of variation against its ABC measure, coloured by its "
        "segment under the current sliders (a sample where the portfolio is large)."
    )
    st.plotly_chart(
        charts.scatter_cov_revenue(scatter_points(portfolio, current), len(portfolio), measure),
        key=keys.SEG_SCATTER,
    )


def _segment_names(cells) -> None:
    """Names ("AX: core runners") are part of the rules: saved with them and in their file."""
    names = dict(st.session_state.get(keys.rule("names"), {}))
    table = cells[["segment"]].assign(name=[names.get(seg, "") for seg in cells["segment"]])
    edited = st.data_editor(table, hide_index=True, disabled=["segment"], key=keys.SEG_NAMES_EDITOR)
    new = {
        seg: str(name).strip()
        for seg, name in zip(edited["segment"], edited["name"], strict=True)
        if str(name).strip()
    }
    if new != names:
        st.session_state[keys.rule("names")] = new
        st.rerun()


def _signature(rules) -> str:
    """What a download depends on: the data version and the rules (overrides change the
    version of nothing, so they are part of it too)."""
    ws = get_workspace()
    return f"{ws.version()}|{to_toml(rules)}|{sorted(active_overrides().items())}"


def _movers_tab(moved, rules) -> None:
    if moved.empty:
        st.info("No SKU changes segment against the official segmentation.")
        return
    st.caption(
        f"{fmt.count(len(moved), 'SKU')} change segment; revenue "
        f"{fmt.money(moved['revenue'].sum())}, margin {fmt.money(moved['margin'].sum(min_count=1))} "
        "at stake. Largest first."
    )
    st.plotly_chart(charts.sankey(flows(moved)), key=keys.SEG_SANKEY)
    tables.show(
        moved,
        keys.SEG_MOVERS,
        file_name="movers.csv",
        signature=_signature(rules),
        label="Download all movers (CSV)",
    )


def _alerts_tab(portfolio, current) -> None:
    near = alerts(portfolio, current)
    st.caption(
        f"{fmt.count(len(near), 'SKU')} within the band of a boundary: they may flip at the "
        f"next review. Nearest first, on one scale: the {ALERT_SCALE} (band_distance). "
        "boundary_distance is in the criterion's own unit: share points for ABC, relative "
        "for CoV, lead time and the other ratios."
    )
    tables.show(
        near,
        keys.SEG_ALERTS,
        kinds={"band_distance": "share", "boundary_distance": "share2"},
        file_name="alerts.csv",
        signature=_signature(current.rules),
        label="Download the alerts (CSV)",
    )


def _official_tab() -> None:
    with st.form(key=keys.SEG_ADOPT_FORM):
        st.markdown("**Adopt the current rules as the official segmentation**")
        st.text_input("Your name", key=keys.SEG_ADOPT_WHO)
        st.text_input("Why (recorded with the decision)", key=keys.SEG_ADOPT_WHY)
        st.form_submit_button("Adopt as official", type="primary", on_click=_adopt)
    adopted = st.session_state.pop(keys.SEG_ADOPT_RESULT, None)
    if isinstance(adopted, int):
        st.success(f"Adopted as official set {adopted}.")
    elif adopted is not None:  # a refusal is shown, never a traceback
        st.error(md_escape(adopted))
    history = official_history()
    st.markdown("**History of official rules**")
    if history.empty:
        st.caption("No rules adopted yet: the official rules are the defaults of methods.md.")
        return
    tables.show(history.drop(columns=["rules_toml"]), keys.SEG_HISTORY)
    with st.form(key=keys.SEG_RESTORE_FORM):
        st.selectbox("Restore an earlier set", history["id"].tolist(), key=keys.SEG_RESTORE_ID)
        st.text_input("Your name", key=keys.SEG_RESTORE_WHO)
        st.text_input("Why", key=keys.SEG_RESTORE_WHY)
        st.form_submit_button("Restore", on_click=_restore)
    if keys.SEG_RESTORE_ERROR in st.session_state:  # a refusal (no name, no reason) is shown
        st.error(md_escape(st.session_state.pop(keys.SEG_RESTORE_ERROR)))


def _adopt() -> None:
    """The Adopt button's callback: it runs before the page is drawn, so the movers, "moved vs
    official" and the revenue at stake of this very run measure against the new official set."""
    state = st.session_state
    rules, error = current_rules()
    if error:
        state[keys.SEG_ADOPT_RESULT] = f"These boundaries are not valid rules: {error}"
        return
    try:
        state[keys.SEG_ADOPT_RESULT] = decisions.adopt(
            get_workspace(),
            rules,
            state.get(keys.SEG_ADOPT_WHO, ""),
            state.get(keys.SEG_ADOPT_WHY, ""),
        )
    except SegStudioError as exc:
        state[keys.SEG_ADOPT_RESULT] = str(exc)


def _restore() -> None:
    """The Restore button's callback: it runs before the page draws its widgets, so the
    sliders can take the restored rules."""
    state = st.session_state
    try:
        decisions.restore(
            get_workspace(),
            int(state[keys.SEG_RESTORE_ID]),
            state.get(keys.SEG_RESTORE_WHO, ""),
            state.get(keys.SEG_RESTORE_WHY, ""),
        )
    except SegStudioError as exc:
        state[keys.SEG_RESTORE_ERROR] = str(exc)
    else:
        init_rules(official(), force=True)


def _overrides_tab(current) -> None:
    ws = get_workspace()
    with st.form(key=keys.SEG_OVERRIDE_FORM):
        st.markdown("**Override an SKU's segment**")
        c = st.columns(2)
        sku = c[0].text_input("SKU", key=keys.SEG_OVERRIDE_SKU)
        segment = c[1].selectbox("Segment", current.labels, key=keys.SEG_OVERRIDE_SEGMENT)
        reason = st.text_input("Reason", key=keys.SEG_OVERRIDE_REASON)
        who = st.text_input("Your name", key=keys.SEG_OVERRIDE_WHO)
        expires = st.date_input(
            "Expires (optional)",
            value=None,
            key=keys.SEG_OVERRIDE_EXPIRES,
            min_value=dt.date.today(),
        )
        if st.form_submit_button("Save override"):
            try:
                decisions.set_override(ws, sku.strip(), segment, reason, who, expires)
                st.success(f"{md_escape(sku.strip())} is now in {segment}.")
            except SegStudioError as exc:  # a refusal (an empty field) is shown
                st.error(md_escape(exc))
    listed = list_overrides()
    if listed.empty:
        st.caption("No overrides.")
        return
    tables.show(listed, keys.SEG_OVERRIDES)
    with st.form(key=keys.SEG_REMOVE_OVERRIDE_FORM):
        pick = st.selectbox(
            "Remove the override of", listed["sku"].tolist(), key=keys.SEG_REMOVE_OVERRIDE_SKU
        )
        who = st.text_input("Your name", key=keys.SEG_REMOVE_OVERRIDE_WHO)
        if st.form_submit_button("Remove override"):
            try:
                decisions.remove_override(ws, pick, who)
            except SegStudioError as exc:  # a refusal (no name, no override) is shown
                st.error(md_escape(exc))
            else:
                st.rerun()


def _churn_tab(rules) -> None:
    st.caption(
        "The same rules applied to each quarter of the history: how many SKUs changed "
        "class from one quarter to the next. Computed on request (it reads every sales "
        "line), not on each slider move."
    )
    sig = to_toml(rules)
    if st.button("Compute quarterly churn for the current rules", key=keys.SEG_CHURN_GO):
        results.keep(keys.SEG_CHURN, sig, churn_table(rules))
    if st.session_state.get(keys.SEG_CHURN) is None:
        return
    table = results.last(
        keys.SEG_CHURN,
        sig,
        "Computed for earlier slider positions: press the button again to update.",
    )
    if table is None or table.empty:
        st.info("Not enough history for quarter-on-quarter churn.")
        return
    tables.static(table, kinds={"churn_share": "share"})


def _rules_file() -> None:
    rules, _ = current_rules()
    st.download_button(
        "Download these rules (TOML)",
        to_toml(rules).encode(),
        "rules.toml",
        "application/toml",
        key=keys.SEG_RULES_DL,
    )
    up = st.file_uploader("Load a rules file", type=["toml"], key=keys.SEG_RULES_UPLOAD)
    if up is not None:
        st.button("Apply the rules file", key=keys.SEG_RULES_APPLY, on_click=_apply_rules_file)
    if keys.SEG_RULES_ERROR in st.session_state:
        st.error(md_escape(st.session_state.pop(keys.SEG_RULES_ERROR)))
    elif keys.SEG_RULES_APPLIED in st.session_state:
        st.success(f"Applied {md_escape(st.session_state.pop(keys.SEG_RULES_APPLIED))}.")


def _apply_rules_file() -> None:
    """The Apply button's callback: it runs before the page draws its widgets, the only time
    the sliders' values can be replaced."""
    up = st.session_state.get(keys.SEG_RULES_UPLOAD)
    if up is None:
        return
    try:
        loaded = from_toml(up.getvalue().decode("utf-8"), up.name)
    except UnicodeDecodeError as exc:  # not UTF-8 text, as read_rules says for a path
        st.session_state[keys.SEG_RULES_ERROR] = f"{up.name}: cannot be read ({exc})"
    except SegStudioError as exc:  # RulesError: invalid TOML or values, naming the file
        st.session_state[keys.SEG_RULES_ERROR] = str(exc)
    else:
        init_rules(loaded, force=True)
        st.session_state[keys.SEG_RULES_APPLIED] = up.name
