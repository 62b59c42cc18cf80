"""Plotly figure builders for the dashboard. They only build figures; they never call Streamlit.

Text that comes from alert data is HTML-escaped: Plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from siem2graph.model import AuditReport

VERDICT_COLOURS = {
    "match": "#2e7d32",
    "mismatch": "#f9a825",
    "missing_in_graph": "#c62828",
    "new_in_graph": "#1565c0",
    "unreadable": "#8d6e63",
}
VERDICT_LABELS = {
    "match": "match",
    "mismatch": "mismatch",
    "missing_in_graph": "missing in Graph",
    "new_in_graph": "new in Graph",
    "unreadable": "unreadable",
}
STATUS_COLOURS = {
    "mapped": "#2e7d32",
    "derived": "#1565c0",
    "unsupported": "#c62828",
    "obsolete": "#757575",
}
TIMELINE_SERIES = {
    "legacy_alerts": "legacy alerts",
    "graph_alerts": "Graph alerts",
    "matched_alerts": "matched alerts",
}
NOT_IN_GRAPH = "(no Graph equivalent)"
PATH_COLOUR = "#9e9e9e"
_ROW_HEIGHT = 22
_MIN_HEIGHT = 320


def plain_labels(values: Iterable[object]) -> list[str]:
    """Labels safe to hand to Plotly: data text with HTML special characters escaped."""
    return [html.escape(str(value)) for value in values]


def _translucent(hex_colour: str, alpha: float = 0.45) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _height(rows: int) -> int:
    return max(_MIN_HEIGHT, 120 + _ROW_HEIGHT * rows)


def coverage_bars(counts: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars, one per SIEM field, of its verdict counts (both-empty left out).

    ``counts`` is ``AuditReport.coverage(...)``: siem_field plus one column per verdict.
    """
    ordered = counts.iloc[::-1]
    figure = go.Figure(
        [
            go.Bar(
                name=VERDICT_LABELS[verdict],
                y=plain_labels(ordered["siem_field"]),
                x=ordered[verdict].tolist(),
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: %{x} alerts<extra>" + VERDICT_LABELS[verdict] + "</extra>",
            )
            for verdict, colour in VERDICT_COLOURS.items()
        ]
    )
    figure.update_layout(
        barmode="stack",
        height=_height(len(counts)),
        xaxis_title="matched alerts",
        legend={"orientation": "h", "traceorder": "normal", "yanchor": "bottom", "y": 1.0},
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return figure


def timeline(report_timeline: pd.DataFrame) -> go.Figure:
    """Legacy, Graph and matched alerts per day, as grouped bars."""
    figure = go.Figure(
        [
            go.Bar(
                name=label,
                x=report_timeline["day"].tolist(),
                y=report_timeline[column].tolist(),
            )
            for column, label in TIMELINE_SERIES.items()
        ]
    )
    figure.update_layout(
        barmode="group",
        height=_MIN_HEIGHT,
        xaxis={"type": "date", "tickformat": "%Y-%m-%d"},
        yaxis_title="alerts per day",
        legend_orientation="h",
        legend_y=1.1,
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
    )
    return figure


def mapping_sankey(report: AuditReport) -> go.Figure:
    """SIEM field -> Graph path(s), one link per path; fields and links coloured by status.

    Fields without a Graph equivalent flow into one shared node.
    """
    fields = report.fields
    targets = sorted({path for f in fields for path in f.graph_paths})
    if any(not f.graph_paths for f in fields):
        targets.append(NOT_IN_GRAPH)
    nodes = [f.siem_field for f in fields] + targets
    node_colours = [STATUS_COLOURS.get(f.status, PATH_COLOUR) for f in fields]
    node_colours += [PATH_COLOUR] * len(targets)
    index = {name: position for position, name in enumerate(nodes)}
    source, target, colour, label = [], [], [], []
    for position, result in enumerate(fields):
        for path in result.graph_paths or (NOT_IN_GRAPH,):
            source.append(position)
            target.append(index[path])
            colour.append(_translucent(STATUS_COLOURS.get(result.status, PATH_COLOUR)))
            label.append(result.status)
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": plain_labels(nodes),
                "color": node_colours,
                "pad": 6,
                "thickness": 12,
            },
            link={
                "source": source,
                "target": target,
                "value": [1] * len(source),
                "color": colour,
                "label": label,
            },
        )
    )
    figure.update_layout(height=_height(len(fields)), margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return figure


def mismatch_rates(summary: pd.DataFrame) -> go.Figure:
    """Mismatch rate per compared field (``views.mismatch_summary``), highest first."""
    shown = summary.dropna(subset=["mismatch_rate"]).iloc[::-1]
    figure = go.Figure(
        go.Bar(
            y=plain_labels(shown["siem_field"]),
            x=shown["mismatch_rate"].tolist(),
            orientation="h",
            marker_color=VERDICT_COLOURS["mismatch"],
            customdata=shown[["mismatch", "compared_alerts"]].to_numpy().tolist(),
            hovertemplate="%{y}: %{x:.1%} (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        )
    )
    figure.update_layout(
        height=_height(len(shown)),
        xaxis={"title": "mismatch rate", "tickformat": ".0%", "range": [0, 1]},
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return figure


def mismatch_heatmap(rates: pd.DataFrame) -> go.Figure:
    """Mismatch rate by field (rows, first on top) and alert attribute value (columns)."""
    figure = go.Figure(
        go.Heatmap(
            z=rates.to_numpy().tolist(),
            x=plain_labels(rates.columns),
            y=plain_labels(rates.index),
            zmin=0,
            zmax=1,
            colorscale="YlOrRd",
            colorbar={"title": "mismatch", "tickformat": ".0%"},
            hovertemplate="%{y} / %{x}: %{z:.1%}<extra></extra>",
        )
    )
    figure.update_layout(
        height=_height(len(rates)),
        xaxis_title=html.escape(str(rates.columns.name or "")),
        yaxis_autorange="reversed",
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return figure


HISTORY_SERIES = {
    "keeps": ("fields kept", "#2e7d32"),
    "changes": ("fields changed", "#f9a825"),
    "loses": ("fields lost", "#c62828"),
    "fields_at_risk": ("fields at risk", "#6a1b9a"),
}


def history_trend(trend: pd.DataFrame) -> go.Figure:
    """Fields kept, changed, lost and at risk per saved audit, oldest first (x: when saved)."""
    names = plain_labels(trend["name"])
    figure = go.Figure(
        [
            go.Scatter(
                name=label,
                x=trend["created"].tolist(),
                y=trend[column].tolist(),
                mode="lines+markers",
                line={"color": colour, "dash": "dot" if column == "fields_at_risk" else "solid"},
                text=names,
                hovertemplate="%{text}<br>%{y} " + label + "<extra></extra>",
            )
            for column, (label, colour) in HISTORY_SERIES.items()
        ]
    )
    figure.update_layout(
        height=_MIN_HEIGHT,
        xaxis={"type": "date"},
        yaxis_title="SIEM fields",
        legend_orientation="h",
        legend_y=1.1,
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
    )
    return figure
