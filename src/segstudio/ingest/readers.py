"""Reading a user's file into a DuckDB staging table, without passing large files through pandas.

Supported: CSV (delimiter, quoting, line endings and header sniffed by DuckDB; encoding sniffed
here: UTF-8, UTF-8 with BOM, UTF-16 with BOM, else latin-1, read as Windows-1252 where it has
bytes latin-1 leaves to control codes, e.g. ``€`` and ``’``), the same gzip-compressed, XLSX
through openpyxl (DuckDB's excel extension needs a download), and Parquet.

Every staged file numbers its records as a spreadsheet shows them (the header is row 1, the
first data row is row 2): a workbook's rows carry a ``__row`` column, a Parquet file's and a
CSV's are numbered by position. In a CSV a record is one row even when a quoted field spans
several lines, and a blank line is a row of its own (as a spreadsheet opening the file shows
them, and as DuckDB numbers the records it rejects); DuckDB skips blank lines silently, so
:attr:`StagedFile.skipped_lines` finds them when row numbers are needed. Every column except
``__row`` is text, so validation sees exactly what the file says: ``0055-S`` and ``85123a``
survive as written.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import gzip
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

import duckdb
import numpy as np

from segstudio.common.sql import drop_table, ident, one_row, run, table_columns
from segstudio.errors import UnusableFileError
from segstudio.ingest import sql as q

__all__ = [
    "SourceFile",
    "StagedFile",
    "detect_kind",
    "list_sheets",
    "peek_columns",
    "sniff_encoding",
    "stage_file",
]

_SNIFF_BYTES = 1 << 20
_SCAN_BYTES = 1 << 22  # chunk of the line scan (a few arrays of this many bytes at a time)
_XLSX_CHUNK_ROWS = 50_000
_T = TypeVar("_T")


def _latin1_undefined(error: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined keep their latin-1 meaning (as browsers do)."""
    e = cast(UnicodeDecodeError, error)  # registered for decoding only
    return e.object[e.start : e.end].decode("latin-1"), e.end


codecs.register_error("segstudio.latin1", _latin1_undefined)


@dataclass
class SourceFile:
    """A file to load: its path, the name to show the user, and the sheet for a workbook."""

    path: Path
    label: str = ""
    sheet: str | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.label:
            self.label = self.path.name


@dataclass
class StagedFile:
    """A file ready to be parsed: a FROM clause that yields its rows as text, and its columns.

    ``source`` is SQL text with ``?`` placeholders bound by ``params``; ``row_expr`` gives each
    record's row number. For a CSV, records DuckDB cannot split into fields land in the
    ``rejects`` table while ``source`` is read (``store_rejects``), and ``sample_source`` reads the
    same file forgivingly, for sniffing date formats.

    A CSV's ``row_expr`` is its position among the records DuckDB kept (``rowid + 2``); its row
    number also counts the lines that hold no kept record before it: the rejected records (in
    ``rejects``) and the lines ``skipped_lines()`` lists, those above the header, the header if
    it is not line 1, and blank lines. That call reads the file again: make it only when there
    are row numbers to show.
    """

    label: str
    source: str
    params: list
    row_expr: str
    columns: list[str]
    types: dict[str, str]
    sample_source: str
    rejects: str | None = None
    temp_tables: list[str] = field(default_factory=list)
    skipped_lines: Callable[[], np.ndarray] | None = None
    # A CSV read in the pass that parses it (not staged as a table first):
    # ``typed(types)`` reads the named columns typed instead (``sniffed`` says which can be),
    # ``fallback()`` stages the file as a text table (when the one pass fails), and
    # ``text_rows()`` stages its records as text for the exact-duplicate hashing, returning
    # (source, row expression) numbered as the parsed table numbers them.
    sniffed: dict[str, str] = field(default_factory=dict)
    typed: Callable[[dict[str, str]], StagedFile] | None = None
    fallback: Callable[[], StagedFile] | None = None
    text_rows: Callable[[], tuple[str, str]] | None = None


