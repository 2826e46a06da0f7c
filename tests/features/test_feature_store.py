"""The feature table stored at a load (segstudio.ingest.store) is the query's own output: read
back, it gives exactly the features the query gives, on the demo and on generated workspaces;
and it is read only for the data and the settings it was stored for."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from segstudio.cli import main
from segstudio.errors import SegStudioError
from segstudio.features.build import FeatureSettings, analysis_window, compute_features
from segstudio.features.build import _features_query as features_query
from segstudio.features.classes import ClassCuts, with_classes
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.store import holds
from segstudio.ingest.workspace import Workspace
from segstudio.perform.io import store_after_load
from tests.builders import MON, build_workspace, write_csv


def _query_and_stored(ws_path: Path, s: FeatureSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The features computed by the query, then by the store written after the load."""
    with Workspace(ws_path) as ws:
        queried, _ = compute_features(ws.con, s)
        assert not _holds_features(ws, s)
    assert store_after_load(Workspace(ws_path)) is None
    with Workspace(ws_path) as ws:
        assert _holds_features(ws, s)
        stored, _ = compute_features(ws.con, s)
    return queried, stored


def _holds_features(ws: Workspace, s: FeatureSettings) -> bool:
    sql, params = features_query(analysis_window(ws.con, s), s)
    return holds(ws.con, "features", sql, params)


def test_the_stored_demo_features_equal_the_query(demo_workspace: Path) -> None:
    queried, stored = _query_and_stored(demo_workspace, FeatureSettings())
    assert len(queried) >= 300  # the demo's SKUs (and inventory's that never sold)
    pd.testing.assert_frame_equal(stored, queried)


def test_another_window_or_a_new_load_runs_the_query(demo_workspace: Path, tmp_path: Path) -> None:
    assert store_after_load(Workspace(demo_workspace)) is None
    with Workspace(demo_workspace) as ws:
        assert not _holds_features(ws, FeatureSettings(weeks=26))
        sales = write_csv(
            tmp_path / "sales.csv",
            [{"sku": "N1", "date": MON + dt.timedelta(weeks=i), "quantity": 2} for i in range(8)],
        )
        ws.load({"sales": SourceFile(sales)})  # a load without the store step
        assert not _holds_features(ws, FeatureSettings())
        df, _ = compute_features(ws.con, FeatureSettings())
    # The new sales, not the stored table (the inventory's SKUs stay, without sales now).
    sold = df[df["quantity"] != 0]
    assert sold["sku"].tolist() == ["N1"]
    assert sold["quantity"].tolist() == [16]


def test_segstudio_load_stores_and_features_reads_it(tmp_path: Path, capsys) -> None:
    rows = [
        {"sku": f"S{k}", "date": MON + dt.timedelta(days=3 * i), "quantity": (i * k) % 7 - 1}
        for k in range(1, 6)
        for i in range(60)
    ]
    sales = write_csv(tmp_path / "sales.csv", rows)
    ws_path = tmp_path / "w.duckdb"
    assert main(["load", "--workspace", str(ws_path), "--sales", str(sales)]) == 0
    with Workspace(ws_path) as ws:
        assert _holds_features(ws, FeatureSettings())
    out = tmp_path / "f.parquet"
    assert main(["features", "--workspace", str(ws_path), "--out", str(out)]) == 0
    fresh = tmp_path / "fresh.duckdb"  # the same data loaded without the store step
    with Workspace(fresh) as ws:
        ws.load({"sales": SourceFile(sales)})
    assert main(["features", "--workspace", str(fresh), "--out", str(tmp_path / "g.parquet")]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out), pd.read_parquet(tmp_path / "g.parquet"), check_dtype=True
    )
    capsys.readouterr()


