"""The scorecard's quick paths give exactly what the plain pandas computations they replaced
give: the per-SKU base (service counts aligned by one Arrow lookup, one frame built at once),
the per-segment sums (grouped by integer codes) and the coded quarterly table (SKU positions
by one Arrow lookup, quarters ranked by a table over the days). The references below are the
earlier pandas code, kept here as the specification."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.common.pareto import positive_part
from segstudio.config.policy_table import PolicyTable, SegmentPolicy
from segstudio.perform import kpis
from segstudio.policy.valuation import COST, VALUED_AT, feature_unit_values

SERVICE = (
    "lines",
    "ordered_units",
    "shipped_units",
    "lines_complete",
    "lines_dated",
    "lines_otif",
)
SUMS = ("revenue", "cogs", "quantity", *SERVICE)
TABLE = PolicyTable(
    segments=(
        ("AX", SegmentPolicy(holding_rate=0.3)),
        ("BY", SegmentPolicy(holding_rate=0.1)),
    )
)


def reference_kpi_base(
    features: pd.DataFrame, segments: np.ndarray, service: pd.DataFrame, policy: PolicyTable
) -> pd.DataFrame:
    base = pd.DataFrame({"sku": features["sku"].to_numpy(), "segment": np.asarray(segments)})
    revenue = features["revenue"].fillna(0.0).to_numpy(dtype=float)
    qty = features["quantity"].fillna(0.0).to_numpy(dtype=float)
    unit_cost = features["unit_cost"].to_numpy(dtype=float)
    margin = features["margin"].to_numpy(dtype=float)
    cogs = np.where(np.isfinite(margin), revenue - margin, qty * unit_cost)
    base["revenue"] = revenue
    base["positive_revenue"] = positive_part(revenue)
    base["cogs"] = np.where(np.isfinite(cogs), cogs, np.nan)
    base["margin"] = revenue - base["cogs"].to_numpy()
    unit_value, valued_at = feature_unit_values(features)
    on_hand = features["on_hand"].to_numpy(dtype=float) if "on_hand" in features else 0.0
    base["on_hand"] = np.nan_to_num(np.maximum(on_hand, 0.0))
    base["inventory_value"] = np.nan_to_num(base["on_hand"].to_numpy() * unit_value)
    base[VALUED_AT] = valued_at
    base["inventory_at_cost"] = np.where(valued_at == COST, base["inventory_value"].to_numpy(), 0.0)
    on_order = features["on_order"].to_numpy(dtype=float) if "on_order" in features else 0.0
    base["on_order_value"] = np.nan_to_num(on_order * unit_value)
    codes, labels = pd.factorize(base["segment"])
    rates = np.array([policy.for_segment(str(s)).holding_rate for s in labels], dtype=float)
    base["carrying_cost"] = base["inventory_value"].to_numpy() * rates[codes]
    idx = pd.Index(service["sku"]).get_indexer(base["sku"])
    found = idx >= 0
    for col in SERVICE:
        values = np.zeros(len(base))
        values[found] = service[col].to_numpy(dtype=float)[idx[found]]
        base[col] = values
    return base


def reference_segment_totals(base: pd.DataFrame, segment_order: list[str] | None) -> pd.DataFrame:
    cols = [
        "revenue",
        "positive_revenue",
        "margin",
        "cogs",
        "inventory_value",
        "inventory_at_cost",
        "on_order_value",
        "carrying_cost",
        *SERVICE,
    ]
    grouped = base.groupby("segment", sort=True)[cols].sum(min_count=1)
    grouped.insert(0, "skus", base.groupby("segment", sort=True).size())
    if segment_order is not None:
        grouped = grouped.reindex([s for s in segment_order if s in grouped.index])
    total = base[cols].sum(min_count=1).to_frame().T
    total.insert(0, "skus", len(base))
    total.index = [kpis.PORTFOLIO]
    out = pd.concat([grouped, total])
    out.index.name = "segment"
    return out.reset_index()


def reference_prepare_quarters(quarters: pd.DataFrame, sku: np.ndarray) -> kpis.Quarters:
    pos = pd.Index(sku).get_indexer(quarters["sku"])
    keep = pos >= 0
    codes, starts = pd.factorize(quarters["quarter"][keep], sort=True)
    return kpis.Quarters(
        pos=pos[keep],
        quarter=codes.astype(np.int64),
        starts=tuple(starts),
        sums={c: np.nan_to_num(quarters[c].to_numpy(dtype=float)[keep]) for c in SUMS},
        first_day=min(quarters["first_day"]),
    )


money = st.one_of(
    st.none(), st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 0.1, 1e-9, 3.0])
)
names = st.text(alphabet="ABXYé-0", min_size=1, max_size=3)


@st.composite
def portfolios(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    skus = draw(st.lists(names, min_size=0, max_size=25, unique=True))
    n = len(skus)

    def column() -> np.ndarray:
        return np.array(
            [np.nan if v is None else v for v in draw(st.lists(money, min_size=n, max_size=n))],
            dtype=float,
        )

    features = pd.DataFrame(
        {
            "sku": np.array(skus, dtype=object),
            "revenue": column(),
            "quantity": column(),
            "unit_cost": column(),
            "margin": column(),
            "on_hand": column(),
        }
    )
    if draw(st.booleans()):
        features["on_order"] = column()
    segments = np.array(
        draw(st.lists(st.sampled_from(["AX", "BY", "CZ"]), min_size=n, max_size=n)), dtype=object
    )
    served = draw(st.lists(st.sampled_from(skus), unique=True)) if skus else []
    served += draw(st.lists(names.filter(lambda s: s not in skus), unique=True, max_size=3))
    service = pd.DataFrame({"sku": np.array(served, dtype=object)})
    m = len(served)
    for col in SERVICE:
        service[col] = np.array(
            draw(st.lists(st.floats(0, 50), min_size=m, max_size=m)), dtype=float
        )
    return features, segments, service


@settings(max_examples=60, deadline=None)
@given(case=portfolios(), ordered=st.booleans())
def test_the_base_and_the_segment_sums_are_the_references(
    case: tuple[pd.DataFrame, np.ndarray, pd.DataFrame], ordered: bool
) -> None:
    features, segments, service = case
    expected = reference_kpi_base(features, segments, service, TABLE)
    from_frame = kpis.kpi_base(features, segments, service, TABLE)
    from_arrow = kpis.kpi_base(
        features, segments, pa.Table.from_pandas(service, preserve_index=False), TABLE
    )
    pd.testing.assert_frame_equal(from_frame, expected, check_exact=True)
    pd.testing.assert_frame_equal(from_arrow, expected, check_exact=True)
    order = ["CZ", "AX", "QQ"] if ordered else None
    pd.testing.assert_frame_equal(
        kpis.segment_totals(expected, order),
        reference_segment_totals(expected, order),
        check_exact=True,
    )


@st.composite
def quarter_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray]:
    skus = draw(st.lists(names, min_size=1, max_size=12, unique=True))
    far = draw(st.booleans())  # quarters millennia apart: ranked by a hash, not a table
    firsts = [dt.date(2020, 1, 1), dt.date(2020, 4, 1), dt.date(2021, 10, 1), dt.date(2024, 1, 1)]
    if far:
        firsts.append(dt.date(9000, 7, 1))
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(skus), st.sampled_from(firsts)), min_size=1, unique=True)
    )
    n = len(pairs)
    frame = pd.DataFrame(
        {
            "sku": np.array([p[0] for p in pairs], dtype=object),
            "quarter": [p[1] for p in pairs],
        }
    )
    nan = st.sampled_from([np.nan, np.inf])
    for c in SUMS:
        values = st.one_of(st.floats(-1e3, 1e3, allow_nan=False), nan)
        frame[c] = np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=float)
    frame["first_day"] = [p[1] + dt.timedelta(days=draw(st.integers(0, 80))) for p in pairs]
    portfolio = draw(st.permutations(skus))[: draw(st.integers(0, len(skus)))]
    return frame, np.array(portfolio, dtype=object)


def _same(a: kpis.Quarters, b: kpis.Quarters) -> None:
    assert np.array_equal(a.pos, b.pos) and a.pos.dtype == b.pos.dtype
    assert np.array_equal(a.quarter, b.quarter) and a.quarter.dtype == b.quarter.dtype
    assert a.starts == b.starts and a.first_day == b.first_day
    assert a.sums.keys() == b.sums.keys()
    for c in a.sums:
        assert np.array_equal(a.sums[c], b.sums[c]), c


@settings(max_examples=60, deadline=None)
@given(case=quarter_tables())
def test_the_coded_quarters_are_the_reference(case: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, sku = case
    expected = reference_prepare_quarters(frame, sku)
    _same(kpis.prepare_quarters(frame, sku), expected)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    _same(kpis.prepare_quarters(table, sku), expected)
    # Missing sums (a SQL NULL: no such line) add nothing, as a NaN does.
    nulls = table.set_column(
        table.schema.get_field_index("revenue"),
        "revenue",
        pa.array([None] * len(frame), type=pa.float64()),
    )
    coded = kpis.prepare_quarters(nulls, sku)
    assert not coded.sums["revenue"].any()