def detect_kind(path: Path) -> str:
    """``csv``, ``parquet`` or ``xlsx``, from the file's first bytes (its name can lie)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError as exc:
        raise UnusableFileError(f"{path}: file not found") from exc
    except OSError as exc:
        raise UnusableFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:4] == b"PK\x03\x04":
        return "xlsx"
    return "csv"


def _head_bytes(path: Path) -> bytes:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnusableFileError(f"{path.name}: damaged compressed file ({exc})") from exc


def _utf8_copy_of_windows_1252(path: Path) -> Path:
    """A temporary UTF-8 copy of a (possibly gzipped) Windows-1252 file; the caller deletes it."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    fd, name = tempfile.mkstemp(prefix="segstudio-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out, opener(path, "rb") as fh:
            while chunk := fh.read(_SNIFF_BYTES):  # one byte per character: chunks split safely
                out.write(chunk.decode("cp1252", errors="segstudio.latin1").encode("utf-8"))
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _header_delimiter(head: bytes, encoding: str) -> str | None:
    """The delimiter the header line uses most: ``,``, ``;``, tab or ``|`` (None if none)."""
    codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(encoding, "cp1252")
    text = head.decode(codec, errors="replace" if codec != "cp1252" else "segstudio.latin1")
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _read_csv(
    src: SourceFile, encoding: str, head: bytes, read: Callable[[str, str, dict[str, str]], _T]
) -> _T:
    """``read(path, encoding, dialect options)`` on DuckDB, with two fallbacks.

    DuckDB's sniffer fails on some files with a short first record (``vector::_M_range_check``
    on a lone ``""``): they are read again with the header's delimiter. DuckDB's latin-1
    refuses bytes 0x80-0x9F, which in the files Excel writes on Windows are ``€``, ``’``,
    ``“``...: such a file is read again from a UTF-8 copy decoded as Windows-1252.
    """
    delimiter = _header_delimiter(head, encoding)

    def attempt(path: str, enc: str) -> _T:
        try:
            return read(path, enc, {})
        except duckdb.Error:
            if delimiter is None:
                raise
            return read(path, enc, {"delim": delimiter})

    try:
        return attempt(str(src.path), encoding)
    except duckdb.Error as exc:
        if encoding != "latin-1":
            raise UnusableFileError(
                f"{src.label}: cannot be read as CSV ({_first_line(exc)})"
            ) from exc
    copy = _utf8_copy_of_windows_1252(src.path)
    try:
        return attempt(str(copy), "utf-8")
    except duckdb.Error as exc:
        raise UnusableFileError(f"{src.label}: cannot be read as CSV ({_first_line(exc)})") from exc
    finally:
        copy.unlink(missing_ok=True)


