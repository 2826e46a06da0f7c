"""Every page is shown through the app's router (app.py), even as a fresh server's first request.

Streamlit (1.50) treats a ``pages/`` folder beside the main script as the old multipage app
until ``st.navigation`` has run once in the server: a page's address as the first request then
runs that page file alone, with the bare list of page files as navigation and without the
sidebar. :func:`through_the_app`, called first in each page file, turns that run into a rerun
of app.py on the same page (a page's identity is its address, the same under both).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

__all__ = ["through_the_app"]


def through_the_app() -> None:
    """Rerun through app.py when Streamlit runs this page as a page-folder app; no-op under
    the app's navigation (st.navigation clears the flag)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
