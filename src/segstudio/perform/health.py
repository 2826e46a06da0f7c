"""Inventory health by segment: how old the stock is, how much of it is above need, how much no
longer sells, and what a write-down of it could cost (issue #5).

Once per data load, :func:`read_ageing` reads the inventory snapshot in SQL into one row per
SKU: the units and value in each ageing bucket. Everything the page's settings drive is then
vectorised numpy over the feature table: :func:`sku_health` (one row per SKU),
:func:`segment_health` (one row per segment), :func:`act_on_first` (the SKUs to act on, most
value at risk first) and :func:`headline`. The definitions are in :data:`METHODS`, which the
page shows.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from segstudio.common import fmt
from segstudio.common.arrow import floats
from segstudio.common.lookup import positions
from segstudio.common.methods import methods_section
from segstudio.common.numeric import safe_divide
from segstudio.ingest.store import ONE_CHUNK, read_or_query
from segstudio.perform.health_settings import (
    EXCESS_BASES,
    UNKNOWN,
    HealthError,
    HealthSettings,
    ageing_query,
    bucket_keys,
)
from segstudio.policy.valuation import (
    COST,
    NONE,
    VALUED_AT,
    Valuation,
    counted,
    feature_unit_values,
)

__all__ = [
    "ACT_ON_FIRST_COLUMNS",
    "AGEING_COLUMNS",
    "EXCESS_BASES",
    "HealthError",
    "HealthSettings",
    "METHODS",
    "REASONS",
    "SEGMENT_HEALTH_COLUMNS",
    "SKU_HEALTH_COLUMNS",
    "act_on_first",
    "ageing_chart_data",
    "ageing_in_order",
    "ageing_note",
    "ageing_query",
    "align_ageing",
    "bucket_keys",
    "bucket_labels",
    "headline",
    "read_ageing",
    "read_ageing_table",
    "segment_health",
    "sku_health",
    "stock_valuation",
    "value_unmeasured",
]

REASONS = {
    "obsolete": "no sale in the last obsolete_weeks weeks, or never sold",
    "aged": "most of the value at risk is older than the oldest ageing edge",
    "excess": "most of the value at risk is above the excess limit",
    "healthy": "stock, none of it obsolete, aged or excess",
    "no stock": "nothing on hand",
}


METHODS = methods_section("Inventory health")


# --------------------------------------------------------------------------- buckets
def bucket_labels(edges: tuple[float, ...]) -> list[str]:
    """The buckets as people read them: "0-90 days", ..., "over 365 days", "unknown age"."""
    labels, low = [], "0"
    for e in edges:
        labels.append(f"{low}-{fmt.plain(e)} days")
        low = fmt.plain(e + 1) if float(e).is_integer() else fmt.plain(e)
    return [*labels, f"over {fmt.plain(edges[-1])} days", "unknown age"]


AGEING_COLUMNS: dict[str, str] = {
    "sku": "Product code (one row per SKU of the inventory snapshot)",
    "units_<bucket>": "Units on hand whose age falls in the bucket (negative rows count as 0)",
    "value_<bucket>": "Their value at the inventory row's unit_cost, for rows that have one",
    "uncosted_<bucket>": "Units in the bucket from rows without a unit_cost (valued later at "
    "the SKU's unit value: policy.valuation)",
}


def read_ageing(
    con: duckdb.DuckDBPyConnection,
    settings: HealthSettings | None = None,
) -> pd.DataFrame:
    """Per SKU of the inventory snapshot, the units and value per ageing bucket (columns
    :data:`AGEING_COLUMNS`, one set per bucket of ``settings``), sorted by SKU. One SQL pass
    over the inventory: run it once per data load. Empty when no inventory is loaded."""
    table = read_ageing_table(con, settings)
    names = _value_names(table.column_names)
    matrix = np.empty((len(names), table.num_rows))  # rows: columns, one block for the frame
    for i, name in enumerate(names):
        matrix[i] = _floats(table, name)
    return _frame(table.column("sku").to_numpy(zero_copy_only=False), matrix, names)


def read_ageing_table(
    con: duckdb.DuckDBPyConnection,
    settings: HealthSettings | None = None,
) -> pa.Table:
    """:func:`read_ageing` as an Arrow table, as read (stored at the load for the default
    buckets): what :func:`align_ageing` takes without making a text per SKU."""
    sql, params = ageing_query(settings or HealthSettings())
    return read_or_query(con, "inventory_ageing", sql, params, rows_per_batch=ONE_CHUNK)


def _value_names(columns: list[str] | pd.Index) -> list[str]:
    return [str(c) for c in columns if c != "sku"]


def _floats(ageing: pd.DataFrame | pa.Table, name: str) -> np.ndarray:
    """``ageing``'s column ``name`` as floats (missing values NaN)."""
    if isinstance(ageing, pd.DataFrame):
        return ageing[name].to_numpy(float)
    return floats(ageing.column(name))  # without a copy where the buffer reads as it is


