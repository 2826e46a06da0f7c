"""The command's one-line summaries read their counts as the pages do (common.fmt): one SKU is
"1 SKU", never "1 SKUs"; thousands have separators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from segstudio.cli import main
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace

MON = dt.date(2024, 1, 1)  # a Monday


@pytest.fixture()
def one_sku(tmp_path: Path) -> Path:
    """A workspace whose sales are one SKU selling one unit a week for ten weeks."""
    lines = ["sku,date,quantity,unit_price,unit_cost"]
    lines += [f"S1,{MON + dt.timedelta(weeks=i)},1,10,4" for i in range(10)]
    sales = tmp_path / "sales.csv"
    sales.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "one.duckdb"
    with Workspace(path) as ws:
        ws.load({"sales": SourceFile(sales)})
    return path


def _out(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out.strip()


def test_classify_of_one_sku_says_one_sku_in_one_segment(
    one_sku: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.csv"
    assert _out(capsys, "classify", "--workspace", one_sku, "--out", out) == (
        f"1 SKU in 1 segment (0 overridden) -> {out}"
    )


def test_alerts_count_the_skus_of_the_portfolio(
    one_sku: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a.csv"
    assert _out(capsys, "alerts", "--workspace", one_sku, "--out", out).startswith(
        "0 of 1 SKU within the band of a boundary"
    )


def test_features_of_one_sku_name_the_window_by_its_dates(
    one_sku: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.csv"
    text = _out(capsys, "features", "--workspace", one_sku, "--weeks", "8", "--out", out)
    # The last sale is on Monday 2024-03-04: its week ends on the 10th; 8 weeks start Jan 15.
    assert text == f"1 SKU, 8 weeks from 2024-01-15 to 2024-03-10 -> {out}"


def test_policy_of_one_sku_gives_its_totals_in_whole_units(
    one_sku: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.csv"
    text = _out(capsys, "policy", "--workspace", one_sku, "--out", out)
    assert text.startswith("1 SKU (1 stocked), safety stock value ")
    cycle = text.split("cycle stock value ")[1].split(" -> ")[0]
    assert cycle.replace(",", "").isdigit()  # whole units, no cents even below 100
