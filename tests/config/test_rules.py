"""Rules files (segstudio.rules): TOML round trip, the keys read, defaults, and the errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segstudio.config.rules import (
    CRITERIA,
    Rules,
    RulesError,
    from_toml,
    read_rules,
    to_toml,
    write_rules,
)

FULL = """
[window]
weeks = 26

[abc]
measure = "margin"
a = 0.7
b = 0.9

[xyz]
x = 0.3
y = 0.8

[pattern]
adi = 1.5
cv2 = 0.6

[leadtime]
days = 45
cov = 0.4

[replenishment]
per_year = 6

[lifecycle]
new_weeks = 8
eol_weeks = 39

[concentration]
share = 0.7

[alerts]
band_share = 0.03
band_relative = 0.15

[segments]
criteria = ["abc", "pattern", "lifecycle"]
hysteresis = true

[segments.names]
"A-smooth-active" = "core runners"
CZ = "review"
"""


def test_every_key_is_read() -> None:
    r = from_toml(FULL)
    assert r == Rules(
        weeks=26,
        abc_measure="margin",
        abc_a=0.7,
        abc_b=0.9,
        xyz_x=0.3,
        xyz_y=0.8,
        pattern_adi=1.5,
        pattern_cv2=0.6,
        leadtime_days=45.0,
        leadtime_cov=0.4,
        replenishment_per_year=6.0,
        lifecycle_new_weeks=8,
        lifecycle_eol_weeks=39,
        concentration_share=0.7,
        band_share=0.03,
        band_relative=0.15,
        criteria=("abc", "pattern", "lifecycle"),
        hysteresis=True,
        names={"A-smooth-active": "core runners", "CZ": "review"},
    )
    # whole numbers in number fields are numbers
    assert isinstance(r.leadtime_days, float) and isinstance(r.replenishment_per_year, float)
    assert r.segment_name("CZ") == "CZ: review" and r.segment_name("AX") == "AX"


def test_round_trip_defaults_and_named() -> None:
    assert from_toml(to_toml(Rules())) == Rules()
    r = from_toml(FULL)
    text = to_toml(r)
    assert from_toml(text) == r
    assert "core runners" in text and "[segments.names]" in text


_share = st.floats(0.01, 1.0)


@st.composite
def any_rules(draw: st.DrawFn) -> Rules:
    a, b = sorted(draw(st.lists(_share, min_size=2, max_size=2, unique=True)))
    x, y = sorted(draw(st.lists(st.floats(0.01, 10), min_size=2, max_size=2, unique=True)))
    n = draw(st.integers(1, 3))
    return Rules(
        weeks=draw(st.integers(2, 520)),
        abc_measure=draw(st.sampled_from(["revenue", "quantity", "margin", "order_lines"])),
        abc_a=a,
        abc_b=b,
        xyz_x=x,
        xyz_y=y,
        pattern_adi=draw(st.floats(0.01, 10)),
        pattern_cv2=draw(st.floats(0.01, 10)),
        leadtime_days=draw(st.floats(0.5, 365)),
        leadtime_cov=draw(st.floats(0.01, 5)),
        replenishment_per_year=draw(st.floats(0.1, 365)),
        lifecycle_new_weeks=draw(st.integers(1, 104)),
        lifecycle_eol_weeks=draw(st.integers(1, 104)),
        concentration_share=draw(st.floats(0.01, 1.0)),
        band_share=draw(st.floats(0, 0.49)),
        band_relative=draw(st.floats(0, 0.99)),
        criteria=tuple(draw(st.permutations(list(CRITERIA)))[:n]),
        hysteresis=draw(st.booleans()),
        names=draw(
            st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=20), max_size=4)
        ),
    )


@settings(max_examples=200, deadline=None)
@given(any_rules())
def test_round_trip_property(r: Rules) -> None:
    back = from_toml(to_toml(r))
    assert back == r
    assert hash(back) == hash(r)


def test_write_and_read_file(tmp_path: Path) -> None:
    r = Rules(abc_a=0.75, criteria=("abc", "xyz", "concentration"), names={"AXK": "key runners"})
    path = tmp_path / "rules.toml"
    write_rules(r, path)
    assert read_rules(path) == r
    assert read_rules(str(path)) == r


def test_partial_file_keeps_defaults() -> None:
    r = from_toml("[abc]\na = 0.7\n")
    assert r == Rules(abc_a=0.7)
    assert r.abc_b == 0.95 and r.xyz_x == 0.5 and r.criteria == ("abc", "xyz")
    assert from_toml("") == Rules()
    assert from_toml("[xyz]\ny = 2\n[alerts]\nband_relative = 0.2\n") == Rules(
        xyz_y=2.0, band_relative=0.2
    )


def test_policy_section_sets_the_segment_policies_and_round_trips() -> None:
    text = """
