"""`segstudio features --out F.parquet` is written by DuckDB (features.build.export_features):
the same table as compute_features under the same settings and cut-offs, whether the load
stored it or not, and a command that starts without pandas or pyarrow."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from segstudio.errors import SegStudioError
from segstudio.features.build import (
    FeatureSettings,
    analysis_window,
    compute_features,
    export_features,
)
from segstudio.features.classes import ClassCuts
from segstudio.ingest.workspace import Workspace
from segstudio.perform.io import store_after_load
from tests.builders import build_workspace, run_fresh
from tests.features.test_feature_store import small_workspace_files


def _as_written(frame: pd.DataFrame) -> pd.DataFrame:
    """compute_features' frame as the Parquet file holds it: dates as dates."""
    out = frame.copy()
    for c in ("first_sale", "last_sale"):
        out[c] = pd.Series(
            [None if pd.isna(v) else pd.Timestamp(v).date() for v in out[c]], dtype=object
        )
    return out


def _exported(ws_path: Path, out: Path, s: FeatureSettings, cuts: ClassCuts) -> pd.DataFrame:
    with Workspace(ws_path) as ws:
        n, _ = export_features(ws.con, out, s, cuts)
    frame = pd.read_parquet(out)
    assert len(frame) == n
    return frame


@settings(max_examples=15, deadline=None)
@given(
    files=small_workspace_files(),
    weeks=st.sampled_from([4, 13, 52]),
    adi=st.sampled_from([1.1, 1.32, 2.0]),
    new_weeks=st.sampled_from([4, 13]),
)
def test_the_export_equals_compute_features_stored_or_not(
    files: dict[str, list[dict]], weeks: int, adi: float, new_weeks: int
) -> None:
    cuts = ClassCuts(adi=adi, cv2=0.49, new_weeks=new_weeks, eol_weeks=26)
    with tempfile.TemporaryDirectory() as tmp:
        ws_path = build_workspace(Path(tmp), **files)
        with Workspace(ws_path) as ws:
            try:
                analysis_window(ws.con, FeatureSettings(weeks=weeks))
            except SegStudioError:
                assume(False)
        for stored in (False, True):
            if stored:
                assert store_after_load(Workspace(ws_path)) is None
            for s in (FeatureSettings(), FeatureSettings(weeks=weeks)):
                with Workspace(ws_path) as ws:
                    try:
                        expected, _ = compute_features(ws.con, s, cuts)
                    except SegStudioError:
                        continue
                got = _exported(ws_path, Path(tmp) / "f.parquet", s, cuts)
                pd.testing.assert_frame_equal(
                    got, _as_written(expected), check_dtype=False, check_exact=False, rtol=1e-12
                )
                assert got["pattern"].tolist() == expected["pattern"].tolist()


def test_segstudio_features_after_a_load_imports_neither_pandas_nor_pyarrow(
    tmp_path: Path,
) -> None:
    sales = [
        {"sku": f"S{k}", "date": dt.date(2024, 1, 1) + dt.timedelta(days=7 * i), "quantity": k + i}
        for k in range(3)
        for i in range(30)
    ]
    ws_path = build_workspace(tmp_path, sales=sales)
    assert store_after_load(Workspace(ws_path)) is None
    out = tmp_path / "f.parquet"
    code = (
        "import contextlib, io, json, sys\n"
        "from segstudio.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['features', '--workspace', {str(ws_path)!r}, '--out', {str(out)!r}])\n"
        "print(json.dumps({'rc': rc, 'loaded': [m for m in ('pandas', 'pyarrow')"
        " if m in sys.modules]}))\n"
    )
    r = run_fresh(code)
    assert r == {"rc": 0, "loaded": []}
    assert pd.read_parquet(out)["sku"].tolist() == ["S0", "S1", "S2"]
