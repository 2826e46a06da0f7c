"""The Scorecard page: KPIs per segment against targets (red/amber/green), the balanced
scorecard, the trend by quarter, the root causes of a miss, and the targets editor."""

from __future__ import annotations

import streamlit as st

from segstudio.common import fmt
from segstudio.config.kpi_targets import EDITABLE, KPIS
from segstudio.errors import SegStudioError
from segstudio.perform import kpi_display, kpis, root_causes
from segstudio.perform.kpis import PORTFOLIO
from segstudio.report import charts
from segstudio.report.exports import to_csv_bytes
from segstudio.segment import decisions

from . import controls, keys, tables
from .downloads import on_request
from .guard import no_sales
from .policy_state import signature
from .scorecard_state import (
    ScoreContext,
    score_context,
    set_targets,
    simulated_summary,
    trend_table,
)
from .seg_state import official
from .state import get_workspace
from .text import md_escape

TREND_MEASURES = {  # column: (label, is a rate)
    "revenue": ("Revenue", False),
    "gross_margin": ("Gross margin", False),
    "margin_pct": ("Margin %", True),
    "unit_fill_rate": ("Unit fill rate", True),
    "line_fill_rate": ("Line fill rate", True),
    "otif": ("OTIF", True),
}


def show() -> None:
    sc_ctx = score_context()
    if sc_ctx is None:
        no_sales()
        return
    ctx = sc_ctx.ctx
    if ctx.error:
        st.warning(
            f"The sliders' values are not valid rules ({md_escape(ctx.error)}); showing the "
            "official rules."
        )
    st.caption(
        f"{fmt.count(len(ctx.portfolio), 'SKU')}, "
        f"{fmt.count(ctx.window.periods, ctx.window.period)} from "
        f"{fmt.date(ctx.window.start)} to {fmt.date(ctx.window.last_day)}, segmented by "
        "the Segmentation page's sliders; service targets from the Inventory policy "
        "table."
    )
    _headline(sc_ctx)
    tabs = st.tabs(
        ["KPI scorecard", "Balanced scorecard", "Trend by quarter", "Root cause", "Targets"]
    )
    with tabs[0]:
        _scorecard_tab(sc_ctx)
    with tabs[1]:
        _balanced_tab(sc_ctx)
    with tabs[2]:
        _trend_tab(sc_ctx)
    with tabs[3]:
        _cause_tab(sc_ctx)
    with tabs[4]:
        _targets_tab(sc_ctx)


def _headline(s: ScoreContext) -> None:
    counts = s.scorecard.counts()
    port = s.scorecard.long[s.scorecard.long["segment"] == PORTFOLIO].set_index("kpi")
    cols = st.columns([1.6, 1, 1, 1, 1, 1])
    cols[0].metric(
        "Green / amber / red",
        f"{fmt.count(counts['green'])} / {fmt.count(counts['amber'])} / {fmt.count(counts['red'])}",
    )
    for col, key in zip(
        cols[1:],
        ("unit_fill_rate", "otif", "inventory_turns", "gmroi", "service_level"),
        strict=True,
    ):
        row = port.loc[key]
        col.metric(
            KPIS[key].label,
            kpi_display.format_value(row["value"], row["unit"]),
            help=f"Portfolio, {KPIS[key].definition}. Status: {row['status']}.",
        )


def _scorecard_tab(s: ScoreContext) -> None:
    sc = s.scorecard
    missing = kpi_display.unmeasured(sc)  # KPIs no row can measure: said, not drawn grey
    for line in kpi_display.unmeasured_lines(missing):
        st.info(md_escape(line))
    if len(missing) < len(KPIS):
        fig = charts.scorecard_figure(
            kpi_display.measured_only(kpi_display.display_table(sc, with_targets=False), missing),
            kpi_display.measured_only(sc.wide("status"), missing),
            "KPI scorecard by segment",
        )
        st.plotly_chart(fig, key=keys.SCORE_GRID)
        st.caption(
            "Each cell: green at or better than target, amber within "
            f"{fmt.share(s.ctx.rules.kpi.amber_band, 0)} of it, red further off, grey cannot "
            "be computed. Table below: value / target."
        )
        status = kpi_display.measured_only(sc.wide("status"), missing)
        colours = status.map(
            lambda v: f"background-color: {charts.STATUS_COLOURS[v]}; color: white"
        )
        st.dataframe(
            kpi_display.measured_only(kpi_display.display_table(sc), missing).style.apply(
                lambda _: colours, axis=None
            ),
            key=keys.SCORE_TABLE,
        )
    for note in kpi_display.notes(sc, skip=missing):
        st.caption(f"• {note}")
    with st.expander("Definitions"):
        for k in KPIS.values():
            st.markdown(f"**{k.label}**: {k.definition}.")
    _service_side_by_side(s)


