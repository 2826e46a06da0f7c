"""SQL of the segment stage: text with bound parameters."""

from __future__ import annotations

from segstudio.common.sql import ident, sample_std_with_zeros, sample_variance
from segstudio.features.sql import valued_lines_ctes
from segstudio.ingest.schema import TABLES

__all__ = [
    "ACTIVE_OVERRIDES",
    "AUDIT_LOG",
    "DELETE_OVERRIDE",
    "GET_OVERRIDE",
    "INSERT_AUDIT",
    "INSERT_OFFICIAL",
    "LATEST_OFFICIAL",
    "LIST_OVERRIDES",
    "NEXT_OFFICIAL_ID",
    "OFFICIAL_BY_ID",
    "OFFICIAL_HISTORY",
    "UPSERT_OVERRIDE",
    "quarterly_features_sql",
    "sku_known_sql",
]

NEXT_OFFICIAL_ID = "SELECT nextval('official_rules_seq')"
INSERT_OFFICIAL = "INSERT INTO official_rules VALUES (?, ?, ?, ?, ?)"
LATEST_OFFICIAL = "SELECT id, rules_toml FROM official_rules ORDER BY id DESC LIMIT 1"
OFFICIAL_BY_ID = "SELECT rules_toml FROM official_rules WHERE id = ?"
OFFICIAL_HISTORY = (
    "SELECT id, adopted_at, adopted_by, reason, rules_toml FROM official_rules ORDER BY id DESC"
)

UPSERT_OVERRIDE = "INSERT OR REPLACE INTO overrides VALUES (?, ?, ?, ?, ?, ?)"
GET_OVERRIDE = "SELECT segment, expires FROM overrides WHERE sku = ?"
DELETE_OVERRIDE = "DELETE FROM overrides WHERE sku = ?"
# Parameter: today. An override is active through its expiry day.
LIST_OVERRIDES = (
    "SELECT sku, segment, reason, expires, created_by, created_at, "
    "(expires IS NULL OR expires >= ?::DATE) AS active FROM overrides ORDER BY sku"
)
ACTIVE_OVERRIDES = (
    "SELECT sku, segment FROM overrides WHERE expires IS NULL OR expires >= ?::DATE ORDER BY sku"
)

INSERT_AUDIT = 'INSERT INTO audit ("at", who, action, detail) VALUES (?, ?, ?, ?)'
# Newest first; rowid (insertion order: the table is append-only) breaks ties in time.
AUDIT_LOG = 'SELECT "at", who, action, detail FROM audit ORDER BY "at" DESC, rowid DESC'