def _frame(sku: np.ndarray, matrix: np.ndarray, names: list[str]) -> pd.DataFrame:
    """A ``sku`` column and one float column per row of ``matrix``, without a copy of it."""
    out = pd.DataFrame(matrix.T, columns=pd.Index(names, dtype=object), copy=False)
    out.insert(0, "sku", np.asarray(sku, dtype=object))
    return out


def ageing_note(stored_columns: set[str], unknown_share: float = 0.0) -> str | None:
    """What the page should say about how ages were told, from the inventory columns the last
    load mapped (``Workspace.stored_columns("inventory")``) and the share of the value whose
    age is unknown; None when there is nothing to say."""
    if not {"age_days", "receipt_date"} & stored_columns:
        return (
            "No age can be told: the inventory snapshot has neither age_days nor "
            "receipt_date mapped, so all stock shows as unknown age. Map one of them on "
            "the Data page to see the ageing."
        )
    notes = []
    if "age_days" not in stored_columns and "snapshot_date" not in stored_columns:
        notes.append(
            "Ages are counted from receipt_date to the last sales day: snapshot_date is not mapped."
        )
    if unknown_share > 0:
        notes.append(
            f"{fmt.share(unknown_share)} of the value on hand has no age: its rows have "
            "neither age_days nor receipt_date."
        )
    return " ".join(notes) or None


# --------------------------------------------------------------------------- per SKU
SKU_HEALTH_COLUMNS: dict[str, str] = {
    "sku": "Product code",
    "segment": "Segment under the rules",
    "on_hand": "Units on hand, all locations (negative rows count as 0)",
    "value": "Value on hand: the inventory row's unit cost, else the SKU's unit value "
    "(its unit cost, else its unit price: policy.valuation)",
    "units_<bucket>": "Units per ageing bucket (one column per bucket, unknown last)",
    "value_<bucket>": "Value per ageing bucket; the buckets sum to value",
    "aged_units": "Units in the oldest dated bucket (default over 365 days)",
    "aged_value": "Their value",
    "demand_mean": "Mean weekly demand over the window (feature table)",
    "excess_limit": "Units needed: order-up-to level, or cover_weeks x weekly demand",
    "excess_units": "on_hand - excess_limit, floored at 0",
    "excess_value": "Value of the excess units, taken from the oldest stock first",
    "weeks_since_last_sale": "Weeks from the last sale to the window's last day (empty: never sold)",
    "obsolete": "Stock and no sale in the last obsolete_weeks weeks, or never sold",
    "obsolete_value": "value where obsolete, else 0",
    "write_down_exposure": "Value x the highest write-down rate of each unit's categories",
    "value_at_risk": "Value of the units that are obsolete, aged or excess (each once)",
    "reason": "obsolete, aged, excess, healthy or no stock (REASONS)",
    "uncosted_units": "Units valued at 0: neither a unit cost nor a unit price anywhere",
    "valued_at": "What the units without an inventory unit_cost are valued at: cost, price "
    "or none (cost when every row has its own)",
}


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(float)


def align_ageing(ageing: pd.DataFrame | pa.Table, skus: pd.Series) -> pd.DataFrame:
    """:func:`read_ageing` (or :func:`read_ageing_table`) reindexed to ``skus`` (the feature
    table's order; zeros for SKUs without inventory rows). One Arrow hash lookup over the
    SKUs: do it once per data load and pass the result to :func:`sku_health`, which then
    skips it."""
    if isinstance(ageing, pd.DataFrame):
        names, keys, n = _value_names(ageing.columns), ageing["sku"], len(ageing)
    else:
        names, keys, n = _value_names(ageing.column_names), ageing.column("sku"), ageing.num_rows
    where = positions(keys, skus)
    missing = where < 0  # SKUs without inventory rows: zeros
    where[missing] = 0
    out = np.empty((len(names), len(skus)))
    for i, name in enumerate(names):
        if n:
            np.take(_floats(ageing, name), where, out=out[i])
        out[i, missing] = 0.0
    return _frame(skus.to_numpy(), out, names)


