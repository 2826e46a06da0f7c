"""SQL of the policy stage: text with bound parameters."""

from __future__ import annotations

from segstudio.features.sql import valued_lines_ctes

__all__ = [
    "CUSTOMER_REVENUE",
    "FIRST_SALES",
    "LEAD_TIME_SAMPLES",
    "ORDER_LINES_FOR_SKU",
    "month_of_year_demand_sql",
    "period_demand_sql",
]

# --- inventory policy: demand paths, lead-time samples, seasonality, orders to allocate ---------


def _period_index(period: str, start: str = "$win_start") -> str:
    if period == "week":
        return f"CAST((date - {start}::DATE) // 7 AS INTEGER)"
    if period == "month":
        return f"CAST(datediff('month', {start}::DATE, date) AS INTEGER)"
    raise ValueError(f"period must be 'week' or 'month', not {period!r}")


def period_demand_sql(period: str) -> str:
    """Demand per SKU (of the registered ``__policy_skus``) and period of the window, returns
    netted within the period and floored at 0 (methods.md). Parameters $win_start, $win_end."""
    step = "INTERVAL 7 DAY" if period == "week" else "INTERVAL 1 MONTH"
    return f"""
    SELECT sku, pidx, greatest(sum(quantity), 0) AS demand
    FROM (SELECT s.sku, s.quantity, {_period_index(period)} AS pidx
          FROM sales s SEMI JOIN __policy_skus k USING (sku)
          WHERE s.date >= $win_start::DATE AND s.date < $win_end::DATE + {step})
    GROUP BY sku, pidx
    """


FIRST_SALES = """
SELECT h.sku, h.first_sale FROM sales_history h SEMI JOIN __policy_skus k USING (sku)
"""

LEAD_TIME_SAMPLES = """
WITH rc AS (
    SELECT sku, supplier, CAST(receipt_date - order_date AS DOUBLE) AS lt_days
    FROM receipts WHERE receipt_date >= order_date
)
SELECT 'sku' AS kind, sku AS key, list(lt_days ORDER BY lt_days) AS samples
FROM rc SEMI JOIN __policy_skus k USING (sku) GROUP BY sku HAVING count(*) >= 3
UNION ALL
SELECT 'supplier', supplier, list(lt_days ORDER BY lt_days) FROM rc
WHERE supplier IS NOT NULL GROUP BY supplier
"""


def month_of_year_demand_sql(period: str) -> str:
    """Per SKU and calendar month (1-12): the sum, the sum of squares and the count of the
    non-zero period demands of the window (weeks belong to the month of their first day)."""
    step = "INTERVAL 7 DAY" if period == "week" else "INTERVAL 1 MONTH"
    return f"""
    SELECT sku, CAST(month(p) AS INTEGER) AS month, sum(d) AS s1, sum(d * d) AS s2,
           count(*) AS n_nonzero
    FROM (SELECT s.sku, date_trunc('{period}', s.date) AS p, greatest(sum(s.quantity), 0) AS d
          FROM sales s SEMI JOIN __policy_skus k USING (sku)
          WHERE s.date >= $win_start::DATE AND s.date < $win_end::DATE + {step}
          GROUP BY s.sku, p)
    WHERE d > 0
    GROUP BY sku, month
    """


# One scan of the SKU's sales: its last day is taken over the same rows (any quantity).
ORDER_LINES_FOR_SKU = """
WITH lines AS (SELECT *, max(date) OVER () AS last_day FROM sales WHERE sku = $sku)
SELECT coalesce(order_id, '(line ' || CAST(row_number() OVER (ORDER BY date) AS VARCHAR) || ')')
           AS order_id,
       coalesce(customer, '(no customer)') AS customer, date AS order_date,
       requested_date, coalesce(ordered_qty, quantity) AS quantity
FROM lines
WHERE coalesce(ordered_qty, quantity) > 0 AND date > last_day - $days * INTERVAL 1 DAY
ORDER BY date, order_id
"""

CUSTOMER_REVENUE = f"""
WITH {valued_lines_ctes()}
SELECT customer, sum(coalesce(line_revenue, 0)) AS customer_revenue
FROM valued_lines WHERE customer IS NOT NULL AND quantity > 0 GROUP BY customer
"""
