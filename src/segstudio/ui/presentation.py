"""Presentation mode for a review: wide, no sidebar or navigation, one story per screen."""

from __future__ import annotations

import streamlit as st

from . import keys

CHART_HEIGHT_PX = 580  # a story's chart: with its title, the buttons and the folded table,
# one 1440 x 900 screen (tests/ui/test_qbr_browser.py)
NOTE_HEIGHT_PX = 80  # each line above the chart of what it cannot measure (an st.info box)


def chart_height(unmeasured_lines: int) -> int:
    """A story's chart height when ``unmeasured_lines`` lines stand above it: the screen
    stays one screen."""
    return CHART_HEIGHT_PX - NOTE_HEIGHT_PX * unmeasured_lines


_HIDE_CHROME = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarNav"], [data-testid="stToolbar"], header[data-testid="stHeader"] {
    display: none !important;
}
.block-container, [data-testid="stMainBlockContainer"] {
    padding-top: 1rem !important; padding-bottom: 1rem !important; max-width: 100% !important;
}
</style>
"""


def active() -> bool:
    """Whether the session is presenting (set by the QBR page's "Present" button)."""
    return bool(st.session_state.get(keys.QBR_PRESENT, False))


def start() -> None:
    st.session_state[keys.QBR_PRESENT] = True


def stop() -> None:
    st.session_state[keys.QBR_PRESENT] = False


def hide_chrome() -> None:
    """Hide the sidebar, its toggle and the toolbar for this run."""
    st.html(_HIDE_CHROME)
