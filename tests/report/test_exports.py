"""Table exports: text a spreadsheet would run as a formula is escaped (CSV) or stored as text
(XLSX); control characters a workbook cannot hold are dropped, not a crash."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from segstudio.report.exports import escape_formulas, to_csv_bytes, to_xlsx_bytes

RISKY = ["=SUM(A1:A2)", "+1", "-2", "@cmd", "plain", "a-b"]


def test_csv_escapes_formula_text_only() -> None:
    df = pd.DataFrame({"text": RISKY, "n": range(len(RISKY))})
    back = pd.read_csv(io.BytesIO(to_csv_bytes(df)), encoding="utf-8-sig")
    assert list(back["text"]) == ["'=SUM(A1:A2)", "'+1", "'-2", "'@cmd", "plain", "a-b"]
    assert list(back["n"]) == list(range(len(RISKY)))
    assert list(escape_formulas(pd.DataFrame({"n": [-1.5]}))["n"]) == [-1.5]  # numbers stay


def test_xlsx_keeps_formula_text_as_text_and_drops_control_characters() -> None:
    df = pd.DataFrame({"text": [*RISKY, "bell\x07here"], "n": [*range(len(RISKY)), 9.5]})
    wb = load_workbook(io.BytesIO(to_xlsx_bytes({"t": df})))
    rows = list(wb["t"].iter_rows(min_row=2))
    for row, expected in zip(rows, RISKY, strict=False):
        assert row[0].value == expected and row[0].data_type == "s"
    assert rows[-1][0].value == "bellhere"
    assert rows[-1][1].value == 9.5 and rows[-1][1].data_type == "n"
