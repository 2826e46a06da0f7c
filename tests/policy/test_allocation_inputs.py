"""What the shortage allocation reads, against the first versions: an SKU's recent order lines
in one scan of the sales (the first query scanned them twice), and the SKUs ranked by revenue
by sorting the revenue alone (the first sorted the whole policy table)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.policy.inputs import order_lines
from segstudio.policy.planning import skus_by_revenue

# The query as first written: the SKU's last day in a scan of its own.
TWO_SCANS = """
WITH last AS (SELECT max(date) AS last_day FROM sales WHERE sku = $sku)
SELECT coalesce(s.order_id, '(line ' || CAST(row_number() OVER (ORDER BY s.date) AS VARCHAR) || ')')
           AS order_id,
       coalesce(s.customer, '(no customer)') AS customer, s.date AS order_date,
       s.requested_date, coalesce(s.ordered_qty, s.quantity) AS quantity
FROM sales s, last
WHERE s.sku = $sku AND coalesce(s.ordered_qty, s.quantity) > 0
  AND s.date > last.last_day - $days * INTERVAL 1 DAY
ORDER BY s.date, order_id
"""

START = dt.date(2025, 1, 1)


@st.composite
def sales_lines(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for sku in ("A", "B"):
        # One line a day per SKU: the lines' numbering by date is then the same in both.
        days = draw(st.lists(st.integers(0, 120), min_size=0, max_size=25, unique=True))
        for day in days:
            rows.append(
                {
                    "sku": sku,
                    "date": START + dt.timedelta(days=day),
                    "quantity": draw(st.sampled_from([-3.0, 0.0, 1.0, 2.5, 40.0])),
                    "customer": draw(st.sampled_from([None, "c1", "c2"])),
                    "order_id": draw(st.sampled_from([None, "o1", "o2", "o3"])),
                    "requested_date": START + dt.timedelta(days=day + 3),
                    "ordered_qty": draw(st.sampled_from([None, 0.0, 5.0])),
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "sku",
            "date",
            "quantity",
            "customer",
            "order_id",
            "requested_date",
            "ordered_qty",
        ],
    )
    return frame.astype({"quantity": float, "ordered_qty": float, "sku": object})


@settings(max_examples=60, deadline=None)
@given(lines=sales_lines(), days=st.sampled_from([1, 7, 28, 365]))
def test_order_lines_are_those_of_the_two_scan_query(lines: pd.DataFrame, days: int) -> None:
    con = duckdb.connect()
    con.register("__lines", lines)
    con.execute(
        "CREATE TABLE sales (sku VARCHAR, date DATE, quantity DOUBLE, customer VARCHAR, "
        "order_id VARCHAR, requested_date DATE, ordered_qty DOUBLE)"
    )
    con.execute("INSERT INTO sales SELECT * FROM __lines")
    for sku in ("A", "B", "none"):
        expected = (
            con.execute(TWO_SCANS, {"sku": sku, "days": days})
            .fetch_arrow_table()
            .to_pandas(date_as_object=False)
        )
        pd.testing.assert_frame_equal(order_lines(con, sku, days), expected)


@settings(max_examples=100, deadline=None)
@given(
    revenue=st.lists(
        st.one_of(st.sampled_from([0.0, 5.0, 5.0, -1.0]), st.just(np.nan), st.floats(0, 1e6)),
        max_size=60,
    )
)
def test_skus_by_revenue_are_in_the_order_of_the_sorted_policy_table(revenue: list) -> None:
    pol = pd.DataFrame(
        {"sku": [f"S{i}" for i in range(len(revenue))], "revenue": revenue, "other": 1.0}
    )
    ranked = skus_by_revenue(pol["sku"].to_numpy(object), pol["revenue"].to_numpy())
    assert ranked.tolist() == pol.sort_values("revenue", ascending=False)["sku"].tolist()
