"""Uploaded files on the server, kept apart per browser session.

Each session has its own folder (``uploads/<session id>/`` next to the workspace) and each
upload a random name that keeps only the original suffix (``.csv``, ``.csv.gz``, ``.xlsx``,
``.parquet``...); the original name is only the label shown to the user. A stored copy is
written once per upload and removed once its data is loaded or discarded (or the user empties
the uploader). Copies that sessions left behind (a closed browser tab) are removed after a day.
Two users uploading ``sales.csv`` at once never share a path.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from contextlib import suppress
from pathlib import Path, PurePosixPath

import streamlit as st

from . import keys
from .state import get_workspace

UPLOAD_DIR = "uploads"
STALE_SECONDS = 24 * 3600
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


# ---------------------------------------------------------------- storage (no session state)
def upload_suffix(name: str) -> str:
    """The suffix of an uploaded file's name worth keeping: the last one, or the last two when
    the file is gzipped (``.csv.gz``); only letters and digits, else nothing."""
    suffixes = PurePosixPath(name.replace("\\", "/")).suffixes
    kept = suffixes[-2:] if suffixes and suffixes[-1].lower() == ".gz" else suffixes[-1:]
    return "".join(s for s in kept if _SUFFIX.fullmatch(s))


def store_upload(folder: Path, data: bytes | bytearray | memoryview, name: str) -> Path:
    """Write ``data`` to a new file of random name (with ``name``'s suffix) in ``folder``."""
    path = folder / f"{secrets.token_hex(16)}{upload_suffix(name)}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fh = path.open("xb")  # never an existing file
    except FileNotFoundError:  # another session's sweep removed the empty folder meanwhile
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fh = path.open("xb")
    with fh:
        fh.write(data)
    return path


def remove_upload(path: Path) -> None:
    """Remove a stored upload, and its session's folder once that is empty."""
    path.unlink(missing_ok=True)
    with suppress(OSError):  # another upload of the session is still there (or it is gone)
        path.parent.rmdir()


def sweep_stale(
    root: Path, keep: Path | None = None, max_age: float = STALE_SECONDS, now: float | None = None
) -> None:
    """Remove the stored uploads under ``root`` older than ``max_age`` seconds (left by
    sessions that ended), except those in the folder ``keep`` (the current session's)."""
    if not root.is_dir():
        return
    limit = (time.time() if now is None else now) - max_age
    for folder in root.iterdir():
        if not folder.is_dir() or (keep is not None and folder == keep):
            continue
        for path in folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:  # removed meanwhile by its own session
                continue
        with suppress(OSError):  # not empty: a live session's uploads
            folder.rmdir()


# ---------------------------------------------------------------- this browser session
def session_id() -> str:
    """This browser session's random id (made on first use)."""
    sid = st.session_state.get(keys.SESSION_ID)
    if not sid:
        sid = uuid.uuid4().hex
        st.session_state[keys.SESSION_ID] = sid
    return sid


def uploads_root() -> Path:
    return get_workspace().path.parent / UPLOAD_DIR


def session_folder() -> Path:
    return uploads_root() / session_id()


def uploader_key(file_key: str) -> str:
    """The widget key of ``file_key``'s uploader (a new one after :func:`release_all`)."""
    return keys.upload_widget(file_key, st.session_state.get(keys.UPLOAD_GENERATION, 0))


def stored_path(file_key: str, uploaded) -> Path:
    """The stored copy of ``uploaded`` (a Streamlit ``UploadedFile``) for ``file_key``,
    written on the first run that sees this upload."""
    held = st.session_state.setdefault(keys.UPLOADS, {})
    entry = held.get(file_key)
    if entry is not None and entry[0] == uploaded.file_id and entry[1].exists():
        return entry[1]
    if entry is not None:
        remove_upload(entry[1])
    folder = session_folder()
    sweep_stale(uploads_root(), keep=folder)
    path = store_upload(folder, uploaded.getbuffer(), uploaded.name)
    held[file_key] = (uploaded.file_id, path)
    return path


def forget(file_key: str) -> None:
    """Remove the stored copy of ``file_key``'s upload, if any (its uploader was emptied)."""
    entry = st.session_state.get(keys.UPLOADS, {}).pop(file_key, None)
    if entry is not None:
        remove_upload(entry[1])


def release_all() -> None:
    """Remove every stored upload of this session and empty its uploaders: after a load, or
    when the user discards the files."""
    for _, path in st.session_state.pop(keys.UPLOADS, {}).values():
        remove_upload(path)
    st.session_state[keys.UPLOAD_GENERATION] = st.session_state.get(keys.UPLOAD_GENERATION, 0) + 1
