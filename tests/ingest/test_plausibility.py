"""Plausibility (#11): values that parse but are hard to believe are warned about per column,
with a count and examples, and their rows stay accepted."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from segstudio.ingest.plausibility import (
    EARLIEST_PLAUSIBLE_DATE,
    MAX_PLAUSIBLE_LEAD_TIME_DAYS,
    OUTSIZED_FACTOR,
    latest_plausible_date,
    outsized_bound,
)
from tests.builders import load_texts

D = dt.date
SALES = "sku,date,quantity\nA,2010-12-01,1\n"


def load_text(tmp_path: Path, **texts: str):
    return load_texts(tmp_path, **texts)[1]


def about(report, word: str) -> list[str]:
    return [w for w in report.warnings if word in w]


def test_dates_before_1990_are_warned_and_kept(tmp_path):
    text = "sku,date,quantity\nA,1989-12-31,1\nB,1990-01-01,1\nC,1907-01-10,1\nD,2010-01-01,1\n"
    r = load_text(tmp_path, sales=text)["sales"]
    assert (r.read, r.accepted, r.rejected) == (4, 4, 0)
    assert about(r, "before") == [
        "sales.csv, column 'date': 2 dates before 1990 (earliest: 1907-01-10, 1989-12-31); "
        "rows kept: check the date format"
    ]


def test_dates_after_next_year_are_warned_and_next_year_is_not(tmp_path):
    last = latest_plausible_date(dt.date.today())
    beyond = last + dt.timedelta(days=1)
    text = f"sku,date,quantity\nA,{last},1\nB,{beyond},1\nC,2010-01-01,1\n"
    r = load_text(tmp_path, sales=text)["sales"]
    assert r.accepted == 3
    assert about(r, "after") == [
        f"sales.csv, column 'date': 1 date after {last.year} (latest: {beyond}); rows kept: "
        "check the date format"
    ]


def test_latest_plausible_date_is_the_end_of_next_year():
    assert latest_plausible_date(D(2026, 12, 1)) == D(2027, 12, 31)
    assert latest_plausible_date(D(2026, 1, 1)) == D(2027, 12, 31)
    assert D(1990, 1, 1) == EARLIEST_PLAUSIBLE_DATE


def test_every_date_column_is_checked_and_named(tmp_path):
    text = (
        "supplier,sku,order_date,receipt_date,promised_date\nS,A,2010-01-01,2010-01-09,1970-01-01\n"
    )
    r = load_text(tmp_path, sales=SALES, suppliers=text)["suppliers"]
    assert about(r, "before 1990") == [
        "suppliers.csv, column 'promised_date': 1 date before 1990 (earliest: 1970-01-01); "
        "rows kept: check the date format"
    ]


@pytest.mark.parametrize(
    ("lead_days", "warned"),
    [(-1, "before their order"), (0, None), (730, None), (731, "over 730 days")],
)
def test_lead_times_negative_or_over_two_years_are_warned_and_kept(tmp_path, lead_days, warned):
    order = D(2010, 1, 1)
    receipt = order + dt.timedelta(days=lead_days)
    text = f"supplier,sku,order_date,receipt_date\nS,A,{order},{receipt}\nS,A,{order},2010-01-15\n"
    r = load_text(tmp_path, sales=SALES, suppliers=text)["suppliers"]
    assert (r.accepted, r.rejected) == (2, 0)
    found = about(r, "lead time")
    if warned is None:
        assert found == []
    else:
        assert len(found) == 1 and warned in found[0]
        assert found[0].startswith("suppliers.csv, columns 'order_date' to 'receipt_date': 1 ")
        assert f"ordered {order}, received {receipt} ({lead_days:,} days)" in found[0]
    assert MAX_PLAUSIBLE_LEAD_TIME_DAYS == 730


def test_a_quantity_far_outside_the_files_own_range_is_warned_and_kept(tmp_path):
    # Quartiles of the non-zero sizes 1, 2, 3: the bound is 1,000 x 2 (the log fence, 3 x 3^3
    # = 81, is smaller). 2,000 is not beyond it; -80,995 is.
    lines = [f"S{i},2010-12-01,{1 + i % 3}" for i in range(30)]
    lines += ["X,2010-12-01,2000", "Y,2010-12-01,-80995", "Z,2010-12-01,0"]
    r = load_text(tmp_path, sales="sku,date,quantity\n" + "\n".join(lines) + "\n")["sales"]
    assert (r.read, r.accepted, r.rejected) == (33, 33, 0)
    assert about(r, "own range") == [
        "sales.csv, column 'quantity': 1 value far outside the column's own range (larger "
        f"than 2,000: {OUTSIZED_FACTOR:,} times the median size, or more where the values "
        "spread widely), e.g. -80,995; rows kept: check the unit or a typing error"
    ]


def test_a_column_spread_over_decades_is_its_own_range(tmp_path):
    # On-hand from 1 to 7,943 units, evenly on the log scale: 1,000 x the median (~89) would
    # call the biggest SKUs' stock implausible; the log fence does not.
    lines = [f"S{i},{round(10 ** (i / 10))}" for i in range(40)]
    r = load_text(tmp_path, inventory="sku,on_hand\n" + "\n".join(lines) + "\n")["inventory"]
    assert about(r, "own range") == []


@pytest.mark.parametrize(
    ("quartiles", "bound"),
    [((1.0, 2.0, 3.0), 2000.0), ((10.0, 36.0, 149.0), 149.0 * 14.9**3), ((0.0, 0.0, 5.0), 0.0)],
)
def test_the_bound_is_the_larger_of_1000_medians_and_the_log_fence(quartiles, bound):
    q1, median, q3 = quartiles
    log_fence = 10 ** (math.log10(q3) + 3 * (math.log10(q3) - math.log10(q1))) if q1 else 0.0
    assert outsized_bound(*quartiles) == pytest.approx(max(1000 * median, log_fence))
    assert outsized_bound(*quartiles) == pytest.approx(bound)


def test_prices_are_checked_against_their_own_column(tmp_path):
    lines = [f"S{i},2010-12-01,{1000 + i},{2.5 + i % 2}" for i in range(20)]
    lines.append("X,2010-12-01,1,99999")
    r = load_text(tmp_path, sales="sku,date,quantity,unit_price\n" + "\n".join(lines) + "\n")[
        "sales"
    ]
    flagged = about(r, "own range")
    # Quantities near 1,000 are this file's normal: only the price is outside its range.
    assert len(flagged) == 1 and "column 'unit_price'" in flagged[0] and "99,999" in flagged[0]


def test_too_few_values_give_no_scale(tmp_path):
    text = "sku,date,quantity\nA,2010-12-01,1\nB,2010-12-01,1000000\n"
    assert about(load_text(tmp_path, sales=text)["sales"], "own range") == []


def test_a_rejected_row_is_not_counted(tmp_path):
    # The row with the implausible date is rejected for its quantity: no warning about it.
    text = "sku,date,quantity\nA,1907-01-10,lots\nB,2010-01-01,1\n"
    r = load_text(tmp_path, sales=text)["sales"]
    assert (r.accepted, r.rejected) == (1, 1)
    assert about(r, "before 1990") == []