def ageing_in_order(values: pa.Table, skus: pd.Series) -> pd.DataFrame:
    """:func:`align_ageing`'s frame from its value columns, ``values``, whose rows are already
    in the order of ``skus`` (as the load stores them for its portfolio: no lookup)."""
    if values.num_rows != len(skus):
        raise HealthError(f"{values.num_rows} ageing rows for {len(skus)} SKUs")
    columns = {"sku": skus.to_numpy()}
    columns.update({name: _floats(values, name) for name in _value_names(values.column_names)})
    return pd.DataFrame(columns, copy=False)  # the Arrow buffers as they are (read only)


def _matrices(
    ageing: pd.DataFrame, keys: list[str]
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """The units, value and uncosted columns of ``ageing``, one array per bucket each (the
    frame's own columns where they are floats: no copy of a million SKUs' table)."""
    cols = [f"{prefix}{k}" for prefix in ("units_", "value_", "uncosted_") for k in keys]
    missing = [c for c in cols if c not in ageing]
    if missing:
        raise HealthError(
            f"the ageing table lacks {', '.join(missing)}: read it with the same "
            "age edges as the settings"
        )
    arrays = [ageing[c].to_numpy(float) for c in cols]
    k = len(keys)
    return arrays[:k], arrays[k : 2 * k], arrays[2 * k :]


def _total(rows: list[np.ndarray]) -> np.ndarray:
    """The element-wise sum of ``rows``, added in their order (what ``np.stack(rows).sum(
    axis=0)`` gives, without the stacked copy)."""
    out = np.array(rows[0], dtype=float)
    for row in rows[1:]:
        out += row
    return out


def _days_since(features: pd.DataFrame, last_day: dt.date) -> np.ndarray:
    """Days from each SKU's last sale to ``last_day`` (NaN: never sold)."""
    if "last_sale" not in features:
        return np.full(len(features), np.nan)
    last = features["last_sale"]
    if not pd.api.types.is_datetime64_any_dtype(last):
        last = pd.to_datetime(last)
    days = last.to_numpy().astype("datetime64[D]")
    out = (np.datetime64(last_day, "D") - days).astype(float)
    out[np.isnat(days)] = np.nan
    return np.maximum(out, 0.0)  # a sale after the window's end (partial week): 0 days


def _divide_or_zero(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """:func:`safe_divide` a / b where b > 0, else 0 on purpose: the unit value, share or cover
    of nothing adds nothing to the value sums below (a tiny b may give inf: callers check)."""
    return np.where(b > 0, safe_divide(a, b), 0.0)


def sku_health(
    features: pd.DataFrame,
    segments: np.ndarray,
    ageing: pd.DataFrame,
    last_day: dt.date,
    settings: HealthSettings | None = None,
    policies: pd.DataFrame | None = None,
    unit_values: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The health of every SKU of ``features``: one row per feature row, in its order, columns
    :data:`SKU_HEALTH_COLUMNS` (bucket columns per ``settings``). Definitions: :data:`METHODS`.

    ``features``: the feature table (sku, unit_cost, demand_mean, last_sale); ``segments``:
    the segment of each row; ``ageing``: :func:`read_ageing` with the same age edges;
    ``last_day``: the analysis window's last day; ``policies``: :func:`policy.compute_policies`
    for the same rows (order_up_to), needed for the "order_up_to" excess basis;
    ``unit_values``: :func:`feature_unit_values` of ``features`` when already at hand (the
    policy inputs' unit_cost and valued_at), else computed here. The units per bucket are
    ``ageing``'s own arrays when it is aligned already (shared, not copied: read only).
    """
    s = settings or HealthSettings()
    keys = s.buckets
    n = len(features)
    if len(segments) != n:
        raise HealthError(f"{len(segments)} segments for {n} SKUs")
    skus = features["sku"]
    aligned = len(ageing) == n and np.array_equal(ageing["sku"].to_numpy(), skus.to_numpy())
    if not aligned:
        ageing = align_ageing(ageing, skus)
    units, costed, uncosted = _matrices(ageing, keys)  # one array per bucket
    # Units of rows without their own unit_cost take the SKU's unit value (the one rule of
    # policy.valuation: its unit cost, else its unit price, else none).
    unit_value, sku_at = unit_values or feature_unit_values(features)
    no_value = sku_at == NONE
    fallback = np.where(no_value, 0.0, unit_value)
    value_b = [c + u * fallback for c, u in zip(costed, uncosted, strict=True)]
    uncosted_units = _total(uncosted)
    on_hand = _total(units)
    value = _total(value_b)

    aged_i = len(keys) - 2
    aged_units, aged_value = units[aged_i], value_b[aged_i]
    rest_units, rest_value = on_hand - aged_units, value - aged_value

    demand = np.nan_to_num(np.maximum(_col(features, "demand_mean"), 0.0), copy=False)
    if s.excess_basis == "order_up_to":
        if policies is None or "order_up_to" not in policies:
            raise HealthError(
                "the order_up_to excess basis needs the policies "
                "(policy.compute_policies) of the same SKUs"
            )
        if len(policies) != n:
            raise HealthError(f"{len(policies)} policy rows for {n} SKUs")
        limit = np.nan_to_num(np.maximum(_col(policies, "order_up_to"), 0.0), copy=False)
    else:
        limit = s.cover_weeks * demand  # demand_mean is per week, also for monthly files
    excess = np.maximum(on_hand - limit, 0.0)
    excess_aged = np.minimum(excess, aged_units)  # excess taken from the oldest stock first
    excess_rest = excess - excess_aged
    aged_unit_value = _divide_or_zero(aged_value, aged_units)
    rest_unit_value = _divide_or_zero(rest_value, rest_units)
    v_aged_excess = excess_aged * aged_unit_value
    v_aged_only = np.maximum(aged_value - v_aged_excess, 0.0)
    v_excess_only = np.minimum(excess_rest * rest_unit_value, np.maximum(rest_value, 0.0))
    v_neither = np.maximum(rest_value - v_excess_only, 0.0)
    excess_value = v_aged_excess + v_excess_only

    days_since = _days_since(features, last_day)
    no_recent_sale = np.isnan(days_since) | (days_since >= 7.0 * s.obsolete_weeks)
    obsolete = no_recent_sale & (on_hand > 0)
    obsolete_value = np.where(obsolete, value, 0.0)

    r_obs = np.where(obsolete, s.obsolete_rate, 0.0)
    exposure = (
        v_aged_excess * np.maximum(r_obs, max(s.aged_rate, s.excess_rate))
        + v_aged_only * np.maximum(r_obs, s.aged_rate)
        + v_excess_only * np.maximum(r_obs, s.excess_rate)
        + v_neither * r_obs
    )
    at_risk = np.where(obsolete, value, aged_value + v_excess_only)
    reason = pd.Categorical.from_codes(
        np.select(
            [
                obsolete,
                (aged_value > 0) & (aged_value >= excess_value),
                excess_value > 0,
                on_hand > 0,
            ],
            [0, 1, 2, 3],
            4,
        ),
        categories=list(REASONS),
    )

    out = {
        "sku": skus.to_numpy(),
        "segment": np.asarray(segments, dtype=object),
        "on_hand": on_hand,
        "value": value,
    }
    out.update({f"units_{k}": units[i] for i, k in enumerate(keys)})
    out.update({f"value_{k}": value_b[i] for i, k in enumerate(keys)})
    out.update(
        {
            "aged_units": aged_units,
            "aged_value": aged_value,
            "demand_mean": demand,
            "excess_limit": limit,
            "excess_units": excess,
            "excess_value": excess_value,
            "weeks_since_last_sale": days_since / 7.0,
            "obsolete": obsolete,
            "obsolete_value": obsolete_value,
            "write_down_exposure": exposure,
            "value_at_risk": at_risk,
            "reason": reason,
            "uncosted_units": np.where(no_value, uncosted_units, 0.0),
            VALUED_AT: np.where(uncosted_units > 0, sku_at, COST).astype(object, copy=False),
        }
    )
    return pd.DataFrame(out, copy=False)


# --------------------------------------------------------------------------- per segment
SEGMENT_HEALTH_COLUMNS: dict[str, str] = {
    "segment": "Segment under the rules",
    "skus": "SKUs in the segment",
    "skus_with_stock": "Of which with stock on hand",
    "value": "Value on hand",
    "value_<bucket>": "Value per ageing bucket (one column per bucket; they sum to value)",
    "excess_value": "Value above the excess limit (overlaps obsolete)",
    "obsolete_value": "Value of obsolete SKUs",
    "aged_value": "Value in the oldest dated bucket",
    "write_down_exposure": "Sum of the SKUs' write-down exposure (each unit once)",
    "value_at_risk": "Value of the units obsolete, aged or excess (each unit once)",
    "value_at_risk_share": "value_at_risk / value",
}
_SUMMED = (
    "value",
    "excess_value",
    "obsolete_value",
    "aged_value",
    "write_down_exposure",
    "value_at_risk",
)


def segment_health(skus: pd.DataFrame, settings: HealthSettings | None = None) -> pd.DataFrame:
    """One row per segment (sorted), columns :data:`SEGMENT_HEALTH_COLUMNS`."""
    s = settings or HealthSettings()
    segment = skus["segment"]
    if pd.api.types.infer_dtype(segment, skipna=False) != "string":  # texts already: as they are
        segment = segment.astype(str)
    codes, labels = pd.factorize(segment, sort=True)
    k = len(labels)

    def total(col: str) -> np.ndarray:
        return np.bincount(codes, weights=skus[col].to_numpy(float), minlength=k)

    out: dict[str, object] = {
        "segment": np.asarray(labels, dtype=object),
        "skus": np.bincount(codes, minlength=k),
        "skus_with_stock": np.bincount(
            codes, weights=(skus["on_hand"] > 0).to_numpy(float), minlength=k
        ).astype(np.int64),
        "value": total("value"),
    }
    out.update({f"value_{b}": total(f"value_{b}") for b in s.buckets})
    out.update({c: total(c) for c in _SUMMED[1:]})
    table = pd.DataFrame(out)
    table["value_at_risk_share"] = _divide_or_zero(
        table["value_at_risk"].to_numpy(float), table["value"].to_numpy(float)
    )
    return table


def headline(skus: pd.DataFrame) -> dict[str, float]:
    """Portfolio totals: value, excess_value, obsolete_value, aged_value, write_down_exposure,
    value_at_risk, skus_at_risk, and unknown_age_share (of the value)."""
    out = {c: float(skus[c].sum()) for c in _SUMMED}
    out["skus_at_risk"] = float((skus["value_at_risk"] > 0).sum())
    unknown = float(skus[f"value_{UNKNOWN}"].sum()) if f"value_{UNKNOWN}" in skus else 0.0
    out["unknown_age_share"] = float(_divide_or_zero(unknown, out["value"]))
    return out


def stock_valuation(skus: pd.DataFrame) -> Valuation:
    """What the stock on hand of ``skus`` (:func:`sku_health`) is valued at, over the SKUs with
    stock: :attr:`Valuation.label` says it on the page and in the review."""
    stocked = pd.to_numeric(skus["on_hand"], errors="coerce").fillna(0).to_numpy() > 0
    return counted(skus[VALUED_AT].to_numpy(object)[stocked])


def value_unmeasured(skus: pd.DataFrame) -> str:
    """Why the stock's value, and so its excess, obsolete and write-down value, cannot be
    measured ("" when it can): units on hand but neither a unit cost nor a unit price for
    any of them (policy.valuation)."""
    units = pd.to_numeric(skus["on_hand"], errors="coerce").fillna(0)
    value = pd.to_numeric(skus["value"], errors="coerce").fillna(0)
    if not (units > 0).any() or (value[units > 0] > 0).any():
        return ""
    return (
        "the stock on hand has no value: no SKU in stock has a unit_cost (the inventory, "
        "sales or products file can give it) or a unit price (revenue or unit_price in the "
        "sales file), so excess, obsolete and write-down value cannot be measured"
    )


def ageing_chart_data(
    segments: pd.DataFrame,
    settings: HealthSettings | None = None,
) -> pd.DataFrame:
    """Long form for the stacked bar: segment, bucket (label), value; youngest bucket first."""
    s = settings or HealthSettings()
    labels = bucket_labels(s.age_edges_days)
    cols = [f"value_{b}" for b in s.buckets]
    long = segments[["segment", *cols]].melt(
        id_vars="segment", var_name="bucket", value_name="value"
    )
    long["bucket"] = long["bucket"].map(dict(zip(cols, labels, strict=True)))
    return long


# --------------------------------------------------------------------------- act on first
ACT_ON_FIRST_COLUMNS: dict[str, str] = {
    "rank": "1 = the most value at risk",
    "sku": "Product code",
    "segment": "Segment under the rules",
    "reason": "obsolete, aged or excess",
    "action": "What to do, with the figure behind it",
    "value_at_risk": "Value of the units obsolete, aged or excess",
    "write_down_exposure": "What a write-down at the rates would cost",
    "value": "Value on hand",
    "on_hand": "Units on hand",
    "excess_units": "Units above the excess limit",
    "aged_share": "Share of the units in the oldest dated bucket",
    "weeks_since_last_sale": "Weeks since the last sale (empty: never sold)",
}


def _ranked(skus: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """The rows with value at risk, most first, ties by SKU; the first ``limit`` of them."""
    risk = skus["value_at_risk"].to_numpy(float)
    rows = np.flatnonzero(risk > 0)
    if limit is not None and limit < 1:
        rows = rows[:0]
    elif limit is not None and limit < len(rows):
        # Only the rows at or above the limit-th largest risk need sorting (ties included).
        kth = -np.partition(-risk[rows], limit - 1)[limit - 1]
        rows = rows[risk[rows] >= kth]
    order = np.lexsort((skus["sku"].to_numpy()[rows].astype(str), -risk[rows]))
    return skus.iloc[rows[order[:limit]]].reset_index(drop=True)


def _actions(t: pd.DataFrame, s: HealthSettings, aged_share: np.ndarray) -> np.ndarray:
    """The suggested action of each row of ``t``, built per reason on that reason's rows."""
    action = np.full(len(t), "", dtype=object)
    reason = t["reason"].to_numpy(object)
    on_hand = t["on_hand"].to_numpy(float)

    rows = np.flatnonzero(reason == "obsolete")
    weeks = t["weeks_since_last_sale"].to_numpy(float)[rows]
    action[rows] = np.where(
        np.isnan(weeks),
        "obsolete: never sold: sell off / write down",
        "obsolete: no sale in " + fmt.each(fmt.count, weeks) + " weeks: sell off / write down",
    )

    rows = np.flatnonzero(reason == "excess")
    stop = ": stop replenishment / return to supplier"
    if s.excess_basis == "order_up_to":
        limit = t["excess_limit"].to_numpy(float)[rows]
        ratio = _divide_or_zero(on_hand[rows], limit)
        action[rows] = np.where(
            np.isfinite(ratio) & (limit > 0),
            "excess: " + fmt.each(fmt.ratio, ratio, 1) + " order-up-to" + stop,
            "excess: the policy stocks none" + stop,
        )
    else:
        demand = t["demand_mean"].to_numpy(float)[rows]
        cover = _divide_or_zero(on_hand[rows], demand)
        action[rows] = np.where(
            np.isfinite(cover) & (demand > 0),
            "excess: "
            + fmt.each(fmt.count, cover)
            + " weeks of cover (limit "
            + f"{fmt.plain(s.cover_weeks)})"
            + stop,
            "excess: no demand in the window" + stop,
        )

    rows = np.flatnonzero(reason == "aged")
    action[rows] = (
        "aged: "
        + fmt.each(fmt.share, aged_share[rows], 0)
        + f" over {fmt.plain(s.age_edges_days[-1])} days: discount, bundle or move it "
        "to where it sells"
    )
    return action


def act_on_first(
    skus: pd.DataFrame,
    settings: HealthSettings,
    limit: int | None = None,
) -> pd.DataFrame:
    """The SKUs with value at risk, most first (ties by SKU), with the suggested action;
    columns :data:`ACT_ON_FIRST_COLUMNS`. ``skus``: :func:`sku_health` under the same
    ``settings`` (the action names their excess basis). ``limit``: keep the first rows."""
    t = _ranked(skus, limit)
    aged_share = _divide_or_zero(t["aged_units"].to_numpy(float), t["on_hand"].to_numpy(float))
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(t) + 1),
            "sku": t["sku"],
            "segment": t["segment"],
            "reason": t["reason"],
            "action": _actions(t, settings, aged_share),
            "value_at_risk": t["value_at_risk"],
            "write_down_exposure": t["write_down_exposure"],
            "value": t["value"],
            "on_hand": t["on_hand"],
            "excess_units": t["excess_units"],
            "aged_share": aged_share,
            "weeks_since_last_sale": t["weeks_since_last_sale"],
        }
    )
