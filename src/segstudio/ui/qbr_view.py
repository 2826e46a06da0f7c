"""The QBR page: the review's stories one per screen, a presentation mode, and one-click
exports of the pack to PDF, PowerPoint and Excel."""

from __future__ import annotations

import streamlit as st

from segstudio.report import qbr
from segstudio.report import render as report
from segstudio.report.qbr import STORIES, QbrData

from . import keys, presentation, tables
from .guard import no_sales
from .qbr_state import qbr_data, qbr_signature
from .text import md_escape

_STORY_KEYS = list(STORIES)
_FORMATS = {"pdf": "PDF", "pptx": "PowerPoint", "xlsx": "Excel workbook"}


def show() -> None:
    data = qbr_data()
    if data is None:
        no_sales()
        return
    if presentation.active():
        _present(data)
        return
    st.caption(
        "One story per screen, as the review tells it. The figures follow the "
        "Segmentation sliders, the Inventory policy table and the Scorecard targets."
    )
    c1, c2 = st.columns([3, 1])
    st.session_state[keys.QBR_STORY] = _current()
    key = c1.radio(
        "Story",
        _STORY_KEYS,
        format_func=lambda k: STORIES[k][0],
        horizontal=True,
        key=keys.QBR_STORY,
        on_change=_picked,
    )
    if c2.button(
        "▶ Present",
        type="primary",
        key=keys.QBR_START,
        help="Full width, no sidebar: one story per screen, with Previous and Next.",
    ):
        presentation.start()
        st.rerun()
    _story(data, key)
    st.divider()
    _export(data)


def _current() -> str:
    key = st.session_state.get(keys.QBR_CURRENT)
    return key if key in STORIES else _STORY_KEYS[0]


def _picked() -> None:
    st.session_state[keys.QBR_CURRENT] = st.session_state[keys.QBR_STORY]


def _step(delta: int) -> None:
    i = _STORY_KEYS.index(_current())
    st.session_state[keys.QBR_CURRENT] = _STORY_KEYS[(i + delta) % len(_STORY_KEYS)]


def _present(data: QbrData) -> None:
    key = _current()
    i = _STORY_KEYS.index(key)
    left, mid, right, end = st.columns([1, 6, 1, 1])
    left.button("◀ Previous", key=keys.QBR_PREVIOUS, on_click=_step, args=(-1,), width="stretch")
    mid.markdown(
        f"<div style='text-align:center'>{i + 1} / {len(_STORY_KEYS)}</div>", unsafe_allow_html=True
    )
    right.button("Next ▶", key=keys.QBR_NEXT, on_click=_step, args=(1,), width="stretch")
    end.button("Exit", key=keys.QBR_EXIT, on_click=presentation.stop, width="stretch")
    _story(data, key, big=True)


def _story(data: QbrData, key: str, big: bool = False) -> None:
    """One story: title, chart, table and notes; presenting, the chart at the height that
    fits one 1440 x 900 screen and the table and notes folded under it."""
    section = qbr.story(data, key)
    (st.header if big else st.subheader)(section.title)
    if section.subtitle:
        st.markdown(f"**{md_escape(section.subtitle)}**")
    for line in section.unmeasured:
        st.info(md_escape(line))
    if section.figure is not None:
        if big:
            section.figure.update_layout(height=presentation.chart_height(len(section.unmeasured)))
        st.plotly_chart(section.figure, key=keys.qbr_chart(key))
    details = st.expander("Table and notes") if big else st.container()
    with details:
        if section.table is not None:
            tables.show(section.table.head(section.max_rows), keys.qbr_table(key), hide_index=True)
        for note in section.notes:
            st.caption(f"• {md_escape(note)}")


def _export(data: QbrData) -> None:
    st.markdown(
        "**Export the review**: the scorecard, the segment matrix, the trade-off "
        "curves, the balanced scorecard, suppliers and inventory health; the workbook "
        "holds every underlying table."
    )
    c1, c2 = st.columns([1, 3])
    fmt = c1.selectbox("Format", list(_FORMATS), format_func=_FORMATS.get, key=keys.QBR_FORMAT)
    sig = qbr_signature(data) + fmt
    state = f"{keys.QBR_EXPORT}.prepared"
    prepared = st.session_state.get(state)
    if prepared is None or prepared[0] != sig:
        if not c2.button(f"Build the {_FORMATS[fmt]}", key=f"{keys.QBR_EXPORT}.build"):
            return
        with st.spinner("Building the pack (charts are drawn by Chromium)..."):
            content, message = report.render_with_charts(qbr.build_report(data), fmt)
        prepared = (sig, content, message)
        st.session_state[state] = prepared
    _, content, message = prepared
    if message:
        st.warning(f"Charts are missing from the pack: {message}")
    c2.download_button(
        f"Download the {_FORMATS[fmt]}",
        content,
        f"qbr.{fmt}",
        report.MEDIA_TYPES[fmt],
        key=keys.QBR_EXPORT,
    )