[abc]
a = 0.75

[policy.default]
service_type = "fill_rate"
service_target = 0.93
review_period_days = 7

[policy."AX"]
service_target = 0.99
"""
    r = from_toml(text)
    assert r.abc_a == 0.75
    ax = r.policy.for_segment("AX")
    assert (ax.service_type, ax.service_target, ax.review_period_days) == ("fill_rate", 0.99, 7.0)
    by = r.policy.for_segment("BY")  # not listed: the file's default
    assert (by.service_type, by.service_target) == ("fill_rate", 0.93)
    assert from_toml(to_toml(r)) == r


def test_unknown_policy_key_is_refused_with_its_segment() -> None:
    with pytest.raises(RulesError, match=r"unknown key 'service_level' in \[policy\.\"AX\"\]"):
        from_toml('[policy."AX"]\nservice_level = 0.99\n')
    with pytest.raises(RulesError, match=r"service_target"):
        from_toml("[policy.default]\nservice_target = 1.5\n")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[abcd]\na = 0.7\n", ["[abcd]"]),
        ("[abc]\nc = 0.99\n", ["'c'", "[abc]"]),
        ("[window]\nmonths = 12\n", ["'months'", "[window]"]),
        ('[abc]\na = "high"\n', ["[abc] a"]),
        ("[abc]\na = true\n", ["[abc] a"]),
        ("[window]\nweeks = 52.0\n", ["[window] weeks"]),
        ("[abc]\nmeasure = 3\n", ["[abc] measure"]),
        ("[segments]\nhysteresis = 1\n", ["[segments] hysteresis"]),
        ('[segments]\ncriteria = "abc"\n', ["[segments] criteria"]),
        ("abc = 0.7\n", ["[abc]"]),
        ("[abc]\na = 0.95\nb = 0.95\n", ["[abc] a, b"]),
        ("[abc]\na = 0.96\n", ["[abc] a, b"]),
        ("[abc]\nb = 1.2\n", ["[abc] a, b"]),
        ("[xyz]\nx = 1.0\ny = 0.5\n", ["[xyz] x, y"]),
        ('[abc]\nmeasure = "profit"\n', ["[abc] measure"]),
        ("[alerts]\nband_share = 0.5\n", ["[alerts] band_share"]),
        ('[segments]\ncriteria = ["abc", "colour"]\n', ["[segments] criteria", "colour"]),
        (
            '[segments]\ncriteria = ["abc", "xyz", "pattern", "lifecycle"]\n',
            ["[segments] criteria"],
        ),
        ("[segments]\ncriteria = []\n", ["[segments] criteria"]),
        ('[segments]\ncriteria = ["abc", "abc"]\n', ["[segments] criteria"]),
        ("[segments.names]\nAX = 3\n", ["[segments.names]"]),
        ("[abc\na = 0.7\n", ["not valid TOML"]),
    ],
)
def test_errors_name_the_key(text: str, names: list[str]) -> None:
    with pytest.raises(RulesError) as err:
        from_toml(text, "my.toml")
    msg = str(err.value)
    assert msg.startswith("my.toml: ")
    for name in names:
        assert name in msg


def test_rules_values_are_checked_in_code_too() -> None:
    with pytest.raises(RulesError, match=r"\[abc\] a, b"):
        Rules(abc_a=0.9, abc_b=0.8)
    with pytest.raises(RulesError, match=r"\[segments\] criteria"):
        Rules(criteria=("abc", "xyz", "pattern", "leadtime"))
    with pytest.raises(RulesError, match=r"\[abc\] a, b"):
        Rules().with_(abc_a=0.95)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(RulesError, match="not found") as err:
        read_rules(missing)
    assert str(missing) in str(err.value)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[abc]\n")
    with pytest.raises(RulesError, match="bad.toml"):
        read_rules(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[abc]\nb = 0.5\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"wrong\.toml: .*\[abc\] a, b"):
        read_rules(wrong)


def test_scope_exclude_round_trips_and_must_be_a_list_of_text() -> None:
    r = from_toml('[scope]\nexclude = ["POST", "DOT"]\n')
    assert r.exclude == ("POST", "DOT")
    assert from_toml(to_toml(r)) == r
    with pytest.raises(RulesError, match=r"\[scope\] exclude"):
        from_toml('[scope]\nexclude = "POST"\n')
