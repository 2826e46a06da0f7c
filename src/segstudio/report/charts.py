"""Plotly figure builders: a small DataFrame in, a Figure out. No data work here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from segstudio.common import fmt
from segstudio.perform.kpis import BALANCED_CHARTED
from segstudio.report.colours import (
    FORECAST_COLOURS,
    PORTFOLIO_LABEL,
    segment_colour,
    with_alpha,
)

__all__ = [
    "MARGINS",
    "MATRIX_TEXT_PX",
    "STATUS_COLOURS",
    "TITLE",
    "allocation_figure",
    "balanced_figure",
    "causes_figure",
    "finish",
    "forecast_figure",
    "matrix_cell_width",
    "matrix_heatmap",
    "pareto_figure",
    "pareto_with_boundaries",
    "pattern_mix_figure",
    "sankey",
    "scatter_cov_revenue",
    "scorecard_figure",
    "seasonal_figure",
    "service_vs_target_figure",
    "supplier_otif_figure",
    "tradeoff_figure",
    "trend_figure",
]

MARGINS = {
    "l": 90,
    "r": 40,
    "t": 70,
    "b": 90,
}  # room for the axes' ticks and titles, with some to spare
TITLE = {"x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top"}  # in the top margin


def finish(fig: go.Figure, *, legend: bool | None = None, top: int | None = None) -> go.Figure:
    """The layout every chart shares, so that no label is cut and nothing overlaps: the
    title in the top margin (``top`` pixels, more where the column labels sit on top), axes
    that make room for their labels (automargin), the legend outside the plot, on the right
    (``legend`` True: shown even for a single series)."""
    fig.update_layout(title=TITLE, margin={**MARGINS, "t": top or MARGINS["t"]})
    if legend is not None:
        fig.update_layout(showlegend=legend)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


PATTERN_COLOURS = {
    "smooth": "#2e7d32",
    "erratic": "#f9a825",
    "intermittent": "#1565c0",
    "lumpy": "#c62828",
    "insufficient history": "#9e9e9e",
}


def pareto_figure(curve: pd.DataFrame, measure_label: str = "revenue") -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=curve["sku_share"],
            y=curve["cum_share"],
            mode="lines",
            name=f"Cumulative {measure_label}",
            hovertemplate="Top %{x:.1%} of SKUs: %{y:.1%} of " + measure_label + "<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Pareto curve of {measure_label}",
        xaxis_title="Share of SKUs (ranked)",
        yaxis_title=f"Cumulative share of {measure_label}",
        height=360,
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return finish(fig)


def pattern_mix_figure(mix: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=mix["pattern"],
            y=mix["skus"],
            marker_color=[PATTERN_COLOURS.get(p, "#607d8b") for p in mix["pattern"]],
            customdata=mix["revenue_share"],
            hovertemplate="%{x}: %{y} SKUs, %{customdata:.1%} of revenue<extra></extra>",
        )
    )
    fig.update_layout(
        title="Demand patterns (Syntetos-Boylan)",
        xaxis_title="Demand pattern",
        yaxis_title="SKUs",
        height=360,
    )
    return finish(fig)


def pareto_with_boundaries(
    curve: pd.DataFrame, a: float, b: float, measure_label: str = "revenue"
) -> go.Figure:
    """The Pareto curve with the A/B and B/C boundaries as horizontal lines."""
    fig = pareto_figure(curve, measure_label)
    lines = ((a, "A/B"), (b, "B/C"))
    # The lines as layout shapes in one update (add_hline redraws the layout per line: it was
    # a third of a slider move's chart time).
    fig.update_layout(
        shapes=[
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": y,
                "y1": y,
                "line": {"dash": "dash", "color": "#c62828"},
            }
            for y, _ in lines
        ],
        annotations=[
            {
                "xref": "x domain",
                "x": 1,
                "xanchor": "right",
                "yref": "y",
                "y": y,
                "yanchor": "top",
                "text": f"{name} at {fmt.share(y, 0)}",
                "showarrow": False,
            }
            for y, name in lines
        ],
    )
    return fig


MATRIX_TEXT_PX = 13
"""The segment matrix's cell text size, in pixels."""
MATRIX_CHAR_PX = 0.62 * MATRIX_TEXT_PX  # a wide estimate of one character of that text
MATRIX_CELL_PAD_PX = 20  # room either side of the longest line of a cell
MATRIX_ROW_PX = 64  # each row: two lines of text and their padding


