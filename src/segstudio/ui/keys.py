"""Session-state keys and widget keys: one place for all of them."""

from __future__ import annotations

from dataclasses import fields

from segstudio.config.rules import Rules

STAGING = "data.staging"  # the Staging waiting for "Replace current data"
STAGING_ERROR = "data.staging_error"
LAST_LOAD = "data.last_load"  # (load id, summaries) of the last commit, for a confirmation
STAGING_TARGET = "data.staging_target"  # the workspace path the staging waits in
LAST_UNDO = "data.last_undo"  # the message of the last undo or clear, for a confirmation
USER_NAME = "session.user"  # the session's name, for the load history (accounts come later)
SESSION_ID = "session.id"  # a random id per browser session (its folder of stored uploads)
UPLOADS = "data.uploads"  # file key -> (uploader file id, path of the stored copy)
UPLOAD_GENERATION = "data.upload_generation"  # bumped to empty the uploaders after a load
WINDOW_WEEKS = "features.weeks"
PERIOD = "features.period"

# Data page widgets.
DATA_PARETO = "data.pareto"
DATA_PATTERNS = "data.patterns"
DATA_MAPPING_FORM = "data.mapping_form"
DATA_DISCARD_FAILED = "data.discard_failed"
DATA_COMMIT = "data.commit"
DATA_DISCARD = "data.discard"
DATA_INTO_DEMO = "data.into_demo"
DATA_CLEAR_TABLE = "data.clear_table"
DATA_CLEAR_CONFIRM = "data.clear_confirm"
DATA_CLEAR = "data.clear"
DATA_FEATURES = "data.features"


def upload(file_key: str) -> str:
    return f"data.upload.{file_key}"


def upload_widget(file_key: str, generation: int) -> str:
    """The uploader's widget key: a new generation is a new, empty uploader."""
    return f"{upload(file_key)}.{generation}"


DATA_PATH_PREFIX = "data.path."


def server_path(file_key: str) -> str:
    return f"{DATA_PATH_PREFIX}{file_key}"


def sheet(file_key: str) -> str:
    return f"data.sheet.{file_key}"


def mapping(file_key: str, field: str) -> str:
    return f"data.map.{file_key}.{field}"


def undo_button(load_id: int) -> str:
    return f"data.undo.{int(load_id)}"


def rejects_table(file_key: str) -> str:
    return f"data.rejects.{file_key}"


def rejects_download(file_key: str) -> str:
    return f"data.rejects_dl.{file_key}"


# Segmentation page: one key per rule value (the widgets own them).
SEG_PREFIX = "seg."
SEG_INITIALISED = "seg.initialised"
SEG_RULES_UPLOAD = "seg.rules_upload"
SEG_CHURN = "seg.churn"  # (rules TOML, churn table) of the last "compute churn" press
SEG_CHURN_GO = "seg.churn_go"
SEG_RULES_DL = "seg.rules_dl"
SEG_RULES_APPLY = "seg.rules_apply"
SEG_RULES_ERROR = "seg.rules_error"  # why the last rules file was refused (shown once)
SEG_RULES_APPLIED = "seg.rules_applied"  # the name of the rules file just applied (shown once)
SEG_VIEW = "seg.view"  # which of the page's views is shown (only that one is computed)
SEG_MATRIX_CHART = "seg.matrix_chart"
SEG_PARETO = "seg.pareto"
SEG_SCATTER = "seg.scatter"
SEG_NAMES_EDITOR = "seg.names_editor"
SEG_SEGMENTS_DL = "seg.segments_dl"
SEG_SANKEY = "seg.sankey"
SEG_MOVERS = "seg.movers"
SEG_ALERTS = "seg.alerts"
SEG_ADOPT_FORM = "seg.adopt_form"
SEG_ADOPT_WHO = "seg.adopt_who"
SEG_ADOPT_WHY = "seg.adopt_why"
SEG_ADOPT_RESULT = "seg.adopt_result"  # the id adopted, or why it was refused (shown once)
SEG_HISTORY = "seg.history"
SEG_RESTORE_FORM = "seg.restore_form"
SEG_RESTORE_ID = "seg.restore_id"
SEG_RESTORE_WHO = "seg.restore_who"
SEG_RESTORE_WHY = "seg.restore_why"
SEG_RESTORE_ERROR = "seg.restore_error"  # why the last restore was refused (shown once)
SEG_OVERRIDE_FORM = "seg.override_form"
SEG_OVERRIDE_SKU = "seg.ovr_sku"
SEG_OVERRIDE_SEGMENT = "seg.ovr_segment"
SEG_OVERRIDE_REASON = "seg.ovr_reason"
SEG_OVERRIDE_WHO = "seg.ovr_who"
SEG_OVERRIDE_EXPIRES = "seg.ovr_expires"
SEG_OVERRIDES = "seg.overrides"
SEG_REMOVE_OVERRIDE_FORM = "seg.remove_override_form"
SEG_REMOVE_OVERRIDE_SKU = "seg.ovr_remove"
SEG_REMOVE_OVERRIDE_WHO = "seg.ovr_remove_who"


