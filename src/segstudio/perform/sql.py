"""SQL of the perform stage: text with bound parameters."""

from __future__ import annotations

from segstudio.common.sql import ident
from segstudio.features.sql import valued_lines_ctes

__all__ = [
    "RECEIPTS_SPAN",
    "RECEIPT_QUERIES",
    "SKU_QUARTERS",
    "SUPPLIER_QUARTER_MEASURES",
    "SUPPLIER_SKU_MEASURES",
    "inventory_ageing_sql",
    "sku_service_sql",
]


# --------------------------------------------------------------------------- KPIs (issue #5)
# Service counts of positive sales lines (returns are not orders). The ordered quantity is
# ordered_qty where mapped, else the line's quantity; shipped units count up to the ordered
# quantity (an over-shipment does not make up another line's shortfall); a line with no
# shipped quantity shipped nothing; a dated line is on time when it shipped by the requested
# date.
def _service_counts(only: str = "") -> str:
    """The service-count aggregates; ``only`` restricts them to rows meeting a condition."""
    w = f"{only} AND " if only else ""
    f = f" FILTER (WHERE {only})" if only else ""
    return f"""
    count(*){f}::DOUBLE AS lines,
    sum(o){f} AS ordered_units,
    sum(least(coalesce(shipped_qty, 0), o)){f} AS shipped_units,
    count(*) FILTER (WHERE {w}coalesce(shipped_qty, 0) >= o)::DOUBLE AS lines_complete,
    count(*) FILTER (WHERE {w}requested_date IS NOT NULL)::DOUBLE AS lines_dated,
    count(*) FILTER (WHERE {w}ship_date <= requested_date AND coalesce(shipped_qty, 0) >= o)::DOUBLE
        AS lines_otif"""


def sku_service_sql(period: str) -> str:
    """Per SKU, the service counts of the window's positive sales lines."""
    step = "INTERVAL 7 DAY" if period == "week" else "INTERVAL 1 MONTH"
    return f"""
    SELECT sku, {_service_counts()}
    FROM (SELECT *, coalesce(ordered_qty, quantity) AS o FROM sales
          WHERE date >= $win_start::DATE AND date < $win_end::DATE + {step})
    WHERE o > 0
    GROUP BY sku
    """


# Per SKU and calendar quarter over all sales: money (the valued lines of features.sql) and the
# service counts.
SKU_QUARTERS = f"""
WITH {valued_lines_ctes()},
lines AS (
    SELECT sku, date_trunc('quarter', date) AS quarter, date, quantity,
           line_revenue AS rev, line_cost AS cost,
           coalesce(ordered_qty, quantity) AS o, shipped_qty, ship_date, requested_date
    FROM valued_lines
)
SELECT sku, quarter, sum(rev) AS revenue, sum(cost) AS cogs, sum(quantity) AS quantity,
       {_service_counts("o > 0")},
       min(date) AS first_day
FROM lines
GROUP BY sku, quarter
"""


