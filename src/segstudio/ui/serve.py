"""``python -m segstudio.ui.serve app.py [streamlit options]``: ``streamlit run``, with what
every visitor's first run needs imported before the server answers: the pages' modules and
their libraries (pandas, pyarrow, plotly and the validators of each chart kind). Streamlit
imports a page's modules on the first run that shows it, in the visitor's time (1 to 2 s of the
first page here); the server runs the pages in this process, so they find them imported.
It also prepares the official portfolio of the workspace the app opens (the shared cache every
page's first view reads: the feature table, its classes and Pareto order), work that depends
only on the data. ``make run`` and the browser tests start the app this way."""

from __future__ import annotations

import importlib
import logging
import sys

__all__ = ["VIEWS", "main", "prepare", "warm"]

# The modules the pages import (pages/*.py): each brings the core it shows.
VIEWS = (
    "data_view",
    "segmentation_view",
    "forecast_view",
    "policy_view",
    "simulation_view",
    "scorecard_view",
    "suppliers_view",
    "health_view",
    "qbr_view",
    "methods_view",
    "sidebar",
    "presentation",
    "router",
    "controls",
)


def warm() -> None:
    """Import the pages' modules, and draw one small figure of each chart kind to JSON
    (plotly loads a trace kind's validators on its first use)."""
    from streamlit.runtime.caching import cache_data_api  # its logger, made at its import

    quiet = logging.getLogger(cache_data_api.__name__)
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "no runtime found": the caches find it when first called
    try:
        for name in VIEWS:
            importlib.import_module(f"segstudio.ui.{name}")
    finally:
        quiet.setLevel(level)
    import plotly.graph_objects as go
    import plotly.io

    fig = go.Figure()
    for trace in (go.Scatter, go.Scattergl, go.Bar, go.Heatmap):
        fig.add_trace(trace(x=[1, 2], y=[1, 2]))
    fig.add_trace(go.Sankey(node={"label": ["a", "b"]}, link={"source": [0], "target": [1]}))
    fig.update_layout(title="warm", shapes=[{"type": "line", "x0": 0, "x1": 1, "y0": 0, "y1": 1}])
    plotly.io.to_json(fig, validate=False)


def prepare() -> str | None:
    """The official portfolio into the server's shared cache (what a first visitor's page
    would wait for); None, or one line saying why not (the app starts all the same)."""
    from segstudio.segment.decisions import official_rules
    from segstudio.ui.seg_state import get_portfolio
    from segstudio.ui.state import get_workspace

    try:
        loaded = get_portfolio(official_rules(get_workspace()))
    except Exception as exc:  # noqa: BLE001 - a server must start even on a broken workspace
        return f"the portfolio was not prepared at start ({type(exc).__name__}: {exc})"
    return None if loaded is not None else "no sales loaded yet"


def main() -> None:
    warm()
    note = prepare()
    if note:
        print(f"segstudio: {note}; the first page prepares it", file=sys.stderr)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
