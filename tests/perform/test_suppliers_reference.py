"""The fast supplier tables (integer codes, one Arrow lookup) equal the first pandas ones
(groupby and merge on the text, tests/perform/reference_suppliers.py) bit for bit, on random
receipts and segmentations; and the SQL's per-SKU facts (suppliers, text rank) are what Python
counts and sorts."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as hst

from segstudio.config.rules import Rules
from segstudio.perform import sql as q
from segstudio.perform import suppliers as fast
from segstudio.perform.suppliers import ReceiptAggregates, TierRule
from tests.perform import reference_suppliers as ref

SUPPLIERS = ["ACME", "=EVIL", "Beta", "beta", "Zeta co", "Ünï"]
SKUS = [f"S{i:02d}" for i in range(12)] + ["s1", "é9", "A-1"]
SEGMENTS = ["AX", "AY", "BZ", "CX", "K1"]
DAY0 = dt.date(2024, 1, 1)
_maybe = hst.one_of(hst.floats(0, 500, allow_nan=False), hst.just(float("nan")))


@hst.composite
def aggregates(draw: hst.DrawFn) -> ReceiptAggregates:
    keys = draw(
        hst.lists(
            hst.tuples(hst.sampled_from(SUPPLIERS), hst.sampled_from(SKUS)),
            min_size=1,
            max_size=30,
            unique=True,
        )
    )
    rows = []
    for supplier, sku in sorted(keys):
        lines = draw(hst.integers(1, 6))
        promised = draw(hst.integers(0, lines))
        qty = draw(hst.integers(0, lines))
        lt_n = draw(hst.integers(0, lines))
        late = draw(hst.integers(0, promised))
        first = DAY0 + dt.timedelta(days=draw(hst.integers(0, 300)))
        rows.append(
            {
                "supplier": supplier,
                "sku": sku,
                "lines": lines,
                "lt_n": lt_n,
                "lt_sum": float(draw(hst.integers(0, 60 * lt_n))) if lt_n else float("nan"),
                "lt_m2": draw(hst.floats(0, 900)) if lt_n else float("nan"),
                "promised_lines": promised,
                "on_time_lines": promised - late,
                "qty_lines": qty,
                "in_full_lines": draw(hst.integers(0, qty)),
                "otif_base_lines": min(promised, qty),
                "otif_lines": draw(hst.integers(0, min(promised - late, qty))),
                "late_lines": late,
                "days_late_sum": float(draw(hst.integers(0, 20 * late))),
                "spend_known": draw(_maybe),
                "qty_no_cost": draw(_maybe),
                "first_receipt": pd.Timestamp(first),
                "last_receipt": pd.Timestamp(first + dt.timedelta(days=draw(hst.integers(0, 90)))),
            }
        )
    pairs = pd.DataFrame(rows)
    pairs["first_receipt"] = pairs["first_receipt"].astype("datetime64[us]")
    pairs["last_receipt"] = pairs["last_receipt"].astype("datetime64[us]")
    # What the SQL adds (test_the_sql_counts_and_ranks_the_skus_as_python_does checks it).
    pairs["n_suppliers"] = pairs.groupby("sku")["supplier"].transform("size")
    pairs["sku_rank"] = pd.factorize(pairs["sku"], sort=True)[0]
    quarters = pairs.drop(columns=["sku", "n_suppliers", "sku_rank"]).assign(
        quarter=pairs["first_receipt"].dt.to_period("Q").dt.start_time.astype("datetime64[us]")
    )
    last = pairs["last_receipt"].max().date()
    mapped = frozenset(draw(hst.sets(hst.sampled_from(fast._OPTIONAL))))
    return ReceiptAggregates(pairs, quarters, mapped, int(pairs["lines"].sum()), DAY0, last)


@hst.composite
def contexts(draw: hst.DrawFn) -> pd.DataFrame | None:
    if draw(hst.booleans()) and draw(hst.booleans()):
        return None
    skus = draw(hst.lists(hst.sampled_from([*SKUS, "T1", "T2"]), unique=True, max_size=17))
    n = len(skus)
    revenue = draw(hst.lists(hst.floats(-50, 1000), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "sku": pd.Series(skus, dtype=object),
            "segment": pd.Series(
                draw(hst.lists(hst.sampled_from(SEGMENTS), min_size=n, max_size=n)), dtype=object
            ),
            "abc": pd.Series(
                draw(hst.lists(hst.sampled_from("ABC"), min_size=n, max_size=n)), dtype=object
            ),
            "revenue": np.array(revenue, dtype=float),
            "unit_cost": np.array(draw(hst.lists(_maybe, min_size=n, max_size=n)), dtype=float),
            "lead_time_mean_days": np.array(
                draw(
                    hst.lists(
                        hst.one_of(hst.floats(0, 80), hst.just(math.nan)), min_size=n, max_size=n
                    )
                ),
                dtype=float,
            ),
        }
    )


def _same(a: object, b: object) -> bool:
    return a == b or (
        isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    )


@settings(max_examples=80, deadline=None)
@given(
    agg=aggregates(),
    skus=contexts(),
    tiers=hst.builds(
        TierRule,
        strategic_spend=hst.sampled_from([0.5, 0.8]),
        preferred_spend=hst.sampled_from([0.9, 1.0]),
        sole_source_a_revenue=hst.sampled_from([0.0, 0.05, 0.3]),
    ),
    otif_below=hst.floats(0, 1),
    leadtime=hst.sampled_from([10.0, 30.0]),
    basis=hst.sampled_from(["lines", "spend"]),
)
def test_the_supplier_tables_equal_the_pandas_reference(
    agg: ReceiptAggregates,
    skus: pd.DataFrame | None,
    tiers: TierRule,
    otif_below: float,
    leadtime: float,
    basis: str,
) -> None:
    rules = Rules(leadtime_days=leadtime, leadtime_cov=0.3)
    got = fast.supplier_performance(agg, skus, rules, tiers, otif_below, basis)
    want = ref.supplier_performance(agg, skus, rules, tiers, otif_below, basis)
    for name in ("suppliers", "by_segment", "trend", "dual_sourcing"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=True)
    assert got.overall.keys() == want.overall.keys()
    assert all(_same(got.overall[k], want.overall[k]) for k in got.overall), got.overall
    assert got.notes == want.notes


@settings(max_examples=50, deadline=None)
@given(agg=aggregates(), skus=contexts())
def test_the_public_tables_of_a_pair_frame_equal_the_pandas_reference(
    agg: ReceiptAggregates, skus: pd.DataFrame | None
) -> None:
    pairs = fast.pair_table(agg, skus)
    want_pairs = ref.pair_table(agg, skus)
    pd.testing.assert_frame_equal(pairs, want_pairs, check_exact=True)
    pd.testing.assert_frame_equal(
        fast.segment_table(pairs), ref.segment_table(want_pairs), check_exact=True
    )
    for got, want in zip(
        fast.supplier_table(pairs, skus), ref.supplier_table(want_pairs, skus), strict=True
    ):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    sup = ref.supplier_table(want_pairs, skus)[0]
    pd.testing.assert_frame_equal(
        fast.dual_sourcing(pairs, sup, Rules(leadtime_days=10)),
        ref.dual_sourcing(want_pairs, sup, Rules(leadtime_days=10)),
        check_exact=True,
    )
    for keys in ([], ["supplier"], ["segment"], ["supplier", "segment"]):
        pd.testing.assert_frame_equal(
            fast.rollup(pairs, keys), ref.rollup(want_pairs, keys), check_exact=True
        )
    pd.testing.assert_frame_equal(
        fast.quarterly_trend(agg), ref.quarterly_trend(agg), check_exact=True
    )


@settings(max_examples=40, deadline=None)
@given(
    lines=hst.lists(
        hst.tuples(hst.sampled_from(SUPPLIERS), hst.text(min_size=1, max_size=4)),
        min_size=1,
        max_size=25,
    )
)
def test_the_sql_counts_and_ranks_the_skus_as_python_does(lines: list[tuple[str, str]]) -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE receipts (supplier VARCHAR, sku VARCHAR, order_date DATE, "
        "promised_date DATE, receipt_date DATE, ordered_qty DOUBLE, received_qty DOUBLE, "
        "unit_cost DOUBLE)"
    )
    con.executemany(
        "INSERT INTO receipts VALUES (?, ?, DATE '2024-01-01', NULL, DATE '2024-01-09', "
        "NULL, NULL, NULL)",
        [list(x) for x in lines],
    )
    got = con.execute(q.SUPPLIER_SKU_MEASURES).df()
    skus = sorted({sku for _, sku in lines})
    suppliers = {sku: len({s for s, k in lines if k == sku}) for sku in skus}
    assert got["sku_rank"].tolist() == [skus.index(k) for k in got["sku"]]
    assert got["n_suppliers"].tolist() == [suppliers[k] for k in got["sku"]]
    assert list(zip(got["supplier"], got["sku"], strict=True)) == sorted(set(lines))
