"""The Inventory health page through AppTest: it renders on the demo workspace, its headline
figures move the expected way with the cover and obsolete weeks, it follows the segmentation
sliders, the act-on-first list downloads, and it says so when there is no inventory or no age."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from segstudio.common import fmt
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.perform.health import ACT_ON_FIRST_COLUMNS
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGE = "pages/health.py"


def _run(page: str = PAGE) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(page).run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    # The router turns errors into st.error (ui/guard.py): neither may show.
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


_HEADLINE = {  # metric: the per-segment column it totals
    "On-hand value": "value",
    "Excess": "excess_value",
    "Obsolete": "obsolete_value",
    "Write-down exposure": "write_down_exposure",
}


def _number(at: AppTest, label: str) -> float:
    """A headline amount, exactly: the total of the per-segment table (the metric shows it
    compact, "428k", and must read as that total does)."""
    total = float(_table(at, "value_at_risk_share")[_HEADLINE[label]].sum())
    shown = next(m.value for m in at.metric if m.label == label)
    assert shown == fmt.compact(total), (label, shown, total)
    return total


def _headline(at: AppTest) -> dict[str, float]:
    return {label: _number(at, label) for label in _HEADLINE}


def _table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_page_renders_headline_chart_segments_and_act_on_first(app_env: Path) -> None:
    at = _run()
    h = _headline(at)
    assert h["On-hand value"] > 0
    assert 0 < h["Write-down exposure"] <= h["On-hand value"]
    assert 0 <= h["Obsolete"] <= h["On-hand value"] and 0 <= h["Excess"] <= h["On-hand value"]
    assert any("by age" in c.proto.spec for c in at.get("plotly_chart"))
    assert h["On-hand value"] == pytest.approx(_table(at, "value_at_risk_share")["value"].sum())
    act = _table(at, "action")
    assert (act["value_at_risk"].diff().dropna() <= 0).all()
    assert set(act["reason"]) <= {"obsolete", "aged", "excess"}


def test_more_cover_weeks_lower_excess_and_exposure(app_env: Path) -> None:
    at = _run()
    at.radio(key="health.excess_basis").set_value("cover").run()
    _ok(at)
    before = _headline(at)
    at.number_input(key="health.cover_weeks").set_value(52).run()
    _ok(at)
    after = _headline(at)
    assert after["Excess"] < before["Excess"]
    assert after["Write-down exposure"] <= before["Write-down exposure"]
    assert after["On-hand value"] == before["On-hand value"]
    assert after["Obsolete"] == before["Obsolete"]


def test_more_obsolete_weeks_lower_obsolete_and_exposure(app_env: Path) -> None:
    at = _run()
    before = _headline(at)
    at.number_input(key="health.obsolete_weeks").set_value(52).run()
    _ok(at)
    after = _headline(at)
    assert after["Obsolete"] < before["Obsolete"]
    assert after["Write-down exposure"] <= before["Write-down exposure"]
    assert after["Excess"] == before["Excess"]


def test_write_down_rates_move_the_exposure(app_env: Path) -> None:
    at = _run()
    before = _number(at, "Write-down exposure")
    at.slider(key="health.excess_rate").set_value(0).run()
    at.slider(key="health.aged_rate").set_value(0).run()
    _ok(at)
    # Only obsolete stock is written down now, at 100%.
    assert _number(at, "Write-down exposure") == pytest.approx(_number(at, "Obsolete"), abs=1)
    assert _number(at, "Write-down exposure") <= before


def test_segments_follow_the_segmentation_sliders(app_env: Path) -> None:
    at = _run()
    before = _table(at, "value_at_risk_share").set_index("segment")["value"]
    at.session_state["seg.abc_a"] = 0.5  # fewer A SKUs
    at.run()
    _ok(at)
    after = _table(at, "value_at_risk_share").set_index("segment")["value"]
    assert after["AX"] < before["AX"]
    assert after.sum() == pytest.approx(before.sum())


def test_act_on_first_list_downloads_as_csv(app_env: Path) -> None:
    at = _run()
    next(b for b in at.button if b.key == "health.act_on_first_csv.prepare").click().run()
    _ok(at)
    assert at.get("download_button")
    _, data = at.session_state["health.act_on_first_csv.prepared"]
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(table.columns) == list(ACT_ON_FIRST_COLUMNS)
    assert len(table) >= len(_table(at, "action"))


# --------------------------------------------------------------------------- small workspaces
def _write(path: Path, rows: list[dict]) -> SourceFile:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return SourceFile(path)


def _small_workspace(folder: Path, inventory: list[dict] | None) -> Path:
    monday = dt.date(2024, 1, 1)
    sales = [
        {
            "sku": sku,
            "date": monday + dt.timedelta(weeks=i),
            "quantity": q + i % 3,
            "unit_price": 5.0,
        }
        for i in range(30)
        for sku, q in (("P1", 20), ("P2", 5), ("P3", 1))
    ]
    files = {"sales": _write(folder / "sales.csv", sales)}
    if inventory:
        files["inventory"] = _write(folder / "inventory.csv", inventory)
    path = folder / "small.duckdb"
    with Workspace(path) as ws:
        ws.load(files)
    return path


@pytest.fixture()
def point_at(monkeypatch: pytest.MonkeyPatch):
    def use(path: Path) -> None:
        monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(path))
        monkeypatch.chdir(ROOT)

    return use


def test_without_inventory_the_page_says_so(tmp_path: Path, point_at) -> None:
    point_at(_small_workspace(tmp_path, None))
    at = _run()
    assert any("No inventory loaded" in i.value for i in at.info)
    assert not at.metric or all(m.label != "Write-down exposure" for m in at.metric)


def test_without_age_columns_a_caption_names_them(tmp_path: Path, point_at) -> None:
    inventory = [
        {"sku": "P1", "on_hand": 100, "unit_cost": 2.0},
        {"sku": "P2", "on_hand": 40, "unit_cost": 3.0},
    ]
    point_at(_small_workspace(tmp_path, inventory))
    at = _run()
    note = next(c.value for c in at.caption if "No age can be told" in c.value)
    assert "age_days" in note and "receipt_date" in note
    segments = _table(at, "value_at_risk_share")
    assert segments["value_unknown"].sum() == pytest.approx(100 * 2.0 + 40 * 3.0)
