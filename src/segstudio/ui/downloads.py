"""Downloads prepared on request: building a large CSV on every slider move would cost more
than the rest of the page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def on_request(
    label: str,
    make: Callable[[], bytes],
    file_name: str,
    key: str,
    signature: str,
    mime: str = "text/csv",
) -> None:
    """A "Prepare" button that builds the file once for ``signature`` (the data it depends
    on), then the download button for it."""
    state = f"{key}.prepared"
    prepared = st.session_state.get(state)
    if prepared is None or prepared[0] != signature:
        if not st.button(f"Prepare: {label}", key=f"{key}.prepare"):
            return
        prepared = (signature, make())
        st.session_state[state] = prepared
    st.download_button(label, prepared[1], file_name, mime, key=key)
