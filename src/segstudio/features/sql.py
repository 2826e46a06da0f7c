"""SQL of the features stage: text with bound parameters."""

from __future__ import annotations

from segstudio.common.sql import distinct_count_small, sample_std_with_zeros, sample_variance

__all__ = ["SALES_DATES", "features_sql", "valued_lines_ctes"]

# --------------------------------------------------------------------------- features
SALES_DATES = "SELECT date FROM sales GROUP BY date ORDER BY date"
"""The distinct sale dates (a few hundred): the window and the file's bucketing come from them."""


_VALUED_BY_LINE = "(s.revenue IS NOT NULL OR s.unit_price IS NOT NULL) AND s.unit_cost IS NOT NULL"
_NEEDS_FALLBACK = "(s.revenue IS NULL AND s.unit_price IS NULL) OR s.unit_cost IS NULL"
"""Lines whose revenue and cost need nothing but their own columns, and the others."""


def valued_lines_ctes(
    sku_sets: tuple[str, ...] = ("sales_history", "products", "inventory"),
) -> str:
    """The one definition of a sales line's revenue and cost (methods.md, "Valued sales
    lines"), as CTEs to put after ``WITH``:

    - ``sku_value``: per SKU, the fallback unit price (the product master's) and unit cost: the
      product master's, else the average unit cost of the SKU's sales lines, else the
      inventory snapshot's (weighted by units on hand, else the plain average);
    - ``valued_lines``: every sales line with ``line_revenue`` = the revenue column, else
      quantity x the line's unit price, else quantity x the product master's unit price; and
      ``line_cost`` = quantity x (the line's unit cost, else the SKU's fallback cost).

    Features, KPIs, supplier spend, inventory health and customer revenue all read these.
    """
    skus = " UNION ".join(f"SELECT sku FROM {s}" for s in sku_sets)
    return f"""
    prod_value AS (
        SELECT sku, avg(unit_cost) AS unit_cost, avg(unit_price) AS unit_price
        FROM products GROUP BY sku
    ),
    inv_value AS (
        SELECT sku, coalesce(sum(on_hand * unit_cost)
                                 / nullif(sum(on_hand) FILTER (WHERE unit_cost IS NOT NULL), 0),
                             avg(unit_cost)) AS unit_cost
        FROM inventory GROUP BY sku
    ),
    sku_value AS (
        SELECT k.sku, pv.unit_price,
               coalesce(pv.unit_cost, h.sales_unit_cost, iv.unit_cost) AS unit_cost
        FROM ({skus}) k
        LEFT JOIN prod_value pv USING (sku)
        LEFT JOIN sales_history h USING (sku)
        LEFT JOIN inv_value iv USING (sku)
    ),
    valued_lines AS NOT MATERIALIZED (
        -- Lines with their own revenue or price and cost need no fallback: only the others
        -- are joined to sku_value (DuckDB's column statistics drop the empty half at once).
        SELECT s.*, coalesce(s.revenue, s.quantity * s.unit_price) AS line_revenue,
               s.quantity * s.unit_cost AS line_cost
        FROM sales s
        WHERE {_VALUED_BY_LINE}
        UNION ALL
        SELECT s.*,
               coalesce(s.revenue, s.quantity * s.unit_price, s.quantity * sv.unit_price)
                   AS line_revenue,
               s.quantity * coalesce(s.unit_cost, sv.unit_cost) AS line_cost
        FROM sales s LEFT JOIN sku_value sv USING (sku)
        WHERE {_NEEDS_FALLBACK}
    )"""


def _demand_stats(d: str) -> str:
    """Per-SKU aggregates of period demands ``d``: sum, non-zero count, mean, std, var_pop."""
    nz = f"FILTER (WHERE {d} > 0)"
    # Demands are floored at 0, so the mean of the non-zero ones is sum_d / k, and their sample
    # std follows from var_pop: fewer aggregates in the hottest GROUP BY of the product.
    return f"sum({d}) AS sum_d, count(*) {nz} AS k, var_pop({d}) {nz} AS nz_var_pop"


