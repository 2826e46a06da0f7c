"""The workspace: one DuckDB file with the loaded tables, the mappings and a history of loads.

A load has two steps. :meth:`Workspace.stage` reads and validates the files into temporary
tables and reports; nothing the user had is touched. :meth:`Workspace.commit` replaces the
tables of the staged files in one transaction: if anything fails, the workspace is as it was.
Tables of files not in the load keep their previous data.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from segstudio.common.sql import drop_table, ident, literal, table_columns
from segstudio.errors import SegStudioError, UnusableFileError
from segstudio.ingest import sql as q
from segstudio.ingest.mapping import Mapping, check_mapping, layout_key, normalise, suggest_mapping
from segstudio.ingest.readers import SourceFile, stage_file
from segstudio.ingest.schema import TABLES
from segstudio.ingest.validate import FileReport, ParsedFile, parse_file

DEFAULT_WORKSPACE = Path("data") / "workspace.duckdb"


@dataclass
class Staging:
    """Files validated and waiting for :meth:`Workspace.commit` (or :meth:`Workspace.discard`)."""

    files: dict[str, ParsedFile] = field(default_factory=dict)
    temp_tables: list[str] = field(default_factory=list)

    @property
    def reports(self) -> dict[str, FileReport]:
        return {k: p.report for k, p in self.files.items()}


class Workspace:
    """A DuckDB workspace file. One connection, guarded by a lock (safe to share across threads)."""

    def __init__(self, path: str | Path = DEFAULT_WORKSPACE, memory_limit: str | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            raise SegStudioError(f"{self.path}: cannot open the workspace ({exc})") from exc
        if memory_limit:
            self.con.execute(f"SET memory_limit = {literal(memory_limit)}")
        self.con.execute("SET enable_progress_bar = false")
        self.lock = threading.RLock()
        self._init_schema()

    def close(self) -> None:
        with self.lock:
            self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _init_schema(self) -> None:
        with self.lock:
            for stmt in q.META_DDL:
                self.con.execute(stmt)
            self.con.execute(";\n".join(q.DECISIONS_DDL))  # segstudio.decisions' tables
            for table in TABLES.values():
                for stmt in q.create_data_table(table):
                    self.con.execute(stmt)
            self.con.execute(q.SALES_HISTORY_DDL)
            # Staged tables left by a process that stopped between validation and commit.
            for (name,) in self.con.execute(q.LEFTOVER_STAGING).fetchall():
                self.con.execute(drop_table(name))

    # ------------------------------------------------------------------ reading state
    def version(self) -> int:
        """The data version: the id of the latest committed load (0 when empty)."""
        with self.lock:
            return int(self.con.execute(q.CURRENT_VERSION).fetchone()[0])

    def table_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(self.con.execute(q.table_counts()).fetchall())

    def latest_loads(self) -> pd.DataFrame:
        with self.lock:
            return self.con.execute(q.LATEST_LOADS).df()

    def load_history(self) -> pd.DataFrame:
        with self.lock:
            return self.con.execute(q.LOAD_HISTORY).df()

    def rejects(self, load_id: int, file_key: str) -> pd.DataFrame:
        with self.lock:
            return self.con.execute(q.REJECTS_OF_LOAD, [load_id, file_key]).df()

    def stored_columns(self, file_key: str) -> set[str]:
        """The canonical columns a file key's last load mapped (the others read as NULL)."""
        table = TABLES[file_key]
        with self.lock:
            return set(table_columns(self.con, q.data_table(table))) & {f.name for f in table.fields}

    def query_df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with self.lock:
            return self.con.execute(sql, params or []).df()

    # ------------------------------------------------------------------ mappings
    def saved_mapping(self, file_key: str, columns: list[str]) -> Mapping | None:
        with self.lock:
            row = self.con.execute(q.GET_MAPPING, [layout_key(file_key, columns)]).fetchone()
        return json.loads(row[0]) if row else None

    def mapping_for(self, file_key: str, columns: list[str]) -> tuple[Mapping, str]:
        """The mapping to offer for a layout: the saved one, else a suggestion."""
        saved = self.saved_mapping(file_key, columns)
        if saved is not None:
            # The layout ignores case and punctuation: name the columns as this file spells them.
            by_norm: dict[str, str] = {}
            for c in columns:
                by_norm.setdefault(normalise(c), c)
            spelt = {f: by_norm.get(normalise(c)) for f, c in saved.items()}
            if all(spelt.values()):
                return spelt, "saved"
        return suggest_mapping(TABLES[file_key], columns), "suggested"

    # ------------------------------------------------------------------ loading
    def stage(self, files: dict[str, SourceFile], mappings: dict[str, Mapping] | None = None,
              tag: str = "") -> Staging:
        """Read and validate ``files`` (file key -> source) into temporary tables.

        ``tag`` keeps the temp tables of concurrent stagings (two browser sessions) apart.
        Raises :class:`UnusableFileError` (and stages nothing) when a file is unusable.
        """
        mappings = mappings or {}
        unknown = sorted(set(files) - set(TABLES))
        if unknown:
            raise UnusableFileError(f"unknown file key(s) {', '.join(unknown)}; use {', '.join(TABLES)}")
        staging = Staging()
        with self.lock:
            try:
                for key in TABLES:  # sales first: later files are checked against it
                    if key not in files:
                        continue
                    src = files[key]
                    table = TABLES[key]
                    staged = stage_file(self.con, src, f"__stage{tag}_{key}")
                    staging.temp_tables += staged.temp_tables
                    mapping = mappings.get(key) or self.mapping_for(key, staged.columns)[0]
                    check_mapping(table, mapping, staged.columns, src.label)
                    parsed = f"__staged{tag}_{key}"
                    staging.temp_tables += [parsed, parsed + "__sku", parsed + "__lines"]
                    staging.files[key] = parse_file(self.con, staged, table, mapping, parsed)
                self._cross_checks(staging)
            except BaseException:
                self._drop_temps(staging)
                raise
        return staging

    def _cross_checks(self, staging: Staging) -> None:
        if "sales" in staging.files:
            p = staging.files["sales"]
            sales_source = f"(SELECT sku FROM {ident(p.parsed_table)} WHERE {p.ok_condition})"
        else:
            sales_source = "sales"
        for key in ("inventory", "suppliers"):
            if key not in staging.files:
                continue
            p = staging.files[key]
            skus = [r[0] for r in self.con.execute(
                q.unknown_skus(p.parsed_table, p.ok_condition, sales_source)).fetchall()]
            if skus:
                shown = ", ".join(skus[:5]) + (", ..." if len(skus) > 5 else "")
                p.report.warnings.append(f"{len(skus):,} SKUs that never sold ({shown})")

    def commit(self, staging: Staging) -> int:
        """Make the staged files the current data in one transaction; returns the load id.

        The parsed tables already sit in the workspace: their rejects are set aside, the
        rejected rows and helper columns dropped, and then, in one transaction, each replaces
        its current table (a rename) with the load history. If anything fails, the workspace is
        as it was.
        """
        with self.lock:
            try:
                for p in staging.files.values():
                    rejects = p.parsed_table + "__rejects"
                    staging.temp_tables.append(rejects)
                    self.con.execute(q.save_rejects(rejects, p.rejects_sql))
                    if p.report.accepted < p.report.read:
                        self.con.execute(q.keep_accepted(p.parsed_table, p.ok_condition))
                    for stmt in q.drop_helper_columns(self.con, p.parsed_table, p.table):
                        self.con.execute(stmt)
                self.con.execute("BEGIN TRANSACTION")
                try:
                    load_id = int(self.con.execute(q.NEXT_LOAD_ID).fetchone()[0])
                    for key, p in staging.files.items():
                        self._commit_file(load_id, key, p)
                    self.con.execute("COMMIT")
                except BaseException:
                    self.con.execute("ROLLBACK")
                    raise
            finally:
                self._drop_temps(staging)
        return load_id

    def _commit_file(self, load_id: int, key: str, p: ParsedFile) -> None:
        for stmt in q.swap_in(self.con, p.parsed_table, p.table):
            self.con.execute(stmt)
        if key == "sales":
            for stmt in q.replace_sales_history(p.sku_summary):
                self.con.execute(stmt)
        self.con.execute(q.insert_rejects(load_id, key, p.parsed_table + "__rejects"))
        if len(p.report.rejects) and p.report.rejects["field"].isna().any():
            malformed = p.report.rejects[p.report.rejects["field"].isna()]
            self.con.register("__malformed", malformed[["row", "value", "reason"]])
            self.con.execute(
                "INSERT INTO load_rejects SELECT ?, ?, row, NULL, value, reason FROM __malformed",
                [load_id, key],
            )
            self.con.unregister("__malformed")
        layout = layout_key(key, p.columns)
        mapping_json = json.dumps(p.mapping)
        self.con.execute(q.SAVE_MAPPING, [layout, key, mapping_json])
        r = p.report
        self.con.execute(q.INSERT_LOAD, [
            load_id, key, r.file_label, layout, mapping_json, r.read, r.accepted, r.rejected,
            json.dumps(r.warnings + r.notes), "loaded",
        ])

    def discard(self, staging: Staging) -> None:
        with self.lock:
            self._drop_temps(staging)

    def _drop_temps(self, staging: Staging) -> None:
        for table in staging.temp_tables:
            self.con.execute(drop_table(table))
        staging.temp_tables.clear()

    def load(self, files: dict[str, SourceFile], mappings: dict[str, Mapping] | None = None,
             ) -> tuple[int, dict[str, FileReport]]:
        """Stage and commit in one go (the command line's way). Returns (load id, reports)."""
        staging = self.stage(files, mappings)
        reports = staging.reports
        load_id = self.commit(staging)
        return load_id, reports
