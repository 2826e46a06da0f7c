"""Paths on the server: the default workspace file, and which files a browser user may load
by typing their path.

None, unless the operator names allowed folders in one setting: the environment variable
``SEGSTUDIO_ALLOWED_FOLDERS``, a list of folders separated by :data:`os.pathsep` (``:`` on
Linux and macOS, ``;`` on Windows). A path is accepted only when its real path (symlinks
resolved, ``..`` collapsed) lies inside one of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from segstudio.errors import ServerPathError

__all__ = ["ALLOWED_FOLDERS_ENV", "DEFAULT_WORKSPACE", "allowed_folders", "check_server_path"]

DEFAULT_WORKSPACE = Path("data") / "workspace.duckdb"
ALLOWED_FOLDERS_ENV = "SEGSTUDIO_ALLOWED_FOLDERS"


def allowed_folders() -> list[Path]:
    """The real paths of the folders a user may read files from by path (empty: none)."""
    raw = os.environ.get(ALLOWED_FOLDERS_ENV, "")
    folders: list[Path] = []
    for entry in raw.split(os.pathsep):
        entry = entry.strip()
        if entry:
            folders.append(Path(os.path.realpath(os.path.expanduser(entry))))
    return folders


def check_server_path(path: str | Path) -> Path:
    """The real path of ``path`` when it lies inside an allowed folder.

    Raises :class:`ServerPathError` (one line, for the user) when reading by path is turned off
    or the path resolves outside every allowed folder. Whether the file exists and can be read
    is the readers' business.
    """
    folders = allowed_folders()
    if not folders:
        raise ServerPathError(
            "Loading a file by its path on this machine is turned off; the operator can allow "
            f"folders with {ALLOWED_FOLDERS_ENV}."
        )
    text = str(path).strip()
    if not text:
        raise ServerPathError("No path given.")
    allowed = ", ".join(str(f) for f in folders)
    try:
        real = Path(os.path.realpath(text))
    except (ValueError, OSError) as exc:  # a NUL byte, a name too long...
        raise ServerPathError(
            f"{text}: not a usable path ({exc}); allowed folders: {allowed}."
        ) from exc
    if not any(real.is_relative_to(folder) for folder in folders):
        shown = text if str(real) == text else f"{text} (that is {real})"
        raise ServerPathError(
            f"{shown}: not inside an allowed folder; files on this machine "
            f"can be loaded only from {allowed}."
        )
    return real
