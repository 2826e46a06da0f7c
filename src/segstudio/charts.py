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
