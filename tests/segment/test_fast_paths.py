"""The slider's fast paths against the straightforward computation they replace: the alerts and
movers sorted on integer SKU ranks against pandas' sort on the SKU text, the memoised scatter
sample and alert mask against a fresh computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from segstudio.common.pareto import share_before
from segstudio.config.rules import Rules
from segstudio.segment.segmentation import (
    MAX_SCATTER_POINTS,
    SCATTER_SEGMENT_FLOOR,
    Portfolio,
    Segmentation,
    alert_count,
    alerts,
    classify,
    matrix,
    movers,
    scatter_points,
)
from tests.segment.test_segmentation import LAST_DAY as _LAST_DAY
from tests.segment.test_segmentation import PROPS, _build, portfolios, rule_sets


def _alerts_reference(p: Portfolio, s: Segmentation) -> pd.DataFrame:
    idx = np.flatnonzero(s.alert_mask())
    boundary, distance, toward, scaled = s.nearest(idx)
    out = pd.DataFrame(
        {
            "sku": p.sku[idx],
            "segment": s.segment[idx],
            "nearest_boundary": boundary,
            "band_distance": scaled,
            "boundary_distance": distance,
            "would_move_to": toward,
            "revenue": p.revenue_or_missing()[idx],
            "margin": p.values["margin"][idx],
        }
    )
    return out.sort_values(["band_distance", "sku"]).reset_index(drop=True)


def _movers_reference(p: Portfolio, current: Segmentation, baseline: Segmentation) -> pd.DataFrame:
    moved = np.flatnonzero(baseline.codes_in(current.labels) != current.codes)
    out = pd.DataFrame(
        {
            "sku": p.sku[moved],
            "from": np.asarray(baseline.labels, dtype=object)[baseline.codes[moved]],
            "to": np.asarray(current.labels, dtype=object)[current.codes[moved]],
            "revenue": p.revenue_or_missing()[moved],
            "margin": p.values["margin"][moved],
            "overridden": current.overridden[moved],
        }
    )
    return out.sort_values(["revenue", "sku"], ascending=[False, True]).reset_index(drop=True)


def _scatter_reference(
    p: Portfolio, s: Segmentation, max_points: int, seed: int, floor: int = SCATTER_SEGMENT_FLOOR
) -> pd.DataFrame:
    x = np.nan_to_num(p.values[p.abc_measure(s.rules.abc_measure)])
    ok = np.flatnonzero((x > 0) & np.isfinite(p.values["cov"]))
    if len(ok) > max_points:
        top_n = max_points // 2
        order = ok[np.argsort(-x[ok], kind="stable")]
        rng = np.random.default_rng(seed)
        rest = rng.choice(order[top_n:], max_points - top_n, replace=False)
        sample = [int(i) for i in order[:top_n]] + sorted(int(i) for i in rest)
        left_out = [int(i) for i in ok if int(i) not in set(sample)]
        shuffled = [left_out[j] for j in rng.permutation(len(left_out))]
        shown = {seg: 0 for seg in s.labels}
        for i in sample:
            shown[s.segment[i]] += 1
        extra = []
        for i in shuffled:  # each segment topped up to the floor, in the shuffled order
            if shown[s.segment[i]] < floor:
                shown[s.segment[i]] += 1
                extra.append(i)
        ok = np.array(sample + sorted(extra), dtype=np.intp)
    return pd.DataFrame(
        {
            "sku": p.sku[ok],
            "revenue": p.revenue[ok],
            "measure": x[ok],
            "cov": p.values["cov"][ok],
            "segment": s.segment[ok],
        }
    )


_SKU_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=4)


@PROPS
@given(
    skus=st.lists(st.one_of(_SKU_TEXT, st.text("a\x00b", min_size=1)), unique=True),
    presorted=st.booleans(),
)
def test_the_sku_rank_is_the_rank_in_python_string_order(skus: list[str], presorted: bool) -> None:
    skus = sorted(skus) if presorted else skus  # the feature table comes sorted by SKU
    p = Portfolio.from_features(pd.DataFrame({"sku": skus, "revenue": 1.0}), _LAST_DAY)
    expected = {s: i for i, s in enumerate(sorted(skus))}
    assert p.sku_rank().tolist() == [expected[s] for s in p.sku]


@PROPS
@given(
    rows=st.lists(
        st.tuples(_SKU_TEXT, st.sampled_from([0.0, -1.0, 1.0, 2.5, float("nan"), 7.0])),
        unique_by=lambda r: r[0],
    ),
    presorted=st.booleans(),
)
def test_the_abc_order_on_sku_ranks_is_the_order_on_the_sku_text(
    rows: list[tuple[str, float]], presorted: bool
) -> None:
    rows = sorted(rows) if presorted else rows
    frame = pd.DataFrame({"sku": [r[0] for r in rows], "revenue": [r[1] for r in rows]})
    p = Portfolio.from_features(frame, _LAST_DAY)
    before, order = share_before(p.values["revenue"], p.sku)  # ties by the SKU text itself
    got = p.abc_order("revenue")
    np.testing.assert_array_equal(got.order, order)
    np.testing.assert_array_equal(got.share_before, before)


@PROPS
@given(data=st.data(), pf=portfolios())
def test_alerts_and_movers_sort_as_pandas_sorts_the_full_frame(data: st.DataObject, pf) -> None:
    p = _build(pf)
    official = data.draw(rule_sets())
    rules = data.draw(rule_sets(hysteresis=data.draw(st.booleans())))
    skus = list(p.sku)
    overrides = data.draw(
        st.dictionaries(st.sampled_from(skus), st.sampled_from(["AX", "CZ", "KEEP"]), max_size=3)
    )
    base = classify(p, official, overrides=overrides)
    current = classify(p, rules, baseline=base, overrides=overrides)
    pd.testing.assert_frame_equal(alerts(p, current), _alerts_reference(p, current))
    pd.testing.assert_frame_equal(movers(p, current, base), _movers_reference(p, current, base))
    assert alert_count(current) == len(_alerts_reference(p, current))


@PROPS
@given(pf=portfolios(), revenue=st.sampled_from([0.0, 5.0]))
def test_movers_without_prices_sort_by_sku(pf, revenue: float) -> None:
    skus, _, cov = pf
    p = _build((skus, [revenue] * len(skus), cov))  # all revenue 0: shown as n/a, ties by SKU
    base = classify(p, Rules(criteria=("xyz",), xyz_x=0.5, xyz_y=1.0))
    current = classify(p, Rules(criteria=("xyz",), xyz_x=0.2, xyz_y=0.4))
    pd.testing.assert_frame_equal(movers(p, current, base), _movers_reference(p, current, base))


@PROPS
@given(data=st.data(), pf=portfolios(), max_points=st.integers(1, 50), floor=st.integers(0, 10))
def test_every_segment_shows_in_the_scatter_up_to_the_floor(
    data: st.DataObject, pf, max_points: int, floor: int
) -> None:
    p = _build(pf)
    s = classify(p, data.draw(rule_sets()))
    points = scatter_points(p, s, max_points, floor=floor)
    x = np.nan_to_num(p.values[p.abc_measure(s.rules.abc_measure)])
    eligible = pd.Series(s.segment[(x > 0) & np.isfinite(p.values["cov"])])
    shown = points["segment"].value_counts()
    assert points["sku"].is_unique
    sampled = len(eligible) > max_points
    for seg, n in eligible.value_counts().items():  # a small segment never vanishes
        assert shown.get(seg, 0) >= (min(n, floor) if sampled else n)
    assert len(points) <= (max_points + floor * len(s.labels) if sampled else len(eligible))


@PROPS
@given(
    data=st.data(),
    pf=portfolios(),
    max_points=st.integers(1, 50),
    seed=st.integers(0, 3),
)
def test_the_memoised_scatter_sample_is_the_fresh_one(
    data: st.DataObject, pf, max_points: int, seed: int
) -> None:
    p = _build(pf)
    for _ in range(2):  # the second draw reads the memo of the first
        s = classify(p, data.draw(rule_sets()))
        pd.testing.assert_frame_equal(
            scatter_points(p, s, max_points, seed), _scatter_reference(p, s, max_points, seed)
        )
    s = classify(p, data.draw(rule_sets()))
    pd.testing.assert_frame_equal(
        scatter_points(p, s), _scatter_reference(p, s, MAX_SCATTER_POINTS, 0)
    )


@PROPS
@given(pf=portfolios())
def test_has_measure_is_any_positive_value(pf) -> None:
    p = _build(pf)
    for measure in ("revenue", "quantity", "cov"):
        expected = bool((np.nan_to_num(p.values[measure]) > 0).any())
        assert p.has_measure(measure) is expected
        assert p.has_measure(measure) is expected  # from the memo


def test_the_memo_keeps_at_most_size_entries_per_kind() -> None:
    p = Portfolio.from_features(pd.DataFrame({"sku": ["a", "b"], "revenue": [1.0, 2.0]}), _LAST_DAY)
    made: list[int] = []
    for i in range(5):
        assert p.memo(("k", i), lambda i=i: made.append(i) or i, size=2) == i
    assert p.memo(("k", 4), lambda: -1, size=2) == 4  # kept
    assert p.memo(("k", 0), lambda: -1, size=2) == -1  # evicted, made again
    assert made == [0, 1, 2, 3, 4]
    assert sum(1 for k in p._memo if k[0] == "k") == 2


@PROPS
@given(data=st.data(), pf=portfolios())
def test_the_matrix_after_other_rules_is_the_matrix_of_a_fresh_portfolio(
    data: st.DataObject, pf
) -> None:
    p = _build(pf)  # its weights memoised under the first rules, read again under the second
    first, second = data.draw(rule_sets()), data.draw(rule_sets())
    matrix(p, classify(p, first))
    fresh = _build(pf)
    pd.testing.assert_frame_equal(
        matrix(p, classify(p, second)), matrix(fresh, classify(fresh, second))
    )


_SHARES = st.lists(
    st.one_of(
        st.floats(0, 1, allow_nan=False),
        st.just(float("nan")),
        st.sampled_from([0.3, 0.5, 0.8, 0.95, 0.875, 0.625]),  # on and between the boundaries
    ),
    min_size=1,
    max_size=60,
)


@given(
    shares=_SHARES,
    ab=st.tuples(st.floats(0.01, 0.99), st.floats(0.01, 1.0)).filter(lambda t: t[0] < t[1]),
)
def test_abc_criterion_fast_path_equals_its_definition(shares, ab):
    """The ABC criterion's few-pass form gives, SKU by SKU, the class, distance, nearer
    boundary and the class across it of the nested-choice definition (_abc_reference)."""
    from types import SimpleNamespace

    from segstudio.segment import segmentation as seg

    sb = np.asarray(shares, dtype=float)
    a, b = ab
    fake = SimpleNamespace(
        abc_measure=lambda m: m,
        abc_order=lambda m: SimpleNamespace(share_before=sb),
    )
    fast = seg._abc(fake, Rules(abc_a=a, abc_b=b))  # type: ignore[arg-type]
    ref = seg._abc_reference(sb, a, b)
    for field in ("codes", "distance", "boundary", "toward"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(ref, field), err_msg=field)
        assert getattr(fast, field).dtype == getattr(ref, field).dtype, field
