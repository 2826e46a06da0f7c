"""Errors the product shows to a user as one clear line."""

from __future__ import annotations

__all__ = ["SegStudioError", "ServerPathError", "UnusableFileError"]


class SegStudioError(Exception):
    """Base class: the message is written for the user, never a traceback."""


class UnusableFileError(SegStudioError):
    """A file that cannot be used as a whole: empty, binary, unreadable or without an SKU column.

    Nothing already loaded is changed when this is raised.
    """


class ServerPathError(SegStudioError):
    """A path on the server that a browser user may not read: reading by path is turned off, or
    the file lies outside the folders the operator allows (see :mod:`segstudio.ingest.paths`)."""
