"""Stored uploads in isolation: a random name per upload in the session's own folder, the
original suffix kept (the readers need it for nothing but openpyxl, but it keeps the file
recognisable), removal once used, and the sweep of copies a finished session left behind.
The same logic driven through the Data page is in test_app_uploads.py."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import pytest

from segstudio.ingest.readers import detect_kind, peek_columns
from segstudio.ui.uploads import remove_upload, store_upload, sweep_stale, upload_suffix

CSV = b"sku,date,quantity\nA,2024-01-01,3\n"


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("sales.csv", ".csv"),
        ("sales.CSV", ".CSV"),
        ("sales.csv.gz", ".csv.gz"),
        ("orders 2024.03.xlsx", ".xlsx"),
        ("big.parquet", ".parquet"),
        ("export.tsv", ".tsv"),
        ("noextension", ""),
        (".hidden", ""),
        ("../../etc/passwd", ""),
        ("..\\..\\boot.ini", ".ini"),
        ("dir/inner/sales.csv", ".csv"),
        ("evil.c$v", ""),
        ("weird.csv ", ""),
        ("x.csv/", ".csv"),
    ],
)
def test_the_suffix_kept_is_the_original_one_and_only_letters_and_digits(name, suffix) -> None:
    assert upload_suffix(name) == suffix


def test_two_uploads_of_the_same_name_never_share_a_path(tmp_path: Path) -> None:
    a = store_upload(tmp_path / "session-a", b"from A\n", "sales.csv")
    b = store_upload(tmp_path / "session-b", b"from B\n", "sales.csv")
    again = store_upload(tmp_path / "session-a", b"A again\n", "sales.csv")
    assert len({a, b, again}) == 3
    assert (a.read_bytes(), b.read_bytes(), again.read_bytes()) == (
        b"from A\n",
        b"from B\n",
        b"A again\n",
    )
    for path, folder in ((a, "session-a"), (b, "session-b"), (again, "session-a")):
        assert path.parent == tmp_path / folder
        assert path.suffix == ".csv"
        assert "sales" not in path.name
        stem = path.name.removesuffix(".csv")
        assert len(stem) == 32 and int(stem, 16) >= 0  # 128 random bits, hex


def test_a_hostile_name_cannot_leave_the_folder(tmp_path: Path) -> None:
    path = store_upload(tmp_path / "s", CSV, "../../../../tmp/x.csv")
    assert path.parent == tmp_path / "s"
    assert path.suffix == ".csv"


def test_the_stored_copy_is_read_as_the_upload(tmp_path: Path) -> None:
    path = store_upload(tmp_path / "s", gzip.compress(CSV), "Sales Export.csv.gz")
    assert path.name.endswith(".csv.gz")
    assert detect_kind(path) == "csv"
    assert peek_columns(path) == ["sku", "date", "quantity"]


def test_the_session_folder_is_private_to_the_server(tmp_path: Path) -> None:
    path = store_upload(tmp_path / "s", CSV, "a.csv")
    assert (path.parent.stat().st_mode & 0o077) == 0


def test_removing_the_last_upload_removes_the_session_folder(tmp_path: Path) -> None:
    a = store_upload(tmp_path / "s", CSV, "a.csv")
    b = store_upload(tmp_path / "s", CSV, "b.csv")
    remove_upload(a)
    assert not a.exists() and b.exists()
    remove_upload(b)
    assert not b.exists() and not (tmp_path / "s").exists()
    remove_upload(b)  # twice is harmless


def test_the_sweep_removes_old_copies_of_other_sessions_only(tmp_path: Path) -> None:
    old = store_upload(tmp_path / "gone", CSV, "a.csv")
    fresh = store_upload(tmp_path / "live", CSV, "b.csv")
    mine = store_upload(tmp_path / "me", CSV, "c.csv")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    os.utime(mine, (day_ago, day_ago))
    sweep_stale(tmp_path, keep=tmp_path / "me")
    assert not old.exists() and not (tmp_path / "gone").exists()
    assert fresh.exists() and mine.exists()
    sweep_stale(tmp_path / "missing")  # no uploads folder yet: nothing to do