def rule(attr: str) -> str:
    """The widget key of a Rules attribute (e.g. ``seg.abc_a``)."""
    return SEG_PREFIX + attr


def kept(key: str) -> str:
    """Where a control's value is kept while its page is not shown (ui/controls.py)."""
    return "kept." + key


def table_page(key: str) -> str:
    """The pager of a long table (ui/tables.py)."""
    return f"{key}.page"


def table_download(key: str) -> str:
    """The whole-table download of a table (ui/tables.py)."""
    return f"{key}.csv"


PAGE_STARTED = "app.page_started"  # the page of the last run started (ui/controls.py)
PAGE_SHOWN = "app.page_shown"  # the page of the last finished run (ui/controls.py)
# The rules' widgets on the Segmentation page (names, policy and KPI targets are plain values).
RULE_CONTROLS = frozenset(
    rule(f.name) for f in fields(Rules) if f.name not in ("names", "policy", "kpi")
)


# Policy and simulation pages.
POLICY_PREFIX = "pol."
POLICY_SEGMENT = "pol.segment"  # the segment whose policy the editor shows
POLICY_MEASURE = "pol.measure"
POLICY_BUDGET = "pol.budget"
POLICY_SERVICE = "pol.service"
POLICY_SEASONAL = "pol.seasonal"  # (signature, profile) of the last "compute" press
POLICY_CURVES = "pol.curves_cache"  # (signature, curves)
POLICY_RULES_DL = "pol.rules_dl"
POLICY_CHART_SEGMENTS = "pol.chart_segments"
POLICY_CHART_PORTFOLIO = "pol.chart_portfolio"
POLICY_SEGMENTS = "pol.segments"
POLICY_TABLE = "pol.table"
POLICY_WHOLE_UNITS = "pol.whole_units"
POLICY_SKUS = "pol.skus"
POLICY_DL_CSV = "pol.dl_csv"
POLICY_DL_XLSX = "pol.dl_xlsx"
POLICY_SEASONAL_GO = "pol.seasonal_go"
POLICY_SEASONAL_CHART = "pol.seasonal_chart"
POLICY_SEASONAL_TABLE = "pol.seasonal_table"
SIM_RESULT = "sim.result"  # (signature, SimulationRun)
SIM_PATHS = "sim.paths"
SIM_SEED = "sim.seed"
SIM_GO = "sim.go"
SIM_CHART = "sim.chart"
SIM_SUMMARY = "sim.summary"
SIM_HISTORY = "sim.history"
SIM_SKUS = "sim.skus"
SIM_DL = "sim.dl"
ALLOC_SKU = "alloc.sku"
ALLOC_AVAILABLE = "alloc.available"
ALLOC_RULE = "alloc.rule"
ALLOC_DAYS = "alloc.days"
ALLOC_CHART = "alloc.chart"
ALLOC_TABLE = "alloc.table"


def policy_field(segment: str, field: str) -> str:
    """The widget key of one field of one segment's policy (e.g. ``pol.edit.AX.service_target``)."""
    return f"{POLICY_PREFIX}edit.{segment}.{field}"