def matrix_cell_width(text: list[list[str]]) -> float:
    """The width a cell of the segment matrix needs so that its longest line fits."""
    longest = max(
        (len(line) for row in text for cell in row for line in cell.split("<br>")), default=0
    )
    return longest * MATRIX_CHAR_PX + 2 * MATRIX_CELL_PAD_PX


def matrix_heatmap(
    cells: pd.DataFrame,
    rows: list[str],
    cols: list[str],
    row_name: str,
    col_name: str,
    measure: str = "revenue",
) -> go.Figure:
    """SKU count per cell as colour, with count and the share of the ABC ``measure`` as text
    ("% rev." on revenue, from ``measure_share`` when the cells carry it). The figure is as
    wide as its cells' text needs (:func:`matrix_cell_width`): shown at its own width, or wider,
    every cell's text fits in it."""
    share_col = "measure_share" if "measure_share" in cells else "revenue_share"
    share_text = "rev." if measure == "revenue" else f"of {measure.replace('_', ' ')}"
    z, text = [], []
    for r in rows:
        zr, tr = [], []
        for c in cols:
            hit = cells[(cells[row_name] == r) & ((cells[col_name] == c) if col_name else True)]
            n = int(hit["skus"].sum())
            share = float(hit[share_col].sum(min_count=1))
            zr.append(n)
            tr.append(f"{fmt.count(n, 'SKU')}<br>{fmt.share(share)} {share_text}")
        z.append(zr)
        text.append(tr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=cols if col_name else [""],
            y=rows,
            text=text,
            texttemplate="%{text}",
            textfont={"size": MATRIX_TEXT_PX},
            colorscale="Blues",
            showscale=False,
            hovertemplate="%{y}%{x}: %{text}<extra></extra>",
        )
    )
    n_cols = len(cols) if col_name else 1
    plot_w = max(n_cols * matrix_cell_width(text), 240.0)
    fig.update_layout(
        title="Segment matrix",
        width=round(plot_w + MARGINS["l"] + MARGINS["r"] + 40),  # 40: the ABC axis' labels
        height=max(360, MATRIX_ROW_PX * len(rows) + MARGINS["t"] + MARGINS["b"]),
        xaxis_title=col_name.upper(),
        yaxis_title=row_name.upper(),
        yaxis_autorange="reversed",
    )
    return finish(fig)


def scatter_cov_revenue(points: pd.DataFrame, total: int, measure: str = "revenue") -> go.Figure:
    """Each SKU's CoV against its ABC ``measure`` (log scale; the ``measure`` column when the
    points carry it, else revenue), WebGL, coloured by segment."""
    x_col = "measure" if "measure" in points else "revenue"
    name = measure.replace("_", " ")
    fig = go.Figure()
    for seg, part in points.groupby("segment", sort=True):
        fig.add_trace(
            go.Scattergl(
                x=part[x_col],
                y=part["cov"],
                mode="markers",
                name=str(seg),
                marker={"size": 5, "opacity": 0.6, "color": segment_colour(seg)},
                text=part["sku"],
                hovertemplate="%{text}: "
                + name
                + " %{x:,.0f}, CoV %{y:.2f}<extra>"
                + str(seg)
                + "</extra>",
            )
        )
    shown = (
        f" ({fmt.count(len(points))} of {fmt.count(total, 'SKU')} shown)"
        if len(points) < total
        else ""
    )
    fig.update_layout(
        title=f"Variability against {name}" + shown,
        height=420,
        xaxis_title=f"{name.capitalize()} in the window (log)",
        yaxis_title="CoV of weekly demand",
    )
    fig.update_xaxes(type="log")
    return finish(fig)


def sankey(flows: pd.DataFrame) -> go.Figure:
    """From -> to segment flows of the movers (SKU counts)."""
    sources = [f"{s} (before)" for s in flows["from"]]
    targets = [f"{t} (now)" for t in flows["to"]]
    segments = dict(zip(sources, flows["from"], strict=True))
    segments.update(zip(targets, flows["to"], strict=True))
    nodes = list(dict.fromkeys(sources + targets))
    index = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            # A segment's "before" and "now" nodes share its colour; a link takes its source's.
            node={"label": nodes, "pad": 12, "color": [segment_colour(segments[n]) for n in nodes]},
            link={
                "source": [index[s] for s in sources],
                "target": [index[t] for t in targets],
                "color": [with_alpha(segment_colour(s), 0.35) for s in flows["from"]],
                "value": flows["skus"].tolist(),
                "customdata": flows["revenue"].tolist(),
                "hovertemplate": "%{value} SKUs, revenue %{customdata:,.0f}<extra></extra>",
            },
        )
    )
    fig.update_layout(title="Reclassification flow", height=380)
    return finish(fig)


