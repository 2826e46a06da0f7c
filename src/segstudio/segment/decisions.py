"""The workshop's decisions, kept in the workspace so that they survive restarts and new loads.

- **Official rules** with their history: every adoption is a new entry (the TOML text, who,
  when in UTC, why); the latest one is the official set. Restoring an earlier set adopts it
  again as a new entry, so the history only grows.
- **Overrides**: a segment set by hand for one SKU, with a reason and an optional expiry day
  (active through that day). One per SKU: a new one replaces it. The SKU must be in the data
  (any loaded file) when the override is set. Keyed by the SKU's text, so loading new data
  leaves them alone; an override for an SKU no longer in the data is kept and simply matches
  nothing.
- An **audit trail** of each of these actions.

The SQL is in :mod:`segstudio.segment.sql`; reads use a connection of their own, writes one
transaction under the workspace's write lock (:meth:`Workspace.transaction`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from segstudio.common.sql import one_row, run
from segstudio.config.rules import Rules, from_toml, to_toml
from segstudio.errors import SegStudioError
from segstudio.features.build import FeatureSettings, compute_features
from segstudio.features.classes import ClassCuts
from segstudio.ingest.sql import DECISIONS_DDL
from segstudio.segment import sql as q

if TYPE_CHECKING:
    import pandas as pd

    from segstudio.ingest.workspace import Workspace
    from segstudio.segment.segmentation import Portfolio, Segmentation

__all__ = [
    "DecisionError",
    "active_overrides",
    "adopt",
    "audit_log",
    "classification_table",
    "create_tables",
    "list_overrides",
    "official_history",
    "official_rules",
    "remove_override",
    "restore",
    "segment_skus",
    "set_override",
]

CLASS_COLUMNS = ("abc", "xyz", "pattern")
"""The classes every exported SKU table shows, whatever the rules' own criteria."""


class DecisionError(SegStudioError, ValueError):
    """A decision that cannot be recorded (missing name or reason, unknown id or SKU)."""


# --------------------------------------------------------------------------- helpers
def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the decisions' tables where missing (idempotent)."""
    for stmt in DECISIONS_DDL:
        con.execute(stmt)


def _now() -> dt.datetime:
    """The current time in UTC, without a zone (stored as TIMESTAMP)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _required(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DecisionError(f"{what} is required")
    return text


@contextmanager
def _transaction(ws: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one transaction, under the workspace's write lock."""
    with ws.transaction() as con:
        create_tables(con)
        yield con


def _audit(con: duckdb.DuckDBPyConnection, who: str, action: str, detail: str) -> None:
    run(con, q.INSERT_AUDIT, [_now(), who, action, detail])


def _query(ws: Workspace, sql: str, params: list | None = None) -> pd.DataFrame:
    with ws.connect() as con:
        return con.execute(sql, params or []).df()


# --------------------------------------------------------------------------- official rules
def official_rules(ws: Workspace) -> Rules:
    """The latest adopted rules; the defaults (``Rules()``) when none was ever adopted."""
    with ws.connect() as con:
        row = con.execute(q.LATEST_OFFICIAL).fetchone()
    if row is None:
        return Rules()
    return from_toml(row[1], f"official rules #{row[0]}")


def adopt(ws: Workspace, rules: Rules, adopted_by: str, reason: str) -> int:
    """Make ``rules`` the official set: stores their TOML, who, when (UTC) and why.

    Returns the new entry's id. Raises :class:`DecisionError` when ``adopted_by`` or
    ``reason`` is empty.
    """
    who = _required(adopted_by, "who adopts the rules")
    why = _required(reason, "a reason for adopting the rules")
    return _insert_official(ws, to_toml(rules), who, why, "adopt", "")


def _insert_official(
    ws: Workspace, toml_text: str, who: str, why: str, action: str, note: str
) -> int:
    with _transaction(ws) as con:
        official_id = int(one_row(con, q.NEXT_OFFICIAL_ID)[0])
        run(con, q.INSERT_OFFICIAL, [official_id, _now(), who, why, toml_text])
        _audit(con, who, action, f"official rules #{official_id}{note}: {why}")
    return official_id


def official_history(ws: Workspace) -> pd.DataFrame:
    """Every adopted set, newest first: id, adopted_at (UTC), adopted_by, reason, rules_toml."""
    return _query(ws, q.OFFICIAL_HISTORY)


def restore(ws: Workspace, official_id: int, adopted_by: str, reason: str) -> int:
    """Adopt the earlier set ``official_id`` again, as a new entry; returns the new id.

    Raises :class:`DecisionError` for an unknown id or an empty name or reason.
    """
    who = _required(adopted_by, "who restores the rules")
    why = _required(reason, "a reason for restoring the rules")
    with ws.connect() as con:
        row = run(con, q.OFFICIAL_BY_ID, [int(official_id)]).fetchone()
        if row is None:
            raise DecisionError(f"no official rules #{official_id}: see the history for the ids")
        from_toml(row[0], f"official rules #{official_id}")  # still readable by this version
        return _insert_official(
            ws,
            row[0],
            who,
            f"{why} (restores #{official_id})",
            "restore",
            f" restored from #{official_id}",
        )


