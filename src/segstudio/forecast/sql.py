"""The SQL of the forecasting stage: the demand series of each SKU (methods.md, Forecasting)."""

from __future__ import annotations

__all__ = ["POLICY_DEMAND", "demand_series"]


def demand_series(period: str, one_sku: bool = False) -> str:
    """One row per SKU and period from the SKU's first period with a positive net demand up
    to the last complete period ``$end`` (the first day of that period): the period's net
    quantity, 0 where nothing sold and where returns exceed sales. ``$end_next``: the first
    day after it. ``one_sku``: the series of SKU ``$sku`` only."""
    unit = "week" if period == "week" else "month"
    step = "INTERVAL 7 DAY" if period == "week" else "INTERVAL 1 MONTH"
    return f"""
WITH d AS (
    SELECT sku, CAST(date_trunc('{unit}', date) AS DATE) AS ds, sum(quantity) AS q
    FROM sales
    WHERE date < $end_next{" AND sku = $sku" if one_sku else ""}
    GROUP BY ALL
), f AS (
    SELECT sku, min(ds) AS first_ds FROM d WHERE q > 0 GROUP BY sku
), cal AS (
    SELECT CAST(unnest(generate_series(
        (SELECT min(first_ds) FROM f)::TIMESTAMP, $end::TIMESTAMP, {step})) AS DATE) AS ds
)
SELECT f.sku AS unique_id, cal.ds, greatest(coalesce(d.q, 0), 0)::DOUBLE AS y
FROM f JOIN cal ON cal.ds >= f.first_ds
LEFT JOIN d ON d.sku = f.sku AND d.ds = cal.ds
ORDER BY unique_id, cal.ds
"""


# Per SKU, the stored run's mean future forecast and its backtest's root mean squared error
# (per period of the run); {future} and {backtest} are the stored tables.
POLICY_DEMAND = """
SELECT f.sku, f.forecast_mean, b.forecast_std
FROM (SELECT sku, avg(forecast) AS forecast_mean FROM {future} GROUP BY sku) f
JOIN (SELECT sku, sqrt(avg((forecast - actual) ^ 2)) AS forecast_std FROM {backtest}
      GROUP BY sku) b USING (sku)
"""