def tradeoff_figure(
    curves: pd.DataFrame,
    today: pd.DataFrame,
    measure_label: str,
    title: str,
    valued_at: str = "at cost",
) -> go.Figure:
    """Inventory value against service, one line per segment in ``curves`` (columns segment,
    service_level, inventory_value, next_point_cost), today's policy as a marker per segment
    (``today``: segment, inventory_value, service); ``valued_at``: what the value is
    (:attr:`policy.valuation.Valuation.short`)."""
    fig = go.Figure()
    for seg, c in curves.groupby("segment", sort=False):
        colour = segment_colour(seg)
        fig.add_trace(
            go.Scatter(
                x=c["service_level"],
                y=c["inventory_value"],
                mode="lines",
                name=str(seg),
                line={"color": colour},
                legendgroup=str(seg),
                customdata=c["next_point_cost"],
                hovertemplate=(
                    f"{seg}: %{{x:.1%}} needs %{{y:,.0f}}<br>"
                    "next point of service: +%{customdata:,.0f}<extra></extra>"
                ),
            )
        )
        t = today[today["segment"] == seg]
        if len(t):
            fig.add_trace(
                go.Scatter(
                    x=t["service"],
                    y=t["inventory_value"],
                    mode="markers",
                    name=f"{seg} today",
                    marker={
                        "color": colour,
                        "size": 12,
                        "symbol": "diamond",
                        "line": {"color": "black", "width": 1},
                    },
                    legendgroup=str(seg),
                    showlegend=False,
                    hovertemplate=(f"{seg} today: %{{x:.2%}} for %{{y:,.0f}}<extra></extra>"),
                )
            )
    fig.update_layout(
        title=title,
        xaxis_title=measure_label,
        yaxis_title=f"Inventory value (safety + cycle stock, {valued_at})",
        yaxis_tickformat="~s",
        height=420,
        hovermode="closest",
    )
    fig.update_xaxes(tickformat=".0%")
    return finish(fig)


def seasonal_figure(profile: pd.DataFrame) -> go.Figure:
    """Safety stock value by calendar month, one line per segment (month 0 dropped)."""
    fig = go.Figure()
    for seg, c in profile[profile["month"] > 0].groupby("segment", sort=False):
        fig.add_trace(
            go.Scatter(
                x=c["month_name"],
                y=c["safety_stock_value"],
                mode="lines+markers",
                name=str(seg),
                line={"color": segment_colour(seg)},
                hovertemplate=f"{seg} %{{x}}: %{{y:,.0f}}<extra></extra>",
            )
        )
    fig.update_layout(
        title="Safety stock by month (seasonal variability)",
        height=380,
        xaxis_title="Month",
        yaxis_title="Safety stock value",
    )
    return finish(fig)


def service_vs_target_figure(summary: pd.DataFrame) -> go.Figure:
    """Achieved against planned service per segment (simulation): bars and target markers."""
    colours = ["#c62828" if miss else "#2e7d32" for miss in summary["misses_target"]]
    fig = go.Figure(
        go.Bar(
            x=summary["segment"],
            y=summary["achieved"],
            name="Achieved",
            marker_color=colours,
            hovertemplate="%{x}: achieved %{y:.1%}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=summary["segment"],
            y=summary["service_target"],
            mode="markers",
            name="Target",
            marker={"symbol": "line-ew-open", "size": 28, "color": "black", "line": {"width": 3}},
            hovertemplate="%{x}: target %{y:.1%}<extra></extra>",
        )
    )
    low = float(min(summary["achieved"].min(), summary["service_target"].min()))
    fig.update_layout(
        title="Simulated service against target (red: misses it)",
        height=380,
        xaxis_title="Segment",
        yaxis_title="Service",
        yaxis_tickformat=".0%",
        yaxis_range=[max(0.0, low - 0.05), 1.0],
    )
    return finish(fig)


