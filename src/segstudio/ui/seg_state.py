"""Segmentation state for every page: the cached portfolio, the rules the sliders hold, the
official segmentation and the alert count."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

import numpy as np
import pandas as pd
import streamlit as st

from segstudio.config.rules import Rules, RulesError, from_toml, to_toml
from segstudio.errors import SegStudioError
from segstudio.features import profile
from segstudio.features.build import FeatureSettings, Window
from segstudio.features.classes import ClassCuts
from segstudio.ingest.store import data_version
from segstudio.segment import decisions
from segstudio.segment.churn import churn_by_quarter
from segstudio.segment.io import quarterly_features, stored_abc_order, stored_alert_count
from segstudio.segment.segmentation import (
    PREPARED_MEASURE,
    Portfolio,
    Segmentation,
    alert_count,
    classify,
)

from . import controls, keys
from .state import classed_features, get_workspace

_RULE_ATTRS = [f.name for f in fields(Rules) if f.name not in ("names", "exclude", "policy", "kpi")]


@st.cache_resource(max_entries=4, show_spinner="Preparing the portfolio...")
def _portfolio(
    path: str,
    version: int,
    weeks: int,
    exclude: tuple[str, ...],
    cuts: ClassCuts,
) -> tuple[Portfolio, Window]:
    # A copy with the rules' pattern and lifecycle, shared with the Data page's table.
    features, window = classed_features(path, version, FeatureSettings(weeks=weeks), cuts)
    portfolio = Portfolio.from_features(features, window.last_day, exclude)
    with get_workspace().connect() as con:  # the order the load stored, else sorted here
        stored = stored_abc_order(con, weeks, exclude, PREPARED_MEASURE)
        current = data_version(con) == version
    if stored is not None and current and len(stored.order) == len(portfolio):
        portfolio.keep_abc_order(PREPARED_MEASURE, stored)
    portfolio.abc_order(PREPARED_MEASURE)  # the default measure's Pareto order, once per load
    return portfolio, window


def get_portfolio(rules: Rules, weeks: int | None = None) -> tuple[Portfolio, Window] | None:
    """The portfolio under ``rules`` (its window, exclusions and class cut-offs; ``weeks``
    replaces the window), shared by every session; None when no sales are loaded."""
    ws = get_workspace()
    try:
        return _portfolio(
            str(ws.path),
            ws.version(),
            weeks or rules.weeks,
            tuple(sorted(rules.exclude)),
            ClassCuts.from_rules(rules),
        )
    except SegStudioError:  # no sales loaded yet: the pages say so
        return None


@st.cache_data(max_entries=8, show_spinner=False)
def _official(path: str, state: tuple[int, ...]) -> Rules:
    return decisions.official_rules(get_workspace())


@st.cache_data(max_entries=8, show_spinner=False)
def _overrides(path: str, state: tuple[int, ...], today: dt.date) -> dict[str, str]:
    return decisions.active_overrides(get_workspace(), today)


def official() -> Rules:
    """The official rules, read again only when the workspace file changed (any process)."""
    ws = get_workspace()
    return _official(str(ws.path), ws.state())


def active_overrides() -> dict[str, str]:
    """SKU -> segment of today's overrides, read again only when the workspace file changed."""
    ws = get_workspace()
    return _overrides(str(ws.path), ws.state(), dt.date.today())


@st.cache_data(max_entries=8, show_spinner=False)
def _history(path: str, state: tuple[int, ...]) -> pd.DataFrame:
    return decisions.official_history(get_workspace())


@st.cache_data(max_entries=8, show_spinner=False)
def _listed(path: str, state: tuple[int, ...], today: dt.date) -> pd.DataFrame:
    return decisions.list_overrides(get_workspace(), today)


def official_history() -> pd.DataFrame:
    """Every adopted set (:func:`decisions.official_history`), read again only when the
    workspace file changed (any process): not one connection per slider move."""
    ws = get_workspace()
    return _history(str(ws.path), ws.state())


def list_overrides() -> pd.DataFrame:
    """Every override (:func:`decisions.list_overrides`), read again only when the workspace
    file changed (any process)."""
    ws = get_workspace()
    return _listed(str(ws.path), ws.state(), dt.date.today())


def init_rules(rules: Rules, force: bool = False) -> None:
    """Put ``rules`` into the widgets' session keys (first visit; with ``force``, loading a
    rules file or restoring a set, from a callback: before any widget is drawn)."""
    if st.session_state.get(keys.SEG_INITIALISED) and not force:
        return
    for attr in _RULE_ATTRS:
        value = getattr(rules, attr)
        controls.set_value(keys.rule(attr), list(value) if attr == "criteria" else value)
    st.session_state[keys.rule("names")] = dict(rules.names)
    st.session_state[keys.rule("policy")] = rules.policy
    st.session_state[keys.rule("kpi")] = rules.kpi
    clear_policy_editor()  # the policy editor's widgets show the new table
    controls.set_value(keys.rule("exclude"), ", ".join(rules.exclude))
    st.session_state[keys.SEG_INITIALISED] = True


def clear_policy_editor() -> None:
    """Forget the policy editor's and the KPI target editor's widget values (and their kept
    copies), so they show the tables afresh."""
    controls.forget((keys.POLICY_PREFIX + "edit.", keys.SCORE_PREFIX + "target."))


