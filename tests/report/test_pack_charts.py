"""Every chart of the QBR pack renders whole on the demo workspace: drawn as the pack draws it
(report.render.pack_figure, through Chromium), its outer rows and columns of pixels are
background (nothing runs off the image), and every label of its figure (title, axis titles,
legend entries, category ticks, heatmap cell texts) is in the drawing's text (a category tick
plotly thins out for lack of room, or a label left off, fails)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from segstudio.ingest.workspace import Workspace
from segstudio.report import qbr
from segstudio.report.images import figures_to_images
from segstudio.report.render import pack_figure

BORDER_PX = 4  # the outer band that must stay background
TOLERANCE = 6  # per channel: anti-aliasing of the background itself
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def pack(demo_workspace_template: Path) -> list[tuple[str, go.Figure, bytes, bytes]]:
    """(section title, figure as drawn, PNG, SVG) for every chart of the demo's pack."""
    d = qbr.gather(Workspace(demo_workspace_template))
    sections = [s for s in qbr.build_report(d).sections if s.figure is not None]
    figures = [pack_figure(s.figure) for s in sections]
    pngs = figures_to_images(figures, "png", 1200, 650, 1.0)
    svgs = figures_to_images(figures, "svg", 1200, 650, 1.0)
    return [
        (s.title, f, png, svg) for s, f, png, svg in zip(sections, figures, pngs, svgs, strict=True)
    ]


def _plain(text: object) -> list[str]:
    """The lines of a label as the drawing shows them (plotly's <br> splits, tags dropped)."""
    lines = re.split(r"<br\s*/?>", str(text))
    return [re.sub(r"<[^>]+>", "", line).strip() for line in lines if line.strip()]


def expected_labels(fig: go.Figure) -> set[str]:
    """The labels a reader needs: title, axis and legend titles, legend entries, the
    category ticks of category axes and heatmaps, and the heatmaps' cell texts."""
    layout = fig.layout
    labels: set[str] = set()

    def add(text: object) -> None:
        if text is not None:
            labels.update(_plain(text))

    add(layout.title.text)
    add(layout.legend.title.text)
    for axis in (layout.xaxis, layout.yaxis):
        add(axis.title.text)
    named = [t for t in fig.data if t.name and t.showlegend is not False]
    if layout.showlegend or (layout.showlegend is None and len(named) > 1):
        for trace in named:
            add(trace.name)
    for trace in fig.data:
        if trace.type in ("bar", "heatmap"):
            for values in (trace.x, trace.y):
                if values is not None and all(isinstance(v, str) for v in values):
                    for v in values:
                        add(v)
        if trace.type == "heatmap" and trace.text is not None:
            for row in trace.text:
                for cell in row:
                    add(cell)
    return {label for label in labels if label}


def drawn_text(svg: bytes) -> set[str]:
    """Every piece of text in the drawing, each text element's lines apart."""
    root = ET.fromstring(svg)
    out: set[str] = set()
    for node in root.iter(f"{SVG_NS}text"):
        spans = [t for t in node.iter(f"{SVG_NS}tspan") if (t.text or "").strip()]
        parts = [t.text or "" for t in spans] if spans else ["".join(node.itertext())]
        for part in parts:
            out.add(part.strip())
        out.add("".join(node.itertext()).strip())
    return out


def test_the_pack_has_its_six_charts(pack: list) -> None:
    assert [title for title, *_ in pack] == [
        "Segment matrix",
        "KPI scorecard",
        "Service against inventory",
        "Balanced scorecard",
        "Supplier performance",
        "Inventory health",
    ]


@pytest.mark.parametrize("i", range(6))
def test_a_chart_stays_inside_its_image(pack: list, i: int) -> None:
    title, _, png, _ = pack[i]
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    background = pixels[0, 0]
    assert (background >= 250).all(), (title, background)  # the paper is white
    band = np.concatenate(
        [
            pixels[:BORDER_PX].reshape(-1, 3),
            pixels[-BORDER_PX:].reshape(-1, 3),
            pixels[:, :BORDER_PX].reshape(-1, 3),
            pixels[:, -BORDER_PX:].reshape(-1, 3),
        ]
    )
    off = np.abs(band - background).max(axis=1) > TOLERANCE
    assert not off.any(), f"{title}: {int(off.sum())} drawn pixels touch the image's edge"
    # and the chart really drew something inside
    assert (np.abs(pixels - background).max(axis=2) > TOLERANCE).mean() > 0.05, title


@pytest.mark.parametrize("i", range(6))
def test_every_label_of_a_chart_is_drawn(pack: list, i: int) -> None:
    title, fig, _, svg = pack[i]
    wanted = expected_labels(fig)
    assert fig.layout.title.text, title
    if not any(t.type == "heatmap" for t in fig.data):  # a heatmap's ticks name its axes
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text, title
    missing = wanted - drawn_text(svg)
    assert not missing, f"{title}: not drawn: {sorted(missing)}"


def test_a_thinned_out_category_axis_is_caught(pack: list) -> None:
    """The check fails where it should: 80 long category labels on a narrow chart are not
    all drawn."""
    names = [f"A rather long supplier name {i:02d}" for i in range(80)]
    fig = pack_figure(go.Figure(go.Bar(x=names, y=list(range(80)))))
    fig.update_layout(title="crowded", xaxis_title="x", yaxis_title="y")
    (svg,) = figures_to_images([fig], "svg", 600, 400, 1.0)
    assert expected_labels(fig) - drawn_text(svg)