def allocation_figure(allocated: pd.DataFrame) -> go.Figure:
    """Allocated and short quantity per order line of a shortage allocation."""
    label = allocated["order_id"].astype(str) + " · " + allocated["customer"].astype(str)
    fig = go.Figure(
        [
            go.Bar(
                y=label,
                x=allocated["allocated"],
                orientation="h",
                name="Allocated",
                marker_color="#2e7d32",
            ),
            go.Bar(
                y=label, x=allocated["short"], orientation="h", name="Short", marker_color="#c62828"
            ),
        ]
    )
    fig.update_layout(
        barmode="stack",
        title="Who gets what",
        xaxis_title="Units",
        yaxis_title="Order · customer",
        height=max(260, 28 * len(label)),
        yaxis={"autorange": "reversed"},
    )
    return finish(fig)


STATUS_COLOURS = {"green": "#2e7d32", "amber": "#ef8f00", "red": "#c62828", "n/a": "#bdbdbd"}
_STATUS_CODE = {"red": 0, "amber": 1, "green": 2, "n/a": 3}


def scorecard_figure(values: pd.DataFrame, statuses: pd.DataFrame, title: str) -> go.Figure:
    """The KPI scorecard as a red/amber/green grid: ``values`` holds the cell texts and
    ``statuses`` the status of each cell (same shape: segments x KPIs)."""
    z = np.array(
        [[_STATUS_CODE.get(v, 3) for v in row] for row in statuses.to_numpy()], dtype=float
    ).reshape(statuses.shape)
    scale = [
        [0.0, STATUS_COLOURS["red"]],
        [0.25, STATUS_COLOURS["red"]],
        [0.25, STATUS_COLOURS["amber"]],
        [0.5, STATUS_COLOURS["amber"]],
        [0.5, STATUS_COLOURS["green"]],
        [0.75, STATUS_COLOURS["green"]],
        [0.75, STATUS_COLOURS["n/a"]],
        [1.0, STATUS_COLOURS["n/a"]],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(values.columns),
            y=list(values.index),
            text=values.to_numpy(),
            texttemplate="%{text}",
            textfont={"color": "white", "size": 13},
            colorscale=scale,
            zmin=-0.5,
            zmax=3.5,
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=max(340, 46 * len(values.index) + 150),
        yaxis={"autorange": "reversed"},
        xaxis={"side": "top"},
    )
    return finish(fig, top=100)


