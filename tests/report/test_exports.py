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


def test_xlsx_keeps_numbers_as_numbers_with_the_format_of_their_kind() -> None:
    df = pd.DataFrame(
        {
            "segment": ["AX", "=CN"],
            "skus": [273, 45],
            "revenue": [9562027.754, -1.96],
            "revenue_share": [0.505, -1.04e-07],
            "lead_time_mean_days": [44.105, 9.555],
            "first_receipt": pd.to_datetime(["2024-01-02", "2024-03-04"]),
            "unit": ["rate", "days"],
            "value": [0.97, 87.75],
        }
    )
    wb = load_workbook(io.BytesIO(to_xlsx_bytes({"t": df})))
    ax, cn = list(wb["t"].iter_rows(min_row=2))
    assert cn[0].value == "=CN" and cn[0].data_type == "s"  # text, never a formula
    assert [c.value for c in ax[1:5]] == [273, 9562027.754, 0.505, 44.105]  # numbers stay
    assert all(c.data_type == "n" for c in ax[1:5])
    assert [c.number_format for c in ax[1:5]] == ["#,##0", "#,##0.00", "0.0%", "#,##0.0"]
    assert ax[5].number_format == "yyyy-mm-dd"  # a date without a time reads without 00:00
    assert (ax[7].number_format, cn[7].number_format) == ("0.0%", "#,##0.0")  # by the unit


def test_a_csv_export_rounds_each_float_by_its_kind_and_keeps_the_rest() -> None:
    from segstudio.report.columns import CSV_DECIMALS, column_kind
    from segstudio.report.exports import csv_ready

    df = pd.DataFrame(
        {
            "sku": ["=1+1", "B"],
            "revenue": [694.7199999999999, 371118.1095],
            "revenue_share": [0.123456789, 0.00312],
            "boundary_distance": [0.006654214323166818, 1e-12],
            "skus": [3, 4],
        }
    )
    out = csv_ready(df)
    assert out.loc[0, "sku"] == "'=1+1"
    assert list(out["revenue"]) == [694.72, 371118.11]
    for col in ("revenue", "revenue_share", "boundary_distance"):
        places = CSV_DECIMALS[column_kind(col)]
        assert (out[col] - df[col]).abs().max() <= 0.5 * 10**-places + 1e-15
    assert list(out["skus"]) == [3, 4] and out["skus"].dtype == df["skus"].dtype
    text = to_csv_bytes(df).decode("utf-8-sig")
    assert "694.72," in text and "9999" not in text