def sniff_encoding(head: bytes) -> str:
    """The encoding name DuckDB's CSV reader takes: ``utf-8``, ``utf-16`` or ``latin-1``."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    # A multi-byte character may be cut at the end of a full sample: leave out its last bytes.
    sample = head[:-3] if len(head) >= _SNIFF_BYTES else head
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def _check_text(head: bytes, label: str, encoding: str) -> None:
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise UnusableFileError(f"{label}: the file is empty")
    if encoding != "utf-16" and b"\x00" in head[:4096]:
        raise UnusableFileError(f"{label}: this looks like a binary file, not CSV, XLSX or Parquet")


def list_sheets(path: str | Path) -> list[str]:
    """The sheet names of a workbook (for the sheet choice)."""
    with _open_workbook(Path(path), Path(path).name) as wb:
        return list(wb.sheetnames)


@contextmanager
def _open_workbook(path: Path, label: str) -> Iterator:
    """An openpyxl workbook (read-only, values), opened through a file object: the kind of a
    file comes from its bytes, and openpyxl refuses a path whose extension is not ``.xlsx``."""
    import openpyxl

    with open(path, "rb") as fh:
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, XML errors...
            raise UnusableFileError(f"{label}: not a readable XLSX workbook ({exc})") from exc
        try:
            yield wb
        finally:
            wb.close()


def _cell_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return (
            v.isoformat(sep=" ")
            if (v.hour, v.minute, v.second) != (0, 0, 0)
            else v.date().isoformat()
        )
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v)
    return text if text.strip() else None


def _unique_headers(raw: list[object]) -> list[str]:
    out: list[str] = []
    for i, h in enumerate(raw):
        name = str(h).strip() if h is not None and str(h).strip() else f"column{i + 1}"
        base, n = name, 2
        while name in out:
            name, n = f"{base}_{n}", n + 1
        out.append(name)
    return out


def _stage_xlsx(con: duckdb.DuckDBPyConnection, src: SourceFile, table: str) -> StagedFile:
    with _open_workbook(src.path, src.label) as wb:
        if src.sheet is not None and src.sheet not in wb.sheetnames:
            raise UnusableFileError(
                f"{src.label}: no sheet named {src.sheet!r}; sheets: {', '.join(wb.sheetnames)}"
            )
        ws = wb[src.sheet] if src.sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        excel_row = 1  # the sheet row of the header: blank rows above it count
        while header_row is not None and all(_cell_text(v) is None for v in header_row):
            header_row = next(rows, None)
            excel_row += 1
        if header_row is None:
            raise UnusableFileError(f"{src.label}: the sheet {ws.title!r} is empty")
        columns = _unique_headers(list(header_row))
        width = len(columns)
        con.execute(drop_table(table))
        created = False
        total = 0
        buf: list[list[int | str | None]] = [[] for _ in range(width + 1)]  # row, cells

        def flush() -> None:
            nonlocal created
            if not buf[0]:
                return
            import pyarrow as pa  # here: a command that needs no Arrow starts quicker

            arrays = [pa.array(buf[0], pa.int64())] + [pa.array(c, pa.string()) for c in buf[1:]]
            batch = pa.table(arrays, names=["__row", *columns])
            con.register("__xlsx_batch", batch)
            con.execute(q.append_from(table, "__xlsx_batch", create=not created))
            con.unregister("__xlsx_batch")
            created = True
            for col in buf:
                col.clear()

        for values in rows:
            excel_row += 1
            cells = [_cell_text(v) for v in values[:width]]
            if all(c is None for c in cells):
                continue  # blank rows in a sheet are layout, not records
            cells += [None] * (width - len(cells))
            buf[0].append(excel_row)
            for i, c in enumerate(cells):
                buf[i + 1].append(c)
            total += 1
            if len(buf[0]) >= _XLSX_CHUNK_ROWS:
                flush()
        flush()
        if not created:
            con.execute(q.create_empty_text_table(table, columns))
        types = {c: "VARCHAR" for c in columns}
        src_sql = ident(table)
        return StagedFile(
            src.label, src_sql, [], "__row", columns, types, src_sql, temp_tables=[table]
        )


# Sniffed CSV column types a number or date field can read typed (dates: ISO only).
_TYPED_NUMBER = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
)


def _stage_csv(con: duckdb.DuckDBPyConnection, src: SourceFile, table: str) -> StagedFile:
    head = _head_bytes(src.path)
    encoding = sniff_encoding(head)
    _check_text(head, src.label, encoding)
    if encoding == "utf-8":
        one_pass = _one_pass_csv(con, src, table, head, encoding)
        if one_pass is not None:
            return one_pass
    return _stage_csv_table(con, src, table, head, encoding)


def _one_pass_csv(
    con: duckdb.DuckDBPyConnection, src: SourceFile, table: str, head: bytes, encoding: str
) -> StagedFile | None:
    """A plain UTF-8 CSV read in the pass that parses it: no text table is staged first.

    Only for a file whose dialect DuckDB sniffs without doubt about quoting; else (None) it is
    staged as a text table. If the one pass fails, :attr:`StagedFile.fallback` stages it so.
    """
    path = str(src.path)
    try:
        delim, quote, escape, skip, text_cols = one_row(
            con, q.sniff_csv_dialect(columns=True), [path, encoding]
        )
    except duckdb.Error:
        return None
    if quote == "'" or (quote == "(empty)" and b'"' in head):
        return None  # the quoting rules of _stage_csv_table apply
    columns = [c["name"] for c in text_cols]
    # The typed read takes the text read's dialect, so both split the file alike.
    typed_options = {
        "delim": delim,
        "quote": "" if quote == "(empty)" else quote,
        "escape": "" if escape == "(empty)" else escape,
        "skip": str(int(skip or 0)),
    }
    sniffed_cols: list = []
    date_format = None
    if len(str(delim)) == 1 and all(len(typed_options[k]) <= 1 for k in ("quote", "escape")):
        try:
            sniffed_cols, date_format = one_row(
                con, q.sniff_csv_types(typed_options), [path, encoding]
            )
        except duckdb.Error:
            sniffed_cols = []
        if [c["name"] for c in sniffed_cols] != columns:
            sniffed_cols = []
    sniffed: dict[str, str] = {}
    for c in sniffed_cols:
        t = str(c["type"]).upper()
        if t in _TYPED_NUMBER:
            sniffed[c["name"]] = "DOUBLE"
        elif t == "DATE" and date_format in ("%Y-%m-%d", "", None):
            sniffed[c["name"]] = "DATE"
    rejects, scans = f"{table}__rejects", f"{table}__scans"
    typed_rejects, text = f"{table}__typed_rejects", f"{table}__text"
    text_rejects, text_scans = f"{table}__text_rejects", f"{table}__text_scans"
    temps = [table, rejects, scans, typed_rejects, text, text_rejects, text_scans]
    for t in temps:
        con.execute(drop_table(t))
    dialect = {"quote": quote or '"', "escape": escape or '"', "skip": int(skip or 0)}

    def text_rows() -> tuple[str, str]:
        for t in (text, text_rejects, text_scans):
            con.execute(drop_table(t))
        run(con, q.stage_csv(text, text_rejects, text_scans), [path, encoding])
        return ident(text), "(rowid + 2)"

    def fallback() -> StagedFile:
        for t in temps:
            con.execute(drop_table(t))
        staged = _stage_csv_table(con, src, table, head, encoding)
        staged.temp_tables = temps
        return staged

    staged = StagedFile(
        label=src.label,
        source=q.read_csv_text_source(rejects, scans),
        params=[path, encoding],
        row_expr="(rowid + 2)",
        columns=columns,
        types={c: "VARCHAR" for c in columns},
        sample_source=q.read_csv_sample_source(path, encoding),
        rejects=rejects,
        temp_tables=temps,
        skipped_lines=lambda: _skipped_lines(
            src.path, encoding, str(dialect["quote"]), str(dialect["escape"]), int(dialect["skip"])
        ),
        sniffed=sniffed,
        fallback=fallback,
        text_rows=text_rows,
    )

    def typed(types: dict[str, str]) -> StagedFile:
        # Any record that does not split or convert fails this read (no rejects kept): the
        # file is then read as text, where each bad value is a reject of its own row.
        con.execute(q.create_empty_csv_rejects(typed_rejects))
        all_types = {c: types.get(c, "VARCHAR") for c in columns}
        return dataclasses.replace(
            staged,
            source=q.read_csv_typed_source(all_types, typed_options),
            types=all_types,
            rejects=typed_rejects,
            typed=None,
        )

    staged.typed = typed
    return staged


def _stage_csv_table(
    con: duckdb.DuckDBPyConnection, src: SourceFile, table: str, head: bytes, encoding: str
) -> StagedFile:
    rejects, scans = f"{table}__rejects", f"{table}__scans"
    dialect: dict[str, str | int] = {}

    def sniff(path: str, enc: str, options: dict[str, str]) -> tuple | None:
        try:
            return run(con, q.sniff_csv_dialect(options), [path, enc]).fetchone()
        except duckdb.Error:
            return None  # read_csv sniffs again, and says what fails

    def stage(path: str, enc: str, options: dict[str, str]) -> None:
        # Each attempt starts afresh: rejects of a failed attempt must not count twice.
        for t in (table, rejects, scans):
            con.execute(drop_table(t))
        # A parallel read into a temp table keeps file order, so rowid numbers the records.
        run(con, q.stage_csv(table, rejects, scans, options), [path, enc])

    def read(path: str, enc: str, options: dict[str, str]) -> None:
        sniffed = sniff(path, enc, options)
        delim, quote, escape, skip = sniffed or (None, None, None, 0)
        if quote == "'" or (quote == "(empty)" and b'"' in head):
            # CSV files quote with double quotes. The sniffer may take single quotes for quoting
            # (when that fits a few records better), which strips them from values like 'A1'
            # and splits records quoted the standard way. Or, in a file with double quotes, it
            # may take no quoting at all when a few malformed records fit that better; then a
            # quoted delimiter splits a field and a quoted line break splits a record in two,
            # so one record counts twice. Read such a file with double quotes, unless its
            # quotes cannot be read so (a bare quote opening a value, as in "x"y, or never
            # closed): then as the sniffer says. (A file without quotes is read as sniffed.)
            rfc = {**options, "delim": delim, "quote": '"', "escape": '"'}
            resniffed = sniff(path, enc, rfc)
            if quote == "'" or resniffed is not None:
                try:
                    stage(path, enc, rfc)
                    skip = resniffed[3] if resniffed else skip
                    dialect.update(quote='"', escape='"', skip=int(skip or 0))
                    return
                except duckdb.Error:
                    if quote == "'":
                        raise
        stage(path, enc, options)
        dialect.update(quote=quote or '"', escape=escape or '"', skip=int(skip or 0))

    _read_csv(src, encoding, head, read)
    columns = table_columns(con, table)
    return StagedFile(
        label=src.label,
        source=ident(table),
        params=[],
        row_expr="(rowid + 2)",
        columns=columns,
        types={c: "VARCHAR" for c in columns},
        sample_source=ident(table),
        rejects=rejects,
        temp_tables=[table, rejects, scans],
        skipped_lines=lambda: _skipped_lines(
            src.path, encoding, str(dialect["quote"]), str(dialect["escape"]), int(dialect["skip"])
        ),
    )


def _csv_bytes(path: Path, encoding: str) -> Iterator[bytes]:
    """The bytes of a (possibly gzipped) CSV in chunks, UTF-16 recoded to UTF-8 (line breaks and
    quotes are then single bytes, as they are in UTF-8, latin-1 and Windows-1252)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    decoder = codecs.getincrementaldecoder("utf-16")("replace") if encoding == "utf-16" else None
    with opener(path, "rb") as fh:
        while chunk := fh.read(_SCAN_BYTES):
            yield decoder.decode(chunk).encode("utf-8") if decoder else chunk


