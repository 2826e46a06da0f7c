"""Every control keeps its value for the whole session, whichever page is shown.

Streamlit forgets a widget's value at the end of a run that did not draw it, so going to
another page and back would put every slider at its minimum. Each control (``is_control``)
therefore has a shadow copy under a key no widget owns (``keys.kept``):

- at the top of every run (``keep``, from app.py) the shadow takes the widget's value while
  the widget has one;
- on the first run of a page (arriving from another one) the widget's key is put back from its
  shadow, *before* any widget is drawn. That must be the run that draws it: a value put back on
  a run that does not draw the widget would reach the browser as no value at all, and the
  widget would show its minimum (the bug of the first version). Within a page a live widget's
  value is never reassigned, which would fight fast key presses;
- at the end of a finished run (``finished``) the shadows take what the widgets returned.

A value that no longer fits its widget (a segment that left with the criteria, an SKU gone
with a load) is dropped by ``fit`` before the widget is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import streamlit as st

from . import keys

_KEPT = keys.kept("")


def is_control(key: str) -> bool:
    """Whether ``key`` is a control whose value is kept for the session (keys.CONTROLS, the
    families of keys.CONTROL_FAMILIES and the rules' widgets)."""
    return (
        key in keys.CONTROLS or key in keys.RULE_CONTROLS or key.startswith(keys.CONTROL_FAMILIES)
    )


def _controls() -> set[str]:
    names = [str(k) for k in st.session_state.keys()]  # noqa: SIM118 - a proxy, not a dict
    held = {k for k in names if is_control(k)}
    held |= {k.removeprefix(_KEPT) for k in names if k.startswith(_KEPT)}
    return held


def keep(page: str) -> None:
    """Called at the top of every run, before any widget: copy live values to their shadows,
    and on arriving at ``page`` from another page put every dropped value back."""
    state = st.session_state
    # Arriving: the last run started on another page, or the last run of this page did not
    # finish (a click that interrupts a page's first run must not skip the putting back).
    arrived = state.get(keys.PAGE_STARTED) != page or state.get(keys.PAGE_SHOWN) != page
    state[keys.PAGE_STARTED] = page
    for key in _controls():
        shadow = keys.kept(key)
        if key in state and shadow in state and arrived and state[key] == state[shadow]:
            # Possibly a value put back on a run that did not draw it: set again, so that the
            # browser receives it with the widget (the same value, nothing lost).
            state[key] = state[shadow]
        elif key in state:
            state[shadow] = state[key]
        elif shadow in state and arrived:
            state[key] = state[shadow]


def finished(page: str) -> None:
    """Called at the end of a run that finished: the shadows take the values the widgets
    returned, and ``page`` is the one shown."""
    state = st.session_state
    for key in _controls():
        if key in state:
            state[keys.kept(key)] = state[key]
    state[keys.PAGE_SHOWN] = page


def set_value(key: str, value: object) -> None:
    """Give a control a new value from code (a rules file, a restored set): the widget and its
    shadow. Only from a callback or before the widget is drawn."""
    st.session_state[key] = value
    st.session_state[keys.kept(key)] = value


def forget(prefixes: Iterable[str]) -> None:
    """Forget the controls whose keys start with one of ``prefixes``, with their shadows (the
    widgets then show what the page seeds them with)."""
    starts = tuple(prefixes)
    shadows = tuple(keys.kept(p) for p in starts)
    for key in [str(k) for k in st.session_state.keys()]:  # noqa: SIM118
        if key.startswith(starts) or key.startswith(shadows):
            del st.session_state[key]


def fit(key: str, options: Sequence[object]) -> None:
    """Before a choice widget over ``options`` is drawn: drop a kept value that is no longer
    one of them (a multiselect keeps the choices that still are)."""
    state = st.session_state
    for name in (key, keys.kept(key)):
        if name not in state:
            continue
        value = state[name]
        if isinstance(value, list):
            if any(v not in options for v in value):
                state[name] = [v for v in value if v in options]
        elif value not in options:
            del state[name]
