"""The QBR's segment matrix follows the ABC measure the classes use: on a file without prices
ABC falls back to quantity, and the pack's note, table and heatmap say so (not "on revenue")."""

from __future__ import annotations

from pathlib import Path

from segstudio.ingest.workspace import Workspace
from segstudio.report import qbr
from segstudio.report.document import Section
from tests.builders import build_bare_workspace


def _matrix(ws_path: Path) -> Section:
    d = qbr.gather(Workspace(ws_path))
    return qbr.story(d, "matrix")


def test_the_matrix_story_says_quantity_when_the_file_has_no_prices(tmp_path: Path) -> None:
    section = _matrix(build_bare_workspace(tmp_path / "w.duckdb", tmp_path, skus=80, weeks=30))
    notes = " ".join(section.notes)
    assert "ABC on quantity" in notes and "ABC on revenue" not in notes
    assert "no SKU has a revenue" in notes  # why it is not on revenue, and which columns would
    assert section.table is not None and "quantity_share" in section.table.columns
    shares = section.table["quantity_share"]
    assert abs(float(shares.sum()) - 1.0) < 1e-9  # the cells' shares of quantity add up
    heat = section.figure.data[0]
    assert any("of quantity" in str(t) for row in heat.text for t in row)


def test_the_matrix_story_says_revenue_on_the_demo(demo_workspace_template: Path) -> None:
    section = _matrix(demo_workspace_template)
    notes = " ".join(section.notes)
    assert "ABC on revenue" in notes and "no SKU has" not in notes
    assert section.table is not None and "quantity_share" not in section.table.columns