def _blank_lines(path: Path, encoding: str, quote: str, escape: str) -> np.ndarray:
    """Line numbers (from 1) of the empty lines outside quoted fields, numbered as DuckDB
    numbers records: each line break outside quotes (LF, CR LF or CR) ends a line; one inside
    a quoted field does not. Vectorised over chunks of the file (no loop over its lines)."""
    q_byte = ord(quote) if len(quote) == 1 else None
    e_byte = ord(escape) if len(escape) == 1 and escape != quote else None
    found: list[np.ndarray] = []
    parity = 0  # inside a quoted field after the bytes read so far
    lines_ended = 0  # line breaks outside quotes so far
    last_end = -1  # offset of the last byte of the last of them
    offset = 0
    before = 0  # the byte before the chunk
    carry = b""
    for chunk in _csv_bytes(path, encoding):
        data = carry + chunk
        # Keep a final \r for the next chunk: it may be the first half of \r\n.
        carry = data[-1:] if data.endswith(b"\r") else b""
        data = data[: len(data) - len(carry)]
        parity, lines_ended, last_end = _scan_lines(
            np.frombuffer(data, np.uint8),
            offset,
            before,
            q_byte,
            e_byte,
            parity,
            lines_ended,
            last_end,
            found,
        )
        offset += len(data)
        before = data[-1] if data else before
    if carry:
        _scan_lines(
            np.frombuffer(carry, np.uint8),
            offset,
            before,
            q_byte,
            e_byte,
            parity,
            lines_ended,
            last_end,
            found,
        )
    return np.concatenate(found) if found else np.empty(0, np.int64)


