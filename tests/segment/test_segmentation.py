"""Segmentation rules (segstudio.segmentation), checked against the rule text, not the code.

The ABC rule: rank by the measure descending (ties by SKU ascending); share_before(i) = the
measure of the SKUs ranked above i / the sum over SKUs with a positive measure; A if
share_before < a, B if < b, else C; a measure <= 0 is C. Distance to a boundary in share
points: A: a - sb; B: min(sb - a, b - sb); C: sb - b.
XYZ: X if CoV <= x, Y if <= y, else Z; no demand (CoV empty): N; distance |CoV - t| / t.

The property tests recompute these in plain Python (integer revenues keep every sum exact, so
the expected share_before is bit-for-bit the one the code must find) and compare.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segstudio.config.rules import Rules
from segstudio.segment.segmentation import (
    LABELS,
    AbcOrder,
    Portfolio,
    alert_count,
    alerts,
    classify,
    flows,
    matrix,
    movers,
    sku_table,
)

LAST_DAY = dt.date(2024, 6, 30)
ABC = ["A", "B", "C"]
XYZ = ["X", "Y", "Z"]


def _portfolio(rows: list[dict], last_day: dt.date = LAST_DAY) -> Portfolio:
    return Portfolio.from_features(pd.DataFrame(rows), last_day)


def _by_sku(p: Portfolio, values: np.ndarray) -> dict[str, object]:
    return dict(zip(p.sku.tolist(), list(values), strict=True))


# --------------------------------------------------------------------------------------------
# ABC on a textbook example
# --------------------------------------------------------------------------------------------

# Heizer & Render, Operations Management, ABC analysis example ("Silicon Chips, Inc."): the
# annual dollar volume (annual units x unit cost) of its ten stock items, total $232,057.
SILICON_CHIPS = {
    "10286": 90_000,
    "11526": 77_000,
    "12760": 26_350,
    "10867": 15_001,
    "10500": 12_500,
    "12572": 8_502,
    "14075": 1_200,
    "01036": 850,
    "01307": 504,
    "10572": 150,
}


def _silicon_chips() -> Portfolio:
    # Shuffled on purpose: the ranking, not the row order, must drive the classes.
    items = sorted(SILICON_CHIPS.items(), key=lambda kv: kv[0])
    return _portfolio([{"sku": k, "revenue": v} for k, v in items])


def test_abc_silicon_chips_share_before() -> None:
    assert sum(SILICON_CHIPS.values()) == 232_057
    p = _silicon_chips()
    order = p.abc_order("revenue")
    ranked = p.sku[order.order].tolist()
    assert ranked == list(SILICON_CHIPS)  # the textbook lists them largest first
    sb = order.share_before[order.order]
    expected_pct = [0.0, 38.784, 71.965, 83.320, 89.784, 95.171]
    assert [round(100 * s, 3) for s in sb[:6]] == expected_pct
    # and every share_before is the volume ranked above / the total
    volumes = list(SILICON_CHIPS.values())
    for i, s in enumerate(sb):
        assert s == pytest.approx(sum(volumes[:i]) / 232_057, abs=1e-15)


def test_abc_silicon_chips_classes() -> None:
    p = _silicon_chips()
    s = classify(p, Rules(abc_a=0.80, abc_b=0.95, criteria=("abc",)))
    classes = _by_sku(p, s.classes("abc"))
    assert [classes[k] for k in SILICON_CHIPS] == ["A"] * 3 + ["B"] * 2 + ["C"] * 5
    assert s.segment.tolist() == s.classes("abc").tolist()
    m = matrix(p, s).set_index("segment")
    assert m.loc[["A", "B", "C"], "skus"].tolist() == [3, 2, 5]
    assert m.loc[["A", "B", "C"], "revenue"].tolist() == [193_350, 27_501, 11_206]
    assert m["revenue_share"].sum() == pytest.approx(1.0)


def test_abc_ties_zero_negative_and_missing() -> None:
    # Equal measures rank by SKU ascending; <= 0 and missing measures are C and get no share.
    p = _portfolio(
        [
            {"sku": "B", "revenue": 50},
            {"sku": "A", "revenue": 50},
            {"sku": "Z", "revenue": 0},
            {"sku": "N", "revenue": -20},
            {"sku": "M", "revenue": None},
        ]
    )
    order = p.abc_order("revenue")
    sb = _by_sku(p, order.share_before)
    assert sb["A"] == 0.0 and sb["B"] == 0.5
    assert all(math.isnan(sb[k]) for k in ("Z", "N", "M"))
    s = classify(p, Rules(abc_a=0.5, abc_b=0.9, criteria=("abc",)))
    assert _by_sku(p, s.classes("abc")) == {"A": "A", "B": "B", "Z": "C", "N": "C", "M": "C"}
    # sb == a exactly is not below a: B, at distance 0 (an alert)
    assert set(alerts(p, s)["sku"]) == {"B"}


def test_abc_other_measures() -> None:
    rows = [
        {"sku": "P", "revenue": 100, "quantity": 1, "margin": 5, "order_lines": 1},
        {"sku": "Q", "revenue": 1, "quantity": 100, "margin": 50, "order_lines": 2},
        {"sku": "R", "revenue": 1, "quantity": 1, "margin": 1, "order_lines": 200},
    ]
    p = _portfolio(rows)
    top = {}
    for measure in ("revenue", "quantity", "margin", "order_lines"):
        s = classify(p, Rules(abc_measure=measure, abc_a=0.5, abc_b=0.9, criteria=("abc",)))
        cls = _by_sku(p, s.classes("abc"))
        top[measure] = [k for k, v in cls.items() if v == "A"]
    assert top == {"revenue": ["P"], "quantity": ["Q"], "margin": ["Q"], "order_lines": ["R"]}


def test_abc_all_non_positive_is_all_c() -> None:
    p = _portfolio([{"sku": "x", "revenue": 0}, {"sku": "y", "revenue": -3}])
    s = classify(p, Rules(criteria=("abc",)))
    assert s.classes("abc").tolist() == ["C", "C"]
    assert alert_count(s) == 0


def test_abc_order_build_directly() -> None:
    o = AbcOrder.build(np.array([1.0, 3.0, 0.0, 3.0]), np.array(["d", "c", "b", "a"]))
    assert o.order.tolist() == [3, 1, 0, 2]  # 3 ("a") before 1 ("c") on the tie; 0 last
    assert o.share_before[[3, 1, 0]].tolist() == [0.0, 3 / 7, 6 / 7]
    assert math.isnan(o.share_before[2])


# --------------------------------------------------------------------------------------------
# Independent implementation of the rule text, for the properties
# --------------------------------------------------------------------------------------------


def _share_before(skus: list[str], revenue: list[int]) -> list[float]:
    """share_before per SKU (NaN where the measure <= 0), exact integer sums."""
    total = sum(v for v in revenue if v > 0)
    ranked = sorted(range(len(skus)), key=lambda i: (-revenue[i], skus[i]))
    out = [math.nan] * len(skus)
    above = 0
    for i in ranked:
        if revenue[i] > 0:
            out[i] = above / total
            above += revenue[i]
    return out


def _abc_class(sb: float, a: float, b: float) -> int:
    if math.isnan(sb):
        return 2
    return 0 if sb < a else 1 if sb < b else 2


def _abc_distance(sb: float, a: float, b: float) -> float:
    cls = _abc_class(sb, a, b)
    if math.isnan(sb):
        return math.inf
    if cls == 0:
        return a - sb
    if cls == 1:
        return min(sb - a, b - sb)
    return sb - b


def _xyz_class(cov: float, x: float, y: float) -> int:
    if math.isnan(cov):
        return 3
    return 0 if cov <= x else 1 if cov <= y else 2


def _xyz_distance(cov: float, x: float, y: float) -> float:
    cls = _xyz_class(cov, x, y)
    if cls == 3:
        return math.inf
    if cls == 0:
        return abs(cov - x) / x
    if cls == 2:
        return abs(cov - y) / y
    return min(abs(cov - x) / x, abs(cov - y) / y)


def _kept(official: int, new: int, distance_to: dict[tuple[int, int], float], band: float) -> int:
    """The class hysteresis must give: the official one when the SKU moved only to the
    neighbouring class across a boundary it is still within the band of."""
    if official == new or abs(official - new) != 1:
        return new
    return official if distance_to[min(official, new), max(official, new)] <= band else new


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

_revenue = st.one_of(
    st.integers(-1_000, 0),  # returns exceed sales, or nothing sold
    st.sampled_from([0, 1, 5, 10, 100]),  # ties
    st.integers(1, 10**7),
)
_cov = st.one_of(
    st.just(math.nan),
    st.sampled_from([0.0, 0.5, 1.0, 0.25, 2.0]),  # ties, and values on default thresholds
    st.floats(0, 5, allow_nan=False),
)


@st.composite
def portfolios(draw: st.DrawFn) -> tuple[list[str], list[int], list[float]]:
    n = draw(st.integers(1, 300))
    skus = draw(
        st.lists(
            st.text(alphabet="0aAbZ-9", min_size=1, max_size=5), min_size=n, max_size=n, unique=True
        )
    )
    revenue = draw(st.lists(_revenue, min_size=n, max_size=n))
    cov = draw(st.lists(_cov, min_size=n, max_size=n))
    return skus, revenue, cov


@st.composite
def rule_sets(draw: st.DrawFn, shares: list[float] | None = None, **fixed: object) -> Rules:
    """Valid rules; ABC boundaries sometimes exactly on a share_before of the portfolio."""
    share = st.floats(0.001, 1.0, allow_nan=False)
    if shares:
        share = st.one_of(share, st.sampled_from([s for s in shares if 0 < s <= 1] or [0.5]))
    a, b = sorted(draw(st.lists(share, min_size=2, max_size=2, unique=True)))
    x, y = sorted(draw(st.lists(st.floats(0.01, 4.0), min_size=2, max_size=2, unique=True)))
    kwargs: dict = {
        "abc_a": a,
        "abc_b": b,
        "xyz_x": x,
        "xyz_y": y,
        "band_share": draw(st.one_of(st.just(0.0), st.floats(0, 0.49, allow_subnormal=False))),
        "band_relative": draw(st.one_of(st.just(0.0), st.floats(0, 0.99, allow_subnormal=False))),
        "criteria": draw(st.sampled_from([("abc", "xyz"), ("xyz", "abc"), ("abc",), ("xyz",)])),
    }
    kwargs.update(fixed)
    return Rules(**kwargs)


def _build(data: tuple[list[str], list[int], list[float]]) -> Portfolio:
    skus, revenue, cov = data
    return _portfolio(
        [{"sku": s, "revenue": r, "cov": c} for s, r, c in zip(skus, revenue, cov, strict=True)]
    )


PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@PROPS
@given(data=st.data(), pf=portfolios())
def test_classes_follow_the_rules_and_partition(data: st.DataObject, pf) -> None:
    skus, revenue, cov = pf
    sb = _share_before(skus, revenue)
    r = data.draw(rule_sets(shares=sb))
    p = _build(pf)
    s = classify(p, r)
    n = len(skus)

    # ABC and XYZ classes are those of the rule text
    by_sku = {}
    for name in r.criteria:
        got = s.classes(name).tolist()
        assert len(got) == n and set(got) <= set(LABELS[name])
        by_sku[name] = _by_sku(p, got)
    if "abc" in r.criteria:
        want = {k: ABC[_abc_class(v, r.abc_a, r.abc_b)] for k, v in zip(skus, sb, strict=True)}
        assert by_sku["abc"] == want
    if "xyz" in r.criteria:
        want = {
            k: (XYZ + ["N"])[_xyz_class(c, r.xyz_x, r.xyz_y)]
            for k, c in zip(skus, cov, strict=True)
        }
        assert by_sku["xyz"] == want

    # the segment is the classes put together; one segment per SKU
    segs = _by_sku(p, s.segment)
    for k in skus:
        assert segs[k] == "".join(by_sku[name][k] for name in r.criteria)

    # the matrix counts every SKU once and all the revenue
    m = matrix(p, s)
    assert m["skus"].sum() == n
    if not any(revenue):  # no SKU has revenue (no prices): revenue cannot be told, not 0
        assert m["revenue"].isna().all()
        return
    assert m["revenue"].sum() == sum(revenue)
    counts = Counter(segs.values())
    assert {seg: c for seg, c in zip(m["segment"], m["skus"], strict=True) if c} == counts
    per_seg = Counter()
    for k, v in zip(skus, revenue, strict=True):
        per_seg[segs[k]] += v
    for seg, rev in zip(m["segment"], m["revenue"], strict=True):
        assert rev == per_seg.get(seg, 0)
    assert len(m) == math.prod(len(LABELS[c]) for c in r.criteria)
    assert sku_table(p, s)["segment"].tolist() == s.segment.tolist()


@PROPS
@given(data=st.data(), pf=portfolios())
def test_raising_a_boundary_never_demotes(data: st.DataObject, pf) -> None:
    p = _build(pf)
    r = data.draw(rule_sets(criteria=("abc",)))
    s = classify(p, r)
    a_set = set(p.sku[s.classes("abc") == "A"])
    b_set = set(p.sku[s.classes("abc") == "B"])

    # raise a (still below b): every A stays A
    a2 = data.draw(st.floats(r.abc_a, r.abc_b))
    a2 = a2 if a2 < r.abc_b else r.abc_a
    s2 = classify(p, r.with_(abc_a=a2))
    assert a_set <= set(p.sku[s2.classes("abc") == "A"])

    # raise b: every B stays B, and A does not change
    b2 = data.draw(st.floats(r.abc_b, 1.0))
    s3 = classify(p, r.with_(abc_b=b2))
    assert b_set <= set(p.sku[s3.classes("abc") == "B"])
    assert a_set == set(p.sku[s3.classes("abc") == "A"])


@PROPS
@given(data=st.data(), pf=portfolios())
def test_top_sku_is_a(data: st.DataObject, pf) -> None:
    skus, revenue, _ = pf
    p = _build(pf)
    r = data.draw(rule_sets(criteria=("abc",)))
    classes = _by_sku(p, classify(p, r).classes("abc"))
    positive = [(-v, k) for k, v in zip(skus, revenue, strict=True) if v > 0]
    if positive:
        top = min(positive)[1]
        assert classes[top] == "A"
    else:
        assert set(classes.values()) == {"C"}


@PROPS
@given(data=st.data(), pf=portfolios())
def test_alerts_are_the_skus_within_the_band(data: st.DataObject, pf) -> None:
    skus, revenue, cov = pf
    sb = _share_before(skus, revenue)
    r = data.draw(rule_sets(shares=sb))
    p = _build(pf)
    s = classify(p, r)
    want = set()
    for k, share, c in zip(skus, sb, cov, strict=True):
        near = ("abc" in r.criteria and _abc_distance(share, r.abc_a, r.abc_b) <= r.band_share) or (
            "xyz" in r.criteria and _xyz_distance(c, r.xyz_x, r.xyz_y) <= r.band_relative
        )
        if near:
            want.add(k)
    got = alerts(p, s)
    assert len(got) == len(set(got["sku"])) == alert_count(s)
    assert set(got["sku"]) == want
    assert set(p.sku[s.alert_mask()]) == want
    # each alert's distance is the one of its nearest boundary, in its criterion's unit
    own = {
        k: {
            "abc": _abc_distance(share, r.abc_a, r.abc_b),
            "xyz": _xyz_distance(c, r.xyz_x, r.xyz_y),
        }
        for k, share, c in zip(skus, sb, cov, strict=True)
    }
    for k, d, boundary in zip(
        got["sku"], got["boundary_distance"], got["nearest_boundary"], strict=True
    ):
        crit = boundary.split()[0]
        assert crit in r.criteria
        assert d == own[k][crit]


@PROPS
@given(data=st.data(), pf=portfolios())
def test_hysteresis_keeps_the_official_class_within_the_band(data: st.DataObject, pf) -> None:
    skus, revenue, cov = pf
    sb = _share_before(skus, revenue)
    official = data.draw(rule_sets(shares=sb))
    new = data.draw(
        rule_sets(
            shares=sb,
            criteria=official.criteria,
            band_share=official.band_share,
            band_relative=official.band_relative,
            hysteresis=True,
        )
    )
    p = _build(pf)
    baseline = classify(p, official)
    s = classify(p, new, baseline=baseline)
    kept = _by_sku(p, s.kept_by_hysteresis)
    want_kept = dict.fromkeys(skus, False)
    for name in new.criteria:
        got = _by_sku(p, s.classes(name))
        for k, share, c in zip(skus, sb, cov, strict=True):
            if name == "abc":
                o = _abc_class(share, official.abc_a, official.abc_b)
                raw = _abc_class(share, new.abc_a, new.abc_b)
                dist = {(0, 1): abs(share - new.abc_a), (1, 2): abs(share - new.abc_b)}
                want = _kept(o, raw, dist, new.band_share)
                label = ABC
            else:
                o = _xyz_class(c, official.xyz_x, official.xyz_y)
                raw = _xyz_class(c, new.xyz_x, new.xyz_y)
                dist = {
                    (0, 1): abs(c - new.xyz_x) / new.xyz_x,
                    (1, 2): abs(c - new.xyz_y) / new.xyz_y,
                }
                want = _kept(o, raw, dist, new.band_relative)
                label = XYZ + ["N"]
            assert got[k] == label[want], (name, k, label[o], label[raw])
            want_kept[k] |= want != raw
    assert kept == want_kept
    # without hysteresis the baseline changes nothing
    plain = classify(p, new.with_(hysteresis=False), baseline=baseline)
    assert not plain.kept_by_hysteresis.any()
    for name in new.criteria:
        raw_cls = classify(p, new.with_(hysteresis=False)).classes(name).tolist()
        assert plain.classes(name).tolist() == raw_cls


def test_hysteresis_example() -> None:
    # Shares before: 0, .40, .70, .80, .90 (SKUs s0..s4); official a = .75, b = .95.
    p = _portfolio([{"sku": f"s{i}", "revenue": v} for i, v in enumerate([40, 30, 10, 10, 10])])
    official = Rules(abc_a=0.75, abc_b=0.95, criteria=("abc",), band_share=0.02)
    base = classify(p, official)
    assert base.classes("abc").tolist() == ["A", "A", "A", "B", "B"]
    # a moves to .69: s2 (.70) crossed it by .01 <= band, keeps A; a to .60: moves to B
    for a, want in ((0.69, "A"), (0.60, "B")):
        s = classify(p, official.with_(abc_a=a, hysteresis=True), baseline=base)
        assert s.classes("abc")[2] == want
        assert bool(s.kept_by_hysteresis[2]) == (want == "A")
    # b moves to .89 (s4 at .90 crosses it by .01): keeps B
    s = classify(p, official.with_(abc_b=0.89, hysteresis=True), baseline=base)
    assert s.classes("abc").tolist() == ["A", "A", "A", "B", "B"]
    # a to .685 and b to .705: s2 (.70) crossed a by .015 <= band, keeps A, although the
    # nearest boundary is now b (.005 away), which it did not cross
    s = classify(p, official.with_(abc_a=0.685, abc_b=0.705, hysteresis=True), baseline=base)
    assert s.classes("abc").tolist() == ["A", "A", "A", "C", "C"]
    assert s.kept_by_hysteresis.tolist() == [False, False, True, False, False]


def test_hysteresis_other_criteria_use_the_crossed_boundary() -> None:
    # pattern: ADI 1.25 crosses a cut lowered to 1.20 (4 % away, within the 10 % band) while
    # CV2 0.48 is nearer still to its cut 0.49 (2 %): it keeps smooth
    p = _portfolio([{"sku": "s", "adi": 1.25, "cv2": 0.48, "weeks_with_demand": 40}])
    official = Rules(criteria=("pattern",))
    base = classify(p, official)
    assert base.classes("pattern").tolist() == ["smooth"]
    for cut, want in ((1.20, "smooth"), (1.0, "intermittent")):
        s = classify(p, official.with_(pattern_adi=cut, hysteresis=True), baseline=base)
        assert s.classes("pattern").tolist() == [want]
    # lifecycle: first sale 100 days ago crosses "new" moved to 15 weeks (105 days, 4.8 %)
    # while the last sale, 175 days ago, is nearer to the 26-week end-of-life cut (3.8 %)
    rows = [
        {
            "sku": "x",
            "first_sale": LAST_DAY - dt.timedelta(days=100),
            "last_sale": LAST_DAY - dt.timedelta(days=175),
        }
    ]
    p = _portfolio(rows)
    official = Rules(criteria=("lifecycle",))
    base = classify(p, official)
    assert base.classes("lifecycle").tolist() == ["active"]
    for weeks, want in ((15, "active"), (20, "new")):
        s = classify(p, official.with_(lifecycle_new_weeks=weeks, hysteresis=True), baseline=base)
        assert s.classes("lifecycle").tolist() == [want]


@PROPS
@given(data=st.data(), pf=portfolios())
def test_overrides_replace_the_segment_and_survive(data: st.DataObject, pf) -> None:
    skus, _, _ = pf
    r1 = data.draw(rule_sets())
    r2 = data.draw(rule_sets())
    chosen = data.draw(st.lists(st.sampled_from(skus), unique=True, max_size=min(10, len(skus))))
    segs = st.sampled_from(["AX", "CZ", "A", "HOLD", "phase-out"])
    overrides = {k: data.draw(segs) for k in chosen}
    overrides["not-a-sku-in-this-portfolio!"] = "AX"
    p = _build(pf)
    for r in (r1, r2):
        plain = _by_sku(p, classify(p, r).segment)
        s = classify(p, r, overrides=overrides)
        got = _by_sku(p, s.segment)
        flagged = _by_sku(p, s.overridden)
        for k in skus:
            assert got[k] == overrides.get(k, plain[k])
            assert flagged[k] == (k in overrides)
        m = matrix(p, s)
        assert m["skus"].sum() == len(skus)
        assert {seg: c for seg, c in zip(m["segment"], m["skus"], strict=True) if c} == Counter(
            got.values()
        )


@PROPS
@given(data=st.data(), pf=portfolios())
def test_movers_are_the_skus_whose_segment_changed(data: st.DataObject, pf) -> None:
    skus, revenue, _ = pf
    r0 = data.draw(rule_sets())
    r1 = data.draw(rule_sets())
    chosen = data.draw(st.lists(st.sampled_from(skus), unique=True, max_size=min(5, len(skus))))
    overrides = {k: data.draw(st.sampled_from(["AX", "HOLD"])) for k in chosen}
    p = _build(pf)
    base = classify(p, r0)
    cur = classify(p, r1, overrides=overrides or None)
    before, after = _by_sku(p, base.segment), _by_sku(p, cur.segment)
    want = {k: (before[k], after[k]) for k in skus if before[k] != after[k]}
    mv = movers(p, cur, base)
    assert len(mv) == len(want)
    assert {k: (f, t) for k, f, t in zip(mv["sku"], mv["from"], mv["to"], strict=True)} == want
    rev = dict(zip(skus, revenue, strict=True))
    if any(revenue):
        assert mv["revenue"].tolist() == [rev[k] for k in mv["sku"]]
    else:  # no SKU has revenue (no prices): the movers' revenue cannot be told, not 0
        assert mv["revenue"].isna().all()
    fl = flows(mv)
    assert fl["skus"].sum() == len(want)
    assert Counter(want.values()) == {
        (f, t): c for f, t, c in zip(fl["from"], fl["to"], fl["skus"], strict=True)
    }
    # and the other way round: the same SKUs, from and to swapped
    back = movers(p, base, cur)
    assert {
        k: (t, f) for k, f, t in zip(back["sku"], back["from"], back["to"], strict=True)
    } == want


# --------------------------------------------------------------------------------------------
# The other criteria, on hand-made SKUs
# --------------------------------------------------------------------------------------------


def _classes(rows: list[dict], criteria: tuple[str, ...], **rules: object) -> dict[str, str]:
    p = _portfolio(rows)
    s = classify(p, Rules(criteria=criteria, **rules))
    return _by_sku(p, s.classes(criteria[0]))


def test_pattern() -> None:
    rows = [
        {"sku": "smooth", "adi": 1.0, "cv2": 0.2, "weeks_with_demand": 52},
        {"sku": "erratic", "adi": 1.1, "cv2": 0.49, "weeks_with_demand": 40},  # cv2 at the cut
        {"sku": "intermittent", "adi": 1.32, "cv2": 0.1, "weeks_with_demand": 30},  # adi at cut
        {"sku": "lumpy", "adi": 4.0, "cv2": 1.5, "weeks_with_demand": 8},
        {"sku": "one-week", "adi": 1.0, "cv2": 0.0, "weeks_with_demand": 1},
        {"sku": "never", "weeks_with_demand": 0},
        {"sku": "unknown"},
    ]
    got = _classes(rows, ("pattern",))
    assert got == {
        "smooth": "smooth",
        "erratic": "erratic",
        "intermittent": "intermittent",
        "lumpy": "lumpy",
        "one-week": "insufficient",
        "never": "insufficient",
        "unknown": "insufficient",
    }
    # other cut-offs
    moved = _classes(rows, ("pattern",), pattern_adi=5.0, pattern_cv2=0.15)
    assert moved["intermittent"] == "smooth" and moved["lumpy"] == "erratic"
    assert moved["smooth"] == "erratic"


def test_pattern_distance_and_alert() -> None:
    # smooth, ADI 1.25 is 5.3 % below 1.32 (within the 10 % band); CV2 far from 0.49
    p = _portfolio(
        [
            {"sku": "s", "adi": 1.25, "cv2": 0.1, "weeks_with_demand": 40},
            {"sku": "far", "adi": 1.0, "cv2": 0.1, "weeks_with_demand": 40},
            {"sku": "few", "adi": 1.3, "cv2": 0.48, "weeks_with_demand": 1},
        ]
    )
    s = classify(p, Rules(criteria=("pattern",)))
    a = alerts(p, s)
    assert a["sku"].tolist() == ["s"]
    assert a["boundary_distance"][0] == pytest.approx(0.07 / 1.32)
    assert a["nearest_boundary"][0] == "pattern ADI"
    assert a["would_move_to"][0] == "intermittent"


def test_leadtime() -> None:
    rows = [
        {"sku": "R", "lead_time_mean_days": 30, "lead_time_std_days": 15},  # at both cut-offs
        {"sku": "L", "lead_time_mean_days": 31, "lead_time_std_days": 3},
        {"sku": "U", "lead_time_mean_days": 10, "lead_time_std_days": 6},
        {"sku": "LU", "lead_time_mean_days": 60, "lead_time_std_days": 40},
        {"sku": "none", "lead_time_mean_days": None, "lead_time_std_days": None},
        {"sku": "no-std", "lead_time_mean_days": 5, "lead_time_std_days": None},
    ]
    got = _classes(rows, ("leadtime",))
    assert got == {"R": "R", "L": "L", "U": "U", "LU": "LU", "none": "-", "no-std": "R"}
    assert _classes(rows, ("leadtime",), leadtime_days=90, leadtime_cov=0.8)["LU"] == "R"
    assert _classes(rows, ("leadtime",), leadtime_days=45, leadtime_cov=0.8)["LU"] == "L"


def test_replenishment() -> None:
    rows = [
        {"sku": "F", "receipts_per_year": 12},
        {"sku": "F52", "receipts_per_year": 52},
        {"sku": "I", "receipts_per_year": 11.9},
        {"sku": "I0", "receipts_per_year": 0},
        {"sku": "none", "receipts_per_year": None},
    ]
    got = _classes(rows, ("replenishment",))
    assert got == {"F": "F", "F52": "F", "I": "I", "I0": "I", "none": "-"}
    assert _classes(rows, ("replenishment",), replenishment_per_year=4)["I"] == "F"


def test_lifecycle() -> None:
    def day(n: int) -> dt.date:
        return LAST_DAY - dt.timedelta(days=n)

    rows = [
        {"sku": "new", "first_sale": day(90), "last_sale": day(1)},  # 12 weeks 6 days ago
        {"sku": "13w", "first_sale": day(91), "last_sale": day(0)},  # exactly 13 weeks
        {"sku": "active", "first_sale": day(700), "last_sale": day(181)},
        {"sku": "eol", "first_sale": day(700), "last_sale": day(182)},  # 26 weeks without
        {"sku": "new-gone", "first_sale": day(30), "last_sale": day(200)},  # eol wins
        {"sku": "never", "first_sale": None, "last_sale": None},
    ]
    got = _classes(rows, ("lifecycle",))
    assert got == {
        "new": "new",
        "13w": "active",
        "active": "active",
        "eol": "eol",
        "new-gone": "eol",
        "never": "eol",
    }
    # relative to last_day: a year later everything that sold is end-of-life
    p = Portfolio.from_features(pd.DataFrame(rows), LAST_DAY + dt.timedelta(days=365))
    s = classify(p, Rules(criteria=("lifecycle",)))
    assert set(s.classes("lifecycle")) == {"eol"}
    # other windows
    longer = _classes(rows, ("lifecycle",), lifecycle_new_weeks=20, lifecycle_eol_weeks=52)
    assert longer["13w"] == "new" and longer["eol"] == "active"


def test_concentration() -> None:
    rows = [
        {"sku": "K", "top_customer_share": 0.5},
        {"sku": "K1", "top_customer_share": 1.0},
        {"sku": "D", "top_customer_share": 0.49},
        {"sku": "none"},
    ]
    got = _classes(rows, ("concentration",))
    assert got == {"K": "K", "K1": "K", "D": "D", "none": "-"}
    assert _classes(rows, ("concentration",), concentration_share=0.8)["K"] == "D"


# --------------------------------------------------------------------------------------------
# Segment codes
# --------------------------------------------------------------------------------------------

_ROWS = [
    {
        "sku": "big",
        "revenue": 1000,
        "cov": 0.2,
        "adi": 1.0,
        "cv2": 0.1,
        "weeks_with_demand": 52,
        "top_customer_share": 0.9,
        "first_sale": "2020-01-06",
        "last_sale": "2024-06-28",
    },
    {
        "sku": "mid",
        "revenue": 150,
        "cov": 0.8,
        "adi": 2.0,
        "cv2": 0.8,
        "weeks_with_demand": 20,
        "top_customer_share": 0.2,
        "first_sale": "2024-05-01",
        "last_sale": "2024-06-20",
    },
    {
        "sku": "small",
        "revenue": 10,
        "cov": None,
        "weeks_with_demand": 0,
        "first_sale": "2021-03-01",
        "last_sale": "2023-01-10",
    },
]


def test_segment_codes_two_short_criteria() -> None:
    p = _portfolio(_ROWS)
    s = classify(p, Rules(abc_a=0.8, abc_b=0.95))
    assert s.segment.tolist() == ["AX", "BY", "CN"]
    assert s.labels[:4] == ["AX", "AY", "AZ", "AN"] and len(s.labels) == 12
    s2 = classify(p, Rules(criteria=("xyz", "abc")))
    assert s2.segment.tolist() == ["XA", "YB", "NC"]


def test_segment_codes_with_a_word_criterion() -> None:
    p = _portfolio(_ROWS)
    s = classify(p, Rules(criteria=("abc", "pattern")))
    assert s.segment.tolist() == ["A-smooth", "B-lumpy", "C-insufficient"]
    m = matrix(p, s)
    assert len(m) == 3 * 5
    row = m.set_index("segment").loc["B-lumpy"]
    assert (row["abc"], row["pattern"], row["skus"], row["revenue"]) == ("B", "lumpy", 1, 150)


def test_segment_codes_three_criteria() -> None:
    p = _portfolio(_ROWS)
    s = classify(p, Rules(criteria=("abc", "xyz", "concentration")))
    assert s.segment.tolist() == ["AXK", "BYD", "CN-"]
    assert len(matrix(p, s)) == 3 * 4 * 3
    s = classify(p, Rules(criteria=("abc", "xyz", "lifecycle")))
    assert s.segment.tolist() == ["A-X-active", "B-Y-new", "C-N-eol"]
    m = matrix(p, s).set_index("segment")
    assert m.loc["C-N-eol", ["abc", "xyz", "lifecycle"]].tolist() == ["C", "N", "eol"]
    assert m["skus"].sum() == 3


def test_segment_names_in_matrix_and_table() -> None:
    p = _portfolio(_ROWS)
    r = Rules(names={"AX": "core runners"})
    s = classify(p, r)
    m = matrix(p, s).set_index("segment")
    assert m.loc["AX", "name"] == "AX: core runners" and m.loc["BY", "name"] == "BY"
    t = sku_table(p, s).set_index("sku")
    assert t.loc["big", "segment_name"] == "AX: core runners"
    assert t.loc["mid", ["abc", "xyz"]].tolist() == ["B", "Y"]


def test_override_segment_in_matrix() -> None:
    p = _portfolio(_ROWS)
    s = classify(p, Rules(), overrides={"mid": "HOLD", "small": "AX"})
    assert s.segment.tolist() == ["AX", "HOLD", "AX"]
    assert s.overridden.tolist() == [False, True, True]
    m = matrix(p, s).set_index("segment")
    assert m.loc["AX", "skus"] == 2 and m.loc["HOLD", "skus"] == 1
    assert m.loc["HOLD", "abc"] == "override"


def test_excluded_skus_take_no_share_of_the_pareto() -> None:
    # A postage code with the largest revenue would be the top A item; left out, the
    # Heizer & Render items are ranked among themselves.
    df = pd.DataFrame(
        {
            "sku": ["POST", "a", "b", "c"],
            "revenue": [1000.0, 60.0, 30.0, 10.0],
            "cov": [0.2, 0.2, 0.2, 0.2],
        }
    )
    with_post = classify(Portfolio.from_features(df, dt.date(2024, 1, 1)), Rules())
    assert list(with_post.classes("abc")) == ["A", "B", "C", "C"]
    p = Portfolio.from_features(df, dt.date(2024, 1, 1), exclude=("POST",))
    s = classify(p, Rules(exclude=("POST",)))
    assert list(p.sku) == ["a", "b", "c"]
    assert list(s.classes("abc")) == ["A", "A", "B"]  # shares before: 0, 0.6, 0.9


def test_a_segment_with_returns_over_sales_has_one_share_on_revenue() -> None:
    # "c1" sells, "c2" and "c3" return more than they sell: the C segment nets to 0 revenue,
    # and its share is that of its positive SKU (methods.md, "A segment's share"), in both
    # share columns alike.
    p = _portfolio(
        [
            {"sku": "a1", "revenue": 800.0},
            {"sku": "b1", "revenue": 150.0},
            {"sku": "c1", "revenue": 50.0},
            {"sku": "c2", "revenue": -30.0},
            {"sku": "c3", "revenue": -20.0},
        ]
    )
    s = classify(p, Rules(criteria=("abc",)))
    m = matrix(p, s).set_index("segment")
    assert m.loc["C", "revenue"] == 0.0
    assert m["revenue_share"].to_dict() == pytest.approx({"A": 0.8, "B": 0.15, "C": 0.05})
    np.testing.assert_array_equal(m["revenue_share"], m["measure_share"])
    assert m["revenue_share"].sum() == pytest.approx(1.0)