def current_rules() -> tuple[Rules, str | None]:
    """The rules the widgets hold (the official ones before the first visit), and an error
    message when the widget values do not make valid rules (the official ones are used then)."""
    base = official()
    if not st.session_state.get(keys.SEG_INITIALISED):
        return base, None
    values = {}
    for attr in _RULE_ATTRS:
        key = keys.rule(attr)
        if key in st.session_state:
            v = st.session_state[key]
            values[attr] = tuple(v) if attr == "criteria" else v
    values["names"] = st.session_state.get(keys.rule("names"), dict(base.names))
    values["policy"] = st.session_state.get(keys.rule("policy"), base.policy)
    values["kpi"] = st.session_state.get(keys.rule("kpi"), base.kpi)
    text = st.session_state.get(keys.rule("exclude"), ", ".join(base.exclude))
    values["exclude"] = tuple(dict.fromkeys(x.strip() for x in str(text).split(",") if x.strip()))
    try:
        return Rules(**{**{a: getattr(base, a) for a in _RULE_ATTRS}, **values}), None
    except (RulesError, TypeError, ValueError) as exc:
        return base, str(exc)


def segmentations(portfolio: Portfolio, rules: Rules) -> tuple[Segmentation, Segmentation]:
    """(current, official): the official segmentation is the movers' baseline and the
    reference for hysteresis; overrides apply to both. As in ``segstudio classify``, the
    official rules run on the feature table of their own window. Computed once per portfolio,
    rules, official rules and overrides, and shared: the page and the sidebar's alert count
    (and every session at the same sliders) classify once per move."""
    overrides = active_overrides()
    rules_official = official()
    key = ("segmentations", rules, rules_official, tuple(sorted(overrides.items())))
    return portfolio.memo(
        key, lambda: _segmentations(portfolio, rules, rules_official, overrides), size=4
    )


def _segmentations(
    portfolio: Portfolio, rules: Rules, rules_official: Rules, overrides: dict[str, str]
) -> tuple[Segmentation, Segmentation]:
    base_portfolio = portfolio
    if rules_official.weeks != rules.weeks:
        loaded = get_portfolio(rules, rules_official.weeks)
        # The feature table's SKUs do not depend on the window; the check is only a guard.
        if loaded is not None and np.array_equal(loaded[0].sku, portfolio.sku):
            base_portfolio = loaded[0]
    # The baseline depends on the official rules and the overrides only: classified once for
    # every slider move, not at each.
    key = ("official_segmentation", rules_official, tuple(sorted(overrides.items())))
    base = base_portfolio.memo(
        key, lambda: classify(base_portfolio, rules_official, overrides=overrides), size=2
    )
    current = classify(portfolio, rules, baseline=base, overrides=overrides)
    return current, base


# The page's Pareto curve: one point every two or three pixels of the chart's width (it is
# monotone, so the eye cannot tell it from the full curve), where the browser redraws it on each
# slider move.
_CURVE_POINTS = 400


def pareto_curve(portfolio: Portfolio, measure: str) -> pd.DataFrame:
    """The Pareto curve of ``measure`` (:func:`segstudio.features.profile.pareto_curve`, thinned
    to :data:`_CURVE_POINTS`), once per portfolio: the sliders move only its boundary lines.
    Shared: never change it."""
    return portfolio.memo(
        ("pareto_curve", measure),
        lambda: profile.pareto_curve(portfolio.features, measure, _CURVE_POINTS),
    )


@st.cache_data(max_entries=2, show_spinner="Reading every sales line by quarter...")
def _quarterly(path: str, version: int) -> pd.DataFrame:
    ws = get_workspace()
    with ws.connect() as con:
        return quarterly_features(con)


@st.cache_data(max_entries=8, show_spinner="Classifying each quarter...")
def _churn(path: str, version: int, rules_toml: str) -> pd.DataFrame:
    return churn_by_quarter(_quarterly(path, version), from_toml(rules_toml))


def churn_table(rules: Rules) -> pd.DataFrame:
    """Quarter-on-quarter churn under ``rules``: the quarterly table is read once per data
    version, only the classification reruns for other rules."""
    ws = get_workspace()
    return _churn(str(ws.path), ws.version(), to_toml(rules))


@st.cache_data(max_entries=8, show_spinner=False)
def _stored_alerts(path: str, state: tuple[int, ...], rules_toml: str, _rules: Rules) -> int | None:
    # Keyed by the file's state: a store written after a first look is read too.
    with get_workspace().connect() as con:
        return stored_alert_count(con, _rules)


def stored_alert_total(rules: Rules) -> int | None:
    """The alerts under ``rules`` as the load stored them (the official rules at the load),
    else None (other rules, not stored, or no sales)."""
    if rules != official():  # the load stores the official rules' count only: no file read
        return None
    ws = get_workspace()
    try:
        return _stored_alerts(str(ws.path), ws.state(), to_toml(rules), rules)
    except SegStudioError:  # no sales loaded yet
        return None


def alert_total() -> int | None:
    """Alerts under the rules the sliders hold (the official ones before a first visit): as
    the load stored them for these rules, else counted on the portfolio."""
    rules, _ = current_rules()
    stored = stored_alert_total(rules)
    if stored is not None:
        return stored
    loaded = get_portfolio(rules)
    if loaded is None:
        return None
    current, _ = segmentations(loaded[0], rules)
    return alert_count(current)
