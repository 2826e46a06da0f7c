"""Results computed on a button press (churn, seasonal profile, simulation): kept in the session
with the signature of what they were computed for, and shown with a note once that changed."""

from __future__ import annotations

import streamlit as st


def keep(key: str, signature: str, value: object) -> None:
    st.session_state[key] = (signature, value)


def last(key: str, signature: str, stale_message: str) -> object | None:
    """The kept result (None before the first press); says ``stale_message`` when it was
    computed for another signature."""
    done = st.session_state.get(key)
    if done is None:
        return None
    if done[0] != signature:
        st.caption(stale_message)
    return done[1]
