"""Property: a malformed CSV never breaks a load.

Hypothesis writes sales files with random cells (empty, blank, text in numbers, bad dates,
quotes, delimiters and newlines inside cells, unicode) and records with too many or too few
fields, and blank lines between records. Loading one either raises :class:`UnusableFileError`
or accounts for every record: read == accepted + rejected == records written, each rejected
record is listed under its own row number as a spreadsheet shows it (header = row 1, a record
is one row even with line breaks in quoted fields, a blank line is a row), and the records with
a wrong number of fields are the ones rejected as such.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segstudio import SourceFile, UnusableFileError, Workspace
from segstudio.ingest.readers import peek_columns
from segstudio.ingest.workspace import EmptyLoadError

HEADER = ["sku", "date", "quantity", "unit_price", "customer"]

_good = st.sampled_from(
    [
        "0055-S",
        "00123",
        "85123A",
        "85123a",
        "2010-12-01",
        "12/1/2010 8:26",
        "2-Jun-06",
        "40513",
        "1998-01",
        "3",
        "-2",
        "0",
        "1,234.50",
        "$1,200",
        "€3.50",
        "1.234,50",
        "(12.50)",
        "7.25",
    ]
)
_bad = st.sampled_from(
    [
        "",
        " ",
        "  \t ",
        "abc",
        "n/a",
        "NaN",
        "inf",
        "31/31/2010",
        "2010-13-45",
        "12..5",
        "1,2,3",
        "--1",
        "(",
        "$",
        "💥",
        "ß",
        "Ünïcödé",
        "日本語",
        "'quoted'",
        '"',
        '""',
        'say "hi"',
        "a,b",
        "a;b",
        "a\tb",
        "line\nbreak",
        "cr\rlf",
        "crlf\r\nx",
        ",",
        ";",
        "\\",
        '\\"',
    ]
)
_cell = st.one_of(
    _good,
    _bad,
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=12,
    ),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
# Most records have the header's five fields; some have too few or too many.
_record = st.one_of(
    st.lists(_cell, min_size=5, max_size=5),
    st.lists(_cell, min_size=5, max_size=5),
    st.lists(_cell, min_size=5, max_size=5),
    st.lists(_cell, min_size=1, max_size=8),
)


def _render(
    records: list[list[str]],
    delimiter: str,
    eol: str,
    bom: bool,
    quote_all: bool,
    blank_before: frozenset[int] = frozenset(),
) -> bytes:
    """RFC 4180 text, with a blank line before each record whose index is in ``blank_before``.
    (The csv module is not used: with ``lineterminator="\\n"`` it leaves a bare ``\\r`` in a
    cell unquoted, which every reader takes for a line break.)"""

    def field(cell: str) -> str:
        if quote_all or any(ch in cell for ch in (delimiter, '"', "\r", "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    def line(record: list[str]) -> str:
        return '""' if record == [""] else delimiter.join(field(c) for c in record)

    lines = [line(HEADER)]
    for i, rec in enumerate(records):
        lines += [""] * (i in blank_before) + [line(rec)]
    text = eol.join(lines) + eol
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _row(i: int, blank_before: frozenset[int]) -> int:
    """The row number of record ``i`` (from 0): after the header and the blank lines above it."""
    return i + 2 + sum(b <= i for b in blank_before)


def _sniffed(path) -> tuple[str, str] | None:
    """The delimiter and quote the product reads ``path`` with, or None if DuckDB's sniffer
    settles on nothing: the sniffer's, except that a file it reads with single quotes, or with
    double quotes in it read without quoting, is read with double quotes if the sniffer accepts
    them."""
    sql = "SELECT Delimiter, Quote FROM sniff_csv(?, header = true, store_rejects = true{})"
    con = duckdb.connect()
    try:
        delim, quote = con.execute(sql.format(""), [str(path)]).fetchone()
        if quote == "'" or (quote == "(empty)" and b'"' in path.read_bytes()):
            try:
                con.execute(
                    sql.format(", delim = ?, quote = '\"', escape = '\"'"), [str(path), delim]
                )
                quote = '"'
            except duckdb.Error:
                pass
        return delim, quote
    except duckdb.Error:
        return None
    finally:
        con.close()


def _malformed(record: list[str]) -> bool:
    """Too few fields, or too many. Empty fields after the last column are a trailing
    delimiter, which readers (DuckDB included) forgive: nothing is lost."""
    n = len(HEADER)
    return len(record) < n or any(c != "" for c in record[n:])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    records=st.lists(_record, min_size=1, max_size=25),
    delimiter=st.sampled_from([",", ";", "\t"]),
    eol=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    quote_all=st.booleans(),
    blank_before=st.one_of(st.just(frozenset()), st.frozensets(st.integers(0, 24), max_size=4)),
)
def test_malformed_csv_accounts_for_every_record(
    tmp_path_factory, records, delimiter, eol, bom, quote_all, blank_before
):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "sales.csv"
    path.write_bytes(_render(records, delimiter, eol, bom, quote_all, blank_before))
    n = len(records)
    row_of = [_row(i, blank_before) for i in range(n)]
    with Workspace(folder / "w.duckdb") as ws:
        try:
            _, reports = ws.load({"sales": SourceFile(path)})
        except UnusableFileError as exc:
            assert "sales.csv" in str(exc)
            assert ws.table_counts()["sales"] == 0
            return
        r = reports["sales"]
        assert r.read == r.accepted + r.rejected == n
        rows = r.rejects["row"].tolist()
        assert set(rows) <= set(row_of), (rows, row_of)
        # One row number per rejected record (a record can have several problems).
        assert len(set(rows)) == r.rejected
        assert ws.table_counts()["sales"] == r.accepted
        with ws.connect() as con:
            saved = con.execute("SELECT count(DISTINCT row), count(*) FROM load_rejects").fetchone()
        assert saved == (r.rejected, len(r.rejects))

        # (A sniffed single quote is read as a double quote by the product.)
        quotes_ok = ['"', "'"] + ([] if '"' in path.read_text("utf-8") else ["(empty)"])
        sniffed = _sniffed(path)
        if (
            peek_columns(path) != HEADER
            or sniffed is None
            or sniffed[0] != delimiter
            or sniffed[1] not in quotes_ok
        ):
            # The sniffer read another dialect (a few records can fit several, e.g.
            # '"1,2,3","a,b"' is five fields without quoting): the counts above still hold.
            return
        # The records with a wrong number of fields are rejected as such, under their row.
        malformed = {row_of[i] for i, rec in enumerate(records) if _malformed(rec)}
        record_rejects = set(r.rejects.loc[r.rejects["field"].isna(), "row"].tolist())
        assert record_rejects == malformed
        # Well-formed records with a blank SKU are rejected for it, under their own row number
        # (rows after a malformed record or a blank line are numbered past it).
        blank_sku = {
            row_of[i] for i, rec in enumerate(records) if not _malformed(rec) and not rec[0].strip()
        }
        assert set(r.rejects.loc[r.rejects["field"] == "sku", "row"].tolist()) == blank_sku
        # Accepted SKUs are the trimmed SKU cells of well-formed records.
        with ws.connect() as con:
            skus = [s for (s,) in con.execute("SELECT sku FROM sales").fetchall()]
        candidates = Counter(rec[0].strip() for rec in records if not _malformed(rec))
        assert not Counter(skus) - candidates, (skus, candidates)
        assert "" not in skus and None not in skus


# --------------------------------------------------------------------------- found by the property
def test_quoted_delimiter_and_line_break_with_malformed_records(tmp_path):
    """A file whose few malformed records fit "no quoting" better than double quotes: DuckDB's
    sniffer then read ``"a;b"`` as two fields and the two-line record as two records (9 rows
    read for 8 records). Read with double quotes, each record is one row, counted once."""
    records = [["0055-S"] * 5] * 5 + [
        ["0055-S"] * 3 + ["a;b"],
        ["0055-S"],
        ["0055-S"] * 4 + ["line\nbreak", "0055-S"],
    ]
    data = _render(records, ";", "\n", bom=False, quote_all=False)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows([HEADER, *records])
    assert data == out.getvalue().encode()  # as the csv module writes it
    path = tmp_path / "sales.csv"
    path.write_bytes(data)
    with Workspace(tmp_path / "w.duckdb") as ws:
        staging = ws.stage({"sales": SourceFile(path)})
        r = staging.reports["sales"]
        assert (r.read, r.accepted, r.rejected) == (8, 0, 8)
        got = r.rejects[["row", "field", "value"]].values.tolist()
        reasons = r.rejects["reason"].tolist()
        # Rows 2-6: '0055-S' is neither a date nor a number.
        for i, row in enumerate(range(2, 7)):
            assert got[3 * i : 3 * i + 3] == [
                [row, "date", "0055-S"],
                [row, "quantity", "0055-S"],
                [row, "unit_price", "0055-S"],
            ]
            assert reasons[3 * i : 3 * i + 3] == [
                "unparseable date",
                "text in a number",
                "text in a number",
            ]
        # Rows 7-9: the wrong number of fields, each record once, under its first line.
        assert got[15:] == [
            [7, None, '0055-S;0055-S;0055-S;"a;b"'],
            [8, None, "0055-S"],
            [9, None, '0055-S;0055-S;0055-S;0055-S;"line\nbreak";0055-S'],
        ]
        assert reasons[15].startswith("missing columns") and "Found: 4" in reasons[15]
        assert reasons[16].startswith("missing columns") and "Found: 1" in reasons[16]
        assert reasons[17].startswith("too many columns") and "Found: 6" in reasons[17]
        assert len(got) == 18
        per_row = r.rejects.groupby("row").size()
        assert list(per_row.items()) == [
            (2, 3),
            (3, 3),
            (4, 3),
            (5, 3),
            (6, 3),
            (7, 1),
            (8, 1),
            (9, 1),
        ]
        # No row was accepted: the load is refused and the (empty) sales table stays as it was.
        with pytest.raises(EmptyLoadError, match="no row was accepted"):
            ws.commit(staging)
        assert ws.table_counts()["sales"] == 0
        with ws.connect() as con:
            assert con.execute("SELECT count(*) FROM loads").fetchone() == (0,)
