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
SCORE_TREND_MEASURE = "score.trend_measure"
SCORE_TREND_SEGMENTS = "score.trend_segments"
SCORE_CAUSE_SEGMENT = "score.cause_segment"
SCORE_TARGET_SEGMENT = "score.target_segment"
SCORE_SAVE_WHO = "score.save_who"
SCORE_SAVE_WHY = "score.save_why"
SCORE_SAVE = "score.save"
SCORE_CAUSES_CSV = "score.causes_csv"
QBR_STORY = "qbr.story"  # the story picker (a widget)
QBR_CURRENT = "qbr.current"  # the story shown: survives presentation mode, where no picker is
QBR_PRESENT = "qbr.present"
QBR_FORMAT = "qbr.format"
QBR_EXPORT = "qbr.export"


def kpi_target(segment: str, kpi: str) -> str:
    """The widget key of one KPI target of one segment (e.g. ``score.target.AX.otif``)."""
    return f"{SCORE_PREFIX}target.{segment}.{kpi}"


# Supplier page (issue #5): prefix "sup."
SUP_PREFIX = "sup."
SUP_CACHE = "sup.cache"  # (signature, SupplierPerformance)
SUP_STRATEGIC = "sup.strategic_spend"
SUP_PREFERRED = "sup.preferred_spend"
SUP_SOLE_SOURCE = "sup.sole_source_a_revenue"
SUP_OTIF_BELOW = "sup.otif_below"
SUP_BASIS = "sup.segment_basis"
SUP_TABLE = "sup.table"
SUP_SEGMENT_MEASURE = "sup.segment_measure"
SUP_SEGMENT_CHART = "sup.segment_chart"
SUP_SEGMENT_TABLE = "sup.segment_table"
SUP_TREND_SUPPLIER = "sup.trend_supplier"
SUP_TREND_CHART = "sup.trend_chart"
SUP_TREND_TABLE = "sup.trend_table"
SUP_DUAL_TABLE = "sup.dual_table"
SUP_DL_CSV = "sup.dl_csv"
SUP_DL_XLSX = "sup.dl_xlsx"
SUP_DL_DUAL = "sup.dl_dual"


# Inventory health page (issue #5): prefix "health."
HEALTH_PREFIX = "health."
HEALTH_BASIS = "health.excess_basis"
HEALTH_COVER_WEEKS = "health.cover_weeks"
HEALTH_OBSOLETE_WEEKS = "health.obsolete_weeks"
HEALTH_OBSOLETE_RATE = "health.obsolete_rate"
HEALTH_AGED_RATE = "health.aged_rate"
HEALTH_EXCESS_RATE = "health.excess_rate"
HEALTH_CHART = "health.ageing_chart"
HEALTH_SEGMENTS = "health.segments"
HEALTH_ACT = "health.act_on_first"
HEALTH_ACT_CSV = "health.act_on_first_csv"