def features_sql(period: str, net_returns: bool = True, n_periods: int | None = None) -> str:
    """The per-SKU feature table (one row per SKU of sales or inventory), per methods.md: a
    query that writes nothing, so any number of sessions may run it at once.

    Parameters: $win_start and $win_end (the first and the last period of the window, as the
    periods' first days), $n_periods, $per_week (periods per week: 1 or 12/52). No rule's
    value enters: the pattern and lifecycle columns are left empty here and filled from the
    rules' cut-offs by :func:`segstudio.features.classes.with_classes`. ``net_returns``: net returns within the period and floor it at 0
    (methods.md), or ignore negative lines. ``n_periods``, when given, must equal $n_periods:
    up to 128 periods, the periods with a line are then counted in a bitmap of integers.
    """
    if period == "week":
        n_act = "CAST((($win_end::DATE - act_start) // 7) + 1 AS INTEGER)"
        pidx = "CAST((date - $win_start::DATE) // 7 AS INTEGER)"
        step = "INTERVAL 7 DAY"
    elif period == "month":
        n_act = "CAST(datediff('month', act_start, $win_end::DATE) + 1 AS INTEGER)"
        pidx = "CAST(datediff('month', $win_start::DATE, date) AS INTEGER)"
        step = "INTERVAL 1 MONTH"
    else:
        raise ValueError(f"period must be 'week' or 'month', not {period!r}")
    if net_returns:
        demand, row_demand = "greatest(sum(qty), 0)", "greatest(qty, 0)"
    else:
        demand = "coalesce(sum(qty) FILTER (WHERE qty > 0), 0)"
        row_demand = "CASE WHEN qty > 0 THEN qty ELSE 0 END"
    periods_with_line = (
        distinct_count_small("pidx", int(n_periods))
        if n_periods
        else "bit_count(bitstring_agg(pidx, 0, $n_periods - 1))"
    )
    return f"""
    WITH
    prod AS (
        SELECT sku, any_value(description) AS description, any_value(family) AS family,
               any_value(supplier) AS supplier, any_value(lifecycle) AS lifecycle
        FROM products GROUP BY sku
    ),
    inv AS (
        SELECT sku, sum(on_hand) AS on_hand, sum(on_order) AS on_order
        FROM inventory GROUP BY sku
    ),
    hist AS (
        SELECT sku, first_sale, last_sale FROM sales_history
    ),
    {valued_lines_ctes()},
    lines AS NOT MATERIALIZED (
        SELECT sku, date, quantity AS qty, line_revenue AS rev, line_cost AS cost, customer
        FROM valued_lines
        WHERE date >= $win_start::DATE AND date < CAST($win_end::DATE + {step} AS DATE)
    ),
    by_sku AS (
        -- One pass per SKU: volumes, and the demand statistics as if each line were its
        -- period's demand, which is exact for an SKU with one line per period (a weekly file).
        SELECT sku, sum(qty) AS quantity, sum(rev) AS revenue,
               CASE WHEN count(cost) = count(*) THEN sum(rev) - sum(cost) END AS line_margin,
               sum(qty) FILTER (WHERE qty > 0) AS qty_pos,
               count(*) FILTER (WHERE qty > 0) AS order_lines,
               {periods_with_line} = count(*) AS one_line_per_period,
               {_demand_stats("d_row")}
        FROM (SELECT *, {pidx} AS pidx, {row_demand} AS d_row FROM lines)
        GROUP BY sku
    ),
    grouped AS (
        -- SKUs with several lines in a period: sum them per period first.
        SELECT sku, {_demand_stats("d")}
        FROM (SELECT l.sku, {demand} AS d FROM lines l
              SEMI JOIN (SELECT sku FROM by_sku WHERE NOT one_line_per_period) m USING (sku)
              GROUP BY l.sku, date_trunc('{period}', l.date))
        GROUP BY sku
    ),
    dem AS (
        SELECT sku, sum_d, k, nz_var_pop FROM by_sku WHERE one_line_per_period
        UNION ALL
        SELECT sku, sum_d, k, nz_var_pop FROM grouped
    ),
    cust AS (
        SELECT sku, count(*) AS n_customers, max(q) AS top_customer_qty
        FROM (SELECT sku, customer, sum(qty) AS q FROM lines
              WHERE qty > 0 AND customer IS NOT NULL GROUP BY sku, customer)
        GROUP BY sku
    ),
    rc AS (
        SELECT supplier, sku, CAST(receipt_date - order_date AS DOUBLE) AS lt,
               CASE WHEN promised_date IS NOT NULL THEN receipt_date <= promised_date END AS on_time,
               CASE WHEN received_qty IS NOT NULL AND ordered_qty IS NOT NULL
                    THEN received_qty >= ordered_qty END AS in_full
        FROM receipts
    ),
    rc_span AS (
        SELECT greatest(CAST(max(receipt_date) - min(receipt_date) AS DOUBLE), 1) / 365.25 AS years
        FROM receipts
    ),
    sup_lt AS (
        SELECT supplier, avg(lt) AS lt_mean, stddev_samp(lt) AS lt_std FROM rc GROUP BY supplier
    ),
    main_sup AS (
        SELECT sku, supplier FROM (
            SELECT sku, supplier, row_number() OVER (PARTITION BY sku ORDER BY count(*) DESC,
                   supplier) AS rn
            FROM rc GROUP BY sku, supplier) WHERE rn = 1
    ),
    sku_rc AS (
        SELECT sku, count(*) AS n_receipts, avg(lt) AS lt_mean, stddev_samp(lt) AS lt_std,
               avg(CAST(on_time AS DOUBLE)) AS on_time_rate,
               avg(CAST(in_full AS DOUBLE)) AS in_full_rate
        FROM rc GROUP BY sku
    ),
    skus AS (
        SELECT sku FROM hist UNION SELECT sku FROM inv
    ),
    base AS (
        SELECT k.sku,
               pr.description, pr.family, pr.lifecycle,
               coalesce(v.quantity, 0) AS quantity,
               coalesce(v.revenue, 0) AS revenue,
               coalesce(v.order_lines, 0) AS order_lines,
               sv.unit_cost,
               CASE WHEN v.line_margin IS NOT NULL THEN v.line_margin
                    WHEN sv.unit_cost IS NOT NULL  -- no line in the window
                    THEN coalesce(v.revenue, 0) - coalesce(v.quantity, 0) * sv.unit_cost
               END AS margin,
               h.first_sale, h.last_sale,
               CASE WHEN h.first_sale IS NULL THEN NULL
                    ELSE greatest($win_start::DATE, CAST(date_trunc('{period}', h.first_sale) AS DATE))
               END AS act_start,
               coalesce(d.sum_d, 0) AS sum_d,
               coalesce(d.k, 0) AS k, d.sum_d / nullif(d.k, 0) AS nz_mean,
               CASE WHEN d.k >= 2 THEN sqrt({sample_variance("d.nz_var_pop", "d.k")}) END
                   AS nz_std,
               d.nz_var_pop,
               c.n_customers, c.top_customer_qty / nullif(v.qty_pos, 0) AS top_customer_share,
               CASE WHEN (SELECT count(*) FROM inventory) > 0 THEN coalesce(i.on_hand, 0) END
                   AS on_hand,
               i.on_order,
               coalesce(ms.supplier, pr.supplier) AS main_supplier,
               sr.n_receipts, sr.on_time_rate, sr.in_full_rate,
               CASE WHEN sr.n_receipts >= 3 THEN sr.lt_mean ELSE sl.lt_mean END AS lead_time_mean_days,
               CASE WHEN sr.n_receipts >= 3 THEN sr.lt_std ELSE sl.lt_std END AS lead_time_std_days,
               CASE WHEN sr.n_receipts >= 3 THEN 'sku' WHEN sl.lt_mean IS NOT NULL THEN 'supplier'
               END AS lead_time_source,
               sr.n_receipts / (SELECT years FROM rc_span) AS receipts_per_year
        FROM skus k
        LEFT JOIN by_sku v USING (sku)
        LEFT JOIN dem d USING (sku)
        LEFT JOIN hist h USING (sku)
        LEFT JOIN prod pr USING (sku)
        LEFT JOIN sku_value sv USING (sku)
        LEFT JOIN inv i USING (sku)
        LEFT JOIN cust c USING (sku)
        LEFT JOIN main_sup ms USING (sku)
        LEFT JOIN sku_rc sr USING (sku)
        LEFT JOIN sup_lt sl ON sl.supplier = ms.supplier
    ),
    stats AS (
        SELECT *,
               CASE WHEN act_start IS NULL OR act_start > $win_end::DATE THEN $n_periods
                    ELSE {n_act} END AS n_act
        FROM base
    ),
    stats2 AS (
        SELECT *, sum_d / n_act AS mean_p FROM stats
    ),
    stats3 AS (
        -- Sample variance over the active periods without cancellation: the k non-zero
        -- periods (DuckDB's stable var_pop, shifted to the overall mean) plus n_act - k zeros.
        SELECT *,
               {sample_std_with_zeros("n_act", "k", "nz_var_pop", "nz_mean", "mean_p")}
                   AS std_p
        FROM stats2
    )
    SELECT
        sku, description, family,
        quantity, revenue, margin,
        margin / nullif(revenue, 0) AS margin_pct,
        order_lines,
        quantity / nullif(sum(greatest(quantity, 0)) OVER (), 0) AS quantity_share,
        revenue / nullif(sum(greatest(revenue, 0)) OVER (), 0) AS revenue_share,
        margin / nullif(sum(greatest(margin, 0)) OVER (), 0) AS margin_share,
        order_lines / nullif(sum(order_lines) OVER (), 0) AS order_lines_share,
        unit_cost,
        '{period}' AS period,
        n_act AS weeks_active,
        k AS weeks_with_demand,
        mean_p * $per_week AS demand_mean,
        std_p * sqrt($per_week) AS demand_std,
        CASE WHEN mean_p > 0 THEN std_p / mean_p END AS cov,
        CASE WHEN k > 0 THEN n_act / k END AS adi,
        CASE WHEN k >= 2 AND nz_mean > 0 THEN (nz_std / nz_mean) ^ 2 END AS cv2,
        NULL::VARCHAR AS pattern,  -- the classes follow the rules' cut-offs (features.classes)
        first_sale, last_sale,
        NULL::BOOLEAN AS is_new,
        NULL::BOOLEAN AS is_end_of_life,
        on_hand,
        on_hand * unit_cost AS inventory_value,
        CASE WHEN mean_p > 0 THEN on_hand / (mean_p * $per_week / 7.0) END AS days_of_supply,
        on_order,
        lead_time_mean_days, lead_time_std_days, lead_time_source,
        n_receipts, on_time_rate, in_full_rate, receipts_per_year, main_supplier,
        coalesce(n_customers, 0) AS n_customers, top_customer_share
    FROM stats3
    ORDER BY sku
    """