# --------------------------------------------------------------------------- overrides
def set_override(
    ws: Workspace,
    sku: str,
    segment: str,
    reason: str,
    created_by: str,
    expires: dt.date | None = None,
) -> None:
    """Put ``sku`` in ``segment`` by hand, replacing any override it had.

    ``expires``: the last day the override applies (None: until removed). Raises
    :class:`DecisionError` when the SKU, segment, reason or name is empty, or when no loaded
    file (sales, inventory, supplier receipts, products) has the SKU.
    """
    sku_text = _required(sku, "the SKU")
    seg = _required(segment, "the segment")
    why = _required(reason, "a reason for the override")
    who = _required(created_by, "who sets the override")
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    with _transaction(ws) as con:
        known, n_params = q.sku_known_sql()
        if not one_row(con, known, [sku_text] * n_params)[0]:
            raise DecisionError(
                f"SKU {sku_text!r} is not in the data (no loaded sales, inventory, supplier "
                "receipts or products file has it): check its spelling; no override was saved"
            )
        old = run(con, q.GET_OVERRIDE, [sku_text]).fetchone()
        run(con, q.UPSERT_OVERRIDE, [sku_text, seg, why, expires, who, _now()])
        until = f" until {expires.isoformat()}" if expires else ""
        was = f" (was {old[0]})" if old else ""
        _audit(con, who, "set_override", f"SKU {sku_text} -> {seg}{until}{was}: {why}")


def remove_override(ws: Workspace, sku: str, removed_by: str) -> None:
    """Remove the override of ``sku``. Raises :class:`DecisionError` when it has none."""
    sku_text = _required(sku, "the SKU")
    who = _required(removed_by, "who removes the override")
    with _transaction(ws) as con:
        old = run(con, q.GET_OVERRIDE, [sku_text]).fetchone()
        if old is None:
            raise DecisionError(f"SKU {sku_text!r} has no override")
        run(con, q.DELETE_OVERRIDE, [sku_text])
        _audit(con, who, "remove_override", f"SKU {sku_text} (was {old[0]})")


def list_overrides(ws: Workspace, today: dt.date | None = None) -> pd.DataFrame:
    """Every override by SKU: sku, segment, reason, expires, created_by, created_at (UTC) and
    active (False once ``today``, default the local date, is past its expiry day)."""
    return _query(ws, q.LIST_OVERRIDES, [today or dt.date.today()])


def active_overrides(ws: Workspace, today: dt.date | None = None) -> dict[str, str]:
    """SKU -> segment of the overrides not expired on ``today`` (default the local date)."""
    with ws.connect() as con:
        rows = run(con, q.ACTIVE_OVERRIDES, [today or dt.date.today()]).fetchall()
    return dict(rows)


# --------------------------------------------------------------------------- audit
def audit_log(ws: Workspace) -> pd.DataFrame:
    """The audit trail, newest first: at (UTC), who, action, detail."""
    return _query(ws, q.AUDIT_LOG)


# --------------------------------------------------------------------------- segmenting
def _portfolio(ws: Workspace, rules: Rules, weeks: int) -> Portfolio:
    from segstudio.segment.segmentation import Portfolio  # pandas: not for the official rules

    with ws.connect() as con:
        features, window = compute_features(
            con, FeatureSettings(weeks=weeks), ClassCuts.from_rules(rules)
        )
    return Portfolio.from_features(features, window.last_day, rules.exclude)


def segment_skus(
    ws: Workspace,
    rules: Rules | None = None,
    today: dt.date | None = None,
    portfolio: Portfolio | None = None,
) -> tuple[Portfolio, Segmentation]:
    """Segment the workspace's SKUs: features over ``rules.weeks``, classified under ``rules``
    (default: the official rules) with the active overrides on ``today``; ``portfolio``: that
    portfolio, when the caller has read it already (:meth:`Portfolio.from_features` of the
    features over ``rules.weeks`` with the rules' cut-offs and exclusions).

    With ``rules.hysteresis``, the baseline is the official segmentation: the official rules
    on the feature table of their own window. Raises :class:`SegStudioError` when no sales
    are loaded.
    """
    from segstudio.segment.segmentation import classify

    official = official_rules(ws)
    rules = rules or official
    base_p = None
    if rules.hysteresis and official.weeks != rules.weeks:
        base_p = _portfolio(ws, rules, official.weeks)
    if portfolio is None:
        portfolio = _portfolio(ws, rules, rules.weeks)
    if base_p is None or not np.array_equal(base_p.sku, portfolio.sku):
        # The feature table's SKUs do not depend on the window: the check is only a guard.
        base_p = portfolio
    baseline = classify(base_p, official) if rules.hysteresis else None
    return portfolio, classify(portfolio, rules, baseline, active_overrides(ws, today))


def classification_table(p: Portfolio, s: Segmentation) -> pd.DataFrame:
    """One row per SKU: sku, abc, xyz, pattern (always, computed with the same boundaries even
    when the rules segment on other criteria), the rules' other criteria, segment,
    segment_name, nearest_boundary, boundary_distance, would_move_to, overridden, revenue,
    margin.

    An SKU with no boundary to cross (e.g. no sales: class C and N) has an empty
    nearest_boundary, boundary_distance and would_move_to.
    """
    from segstudio.segment.segmentation import classify, sku_table

    table = sku_table(p, s)
    missing = [c for c in CLASS_COLUMNS if c not in table.columns]
    if missing:
        extra = classify(p, s.rules.with_(criteria=CLASS_COLUMNS))
        for name in missing:
            table[name] = extra.classes(name)
    front = ["sku", *CLASS_COLUMNS]
    table = table[front + [c for c in table.columns if c not in front]]
    none = ~np.isfinite(table["boundary_distance"].to_numpy(dtype=float))
    if none.any():
        table["boundary_distance"] = table["boundary_distance"].where(~none)
        for col in ("nearest_boundary", "would_move_to"):
            table[col] = table[col].where(~none, None)
    return table