def _service_side_by_side(s: ScoreContext) -> None:
    """The Scorecard's achieved service (history) beside the Simulation's simulated service
    (under the policy): two measures, named as such, with their definitions a click away."""
    simulated = simulated_summary(s.ctx)
    both = kpis.service_side_by_side(s.scorecard, simulated)
    st.markdown(
        f"**{kpis.ACHIEVED_SERVICE} and {kpis.SIMULATED_SERVICE.lower()}**",
        help=kpis.SERVICE_DEFINITIONS,
    )
    tables.show(
        both.rename(
            columns={
                "achieved_service": kpis.ACHIEVED_SERVICE,
                "simulated_service": kpis.SIMULATED_SERVICE,
            }
        ),
        keys.SCORE_SERVICE_BOTH,
        kinds={kpis.ACHIEVED_SERVICE: "share", kpis.SIMULATED_SERVICE: "share"},
    )
    if simulated is None:
        st.caption(
            f"{kpis.SIMULATED_SERVICE}: run the Simulation page for these segments and this "
            "policy to fill its column."
        )
    with st.expander("How the two differ"):
        st.markdown(kpis.SERVICE_DEFINITIONS)


def _balanced_tab(s: ScoreContext) -> None:
    table = kpis.balanced(s.scorecard, s.years)
    missing = kpis.balanced_unmeasured(table)
    for line in kpis.balanced_unmeasured_lines(missing):
        st.info(line)
    if len(missing) < len(kpis.BALANCED_CHARTED):
        st.plotly_chart(
            charts.balanced_figure(table, hidden=tuple(missing)), key=keys.SCORE_BALANCED_CHART
        )
    tables.show(
        table,
        keys.SCORE_BALANCED,
        column_config={
            c: st.column_config.Column(help=kpis.BALANCED_COLUMNS[c])
            for c in table.columns
            if c != "segment"
        },
    )
    st.caption(kpis.balanced_caption(s.scorecard, s.years))


def _trend_tab(s: ScoreContext) -> None:
    trend = trend_table(s.ctx, s.columns)
    c1, c2 = st.columns([1, 3])
    measure = c1.selectbox(
        "Measure",
        list(TREND_MEASURES),
        key=keys.SCORE_TREND_MEASURE,
        format_func=lambda m: TREND_MEASURES[m][0],
    )
    segments = list(dict.fromkeys(trend["segment"]))
    controls.fit(keys.SCORE_TREND_SEGMENTS, segments)  # kept choices that still exist
    chosen = c2.multiselect(
        "Segments", segments, default=[PORTFOLIO], key=keys.SCORE_TREND_SEGMENTS
    )
    label, rate = TREND_MEASURES[measure]
    shown = trend[trend["segment"].isin(chosen)]
    if shown.empty:
        st.info("Choose at least one segment.")
        return
    st.plotly_chart(charts.trend_figure(shown, measure, label, rate), key=keys.SCORE_TREND_CHART)
    if measure in ("unit_fill_rate", "line_fill_rate") and not s.columns.fill:
        st.caption(s.columns.missing_fill)
    if measure == "otif" and not s.columns.otif:
        st.caption(s.columns.missing_otif)
    st.caption(
        "Segments are today's: each SKU's quarters are counted in the segment it is in "
        "now. Inventory has one snapshot, so its value has no trend."
    )