def _scan_lines(
    a: np.ndarray,
    offset: int,
    before: int,
    q_byte: int | None,
    e_byte: int | None,
    parity: int,
    lines_ended: int,
    last_end: int,
    found: list[np.ndarray],
) -> tuple[int, int, int]:
    """One chunk of :func:`_blank_lines` (``a``, from byte ``offset``, after byte ``before``):
    appends the blank lines it ends to ``found`` and returns the state after it. Works on the
    positions of line breaks and quotes (a pass over the bytes for each kind)."""
    if not len(a):
        return parity, lines_ended, last_end
    ends = np.flatnonzero(a == 10)  # where each line break ends (LF, the LF of CR LF, a CR)
    cr = np.flatnonzero(a == 13)
    if len(cr):
        after = np.minimum(cr + 1, len(a) - 1)
        lone = cr[(cr + 1 == len(a)) | (a[after] != 10)]
        ends = np.union1d(ends, lone)
    if q_byte is not None:
        quotes = np.flatnonzero(a == q_byte)
        if e_byte is not None and len(quotes):
            prev = np.where(quotes > 0, a[np.maximum(quotes - 1, 0)], before)
            quotes = quotes[prev != e_byte]
        if len(quotes) or parity:
            # Inside a quoted field when an odd number of quotes come before (RFC 4180: an
            # escaped quote is two of them).
            ends = ends[(np.searchsorted(quotes, ends) + parity) % 2 == 0]
            parity = (parity + len(quotes)) % 2
    if not len(ends):
        return parity, lines_ended, last_end
    prev_lf_cr = (ends > 0) & (a[ends] == 10) & (a[np.maximum(ends - 1, 0)] == 13)
    starts = ends - prev_lf_cr
    prev_ends = np.empty_like(ends)
    prev_ends[0], prev_ends[1:] = last_end - offset, ends[:-1]
    blank = np.flatnonzero(starts == prev_ends + 1)
    if len(blank):
        found.append(blank.astype(np.int64) + lines_ended + 1)
    return parity, lines_ended + len(ends), offset + int(ends[-1])


