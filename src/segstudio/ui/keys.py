"""Session-state keys and widget keys: one place for all of them."""

from __future__ import annotations

STAGING = "data.staging"  # the Staging waiting for "Replace current data"
STAGING_ERROR = "data.staging_error"
LAST_LOAD = "data.last_load"  # (load id, summaries) of the last commit, for a confirmation
WINDOW_WEEKS = "features.weeks"
PERIOD = "features.period"


def upload(file_key: str) -> str:
    return f"data.upload.{file_key}"


def server_path(file_key: str) -> str:
    return f"data.path.{file_key}"


def sheet(file_key: str) -> str:
    return f"data.sheet.{file_key}"


def mapping(file_key: str, field: str) -> str:
    return f"data.map.{file_key}.{field}"

# Segmentation page: one key per rule value (the widgets own them).
SEG_PREFIX = "seg."
SEG_INITIALISED = "seg.initialised"
SEG_RULES_UPLOAD = "seg.rules_upload"
SEG_CHURN = "seg.churn"  # (rules TOML, churn table) of the last "compute churn" press


def rule(attr: str) -> str:
    """The widget key of a Rules attribute (e.g. ``seg.abc_a``)."""
    return SEG_PREFIX + attr

# Policy and simulation pages.
POLICY_PREFIX = "pol."
POLICY_SEGMENT = "pol.segment"  # the segment whose policy the editor shows
POLICY_MEASURE = "pol.measure"
POLICY_BUDGET = "pol.budget"
POLICY_SERVICE = "pol.service"
POLICY_SEASONAL = "pol.seasonal"  # (signature, profile) of the last "compute" press
POLICY_CURVES = "pol.curves_cache"  # (signature, curves)
SIM_RESULT = "sim.result"  # (signature, SimulationRun)
SIM_PATHS = "sim.paths"
SIM_SEED = "sim.seed"
ALLOC_SKU = "alloc.sku"
ALLOC_AVAILABLE = "alloc.available"
ALLOC_RULE = "alloc.rule"
ALLOC_DAYS = "alloc.days"


def policy_field(segment: str, field: str) -> str:
    """The widget key of one field of one segment's policy (e.g. ``pol.edit.AX.service_target``)."""
    return f"{POLICY_PREFIX}edit.{segment}.{field}"


# Scorecard and QBR pages (issue #5).
SCORE_PREFIX = "score."


# Supplier page (issue #5): prefix "sup."


# Inventory health page (issue #5): prefix "health."