def _cause_tab(s: ScoreContext) -> None:
    misses = s.scorecard.misses()
    if unmeasured := s.scorecard.service_unmeasured():
        st.info(
            "Whether the segments meet their service targets cannot be measured: "
            f"{md_escape(unmeasured)}."
        )
        return
    if misses.empty:
        st.success("Every segment meets its service target.")
        return
    summary, skus = s.causes()
    options = list(misses["segment"])
    controls.fit(keys.SCORE_CAUSE_SEGMENT, options)
    seg = st.selectbox(
        "Segment that misses its service target", options, key=keys.SCORE_CAUSE_SEGMENT
    )
    if seg not in options:
        return
    row = misses.set_index("segment").loc[seg]
    st.markdown(
        f"**{md_escape(seg)}**: {kpis.ACHIEVED_SERVICE.lower()} "
        f"{kpi_display.format_value(row['value'], 'rate')} against a target "
        f"of {kpi_display.format_value(row['target'], 'rate')} ({row['note']})."
    )
    st.plotly_chart(charts.causes_figure(summary, seg), key=keys.SCORE_CAUSES_CHART)
    own = summary[summary["segment"] == seg]
    tables.show(
        own.drop(columns=["segment"]).rename(
            columns={"main_share": "main_cause_share", "share_of_short": "share_with_this_cause"}
        ),
        keys.SCORE_CAUSES,
    )
    st.caption(root_causes.SHARES_ADD_UP)
    short = skus[skus["segment"] == seg]
    st.markdown(
        f"**{fmt.count(len(short), 'SKU')} below the target**, most units short "
        "first; a SKU can have several causes (the first listed is its main one)."
    )
    tables.show(short.head(tables.MAX_ROWS_SHOWN), keys.SCORE_CAUSE_SKUS)
    on_request(
        "Download the SKUs behind the miss (CSV)",
        lambda: to_csv_bytes(short),
        f"root_cause_{seg}.csv",
        keys.SCORE_CAUSES_CSV,
        signature(s.ctx, s.ctx.rules.policy) + seg,
    )


def _set_target(segment: str, kpi: str, widget: str) -> None:
    rules_kpi = st.session_state[keys.rule("kpi")]
    set_targets(rules_kpi.with_target(segment, kpi, float(st.session_state[widget])))


def _targets_tab(s: ScoreContext) -> None:
    targets = s.ctx.rules.kpi
    segs = ["default", *[c for c in s.scorecard.totals["segment"] if c != PORTFOLIO]]
    controls.fit(keys.SCORE_TARGET_SEGMENT, segs)
    seg = st.selectbox(
        "Targets of",
        segs,
        key=keys.SCORE_TARGET_SEGMENT,
        help="'default' applies to every segment without its own target.",
    )
    own = targets.for_segment(seg)
    cols = st.columns(3)
    for i, key in enumerate(EDITABLE):
        k = KPIS[key]
        widget = keys.kpi_target(seg, key)
        st.session_state.setdefault(widget, float(own[key]))
        is_rate = k.unit == "rate"
        cols[i % 3].number_input(
            f"{k.label} ({'lower' if not k.higher_is_better else 'higher'} is better)",
            min_value=0.0,
            max_value=1.0 if is_rate else 100_000.0,
            step=0.005 if is_rate else 0.5,
            format="%.3f" if is_rate else "%.1f",
            key=widget,
            on_change=_set_target,
            args=(seg, key, widget),
            help=k.definition,
        )
    st.caption(
        "Service targets come from the Inventory policy table. Changes apply at once "
        "to this session; save them to keep them for everyone."
    )
    with st.form(key=keys.SCORE_SAVE_FORM):
        who = st.text_input("Your name", key=keys.SCORE_SAVE_WHO)
        why = st.text_input("Why (recorded with the decision)", key=keys.SCORE_SAVE_WHY)
        if st.form_submit_button("Save the targets as official", type="primary"):
            try:
                new_id = decisions.adopt(
                    get_workspace(),
                    official().with_(kpi=targets),
                    who,
                    f"KPI targets: {why}" if why.strip() else why,
                )
                st.success(
                    f"Saved: the official rules (set {new_id}) now carry these targets; "
                    "the segment boundaries stay as they were."
                )
            except SegStudioError as exc:  # a refusal is shown, never a traceback
                st.error(md_escape(exc))
