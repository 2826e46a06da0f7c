"""Plotly figure builders: a small DataFrame in, a Figure out. No data work here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

PATTERN_COLOURS = {
    "smooth": "#2e7d32",
    "erratic": "#f9a825",
    "intermittent": "#1565c0",
    "lumpy": "#c62828",
    "insufficient history": "#9e9e9e",
}


def pareto_figure(curve: pd.DataFrame, measure_label: str = "revenue") -> go.Figure:
    fig = go.Figure(go.Scatter(
        x=curve["sku_share"], y=curve["cum_share"], mode="lines", name=f"Cumulative {measure_label}",
        hovertemplate="Top %{x:.1%} of SKUs: %{y:.1%} of " + measure_label + "<extra></extra>",
    ))
    fig.update_layout(
        title=f"Pareto curve of {measure_label}", xaxis_title="Share of SKUs (ranked)",
        yaxis_title=f"Cumulative share of {measure_label}", height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return fig


def pattern_mix_figure(mix: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Bar(
        x=mix["pattern"], y=mix["skus"],
        marker_color=[PATTERN_COLOURS.get(p, "#607d8b") for p in mix["pattern"]],
        customdata=mix["revenue_share"],
        hovertemplate="%{x}: %{y} SKUs, %{customdata:.1%} of revenue<extra></extra>",
    ))
    fig.update_layout(title="Demand patterns (Syntetos-Boylan)", yaxis_title="SKUs", height=360,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def pareto_with_boundaries(curve: pd.DataFrame, a: float, b: float,
                           measure_label: str = "revenue") -> go.Figure:
    """The Pareto curve with the A/B and B/C boundaries as horizontal lines."""
    fig = pareto_figure(curve, measure_label)
    for y, name in ((a, "A/B"), (b, "B/C")):
        fig.add_hline(y=y, line_dash="dash", line_color="#c62828",
                      annotation_text=f"{name} at {y:.0%}", annotation_position="bottom right")
    return fig


def matrix_heatmap(cells: pd.DataFrame, rows: list[str], cols: list[str], row_name: str,
                   col_name: str) -> go.Figure:
    """SKU count per cell as colour, with count and revenue share as text."""
    z, text = [], []
    for r in rows:
        zr, tr = [], []
        for c in cols:
            hit = cells[(cells[row_name] == r) & ((cells[col_name] == c) if col_name else True)]
            n = int(hit["skus"].sum())
            share = float(hit["revenue_share"].sum())
            zr.append(n)
            tr.append(f"{n:,} SKUs<br>{share:.1%} rev.")
        z.append(zr)
        text.append(tr)
    fig = go.Figure(go.Heatmap(
        z=z, x=cols if col_name else [""], y=rows, text=text, texttemplate="%{text}",
        textfont={"size": 13}, colorscale="Blues", showscale=False,
        hovertemplate="%{y}%{x}: %{text}<extra></extra>",
    ))
    fig.update_layout(title="Segment matrix", height=360, xaxis_title=col_name.upper(),
                      yaxis_title=row_name.upper(), yaxis_autorange="reversed",
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def scatter_cov_revenue(points: pd.DataFrame, total: int) -> go.Figure:
    """Each SKU's CoV against its revenue (log scale), WebGL, coloured by segment."""
    fig = go.Figure()
    for seg, part in points.groupby("segment", sort=True):
        fig.add_trace(go.Scattergl(
            x=part["revenue"], y=part["cov"], mode="markers", name=str(seg),
            marker={"size": 5, "opacity": 0.6}, text=part["sku"],
            hovertemplate="%{text}: revenue %{x:,.0f}, CoV %{y:.2f}<extra>" + str(seg) + "</extra>",
        ))
    shown = f" ({len(points):,} of {total:,} SKUs shown)" if len(points) < total else ""
    fig.update_layout(title="Variability against revenue" + shown, height=420,
                      xaxis_title="Revenue in the window (log)", yaxis_title="CoV of weekly demand",
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    fig.update_xaxes(type="log")
    return fig


def sankey(flows: pd.DataFrame) -> go.Figure:
    """From -> to segment flows of the movers (SKU counts)."""
    sources = [f"{s} (before)" for s in flows["from"]]
    targets = [f"{t} (now)" for t in flows["to"]]
    nodes = list(dict.fromkeys(sources + targets))
    index = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(go.Sankey(
        node={"label": nodes, "pad": 12},
        link={"source": [index[s] for s in sources], "target": [index[t] for t in targets],
              "value": flows["skus"].tolist(),
              "customdata": flows["revenue"].tolist(),
              "hovertemplate": "%{value} SKUs, revenue %{customdata:,.0f}<extra></extra>"},
    ))
    fig.update_layout(title="Reclassification flow", height=380,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
