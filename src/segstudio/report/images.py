"""Chart images: Plotly figures to PNG through kaleido and a locally installed Chromium.

All figures of one call are rendered in one headless browser session (one Chromium start),
in a private event loop on a worker thread, so this works the same from a script, the CLI or
a Streamlit session. No network is used: plotly.js comes from the installed plotly package and
MathJax (a CDN script) is switched off.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from segstudio.errors import SegStudioError

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "ChartImagesUnavailable",
    "DEBIAN_CHROMIUM",
    "NOT_FOUND_MESSAGE",
    "chromium_path",
    "figures_to_images",
    "figures_to_png",
]

DEBIAN_CHROMIUM = "/usr/bin/chromium"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
START_TIMEOUT_S = 60.0  # browser start-up, on top of the per-figure allowance
FIGURE_TIMEOUT_S = 45.0  # one figure, inside the browser

NOT_FOUND_MESSAGE = (
    "Chart images need Chromium, which was not found: install it (apt-get install -y chromium) "
    "or set BROWSER_PATH to a Chrome/Chromium binary."
)


class ChartImagesUnavailable(SegStudioError):
    """Chart images cannot be made here: no Chromium, or it would not start or render."""


def _is_executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def chromium_path() -> str | None:
    """The Chrome/Chromium binary to render charts with, or None when there is none.

    Order: the ``BROWSER_PATH`` environment variable (when it names an executable file), then
    Debian's ``/usr/bin/chromium``, then ``chromium``, ``chromium-browser`` or ``google-chrome``
    on ``PATH``.
    """
    env = os.environ.get("BROWSER_PATH", "").strip()
    if env and _is_executable(env):
        return env
    if _is_executable(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _one_line(error: BaseException) -> str:
    """An exception as one short line: its first text argument, whitespace collapsed."""
    text = next((a for a in error.args if isinstance(a, str) and a.strip()), "") or repr(error)
    text = " ".join(text.split())
    return text if len(text) <= 240 else text[:237] + "..."


async def _render_all(
    figures: list[go.Figure], browser: str, opts: dict[str, float | str]
) -> list[bytes]:
    """Open one kaleido browser (one tab) and render the figures one after the other."""
    import kaleido

    images: list[bytes] = []
    # choreographer passes --headless and --no-sandbox unless told otherwise; say so explicitly,
    # as Chromium refuses to start as root with its sandbox on.
    async with kaleido.Kaleido(
        n=1,
        timeout=FIGURE_TIMEOUT_S,
        mathjax=False,
        path=browser,
        headless=True,
        enable_sandbox=False,
    ) as k:
        for fig in figures:
            images.append(await k.calc_fig(fig, opts=opts))
    return images


def _run_in_thread(
    figures: list[go.Figure], browser: str, opts: dict[str, float | str]
) -> list[bytes]:
    """Run the async rendering in its own event loop on a worker thread; re-raise its error."""
    outcome: dict[str, object] = {}
    limit = START_TIMEOUT_S + FIGURE_TIMEOUT_S * len(figures)

    def work() -> None:
        try:
            outcome["images"] = asyncio.run(
                asyncio.wait_for(_render_all(figures, browser, opts), timeout=limit)
            )
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="segstudio-chart-images", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["images"]  # type: ignore[return-value]


def figures_to_png(
    figures: list[go.Figure], width: int = 1200, height: int = 650, scale: float = 1.0
) -> list[bytes]:
    """PNG bytes for each figure, in order, all rendered in one Chromium session.

    ``width`` and ``height`` are in CSS pixels and override the figures' own sizes; ``scale``
    multiplies the pixel density. Raises :class:`ChartImagesUnavailable` (one line, with the
    reason) when no browser is found or it fails to start or render.
    """
    return figures_to_images(figures, "png", width, height, scale)


def figures_to_images(
    figures: list[go.Figure],
    image_format: str,
    width: int = 1200,
    height: int = 650,
    scale: float = 1.0,
) -> list[bytes]:
    """:func:`figures_to_png` in another of kaleido's formats (``"svg"``: the drawing with its
    text as text, for checking which labels a chart shows)."""
    if not figures:
        return []
    env = os.environ.get("BROWSER_PATH", "").strip()
    if env and not _is_executable(env):
        raise ChartImagesUnavailable(
            f"Chart images need Chromium: BROWSER_PATH is set to {env}, which is not an "
            "executable file; point it to a Chrome/Chromium binary or unset it."
        )
    browser = chromium_path()
    if browser is None:
        raise ChartImagesUnavailable(NOT_FOUND_MESSAGE)
    try:
        import kaleido  # noqa: F401 - a clear message when the package itself is missing
    except ImportError as exc:
        raise ChartImagesUnavailable(
            f"Chart images need the kaleido package, which is not installed ({_one_line(exc)})."
        ) from exc
    from choreographer.errors import ChannelClosedError
    from kaleido.errors import (
        BrowserClosedError,
        BrowserFailedError,
        ChromeNotFoundError,
        KaleidoError,
    )

    opts: dict[str, float | str] = {
        "format": image_format,
        "width": width,
        "height": height,
        "scale": scale,
    }
    try:
        return _run_in_thread(figures, browser, opts)
    except ChromeNotFoundError as exc:
        raise ChartImagesUnavailable(f"{NOT_FOUND_MESSAGE} ({_one_line(exc)})") from exc
    except (BrowserFailedError, BrowserClosedError, ChannelClosedError) as exc:
        raise ChartImagesUnavailable(
            f"Chart images could not be made: Chromium at {browser} did not start or stopped "
            f"({_one_line(exc)})."
        ) from exc
    except TimeoutError as exc:
        raise ChartImagesUnavailable(
            f"Chart images could not be made: Chromium at {browser} did not answer in time."
        ) from exc
    except (KaleidoError, OSError, RuntimeError) as exc:
        raise ChartImagesUnavailable(
            f"Chart images could not be made with Chromium at {browser}: {_one_line(exc)}"
        ) from exc
