"""No user ever sees a traceback: errors become one clear message (details go to the log)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from segstudio.errors import SegStudioError

from .text import md_escape

log = logging.getLogger("segstudio")


@contextmanager
def friendly_errors(where: str) -> Iterator[None]:
    """Show a SegStudioError's message, and any other error as one line (logged in full).
    Streamlit's own control flow (st.rerun, st.stop) is not an Exception and passes through."""
    try:
        yield
    except SegStudioError as exc:  # messages quote file text: shown as text, never markdown
        st.error(md_escape(str(exc)))
    except Exception as exc:
        log.exception("unexpected error in %s", where)
        st.error(
            f"Something went wrong in {where}: {type(exc).__name__}: {md_escape(str(exc))}. "
            "Nothing was changed; the details are in the server log."
        )


def no_sales() -> None:
    """What a page that needs sales says before any are loaded."""
    st.info("No sales loaded yet: load data on the Data page.")