def policy_mix_table(name: str) -> str:
    """The table of one best-mix result (``name``: "budget" or "service")."""
    return f"{POLICY_PREFIX}mix_{name}"


def policy_mix_apply(name: str) -> str:
    """The button that applies one best-mix result to the policy table."""
    return f"{POLICY_PREFIX}apply_{name}"


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
SCORE_SAVE_FORM = "score.save_form"
SCORE_GRID = "score.grid"
SCORE_TABLE = "score.table"
SCORE_BALANCED_CHART = "score.balanced_chart"
SCORE_BALANCED = "score.balanced"
SCORE_TREND_CHART = "score.trend_chart"
SCORE_CAUSES_CHART = "score.causes_chart"
SCORE_CAUSES = "score.causes"
SCORE_SERVICE_BOTH = "score.service_both"  # achieved (history) beside simulated (policy)
SCORE_CAUSE_SKUS = "score.cause_skus"
QBR_STORY = "qbr.story"  # the story picker (a widget)
QBR_CURRENT = "qbr.current"  # the story shown: survives presentation mode, where no picker is
QBR_PRESENT = "qbr.present"
QBR_FORMAT = "qbr.format"
QBR_EXPORT = "qbr.export"
QBR_START = "qbr.start"
QBR_PREVIOUS = "qbr.prev"
QBR_NEXT = "qbr.next"
QBR_EXIT = "qbr.exit"


def qbr_chart(story: str) -> str:
    return f"qbr.chart.{story}"


def qbr_table(story: str) -> str:
    return f"qbr.table.{story}"


def kpi_target(segment: str, kpi: str) -> str:
    """The widget key of one KPI target of one segment (e.g. ``score.target.AX.otif``)."""
    return f"{SCORE_PREFIX}target.{segment}.{kpi}"


# Supplier page (issue #5): prefix "sup."
SUP_PREFIX = "sup."
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


# Controls whose value is the user's scenario for the session (ui/controls.py keeps them while
# their page is not shown): every slider, choice, number, toggle and text box that is not a
# form's field (a form sends its fields only when submitted). Buttons, uploaders, editors and
# charts cannot be given a value and are not listed.
CONTROLS = frozenset(
    {
        SEG_VIEW,
        POLICY_SEGMENT,
        POLICY_MEASURE,
        POLICY_BUDGET,
        POLICY_SERVICE,
        POLICY_WHOLE_UNITS,
        SIM_PATHS,
        SIM_SEED,
        ALLOC_SKU,
        ALLOC_AVAILABLE,
        ALLOC_RULE,
        ALLOC_DAYS,
        SCORE_TREND_MEASURE,
        SCORE_TREND_SEGMENTS,
        SCORE_CAUSE_SEGMENT,
        SCORE_TARGET_SEGMENT,
        QBR_FORMAT,
        SUP_STRATEGIC,
        SUP_PREFERRED,
        SUP_SOLE_SOURCE,
        SUP_OTIF_BELOW,
        SUP_BASIS,
        SUP_SEGMENT_MEASURE,
        SUP_TREND_SUPPLIER,
        HEALTH_BASIS,
        HEALTH_COVER_WEEKS,
        HEALTH_OBSOLETE_WEEKS,
        HEALTH_OBSOLETE_RATE,
        HEALTH_AGED_RATE,
        HEALTH_EXCESS_RATE,
    }
)
# Families of controls named per segment, KPI or file (policy_field, kpi_target, server_path).
CONTROL_FAMILIES = (f"{POLICY_PREFIX}edit.", f"{SCORE_PREFIX}target.", DATA_PATH_PREFIX)

# The Forecast page
FORECAST_FORM = "forecast.form"
FORECAST_HORIZON = "forecast.horizon"
FORECAST_WINDOWS = "forecast.windows"
FORECAST_WAITING = "forecast.waiting"  # this session started a run and waits for its end
FORECAST_SKU = "forecast.sku"
FORECAST_CHART = "forecast.chart"
FORECAST_EFFORT = "forecast.effort"
FORECAST_TABLE = "forecast.table"