@st.composite
def small_workspace_files(draw: st.DrawFn) -> dict[str, list[dict]]:
    """A few SKUs with daily or weekly lines (returns, missing prices and costs, customers),
    and sometimes an inventory snapshot and supplier receipts."""
    n_skus = draw(st.integers(1, 5))
    step = draw(st.sampled_from([1, 3, 7]))
    days = draw(st.integers(20, 200))
    sales = []
    for k in range(n_skus):
        for i in draw(st.lists(st.integers(0, days // step), min_size=1, max_size=30)):
            sales.append(
                {
                    "sku": f"K{k}",
                    "date": MON + dt.timedelta(days=i * step),
                    "quantity": draw(st.integers(-5, 40)),
                    "unit_price": draw(st.sampled_from([None, 2.5, 10.0])),
                    "unit_cost": draw(st.sampled_from([None, 1.0, 4.25])),
                    "customer": draw(st.sampled_from([None, "C1", "C2"])),
                }
            )
    files: dict[str, list[dict]] = {"sales": sales}
    if draw(st.booleans()):
        files["inventory"] = [
            {"sku": f"K{k}", "on_hand": draw(st.integers(0, 90)), "unit_cost": 2.0}
            for k in range(n_skus)
        ]
    if draw(st.booleans()):
        files["suppliers"] = [
            {
                "sku": f"K{draw(st.integers(0, n_skus - 1))}",
                "supplier": draw(st.sampled_from(["P", "Q"])),
                "order_date": MON + dt.timedelta(days=10 * j),
                "receipt_date": MON + dt.timedelta(days=10 * j + draw(st.integers(1, 30))),
                "ordered_qty": 10,
                "received_qty": draw(st.integers(5, 12)),
            }
            for j in range(draw(st.integers(1, 6)))
        ]
    return files


@settings(max_examples=15, deadline=None)
@given(files=small_workspace_files(), weeks=st.sampled_from([4, 13, 52]))
def test_the_stored_features_equal_the_query_on_generated_workspaces(
    files: dict[str, list[dict]], weeks: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws_path = build_workspace(Path(tmp), **files)
        with Workspace(ws_path) as ws:
            try:
                analysis_window(ws.con, FeatureSettings())
            except SegStudioError:  # shorter than one complete period: no feature table at all
                assume(False)
        with Workspace(ws_path) as ws:  # a window the store does not hold: the query
            other, _ = compute_features(ws.con, FeatureSettings(weeks=weeks))
        queried, stored = _query_and_stored(ws_path, FeatureSettings())
        with Workspace(ws_path) as ws:
            after, _ = compute_features(ws.con, FeatureSettings(weeks=weeks))
    pd.testing.assert_frame_equal(stored, queried)
    pd.testing.assert_frame_equal(after, other)


def test_the_other_stored_tables_equal_their_queries(demo_workspace: Path) -> None:
    """The scorecard's, the receipts' and the inventory's tables a load stores."""
    from segstudio.perform.health import read_ageing
    from segstudio.perform.io import sku_quarters, sku_service
    from segstudio.perform.suppliers import receipt_aggregates

    def read(ws: Workspace) -> list[pd.DataFrame]:
        window = analysis_window(ws.con, FeatureSettings())
        agg = receipt_aggregates(ws)
        return [
            sku_service(ws.con, window),
            sku_quarters(ws.con),
            read_ageing(ws.con),
            agg.pairs,
            agg.quarters,
        ]

    with Workspace(demo_workspace) as ws:
        queried = read(ws)
    assert store_after_load(Workspace(demo_workspace)) is None
    with Workspace(demo_workspace) as ws:
        for name in ("sku_service", "sku_quarters", "inventory_ageing", "supplier_sku"):
            assert int(ws.con.execute(f"SELECT count(*) FROM __stored_{name}").fetchone()[0]) > 0
        stored = read(ws)
    for a, b in zip(queried, stored, strict=True):
        assert len(a) > 0
        # Some of these queries leave the row order free (callers align by key): compare sets.
        pd.testing.assert_frame_equal(_in_order(b), _in_order(a))


def _in_order(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def test_the_stored_curves_are_the_official_segmentations(demo_workspace: Path) -> None:
    """The trade-off curves a load stores are those computed for the official segmentation
    (read back exactly), and only for its key."""
    from segstudio.perform.io import stored_curves
    from segstudio.policy.sku import SkuInputs
    from segstudio.policy.tradeoff import curves, curves_key
    from segstudio.segment.decisions import segment_skus

    ws = Workspace(demo_workspace)
    p, s = segment_skus(ws)
    fresh = curves(SkuInputs.from_features(p.features), s.segment, s.rules.policy)
    key = curves_key(s.codes, s.labels, s.rules, s.rules.policy)
    assert stored_curves(ws, key) is None
    assert store_after_load(ws) is None
    stored = stored_curves(ws, key)
    assert stored is not None and len(stored) > 0
    pd.testing.assert_frame_equal(stored, fresh)
    other = curves_key(s.codes, s.labels, s.rules.with_(abc_a=0.7), s.rules.policy)
    assert stored_curves(ws, other) is None  # other rules: computed, not read


def test_the_stored_trend_is_the_official_segmentations(demo_workspace: Path) -> None:
    """The quarterly trend a load stores is the one computed for the official segmentation
    (read back exactly), and only for its key: other segments are summed, not read."""
    from segstudio.perform import kpis
    from segstudio.perform.io import sku_quarters_table, stored_trend, trend_key
    from segstudio.segment.decisions import segment_skus

    ws = Workspace(demo_workspace)
    p, s = segment_skus(ws)
    key = trend_key(s.codes, s.labels, s.rules.weeks, sorted(s.rules.exclude))
    assert stored_trend(ws, key) is None
    assert store_after_load(ws) is None
    # Summed from the stored quarterly table, as the app sums any other segmentation (the
    # query leaves its row order free, and sums in another order can differ in the last bit).
    with ws.connect() as con:
        window = analysis_window(con, FeatureSettings(weeks=s.rules.weeks))
        quarters = kpis.prepare_quarters(sku_quarters_table(con), p.sku)
    columns = kpis.ServiceColumns.from_stored(ws.stored_columns("sales"))
    fresh = kpis.quarterly_trend(quarters, s.segment, columns, window.last_day)
    stored = stored_trend(ws, key)
    assert stored is not None and len(stored) > 0
    pd.testing.assert_frame_equal(stored, fresh, check_exact=True)
    moved = s.codes.copy()
    moved[0] = (moved[0] + 1) % len(s.labels)
    assert stored_trend(ws, trend_key(moved, s.labels, s.rules.weeks, ())) is None
    assert stored_trend(ws, trend_key(s.codes, s.labels, s.rules.weeks + 1, ())) is None
    assert stored_trend(ws, trend_key(s.codes, s.labels, s.rules.weeks, ("X",))) is None


def test_an_undo_or_a_clear_never_serves_the_features_stored_before_it(
    demo_workspace: Path, tmp_path: Path, capsys
) -> None:
    """The store follows the data through undo and clear: after each, the features read are
    the query's on the data as it is then (never a table stored for another version)."""
    ws_arg = ["--workspace", str(demo_workspace)]
    before = Workspace(demo_workspace).version()
    sales = write_csv(
        tmp_path / "sales.csv",
        [{"sku": "N1", "date": MON + dt.timedelta(weeks=i), "quantity": 2} for i in range(8)],
    )
    assert main(["load", *ws_arg, "--sales", str(sales), "--into-demo"]) == 0
    loaded = Workspace(demo_workspace).version()
    assert main(["undo", *ws_arg, "--load", str(loaded)]) == 0
    assert main(["clear", *ws_arg, "--table", "inventory"]) == 0
    capsys.readouterr()
    with Workspace(demo_workspace) as ws:
        assert ws.version() > loaded > before
        s = FeatureSettings()
        assert _holds_features(ws, s)  # stored again after the clear, for this version
        read, _ = compute_features(ws.con, s)
        sql, params = features_query(analysis_window(ws.con, s), s)
        win = analysis_window(ws.con, s)
        queried = with_classes(
            ws.con.execute(sql, params).df(), win.last_day, ClassCuts.from_rules()
        )
    assert "N1" not in set(read["sku"])  # the undone load's SKU is gone
    assert (read["on_hand"].fillna(0) == 0).all()  # the cleared inventory is gone too
    pd.testing.assert_frame_equal(
        read.reset_index(drop=True), queried.reset_index(drop=True), check_dtype=False
    )


def test_the_stored_ageing_is_the_official_portfolios_aligned_ageing(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """A load stores the inventory's ageing in the official portfolio's SKU order: read back,
    it is the ageing the page would align (exactly); it is read only for the buckets, window
    and exclusions it was stored for, and never after another load."""
    from segstudio.perform.health import HealthSettings, align_ageing, read_ageing_table
    from segstudio.perform.io import ageing_key, stored_ageing
    from segstudio.segment.decisions import segment_skus

    ws = Workspace(demo_workspace)
    p, s = segment_skus(ws)
    key = ageing_key(HealthSettings(), s.rules.weeks, s.rules.exclude)
    skus = p.features["sku"]
    assert stored_ageing(ws, key, skus) is None
    assert store_after_load(ws) is None
    with ws.connect() as con:
        fresh = align_ageing(read_ageing_table(con), skus)
    stored = stored_ageing(ws, key, skus)
    assert stored is not None and (stored.drop(columns="sku").to_numpy() > 0).any()
    pd.testing.assert_frame_equal(stored, fresh, check_exact=True)
    for other in (
        ageing_key(HealthSettings(age_edges_days=(30.0, 60.0)), s.rules.weeks, s.rules.exclude),
        ageing_key(HealthSettings(), s.rules.weeks + 1, s.rules.exclude),
        ageing_key(HealthSettings(), s.rules.weeks, (*s.rules.exclude, str(skus.iloc[0]))),
    ):
        assert stored_ageing(ws, other, skus) is None
    assert stored_ageing(ws, key, skus.iloc[1:]) is None  # not these SKUs
    sales = write_csv(
        tmp_path / "sales.csv",
        [{"sku": "N1", "date": MON + dt.timedelta(weeks=i), "quantity": 2} for i in range(8)],
    )
    with Workspace(demo_workspace) as loading:
        loading.load({"sales": SourceFile(sales)})  # a load without the store step
    assert stored_ageing(Workspace(demo_workspace), key, skus) is None


def test_the_stored_policy_figures_are_those_computed_afresh(demo_workspace: Path) -> None:
    """The official policy's figures a load stores (today's points, the per-segment summary,
    what cannot be measured, the SKUs per demand model, what the stock is valued at) are
    those computed from its policies, and only for its key."""
    from segstudio.perform.io import stored_figures
    from segstudio.policy.sku import compute_policies
    from segstudio.policy.tradeoff import curves_key, policy_figures
    from segstudio.segment.decisions import segment_skus

    ws = Workspace(demo_workspace)
    p, s = segment_skus(ws)
    key = curves_key(s.codes, s.labels, s.rules, s.rules.policy)
    assert stored_figures(ws, key) is None
    assert store_after_load(ws) is None
    fresh = policy_figures(compute_policies(p.features, s.segment, s.rules.policy))
    stored = stored_figures(ws, key)
    assert stored is not None and len(stored.today) and len(stored.by_segment)
    # Sums over SKUs may take another order between runs: equal to the last bits, not bit for bit.
    pd.testing.assert_frame_equal(stored.today, fresh.today, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(
        stored.by_segment, fresh.by_segment, check_exact=False, rtol=1e-12
    )
    assert (stored.unvalued, stored.unmeasured_mix) == (fresh.unvalued, fresh.unmeasured_mix)
    assert stored.models == fresh.models and sum(fresh.models.values()) == len(p.features)
    assert stored.valued == fresh.valued and fresh.valued.total > 0
    other = curves_key(s.codes, s.labels, s.rules.with_(abc_a=0.7), s.rules.policy)
    assert stored_figures(ws, other) is None