# --------------------------------------------------------------------------- churn per quarter
def quarterly_features_sql(net_returns: bool = True) -> str:
    """One row per SKU and calendar quarter of the sales history, for the churn of segments
    over time (:mod:`segstudio.churn`; definitions: methods.md).

    Parameters: $first_week and $last_week, the Mondays of the first and the last complete ISO
    week of the history. A week belongs to the quarter of its Monday; a quarter the history
    covers only in part is kept, flagged by ``weeks_in_quarter`` < ``calendar_weeks`` (the
    Mondays the quarter has, 13 or 14) and ``complete`` false.

    Weekly demand is the sum of the SKU's quantities in the week, returns netted within the week
    and floored at 0 (``net_returns`` off: negative lines ignored); weeks without sales are 0.
    It is grouped by SKU and week, then by SKU and quarter. Like the feature query, a fast path
    skips the weekly GROUP BY where the SKU has at most one line per week of the quarter (a
    weekly file), where each line is its week's demand; the check is ``sum(bit) =
    bit_or(bit)`` with ``bit`` = 2^(week number mod 14), distinct within a quarter.

    An SKU has a row in every quarter from the one of its first positive sale (in the whole
    history, methods.md's active weeks) to the last, with or without sales; an SKU that never
    sold has none. Mean and sample std of weekly demand are over the quarter's active weeks (from
    the week of the first positive sale on), zeros included; CoV is NULL when the mean is 0 or
    the quarter has one active week. Revenue and margin are those of the valued sales lines
    (:func:`segstudio.features.sql.valued_lines_ctes`); the margin is NULL where a line has no
    cost at all.
    """
    first, last = "CAST($first_week AS DATE)", "CAST($last_week AS DATE)"
    if net_returns:
        demand = "CASE WHEN sum(qty) > 0 THEN sum(qty) ELSE 0 END"
    else:
        demand = "coalesce(sum(qty) FILTER (WHERE qty > 0), 0)"
    return f"""
    WITH RECURSIVE
    {valued_lines_ctes()},
    lines AS NOT MATERIALIZED (
        -- The lines of the history's complete weeks.
        SELECT sku, week, CAST(date_trunc('quarter', week) AS DATE) AS quarter, qty, rev, cost,
               -- 2^(week number mod 14): distinct for the (at most 14) weeks of a quarter
               CAST(power(2, mod(CAST((week - DATE '1900-01-01') / 7 AS INTEGER), 14))
                    AS INTEGER) AS bit
        FROM (
            SELECT sku, CAST(date_trunc('week', date) AS DATE) AS week, quantity AS qty,
                   line_revenue AS rev, line_cost AS cost
            FROM valued_lines
            WHERE date >= {first} AND date < {last} + INTERVAL '7' DAY
        ) s
    ),
    by_quarter AS (
        -- One row per SKU and quarter (of the week's Monday) with sales: volumes, and the
        -- demand statistics as if each line were its week's demand (exact with one line per
        -- week).
        SELECT sku, quarter,
               sum(bit) = bit_or(bit) AS one_line_per_week,
               count(*) AS n_lines,
               count(*) FILTER (WHERE qty > 0) AS order_lines,
               sum(qty) AS quantity, sum(rev) AS revenue, sum(cost) AS cost,
               count(*) - count(cost) AS lines_without_cost,
               sum(qty) FILTER (WHERE qty > 0) AS line_sum_d,
               var_pop(qty) FILTER (WHERE qty > 0) AS line_nz_var_pop
        FROM lines
        GROUP BY sku, quarter
    ),
    by_week AS (
        -- Quarters with several lines in a week: sum per SKU and week first, then per quarter.
        SELECT sku, quarter, sum(d) AS sum_d, count(*) FILTER (WHERE d > 0) AS k,
               var_pop(d) FILTER (WHERE d > 0) AS nz_var_pop
        FROM (
            SELECT l.sku, l.quarter, l.week, {demand} AS d
            FROM lines l
            JOIN (SELECT sku, quarter FROM by_quarter WHERE NOT one_line_per_week) m
                ON m.sku = l.sku AND m.quarter = l.quarter
            GROUP BY l.sku, l.quarter, l.week
        ) w
        GROUP BY sku, quarter
    ),
    starts AS (
        -- Active from the later of the history's first week and the week of the SKU's first
        -- positive sale (in the whole history).
        SELECT sku, CASE WHEN first_sale_week > {first} THEN first_sale_week ELSE {first} END
                        AS act_start
        FROM (SELECT sku, CAST(date_trunc('week', min(date)) AS DATE) AS first_sale_week
              FROM sales WHERE quantity > 0 GROUP BY sku) f
        WHERE first_sale_week <= {last}
    ),
    quarters (quarter) AS (
        SELECT CAST(date_trunc('quarter', {first}) AS DATE)
        UNION ALL
        SELECT CAST(quarter + INTERVAL '3' MONTH AS DATE) FROM quarters
        WHERE quarter + INTERVAL '3' MONTH <= {last}
    ),
    mondays AS (
        SELECT quarter,
               CAST(date_trunc('week', quarter + INTERVAL '6' DAY) AS DATE) AS first_monday,
               CAST(date_trunc('week', quarter + INTERVAL '3' MONTH - INTERVAL '1' DAY) AS DATE)
                   AS last_monday
        FROM quarters
    ),
    spans AS (
        -- The quarter's weeks within the history: Mondays lo to hi.
        SELECT quarter, first_monday, last_monday,
               CASE WHEN first_monday > {first} THEN first_monday ELSE {first} END AS lo,
               CASE WHEN last_monday < {last} THEN last_monday ELSE {last} END AS hi
        FROM mondays
    ),
    grid AS (
        SELECT st.sku, sp.quarter,
               CAST((sp.hi - sp.lo) / 7 AS INTEGER) + 1 AS weeks_in_quarter,
               CAST((sp.last_monday - sp.first_monday) / 7 AS INTEGER) + 1 AS calendar_weeks,
               CAST((sp.hi - CASE WHEN st.act_start > sp.lo THEN st.act_start ELSE sp.lo END)
                    / 7 AS INTEGER) + 1 AS n_act
        FROM starts st JOIN spans sp ON sp.hi >= st.act_start
    ),
    stats AS (
        SELECT g.sku, g.quarter, g.weeks_in_quarter, g.calendar_weeks, g.n_act,
               coalesce(b.n_lines, 0) AS n_lines,
               coalesce(b.quantity, 0) AS quantity,
               coalesce(b.revenue, 0) AS revenue,
               coalesce(b.order_lines, 0) AS order_lines,
               b.cost, b.lines_without_cost,
               CASE WHEN b.one_line_per_week THEN coalesce(b.line_sum_d, 0)
                    ELSE coalesce(w.sum_d, 0) END AS sum_d,
               CASE WHEN b.one_line_per_week THEN b.order_lines
                    ELSE coalesce(w.k, 0) END AS k,
               CASE WHEN b.one_line_per_week THEN b.line_nz_var_pop
                    ELSE w.nz_var_pop END AS nz_var_pop
        FROM grid g
        LEFT JOIN by_quarter b ON b.sku = g.sku AND b.quarter = g.quarter
        LEFT JOIN by_week w ON w.sku = g.sku AND w.quarter = g.quarter
    ),
    stats2 AS (
        SELECT *, sum_d / n_act AS mean_w, sum_d / nullif(k, 0) AS nz_mean FROM stats
    ),
    stats3 AS (
        -- Sample variance over the active weeks without cancellation: the k non-zero weeks
        -- (var_pop, shifted to the quarter's mean) plus n_act - k zero weeks.
        SELECT *,
               {sample_std_with_zeros("n_act", "k", "nz_var_pop", "nz_mean", "mean_w")}
                   AS std_w
        FROM stats2
    )
    SELECT sku, quarter, weeks_in_quarter, calendar_weeks,
           weeks_in_quarter = calendar_weeks AS complete,
           n_act AS weeks_active, k AS weeks_with_demand,
           quantity, revenue,
           CASE WHEN n_lines = 0 THEN 0 WHEN lines_without_cost = 0 THEN revenue - cost END
               AS margin,
           order_lines,
           mean_w AS demand_mean, std_w AS demand_std,
           CASE WHEN mean_w > 0 THEN std_w / mean_w END AS cov,
           CASE WHEN k > 0 THEN CAST(n_act AS DOUBLE) / k END AS adi,
           CASE WHEN k >= 2 AND nz_mean > 0
                THEN {sample_variance("nz_var_pop", "k")} / (nz_mean * nz_mean) END AS cv2
    FROM stats3
    ORDER BY sku, quarter
    """


def sku_known_sql() -> tuple[str, int]:
    """(SQL, number of parameters): one row, true when the SKU bound to every parameter is in
    any loaded table (sales, inventory, supplier receipts, products)."""
    parts = [f"SELECT 1 FROM {ident(t.name)} WHERE sku = ?" for t in TABLES.values()]
    return f"SELECT EXISTS ({' UNION ALL '.join(parts)})", len(parts)
