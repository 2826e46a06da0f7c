"""The Suppliers page through AppTest on the demo workspace: it renders, shows the supplier
table with tiers, the trend follows the chosen supplier, the segment columns follow the
Segmentation sliders, and a workspace without receipts gets a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace
from segstudio.perform.suppliers import ALL_SUPPLIERS, TIERS
from tests.conftest import ROOT, open_page


def _run(page: str = "pages/suppliers.py") -> AppTest:
    return open_page(page)


# AppTest does not expose a dataframe's key: each table is found by a column only it has.
TABLES = {
    "suppliers": "tier",
    "segments": "line_share",
    "trend": "complete",
    "dual": "supplier_lead_time_cov",
}


def _table(at: AppTest, name: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if TABLES[name] in d.value.columns)


def _chart_title(at: AppTest, key: str) -> str:
    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    return json.loads(chart.proto.spec)["layout"]["title"]["text"]


def test_page_renders_the_supplier_table_with_tiers(app_env: Path) -> None:
    at = _run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Suppliers"] == "25"  # the demo's SUP-01 .. SUP-25
    assert int(metrics["Receipt lines"].replace(",", "")) > 0
    assert metrics["OTIF"].endswith("%")
    table = _table(at, "suppliers")
    assert len(table) == 25 and table["supplier"].is_unique
    assert set(table["tier"]) <= set(TIERS) and "strategic" in set(table["tier"])
    assert table["tier_reason"].str.contains("of spend").all()
    assert table["otif_rate"].between(0, 1).all()
    assert (table["segments"] != "").all()
    assert not _table(at, "dual").empty


def test_choosing_a_supplier_redraws_the_trend(app_env: Path) -> None:
    at = _run()
    assert at.selectbox(key="sup.trend_supplier").value == ALL_SUPPLIERS
    assert _chart_title(at, "sup.trend_chart").startswith(f"{ALL_SUPPLIERS} by quarter")
    at.selectbox(key="sup.trend_supplier").set_value("SUP-07").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _chart_title(at, "sup.trend_chart").startswith("SUP-07 by quarter")
    trend = _table(at, "trend")
    assert len(trend) >= 4 and not trend["complete"].all()  # partial first and last quarters


def test_segment_columns_follow_the_segmentation_sliders(app_env: Path) -> None:
    at = _run()
    before = _table(at, "segments")
    assert {"AX", "CZ"} <= set(before["segment"])
    at.session_state["seg.criteria"] = ["abc"]  # segment on ABC alone
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    after = _table(at, "segments")
    assert set(after["segment"]) <= {"A", "B", "C", "(not segmented)"}
    # The same receipt lines, split differently.
    assert after["lines"].sum() == before["lines"].sum()


def test_a_workspace_without_receipts_says_so(tmp_path: Path, monkeypatch) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("sku,date,quantity\nS1,2024-01-01,3\nS1,2024-01-08,2\n", encoding="utf-8")
    ws_path = tmp_path / "w.duckdb"
    with Workspace(ws_path) as ws:
        ws.load({"sales": SourceFile(sales)})
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(ws_path))
    monkeypatch.chdir(ROOT)
    at = _run()
    assert any("No supplier receipts" in i.value for i in at.info)
    assert not at.dataframe