# --------------------------------------------------------------------------- suppliers (issue #5)
# Supplier performance (segstudio.suppliers): additive measures of the receipts, per (supplier,
# SKU) and per (supplier, quarter of the receipt date), read once per data load. Everything is a
# count or a sum (the lead time's spread as M2, the sum of squared deviations from the group's
# mean), so pandas can roll them up per supplier or per supplier x segment without SQL.
# Unmapped optional columns read as NULL: their counts are 0 and their rates come out empty.
_RECEIPT_LINES = """
    SELECT supplier, sku, receipt_date,
           CAST(receipt_date - order_date AS DOUBLE) AS lt,
           CAST(receipt_date - promised_date AS DOUBLE) AS days_late,
           receipt_date <= promised_date AS on_time,
           received_qty >= ordered_qty AS in_full,
           coalesce(received_qty, ordered_qty) AS qty,
           unit_cost
    FROM receipts
"""
_RECEIPT_MEASURES = """
    count(*) AS lines,
    count(lt) AS lt_n, sum(lt) AS lt_sum, coalesce(var_pop(lt), 0) * count(lt) AS lt_m2,
    count(on_time) AS promised_lines,
    count(*) FILTER (WHERE on_time) AS on_time_lines,
    count(in_full) AS qty_lines,
    count(*) FILTER (WHERE in_full) AS in_full_lines,
    count(*) FILTER (WHERE on_time IS NOT NULL AND in_full IS NOT NULL) AS otif_base_lines,
    count(*) FILTER (WHERE on_time AND in_full) AS otif_lines,
    count(*) FILTER (WHERE NOT on_time) AS late_lines,
    coalesce(sum(days_late) FILTER (WHERE NOT on_time), 0) AS days_late_sum,
    sum(qty * unit_cost) AS spend_known,
    sum(qty) FILTER (WHERE unit_cost IS NULL) AS qty_no_cost,
    min(receipt_date) AS first_receipt, max(receipt_date) AS last_receipt
"""
# Per (supplier, SKU) also two facts of the data alone, so that no page groups on the SKU
# text: the SKU's number of suppliers, and its dense rank in the SKUs' text order (0, 1, ...;
# DuckDB compares text byte-wise in UTF-8, i.e. by code point, as Python and pandas do).
SUPPLIER_SKU_MEASURES = f"""
WITH rc AS ({_RECEIPT_LINES})
SELECT supplier, sku, {_RECEIPT_MEASURES},
       count(*) OVER (PARTITION BY sku) AS n_suppliers,
       dense_rank() OVER (ORDER BY sku) - 1 AS sku_rank
FROM rc GROUP BY supplier, sku ORDER BY supplier, sku
"""
SUPPLIER_QUARTER_MEASURES = f"""
WITH rc AS ({_RECEIPT_LINES})
SELECT supplier, CAST(date_trunc('quarter', receipt_date) AS DATE) AS quarter, {_RECEIPT_MEASURES}
FROM rc GROUP BY supplier, quarter ORDER BY supplier, quarter
"""
RECEIPTS_SPAN = "SELECT count(*), min(receipt_date), max(receipt_date) FROM receipts"
RECEIPT_QUERIES = {
    "supplier_sku": SUPPLIER_SKU_MEASURES,
    "supplier_quarter": SUPPLIER_QUARTER_MEASURES,
}
"""The receipts' aggregates by name (as stored at a load): per (supplier, SKU), per quarter."""


# --------------------------------------------------------------------------- inventory health (issue #5)
def inventory_ageing_sql(bucket_keys: list[str]) -> str:
    """Per SKU of the inventory snapshot, the units and their value in each ageing bucket
    (segstudio.health). ``bucket_keys``: the product's own bucket names, youngest first, the
    last one for stock whose age cannot be told. Parameters $edge_0 ... $edge_<k-1>: the
    buckets' upper edges in days (bucket i holds ages <= edge_i and above edge_(i-1); the last
    dated bucket holds ages above the last edge).

    Age of a stock row: age_days where given, else (snapshot_date, else the last sales day)
    - receipt_date, in days and floored at 0; unknown otherwise. Negative on-hand rows count as
    0 units. Columns per bucket k: units_k, value_k (units x the row's unit_cost, for rows
    with a cost >= 0) and uncosted_k (units of rows without one, valued later at the feature
    table's cost).
    """
    *dated, unknown = bucket_keys
    when = " ".join(f"WHEN age <= $edge_{i} THEN {i}" for i in range(len(dated) - 1))
    bucket = f"CASE WHEN age IS NULL THEN {len(dated)} {when} ELSE {len(dated) - 1} END"
    cols = []
    for i, key in enumerate(bucket_keys):
        in_b = f"bucket = {i}"
        cols += [
            f"coalesce(sum(units) FILTER (WHERE {in_b}), 0) AS {ident('units_' + key)}",
            f"coalesce(sum(units * cost) FILTER (WHERE {in_b} AND cost IS NOT NULL), 0) "
            f"AS {ident('value_' + key)}",
            f"coalesce(sum(units) FILTER (WHERE {in_b} AND cost IS NULL), 0) "
            f"AS {ident('uncosted_' + key)}",
        ]
    return f"""
    WITH stock AS (
        SELECT sku,
               CASE WHEN on_hand > 0 THEN on_hand ELSE 0 END AS units,
               CASE WHEN unit_cost >= 0 THEN unit_cost END AS cost,
               coalesce(age_days,
                        CAST(coalesce(snapshot_date, (SELECT max(date) FROM sales)) - receipt_date
                             AS DOUBLE)) AS raw_age
        FROM inventory WHERE sku IS NOT NULL
    ),
    aged AS (
        SELECT sku, units, cost,
               CASE WHEN raw_age < 0 THEN 0 ELSE raw_age END AS age
        FROM stock
    )
    SELECT sku, {", ".join(cols)}
    FROM (SELECT *, {bucket} AS bucket FROM aged)
    GROUP BY sku
    ORDER BY sku
    """
