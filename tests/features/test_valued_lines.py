"""The valued sales lines (features.sql.valued_lines_ctes) equal the one-join definition of
methods.md, "Valued sales lines", whichever of a line's revenue, price and cost are missing."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.features.sql import valued_lines_ctes

# The definition as methods.md states it: every line joined to its SKU's fallback values.
REFERENCE = """
    SELECT s.*,
           coalesce(s.revenue, s.quantity * s.unit_price, s.quantity * sv.unit_price)
               AS line_revenue,
           s.quantity * coalesce(s.unit_cost, sv.unit_cost) AS line_cost
    FROM sales s LEFT JOIN sku_value sv USING (sku)
"""

SKUS = ["A", "B", "C"]
money = st.one_of(st.none(), st.floats(0.5, 50, allow_nan=False).map(lambda x: round(x, 2)))
line = st.tuples(
    st.sampled_from(SKUS),
    st.integers(-3, 20).map(float),
    money,  # revenue
    money,  # unit price
    money,  # unit cost
)
per_sku = st.fixed_dictionaries({s: st.tuples(money, money) for s in SKUS})


def _workspace(lines: list, products: dict, inventory: dict) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE sales (line_id INTEGER, sku VARCHAR, quantity DOUBLE, revenue DOUBLE, "
        "unit_price DOUBLE, unit_cost DOUBLE)"
    )
    con.executemany(
        "INSERT INTO sales VALUES (?, ?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(lines)]
    )
    con.execute("CREATE TABLE products (sku VARCHAR, unit_cost DOUBLE, unit_price DOUBLE)")
    con.executemany("INSERT INTO products VALUES (?, ?, ?)", [(k, *v) for k, v in products.items()])
    con.execute("CREATE TABLE inventory (sku VARCHAR, on_hand DOUBLE, unit_cost DOUBLE)")
    con.executemany(
        "INSERT INTO inventory VALUES (?, ?, ?)", [(k, v[0], v[1]) for k, v in inventory.items()]
    )
    con.execute(
        "CREATE TABLE sales_history AS SELECT sku, avg(unit_cost) AS sales_unit_cost "
        "FROM sales GROUP BY sku"
    )
    return con


@settings(max_examples=60, deadline=None)
@given(st.lists(line, min_size=1, max_size=30), per_sku, per_sku)
def test_valued_lines_equal_the_one_join_definition_whatever_is_missing(lines, products, inventory):
    con = _workspace(lines, products, inventory)
    ctes = valued_lines_ctes()
    ours = con.execute(f"WITH {ctes} SELECT * FROM valued_lines ORDER BY line_id").fetchall()
    reference = con.execute(f"WITH {ctes} {REFERENCE} ORDER BY line_id").fetchall()
    assert ours == reference
