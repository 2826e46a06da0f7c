"""Cached resources and data for the pages: the workspace connection and the feature table."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from segstudio.config.rules import Rules
from segstudio.errors import SegStudioError
from segstudio.features import profile
from segstudio.features.build import (
    FeatureSettings,
    Window,
    compute_features,
    features_page,
    stored_profile,
    stored_size,
)
from segstudio.features.classes import ClassCuts, with_classes
from segstudio.ingest.workspace import DEFAULT_WORKSPACE, Workspace

ENV_WORKSPACE = "SEGSTUDIO_WORKSPACE"


def workspace_path() -> Path:
    return Path(os.environ.get(ENV_WORKSPACE, str(DEFAULT_WORKSPACE)))


@st.cache_resource(show_spinner="Opening the workspace...")
def _open_workspace(path: str) -> Workspace:
    p = Path(path)
    if not p.exists():
        # First start without `make run`: build the demo so there is something to look at.
        # Imported here: the demo's generator and the load's store step are not needed to
        # open a workspace, on the app's first view.
        from segstudio.ingest.demo_workspace import build_demo_workspace
        from segstudio.perform.io import store_after_load

        build_demo_workspace(p, p.parent / "demo")
        store_after_load(Workspace(p))
    return Workspace(p)


def get_workspace() -> Workspace:
    """The workspace the app shows: the configured one, or, when that is the demo and a user's
    first upload started a workspace of their own beside it, that one (for every session)."""
    ws = _open_workspace(str(workspace_path()))
    own = ws.successor() if ws.is_demo() else None
    if own is not None and own.exists():
        return _open_workspace(str(own))
    return ws


@st.cache_resource(show_spinner="Reading the per-SKU features...", max_entries=8)
def _shared_features(
    path: str, version: int, settings: FeatureSettings
) -> tuple[pd.DataFrame, Window]:
    ws = _open_workspace(path)
    with ws.connect() as con:
        return compute_features(con, settings)  # stored at the load for the official window


def _features(path: str, version: int, settings: FeatureSettings) -> tuple[pd.DataFrame, Window]:
    """A copy of the feature table whose columns the caller may replace (the classes: whole
    columns, never cells): one shared frame per data version and settings, and a shallow copy
    for each caller, rather than a pickle in and out of st.cache_data or a deep copy, which
    cost seconds at a million SKUs."""
    features, window = _shared_features(path, version, settings)
    return features.copy(deep=False), window


@st.cache_resource(show_spinner=False, max_entries=8)
def _shared_classed(
    path: str, version: int, settings: FeatureSettings, cuts: ClassCuts
) -> tuple[pd.DataFrame, Window]:
    features, window = _shared_features(path, version, settings)
    if cuts == ClassCuts.from_rules():  # compute_features' own cut-offs: already classed
        return features, window
    return with_classes(features.copy(deep=False), window.last_day, cuts), window


def classed_features(
    path: str, version: int, settings: FeatureSettings, cuts: ClassCuts
) -> tuple[pd.DataFrame, Window]:
    """A shallow copy of the feature table with its pattern and lifecycle under ``cuts``: the
    classes computed once per data version, settings and cut-offs and shared (a rerun, another
    page, another session under the same rules does not classify a million SKUs again)."""
    features, window = _shared_classed(path, version, settings, cuts)
    return features.copy(deep=False), window


def get_features(
    rules: Rules | None = None,
    classes: bool = True,
) -> tuple[pd.DataFrame, Window] | None:
    """The feature table for the current data version under ``rules`` (their window and, with
    ``classes``, their pattern and lifecycle cut-offs; default: the default rules), or None when
    no sales are loaded."""
    rules = rules or Rules()
    ws = get_workspace()
    settings = FeatureSettings(weeks=rules.weeks)
    try:
        if classes:
            return classed_features(
                str(ws.path), ws.version(), settings, ClassCuts.from_rules(rules)
            )
        return _features(str(ws.path), ws.version(), settings)
    except SegStudioError:
        return None


@st.cache_data(show_spinner=False, max_entries=8)
def _profile(
    path: str, version: int, settings: FeatureSettings, cuts: ClassCuts
) -> tuple[profile.Profile, Window]:
    features, window = _shared_classed(path, version, settings, cuts)
    return profile.profile(features), window


# The reads of what the load stored are keyed by the file's state, not the data version: a
# store written after a first look (the load's store step still running) is then read too.
@st.cache_data(show_spinner=False, max_entries=8)
def _stored_profile(
    path: str, state: tuple[int, ...], settings: FeatureSettings, cuts: ClassCuts
) -> tuple[profile.Profile, Window] | None:
    with _open_workspace(path).connect() as con:
        return stored_profile(con, settings, cuts)


def feature_profile(rules: Rules) -> tuple[profile.Profile, Window] | None:
    """The Data page's profile of the feature table under ``rules`` (their window and class
    cut-offs: :func:`segstudio.features.profile.profile`, small frames, never a point per SKU)
    and the window: as the load stored it, else computed once per data version, window and
    cut-offs; None when no sales are loaded."""
    ws = get_workspace()
    settings, cuts = FeatureSettings(weeks=rules.weeks), ClassCuts.from_rules(rules)
    try:
        stored = _stored_profile(str(ws.path), ws.state(), settings, cuts)
        if stored is not None:
            return stored
        return _profile(str(ws.path), ws.version(), settings, cuts)
    except SegStudioError:
        return None


@st.cache_data(show_spinner=False, max_entries=8)
def _stored_size(
    path: str, state: tuple[int, ...], settings: FeatureSettings
) -> tuple[int, Window] | None:
    with _open_workspace(path).connect() as con:
        return stored_size(con, settings)


def stored_feature_counts(rules: Rules) -> tuple[int, Window] | None:
    """:func:`feature_counts` as the load stored it (a count, without reading the table), else
    None (not stored, or no sales)."""
    ws = get_workspace()
    try:
        return _stored_size(str(ws.path), ws.state(), FeatureSettings(weeks=rules.weeks))
    except SegStudioError:
        return None


def feature_counts(rules: Rules | None = None) -> tuple[int, Window] | None:
    """The number of SKUs of the feature table under ``rules`` (their window) and the window,
    without a copy of the table (the sidebar's figures on every rerun): counted in the table
    the load stored, else in the table read; None with no sales."""
    rules = rules or Rules()
    stored = stored_feature_counts(rules)
    if stored is not None:
        return stored
    ws = get_workspace()
    try:
        features, window = _shared_features(
            str(ws.path), ws.version(), FeatureSettings(weeks=rules.weeks)
        )
    except SegStudioError:
        return None
    return len(features), window


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_rows(
    path: str,
    state: tuple[int, ...],
    settings: FeatureSettings,
    cuts: ClassCuts,
    first: int,
    count: int,
) -> pd.DataFrame | None:
    with _open_workspace(path).connect() as con:
        return features_page(con, settings, cuts, first, count)


def feature_rows(rules: Rules, first: int, count: int) -> pd.DataFrame:
    """Rows ``first`` to ``first + count`` of the feature table under ``rules`` (the Data
    page's table, a page at a time): read alone from the table the load stored, else a slice
    of the whole table."""
    ws = get_workspace()
    settings, cuts = FeatureSettings(weeks=rules.weeks), ClassCuts.from_rules(rules)
    rows = _stored_rows(str(ws.path), ws.state(), settings, cuts, first, count)
    if rows is not None:
        return rows
    loaded = get_features(rules)
    if loaded is None:
        raise SegStudioError("no sales loaded: load a sales file first")
    return loaded[0].iloc[first : first + count]
