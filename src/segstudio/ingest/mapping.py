"""Column mapping: a user's headers onto the canonical fields of :mod:`segstudio.schema`.

A mapping is a plain ``dict`` from canonical field name to the user's column name. It is
suggested from names and synonyms, can be edited, and is saved in the workspace under the file's
*layout* (its normalised header set) so the same layout is mapped the same way next time.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from segstudio.errors import UnusableFileError
from segstudio.ingest.schema import TABLES, Table

__all__ = [
    "Mapping",
    "check_mapping",
    "layout_key",
    "normalise",
    "read_mapping_file",
    "suggest_mapping",
]

Mapping = dict[str, str]


def normalise(header: str) -> str:
    """``"Stock Code"``, ``"stock_code"`` and ``"StockCode"`` all become ``"stockcode"``."""
    return re.sub(r"[^0-9a-z]", "", str(header).lower())


def layout_key(table_key: str, columns: list[str]) -> str:
    """A stable key for a file layout: the table and its normalised, sorted headers."""
    text = table_key + "|" + "|".join(sorted(normalise(c) for c in columns))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def suggest_mapping(table: Table, columns: list[str]) -> Mapping:
    """Suggest a source column for each canonical field.

    Exact canonical names win, then synonyms in the order the schema lists them; a source
    column is used for one field only, and required fields choose first.
    """
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(normalise(column), column)
    used: set[str] = set()
    mapping: Mapping = {}
    ordered = sorted(table.fields, key=lambda f: not f.required)
    # Two passes: the canonical name itself, then synonyms, so that an exact name is never
    # taken by another field's synonym.
    for f in ordered:
        col = by_norm.get(normalise(f.name))
        if col is not None and col not in used:
            mapping[f.name] = col
            used.add(col)
    for f in ordered:
        if f.name in mapping:
            continue
        for syn in f.synonyms:
            col = by_norm.get(syn)
            if col is not None and col not in used:
                mapping[f.name] = col
                used.add(col)
                break
    return {f.name: mapping[f.name] for f in table.fields if f.name in mapping}


def check_mapping(table: Table, mapping: Mapping, columns: list[str], file_label: str) -> None:
    """Raise :class:`UnusableFileError` when a required field is unmapped or a column is absent."""
    known = {f.name for f in table.fields}
    unknown = sorted(set(mapping) - known)
    if unknown:
        raise UnusableFileError(
            f"{file_label}: the mapping names unknown field(s) {', '.join(unknown)} for "
            f"{table.label}; known fields: {', '.join(sorted(known))}"
        )
    missing_cols = [c for c in mapping.values() if c not in columns]
    if missing_cols:
        raise UnusableFileError(
            f"{file_label}: the mapping names column(s) {', '.join(map(repr, missing_cols))} "
            f"that the file does not have; its columns are {', '.join(map(repr, columns))}"
        )
    missing = [f for f in table.required if f not in mapping]
    if missing:
        hint = "no column that can be the SKU" if "sku" in missing else "unmapped"
        raise UnusableFileError(
            f"{file_label}: required field(s) {', '.join(missing)} of {table.label} "
            f"({hint}); columns found: {', '.join(map(repr, columns))}. "
            "Map them in the app or in a mapping file."
        )
    dupes = {c for c in mapping.values() if list(mapping.values()).count(c) > 1}
    if dupes and "sku" in mapping and mapping["sku"] in dupes:
        raise UnusableFileError(f"{file_label}: the SKU column {mapping['sku']!r} is mapped twice")


def read_mapping_file(path: str | Path) -> dict[str, Mapping]:
    """Read a TOML mapping file: one table per file key, ``field = "Source column"``.

    Example::

        [sales]
        sku = "StockCode"
        date = "InvoiceDate"
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UnusableFileError(f"{p}: mapping file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnusableFileError(f"{p}: not a valid TOML mapping file ({exc})") from exc
    out: dict[str, Mapping] = {}
    for key, table in data.items():
        if key not in TABLES:
            raise UnusableFileError(f"{p}: unknown table [{key}]; use one of {', '.join(TABLES)}")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise UnusableFileError(f"{p}: [{key}] must map field names to column names (text)")
        out[key] = dict(table)
    return out
