"""The Methods page's text (``segstudio/methods.md``): the one place the definitions are written."""

from __future__ import annotations

from pathlib import Path

__all__ = ["METHODS_PATH", "methods_section", "methods_text"]

METHODS_PATH = Path(__file__).resolve().parents[1] / "methods.md"


def methods_text() -> str:
    """The whole of methods.md."""
    return METHODS_PATH.read_text(encoding="utf-8")


def methods_section(title: str) -> str:
    """The body of the ``## title`` section of methods.md."""
    body = methods_text().split(f"\n## {title}\n", 1)[1]
    return body.split("\n## ", 1)[0].strip()
