"""Plotly figure builders of the Inventory health page: a small DataFrame in, a Figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from segstudio.report.charts import finish

__all__ = ["ageing_figure"]

# Youngest to oldest: green to red; stock of unknown age grey.
AGE_COLOURS = ("#2e7d32", "#9ccc65", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a")
UNKNOWN_COLOUR = "#9e9e9e"


def ageing_figure(
    data: pd.DataFrame,
    title: str = "Value on hand by age, per segment",
    valued_at: str = "at cost",
) -> go.Figure:
    """Stacked bars of value per ageing bucket and segment, from
    :func:`segstudio.health.ageing_chart_data` (segment, bucket, value; buckets youngest first,
    unknown last); ``valued_at``: what the value is at
    (:attr:`policy.valuation.Valuation.short`)."""
    buckets = list(dict.fromkeys(data["bucket"]))
    fig = go.Figure()
    for i, bucket in enumerate(buckets):
        part = data[data["bucket"] == bucket]
        colour = (
            UNKNOWN_COLOUR
            if i == len(buckets) - 1 and bucket.startswith("unknown")
            else AGE_COLOURS[min(i, len(AGE_COLOURS) - 1)]
        )
        fig.add_trace(
            go.Bar(
                x=part["segment"],
                y=part["value"],
                name=bucket,
                marker_color=colour,
                hovertemplate="%{x}, " + bucket + ": %{y:,.0f}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title=title,
        xaxis_title="Segment",
        yaxis_title=f"Value on hand ({valued_at})",
        legend_title_text="Age",
        height=380,
        yaxis_tickformat="~s",
    )
    fig.update_xaxes(type="category")
    return finish(fig, legend=True)