def trend_figure(trend: pd.DataFrame, column: str, label: str, rate: bool) -> go.Figure:
    """``column`` by quarter, one line per segment; incomplete quarters as open markers."""
    fig = go.Figure()
    for seg, c in trend.groupby("segment", sort=False):
        colour = segment_colour(seg)
        fig.add_trace(
            go.Scatter(
                x=c["quarter"],
                y=c[column],
                mode="lines+markers",
                name=str(seg),
                line={"color": colour, "width": 3 if seg == PORTFOLIO_LABEL else 1.5},
                marker={
                    "symbol": ["circle" if ok else "circle-open" for ok in c["complete"]],
                    "size": 8,
                },
                hovertemplate=f"{seg} %{{x}}: %{{y:{'.1%' if rate else ',.0f'}}}<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"{label} by quarter (open markers: quarter only partly in the data)",
        height=420,
        xaxis_title="Quarter",
        yaxis_title=label,
    )
    if rate:
        fig.update_yaxes(tickformat=".0%")
    return finish(fig)


def balanced_figure(balanced: pd.DataFrame, hidden: tuple[str, ...] = ()) -> go.Figure:
    """Per segment: annual gross margin against the annual cost of carrying its stock
    (``hidden``: the columns left out, as they cannot be measured)."""
    b = balanced[balanced["segment"] != "Portfolio"]
    bars = [
        go.Bar(
            x=b["segment"],
            y=b["gross_margin"],
            name="Gross margin (window)",
            marker_color="#2e7d32",
            hovertemplate="%{x}: margin %{y:,.0f}<extra></extra>",
        ),
        go.Bar(
            x=b["segment"],
            y=b["inventory_value"],
            name="Inventory value",
            marker_color="#1565c0",
            hovertemplate="%{x}: stock %{y:,.0f}<extra></extra>",
        ),
        go.Bar(
            x=b["segment"],
            y=b["carrying_cost"],
            name="Carrying cost (a year)",
            marker_color="#c62828",
            hovertemplate="%{x}: carrying %{y:,.0f}<extra></extra>",
        ),
    ]
    shown = zip(bars, BALANCED_CHARTED, strict=True)  # the bars in the order of their columns
    fig = go.Figure([bar for bar, column in shown if column not in hidden])
    fig.update_layout(
        barmode="group",
        title="What each segment earns and ties up",
        height=400,
        xaxis_title="Segment",
        yaxis_title="Value",
        yaxis_tickformat="~s",
    )
    fig.update_xaxes(type="category")
    return finish(fig)


def causes_figure(summary: pd.DataFrame, segment: str) -> go.Figure:
    """Units short per cause for one segment (a SKU can have several causes)."""
    s = summary[(summary["segment"] == segment) & summary["units_short"].notna()]
    fig = go.Figure(
        go.Bar(
            x=s["units_short"],
            y=s["cause"].str.replace("_", " "),
            orientation="h",
            customdata=s["skus"],
            marker_color="#c62828",
            hovertemplate="%{y}: %{x:,.0f} units short over %{customdata} SKUs<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"{segment}: units short by cause",
        height=320,
        yaxis={"autorange": "reversed"},
        xaxis_title="Units short",
        yaxis_title="Cause",
    )
    return finish(fig)


TIER_COLOURS = {"strategic": "#1565c0", "preferred": "#2e7d32", "approved": "#9e9e9e"}


def supplier_otif_figure(suppliers: pd.DataFrame, top: int = 15) -> go.Figure:
    """OTIF of the largest suppliers (the table's order: spend, else lines), coloured by tier,
    with the mean lead time on hover."""
    t = suppliers.head(top).assign(
        rate=lambda d: d["otif_rate"] if d["otif_rate"].notna().any() else d["on_time_rate"],
        lead=lambda d: d["lead_time_mean_days"].map(fmt.days),
    )
    fig = go.Figure()
    for tier, g in t.groupby("tier", sort=False):
        fig.add_trace(
            go.Bar(
                x=g["supplier"].astype(str),
                y=g["rate"],
                name=str(tier),
                marker_color=TIER_COLOURS.get(str(tier), "#9e9e9e"),
                customdata=g["lead"],
                hovertemplate=f"%{{x}} ({tier}): %{{y:.1%}}, lead time %{{customdata}}<extra></extra>",
            )
        )
    fig.update_xaxes(categoryorder="array", categoryarray=t["supplier"].astype(str).tolist())
    fig.update_layout(
        title=f"OTIF of the {len(t)} largest suppliers (colour: suggested tier)",
        xaxis_title="Supplier",
        yaxis_title="OTIF (share of receipt lines)",
        legend_title_text="Tier",
        height=400,
        yaxis_tickformat=".0%",
        yaxis_range=[0, 1],
    )
    return finish(fig, legend=True)


def forecast_figure(
    history: pd.DataFrame,
    backtest: pd.DataFrame,
    future: pd.DataFrame,
    sku: str,
    period: str,
) -> go.Figure:
    """One SKU: its demand history, the backtest forecasts (one line per window, dashed), and
    the future forecast with its 80% interval where the model gives one."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=history["period_start"], y=history["demand"], mode="lines", name="Demand",
            line={"color": FORECAST_COLOURS["demand"]},
        )
    )  # fmt: skip
    for w, g in backtest.groupby("window"):
        fig.add_trace(
            go.Scatter(
                x=g["period_start"], y=g["forecast"], mode="lines",
                name=f"Backtest {w} ({g['model'].iloc[0]})",
                line={"color": FORECAST_COLOURS["backtest"], "dash": "dash"},
            )
        )  # fmt: skip
    if future["lo_80"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=list(future["period_start"]) + list(future["period_start"])[::-1],
                y=list(future["hi_80"]) + list(future["lo_80"])[::-1],
                fill="toself", fillcolor=with_alpha(FORECAST_COLOURS["forecast"], 0.2), line={"width": 0},
                name="80% interval", hoverinfo="skip",
            )
        )  # fmt: skip
    model = future["model"].iloc[0] if len(future) else ""
    fig.add_trace(
        go.Scatter(
            x=future["period_start"], y=future["forecast"], mode="lines",
            name=f"Forecast ({model})", line={"color": FORECAST_COLOURS["forecast"]},
        )
    )  # fmt: skip
    fig.update_layout(
        title=f"{sku}: demand per {period}, backtest and forecast",
        xaxis_title=f"{period.capitalize()} starting",
        yaxis_title="Units",
        height=380,
    )
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return finish(fig, legend=True)
