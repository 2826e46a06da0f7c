"""Plotly figure builders for the Suppliers page: a small DataFrame in, a Figure out. No data
work here (the frames come from :mod:`segstudio.suppliers`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from segstudio.common import fmt
from segstudio.report.charts import finish

__all__ = ["segment_heatmap", "trend_figure"]

RATE_COLOURS = {"on_time_rate": "#1565c0", "in_full_rate": "#2e7d32", "otif_rate": "#c62828"}
RATE_NAMES = {"on_time_rate": "On time", "in_full_rate": "In full", "otif_rate": "OTIF"}


def trend_figure(rows: pd.DataFrame, title: str) -> go.Figure:
    """One supplier's quarters (:func:`segstudio.suppliers.supplier_trend`): on-time, in-full
    and OTIF rates as lines (left axis), mean lead time as bars (right axis). A quarter the
    receipts only partly cover has an open marker and a lighter bar."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    complete = rows["complete"].astype(bool).tolist()
    fig.add_trace(
        go.Bar(
            x=rows["label"],
            y=rows["lead_time_mean_days"],
            name="Lead time (days)",
            marker_color=["#b0bec5" if c else "#eceff1" for c in complete],
            customdata=rows["lines"],
            hovertemplate="%{x}: mean lead time %{y:.1f} days over %{customdata:,} lines"
            "<extra></extra>",
        ),
        secondary_y=True,
    )
    for col, name in RATE_NAMES.items():
        fig.add_trace(
            go.Scatter(
                x=rows["label"],
                y=rows[col],
                name=name,
                mode="lines+markers",
                line={"color": RATE_COLOURS[col]},
                marker={"symbol": ["circle" if c else "circle-open" for c in complete], "size": 8},
                hovertemplate=f"%{{x}}: {name} %{{y:.1%}}<extra></extra>",
            ),
            secondary_y=False,
        )
    partial = [lab for lab, c in zip(rows["label"], complete, strict=True) if not c]
    subtitle = f" (partial quarters: {', '.join(partial)})" if partial else ""
    fig.update_layout(
        title=title + subtitle,
        height=400,
        barmode="overlay",
        xaxis_title="Quarter",
    )
    fig.update_yaxes(
        title_text="Share of lines", tickformat=".0%", range=[0, 1.05], secondary_y=False
    )
    fig.update_yaxes(
        title_text="Lead time (days)", rangemode="tozero", showgrid=False, secondary_y=True
    )
    fig.update_xaxes(type="category")
    # The legend on the right, beyond the lead-time axis: below the plot it would sit on the
    # quarters' labels.
    fig.update_layout(legend={"x": 1.08, "xanchor": "left"})
    return finish(fig)


def segment_heatmap(matrix: pd.DataFrame, label: str, kind: str = "rate") -> go.Figure:
    """Suppliers x segments (:func:`segstudio.suppliers.segment_matrix`) as colour, the value
    as text; blank where the supplier serves no SKU of the segment. ``kind``: "rate" (red to
    green, as a percentage), "share" (a percentage) or "days"."""

    def cell(v: float) -> str:  # blank, not "n/a": the supplier serves no SKU of the segment
        if pd.isna(v):
            return ""
        return fmt.days(v, 1, suffix="") if kind == "days" else fmt.share(v, 0)

    text = [[cell(v) for v in row] for row in matrix.to_numpy()]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(dtype=float),
            x=[str(c) for c in matrix.columns],
            y=[str(i) for i in matrix.index],
            text=text,
            texttemplate="%{text}",
            colorscale="RdYlGn" if kind == "rate" else "Blues",
            hovertemplate="%{y} x %{x}: %{text}<extra></extra>",
            colorbar={"title": label},
        )
    )
    fig.update_layout(
        title=f"{label} per supplier and segment",
        height=max(300, 28 * len(matrix) + 120),
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    return finish(fig, top=110)