def _skipped_lines(path: Path, encoding: str, quote: str, escape: str, skip: int) -> np.ndarray:
    """The line numbers from 2 on that hold no record DuckDB read or rejected: the ``skip``
    lines above the header and the header itself when not on line 1, and blank lines."""
    header = skip + 1
    above = np.arange(2, header + 1, dtype=np.int64)
    quote = quote if quote not in ("(empty)", "") else ""
    escape = escape if escape not in ("(empty)", "") else quote
    blank = _blank_lines(path, encoding, quote, escape)
    return np.concatenate([above, blank[blank > header]])


def _stage_parquet(con: duckdb.DuckDBPyConnection, src: SourceFile) -> StagedFile:
    try:
        types = q.parquet_types(con, str(src.path))
    except duckdb.Error as exc:
        raise UnusableFileError(
            f"{src.label}: cannot be read as Parquet ({_first_line(exc)})"
        ) from exc
    source = q.read_parquet_source(str(src.path))
    return StagedFile(src.label, source, [], "(file_row_number + 2)", list(types), types, source)


def stage_file(con: duckdb.DuckDBPyConnection, src: SourceFile, table: str) -> StagedFile:
    """Make ``src`` readable as a source of text rows on ``con`` (``table`` names temp tables).

    Raises :class:`UnusableFileError` for a file that cannot be used at all.
    """
    kind = detect_kind(src.path)
    if kind == "xlsx":
        staged = _stage_xlsx(con, src, table)
    elif kind == "parquet":
        staged = _stage_parquet(con, src)
    else:
        staged = _stage_csv(con, src, table)
    if not staged.columns:
        raise UnusableFileError(f"{src.label}: no columns found")
    return staged


def peek_columns(path: str | Path, sheet: str | None = None) -> list[str]:
    """The column names of a file, for the mapping editor (reads only what it needs)."""
    src = SourceFile(Path(path), sheet=sheet)
    con = duckdb.connect()
    try:
        kind = detect_kind(src.path)
        if kind == "parquet":
            try:
                return list(q.parquet_types(con, str(src.path)))
            except duckdb.Error as exc:
                raise UnusableFileError(
                    f"{src.label}: cannot be read as Parquet ({_first_line(exc)})"
                ) from exc
        if kind == "xlsx":
            return _stage_xlsx_header(src)
        head = _head_bytes(src.path)
        encoding = sniff_encoding(head)
        _check_text(head, src.label, encoding)
        return _read_csv(
            src, encoding, head, lambda path, enc, options: q.csv_columns(con, path, enc, options)
        )
    finally:
        con.close()


def _stage_xlsx_header(src: SourceFile) -> list[str]:
    with _open_workbook(src.path, src.label) as wb:
        ws = wb[src.sheet] if src.sheet in wb.sheetnames else wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            if any(_cell_text(v) is not None for v in row):
                return _unique_headers(list(row))
        raise UnusableFileError(f"{src.label}: the sheet {ws.title!r} is empty")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
