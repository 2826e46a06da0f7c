"""The Suppliers and Inventory health pages' settings as the user set them: one reader each
(:func:`health_settings`, :func:`supplier_settings`), which those pages' figures and the QBR's
both follow (the widgets' values are kept across pages by ui/controls.py, whose shadow
copies :func:`health_settings` and :func:`supplier_settings` read while the page is not shown)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import streamlit as st

from segstudio.perform.health import HealthError, HealthSettings
from segstudio.perform.suppliers import SupplierError, TierRule, supplier_performance

from . import keys

_HEALTH = HealthSettings()
_TIERS = TierRule()
_PERFORMANCE = inspect.signature(supplier_performance).parameters

HEALTH_DEFAULTS: dict[str, Any] = {  # widget key -> value before the user moves it
    keys.HEALTH_BASIS: _HEALTH.excess_basis,
    keys.HEALTH_COVER_WEEKS: _HEALTH.cover_weeks,
    keys.HEALTH_OBSOLETE_WEEKS: _HEALTH.obsolete_weeks,
    keys.HEALTH_OBSOLETE_RATE: round(_HEALTH.obsolete_rate * 100),  # the sliders show %
    keys.HEALTH_AGED_RATE: round(_HEALTH.aged_rate * 100),
    keys.HEALTH_EXCESS_RATE: round(_HEALTH.excess_rate * 100),
}
SUPPLIER_DEFAULTS: dict[str, Any] = {
    keys.SUP_STRATEGIC: _TIERS.strategic_spend,
    keys.SUP_PREFERRED: _TIERS.preferred_spend,
    keys.SUP_SOLE_SOURCE: _TIERS.sole_source_a_revenue,
    keys.SUP_OTIF_BELOW: _PERFORMANCE["otif_below"].default,
    keys.SUP_BASIS: _PERFORMANCE["segment_basis"].default,
}


@dataclass(frozen=True)
class SupplierSettings:
    """The Suppliers page's settings: the tier rule, the dual-sourcing OTIF threshold and the
    basis of the segment mix."""

    tiers: TierRule
    otif_below: float
    segment_basis: str


def init_widgets(defaults: dict[str, Any]) -> None:
    """Give the settings' widgets their defaults before the first draw (a widget given both
    a value and a session value warns)."""
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def _value(key: str, defaults: dict[str, Any]) -> Any:
    state = st.session_state
    if key in state:
        return state[key]
    return state.get(keys.kept(key), defaults[key])


def health_settings() -> HealthSettings:
    """The Inventory health settings the session holds (the defaults before any change, and
    while the values do not make valid settings)."""
    v = {k: _value(k, HEALTH_DEFAULTS) for k in HEALTH_DEFAULTS}
    try:
        return HealthSettings(
            excess_basis=str(v[keys.HEALTH_BASIS]),
            cover_weeks=float(v[keys.HEALTH_COVER_WEEKS]),
            obsolete_weeks=float(v[keys.HEALTH_OBSOLETE_WEEKS]),
            obsolete_rate=float(v[keys.HEALTH_OBSOLETE_RATE]) / 100,
            aged_rate=float(v[keys.HEALTH_AGED_RATE]) / 100,
            excess_rate=float(v[keys.HEALTH_EXCESS_RATE]) / 100,
        )
    except (HealthError, TypeError, ValueError):
        return HealthSettings()


def supplier_settings() -> SupplierSettings:
    """The Suppliers page's settings the session holds (the default tier rule while the
    values do not make a valid one)."""
    v = {k: _value(k, SUPPLIER_DEFAULTS) for k in SUPPLIER_DEFAULTS}
    try:
        tiers = TierRule(
            float(v[keys.SUP_STRATEGIC]),
            float(v[keys.SUP_PREFERRED]),
            float(v[keys.SUP_SOLE_SOURCE]),
        )
    except (SupplierError, TypeError, ValueError):
        tiers = TierRule()
    return SupplierSettings(tiers, float(v[keys.SUP_OTIF_BELOW]), str(v[keys.SUP_BASIS]))
