"""The one home of the segments' colours: a segment keeps its colour in every chart (the
trade-off curves, the seasonal profile, the quarterly trend, the scatter, both sides of the
Sankey), whatever other segments a chart shows.

A colour is a function of the segment's label alone. The first criterion's class picks a hue
(A blue, B green, C orange, ...) and the second one a shade of it (X dark, Y mid, Z light,
N grey), so AX, AY and AZ read as one family; a third criterion shifts the shade a little. A
label that is not made of classes (an override's own segment) gets a colour of a separate
palette, from a stable hash of its text.

>>> segment_colour("AX"), segment_colour("AX") == segment_colour("AX")
('#0f4786', True)
>>> len({segment_colour(a + x) for a in "ABC" for x in "XYZN"})
12
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from segstudio.segment.segmentation import LABELS

__all__ = [
    "FORECAST_COLOURS",
    "PORTFOLIO_COLOUR",
    "PORTFOLIO_LABEL",
    "segment_colour",
    "segment_colours",
    "with_alpha",
]

PORTFOLIO_LABEL = "Portfolio"
# The forecast chart's series: the history, the backtest forecasts, the future and its interval.
FORECAST_COLOURS = {"demand": "#37474f", "backtest": "#1565c0", "forecast": "#2e7d32"}
PORTFOLIO_COLOUR = "#212121"
# One hue per class of the first criterion (A, B, C; smooth, erratic, ...).
_HUES = ("#1565c0", "#2e7d32", "#e65100", "#6a1b9a", "#00838f", "#ad1457", "#5d4037")
# Shade per class of the second criterion: mix with black (< 0) or white (> 0).
_SHADES = (-0.3, 0.15, 0.5, 0.72, 0.85)
_GREY = "#9e9e9e"  # the last shade of a criterion whose last class means "no demand / unknown"
_NO_CLASS = ("N", "-", "insufficient")
_OTHER = ("#37474f", "#827717", "#4e342e", "#0097a7", "#c2185b", "#7b1fa2", "#f9a825", "#455a64")


def _rgb(colour: str) -> tuple[int, int, int]:
    h = colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _mix(colour: str, towards: str, t: float) -> str:
    a, b = _rgb(colour), _rgb(towards)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _class_index(part: str) -> int | None:
    """The position of a class in its criterion's class list (None: not a class)."""
    for classes in LABELS.values():
        if part in classes:
            return classes.index(part)
    return None


_CLASSES = sorted({c for classes in LABELS.values() for c in classes}, key=len, reverse=True)


def _split(label: str, sep: str) -> list[str] | None:
    """``label`` as classes joined by ``sep`` (longest class first), or None."""
    for cls in _CLASSES:
        if label.startswith(cls):
            rest = label[len(cls) :]
            if not rest:
                return [cls]
            if rest.startswith(sep):
                tail = _split(rest[len(sep) :], sep)
                if tail is not None:
                    return [cls, *tail]
    return None


def _parts(label: str) -> list[str] | None:
    """The classes a segment label is made of (AX -> A, X; A-smooth -> A, smooth)."""
    if not label:
        return None
    return _split(label, "-") or _split(label, "")


def _hashed(label: str) -> str:
    digest = hashlib.blake2b(label.encode(), digest_size=2).digest()
    return _OTHER[int.from_bytes(digest, "big") % len(_OTHER)]


def segment_colour(label: object) -> str:
    """The colour of a segment (or the portfolio), the same in every chart."""
    text = str(label)
    if text == PORTFOLIO_LABEL:
        return PORTFOLIO_COLOUR
    parts = _parts(text)
    if parts is None:
        return _hashed(text)
    first = _class_index(parts[0]) or 0
    base = _HUES[first % len(_HUES)]
    if len(parts) == 1:
        return base
    second = _class_index(parts[1]) or 0
    if parts[1] in _NO_CLASS:
        return _mix(base, _GREY, 0.6)
    shade = _SHADES[second % len(_SHADES)]
    if len(parts) > 2:  # a third criterion: a small step of the shade
        shade += 0.06 * ((_class_index(parts[2]) or 0) % 3) * (1 if shade < 0.5 else -1)
    return _mix(base, "#000000", -shade) if shade < 0 else _mix(base, "#ffffff", shade)


def segment_colours(labels: Iterable[object]) -> dict[str, str]:
    """Label -> colour for each segment of ``labels``."""
    return {str(label): segment_colour(label) for label in labels}


def with_alpha(colour: str, alpha: float) -> str:
    """A ``#rrggbb`` colour as ``rgba(...)`` with ``alpha`` (the Sankey's links)."""
    r, g, b = _rgb(colour)
    return f"rgba({r},{g},{b},{alpha})"
