"""What the real-browser tests share: Debian's chromium, a Streamlit server of the app on a free
port, and readers of what the pages show."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Page

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(workspace: Path, log: Path, **env: str) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 on ``workspace`` (extra environment
    ``env``), its output in ``log``; yields its address once it answers."""
    port = free_port()
    environ = {**os.environ, "SEGSTUDIO_WORKSPACE": str(workspace), **env}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "segstudio.ui.serve",  # streamlit run, the pages' modules imported first
                str(ROOT / "app.py"),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(
                            "streamlit did not start: " + log.read_text(errors="replace")
                        ) from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def segment_counts(page: Page) -> dict[str, str]:
    """The segment table under the heatmap (st.table is HTML): segment -> SKU count."""
    rows = page.locator("[data-testid='stTable'] tbody tr")
    out = {}
    for i in range(rows.count()):
        cells = rows.nth(i).locator("th, td").all_inner_texts()
        out[cells[0].strip()] = cells[2].strip()
    return out


def settled(page: Page, read: Callable[[], T], before: T, timeout_s: float = 30) -> T:
    """Wait for a rerun to settle: ``read()`` differs from ``before`` and reads the same twice
    in a row (or the time is up); return the last reading."""
    deadline = time.monotonic() + timeout_s
    after, previous = before, None
    while (after == before or after != previous) and time.monotonic() < deadline:
        page.wait_for_timeout(400)
        previous, after = after, read()
    return after


@contextmanager
def app_page(workspace: Path, log: Path, address: str = "") -> Iterator[Page]:
    """A chromium page (1400 x 2400) on the app served on ``workspace``, opened at
    ``address`` (a page's path, e.g. "/forecast"; the Data page by default)."""
    from playwright.sync_api import sync_playwright

    with serve_app(workspace, log) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.goto(url + address)
        try:
            yield page
        finally:
            browser.close()
