"""The workshop's decisions in the workspace: official rules with history, overrides, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from segstudio.config.rules import Rules, from_toml
from segstudio.errors import SegStudioError
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.segment import decisions as d
from tests.builders import write_sales

# One unit a week for 10 weeks at these prices: revenue 550, 220, 120, 70, 40 (total 1000),
# so the Pareto share before each SKU is 0, .55, .77, .89, .96.
PRICES = {"S1": 55, "S2": 22, "S3": 12, "S4": 7, "S5": 4}


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.duckdb"
    with Workspace(path) as ws:
        _, reports = ws.load({"sales": SourceFile(write_sales(tmp_path / "sales.csv", PRICES))})
    assert reports["sales"].rejected == 0
    return path


@pytest.fixture()
def tiny_ws(tiny: Path):
    with Workspace(tiny) as w:
        yield w


@pytest.fixture()
def ws(tmp_path: Path):
    with Workspace(tmp_path / "empty.duckdb") as w:
        yield w


def test_defaults_when_nothing_was_decided(ws: Workspace) -> None:
    assert d.official_rules(ws) == Rules()
    assert d.official_history(ws).empty
    assert list(d.official_history(ws).columns) == [
        "id",
        "adopted_at",
        "adopted_by",
        "reason",
        "rules_toml",
    ]
    assert d.list_overrides(ws).empty
    assert d.active_overrides(ws) == {}
    assert d.audit_log(ws).empty


def test_adopt_history_and_restore_round_trip(tmp_path: Path) -> None:
    first = Rules(abc_a=0.7, xyz_x=0.4, names={"AX": "core runners"})
    second = Rules(criteria=("abc", "pattern"), hysteresis=True, weeks=26)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    path = tmp_path / "w.duckdb"
    with Workspace(path) as ws:
        id1 = d.adopt(ws, first, "ana", "workshop 1: tighter A")
        id2 = d.adopt(ws, second, "ben", "workshop 2: patterns")
        assert d.official_rules(ws) == second
        id3 = d.restore(ws, id1, "carla", "back to workshop 1")
        assert len({id1, id2, id3}) == 3
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
    with Workspace(path) as ws:  # survives closing and reopening
        assert d.official_rules(ws) == first
        hist = d.official_history(ws)
    assert list(hist["id"]) == [id3, id2, id1]
    assert list(hist["adopted_by"]) == ["carla", "ben", "ana"]
    assert list(hist["reason"]) == [
        f"back to workshop 1 (restores #{id1})",
        "workshop 2: patterns",
        "workshop 1: tighter A",
    ]
    assert from_toml(hist["rules_toml"].iloc[2]) == first
    assert from_toml(hist["rules_toml"].iloc[1]) == second
    assert hist["rules_toml"].iloc[0] == hist["rules_toml"].iloc[2]
    # Stored in UTC: between the UTC clock before and after.
    times = pd.to_datetime(hist["adopted_at"])
    assert ((times >= before) & (times <= after)).all()
    assert times.is_monotonic_decreasing


@pytest.mark.parametrize(
    "who, why", [("", "a reason"), ("  ", "a reason"), ("ana", ""), ("ana", " \t")]
)
def test_adopt_refuses_without_name_or_reason(ws: Workspace, who: str, why: str) -> None:
    with pytest.raises(SegStudioError, match="required"):
        d.adopt(ws, Rules(abc_a=0.6), who, why)
    assert d.official_history(ws).empty
    assert d.audit_log(ws).empty
    assert d.official_rules(ws) == Rules()


def test_restore_refuses_unknown_id_and_empty_reason(ws: Workspace) -> None:
    first = d.adopt(ws, Rules(abc_a=0.6), "ana", "first")
    with pytest.raises(SegStudioError, match="#999"):
        d.restore(ws, 999, "ana", "try")
    with pytest.raises(ValueError, match="no official rules #999"):  # also a ValueError
        d.restore(ws, 999, "ana", "try")
    with pytest.raises(SegStudioError, match="required"):
        d.restore(ws, first, "ana", "")
    assert list(d.official_history(ws)["id"]) == [first]
    assert len(d.audit_log(ws)) == 1


def test_overrides_set_replace_remove_and_expire(tiny_ws: Workspace) -> None:
    ws = tiny_ws
    d.set_override(ws, "S1", "AX", "key customer launch", "ana")
    d.set_override(ws, "S1", "BY", "launch delayed", "ben")  # replaces
    d.set_override(ws, "S2", "CZ", "phase-out agreed", "ana", expires=dt.date(2024, 3, 1))
    listed = d.list_overrides(ws, today=dt.date(2024, 3, 1))
    assert list(listed.columns) == [
        "sku",
        "segment",
        "reason",
        "expires",
        "created_by",
        "created_at",
        "active",
    ]
    assert list(listed["sku"]) == ["S1", "S2"]
    s1 = listed.set_index("sku").loc["S1"]
    assert (s1["segment"], s1["reason"], s1["created_by"]) == ("BY", "launch delayed", "ben")
    assert pd.isna(s1["expires"])
    assert list(listed["active"]) == [True, True]  # active through its expiry day
    assert d.active_overrides(ws, dt.date(2024, 3, 1)) == {"S1": "BY", "S2": "CZ"}
    # The day after: expired, no longer active, still listed.
    assert d.active_overrides(ws, dt.date(2024, 3, 2)) == {"S1": "BY"}
    later = d.list_overrides(ws, today=dt.date(2024, 3, 2)).set_index("sku")
    assert not later.loc["S2", "active"]
    assert pd.Timestamp(later.loc["S2", "expires"]).date() == dt.date(2024, 3, 1)
    d.remove_override(ws, "S1", "carla")
    assert d.active_overrides(ws, dt.date(2024, 1, 1)) == {"S2": "CZ"}
    with pytest.raises(SegStudioError, match="'S1' has no override"):
        d.remove_override(ws, "S1", "carla")
    for bad in ({"reason": ""}, {"created_by": " "}, {"segment": ""}, {"sku": ""}):
        args = {"sku": "S3", "segment": "AX", "reason": "why", "created_by": "ana"} | bad
        with pytest.raises(SegStudioError, match="required"):
            d.set_override(ws, **args)
    assert list(d.list_overrides(ws)["sku"]) == ["S2"]


def test_overrides_survive_a_new_data_load(tiny: Path, tmp_path: Path) -> None:
    with Workspace(tiny) as ws:
        d.set_override(ws, "S5", "CZ", "strategic part", "ana")
        _, seg = d.segment_skus(ws)
        assert seg.overridden.sum() == 1
        v1 = ws.version()
        # New sales without S5: the override stays, matching nothing.
        ws.load({"sales": SourceFile(write_sales(tmp_path / "new1.csv", {"S1": 3, "S9": 2}))})
        assert ws.version() > v1
        assert d.active_overrides(ws) == {"S5": "CZ"}
        p, seg = d.segment_skus(ws)
        assert list(p.sku) == ["S1", "S9"] and not seg.overridden.any()
        # S5 is back in the next load: the override applies again.
        ws.load({"sales": SourceFile(write_sales(tmp_path / "new2.csv", {"S1": 1, "S5": 9}))})
        p, seg = d.segment_skus(ws)
        # S5 (90 of 100) would be AX but is overridden; S1's share before is .9: B.
        assert list(seg.segment) == ["BX", "CZ"]
        assert list(seg.overridden) == [False, True]
    with Workspace(tiny) as ws:
        assert list(d.list_overrides(ws)["reason"]) == ["strategic part"]


def test_audit_log_records_each_action(tiny: Path) -> None:
    with Workspace(tiny) as ws:
        first = d.adopt(ws, Rules(abc_a=0.7), "ana", "tighter A")
        d.adopt(ws, Rules(), "ben", "defaults")
        third = d.restore(ws, first, "carla", "tighter after all")
        d.set_override(ws, "S4", "AX", "promo", "dan", expires=dt.date(2030, 1, 31))
        d.set_override(ws, "S4", "BX", "promo shortened", "dan")
        d.remove_override(ws, "S4", "eve")
        log = d.audit_log(ws)
    assert list(log.columns) == ["at", "who", "action", "detail"]
    assert list(log["action"]) == [
        "remove_override",
        "set_override",
        "set_override",
        "restore",
        "adopt",
        "adopt",
    ]
    assert list(log["who"]) == ["eve", "dan", "dan", "carla", "ben", "ana"]
    assert list(log["detail"]) == [
        "SKU S4 (was BX)",
        "SKU S4 -> BX (was AX): promo shortened",
        "SKU S4 -> AX until 2030-01-31: promo",
        f"official rules #{third} restored from #{first}: tighter after all (restores #{first})",
        f"official rules #{first + 1}: defaults",
        f"official rules #{first}: tighter A",
    ]
    assert pd.to_datetime(log["at"]).is_monotonic_decreasing


def test_segment_skus_uses_official_rules_overrides_and_hysteresis(tiny: Path) -> None:
    with Workspace(tiny) as ws:
        p, seg = d.segment_skus(ws)
        assert list(p.sku) == ["S1", "S2", "S3", "S4", "S5"]
        # Shares before: 0, .55, .77, .89, .96 -> A A A B C; constant demand: CoV 0 -> X.
        assert list(seg.segment) == ["AX", "AX", "AX", "BX", "CX"]
        d.adopt(ws, Rules(abc_a=0.5), "ana", "fewer A")
        assert list(d.segment_skus(ws)[1].segment) == ["AX", "BX", "BX", "BX", "CX"]
        d.adopt(ws, Rules(), "ana", "back to defaults")
        # a = .76: S3 (.77) would be B, .01 past the boundary, within the .02 band.
        moved = Rules(abc_a=0.76)
        assert list(d.segment_skus(ws, moved)[1].segment) == ["AX", "AX", "BX", "BX", "CX"]
        _, kept = d.segment_skus(ws, moved.with_(hysteresis=True))
        assert list(kept.segment) == ["AX", "AX", "AX", "BX", "CX"]
        assert list(kept.kept_by_hysteresis) == [False, False, True, False, False]
        # Another window than the official one: the baseline has its own feature table, and
        # the portfolio is on the rules' window.
        p8, kept8 = d.segment_skus(ws, moved.with_(hysteresis=True, weeks=8))
        assert list(kept8.segment) == ["AX", "AX", "AX", "BX", "CX"]
        assert set(p8.features["weeks_active"]) == {8}
        # Overrides: an active one applies, an expired one does not.
        d.set_override(ws, "S5", "AX", "strategic", "ana")
        d.set_override(ws, "S1", "CZ", "old promo", "ana", expires=dt.date(2024, 1, 31))
        _, seg = d.segment_skus(ws, today=dt.date(2024, 2, 1))
        assert list(seg.segment) == ["AX", "AX", "AX", "BX", "AX"]
        assert list(seg.overridden) == [False, False, False, False, True]
        _, seg = d.segment_skus(ws, today=dt.date(2024, 1, 31))
        assert list(seg.segment) == ["CZ", "AX", "AX", "BX", "AX"]


def test_segment_skus_without_sales(ws: Workspace) -> None:
    with pytest.raises(SegStudioError, match="no sales loaded"):
        d.segment_skus(ws)


def test_an_override_of_an_sku_not_in_the_data_is_refused_and_nothing_is_saved(
    tiny_ws: Workspace,
) -> None:
    for sku in ("S6", "s1", "S1x"):  # SKU codes are text: another case is another SKU
        with pytest.raises(SegStudioError, match=f"SKU '{sku}' is not in the data"):
            d.set_override(tiny_ws, sku, "AX", "launch", "ana")
    assert d.list_overrides(tiny_ws).empty
    assert d.audit_log(tiny_ws).empty


def test_an_override_needs_data_loaded(ws: Workspace) -> None:
    with pytest.raises(SegStudioError, match="'S1' is not in the data"):
        d.set_override(ws, "S1", "AX", "launch", "ana")
    assert d.list_overrides(ws).empty


def test_an_sku_known_only_from_the_inventory_file_can_be_overridden(
    tiny: Path, tmp_path: Path
) -> None:
    stock = tmp_path / "inventory.csv"
    stock.write_text("sku,on_hand\nS1,4\nSTOCK-ONLY,7\n")
    with Workspace(tiny) as ws:
        ws.load({"inventory": SourceFile(stock)})
        d.set_override(ws, "STOCK-ONLY", "CZ", "slow mover on the shelf", "ana")
        assert d.active_overrides(ws) == {"STOCK-ONLY": "CZ"}
