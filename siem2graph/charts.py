"""Plotly figure builders: the one place charts are made, for the screen and for the reports.

They only build figures; they never call Streamlit. Every figure carries this module's template,
so it looks the same whichever default template the process set (Streamlit sets its own, whose
axes have no automatic margins and whose colours are placeholders only its web page replaces).
Text that comes from alert data is HTML-escaped: Plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# One colour-blind-safe palette (Okabe and Ito); vermilion means loss and nothing else.
KEEPS = "#0072B2"
CHANGES = "#E69F00"
LOSES = "#D55E00"
NEW = "#56B4E9"
UNREADABLE = "#7F7F7F"
EMPTY = "#E3E3E3"
ACCENT = KEEPS

# Coverage segments, left to right: column of ``views.coverage_in_view`` -> (label, colour).
COVERAGE_SEGMENTS = {
    "match": ("Graph keeps the value", KEEPS),
    "mismatch": ("Graph changes the value", CHANGES),
    "missing_in_graph": ("Graph lacks the value", LOSES),
    "no_graph_field": ("lost: no Graph field", LOSES),
    "new_in_graph": ("only Graph has a value", NEW),
    "unreadable": ("value could not be read", UNREADABLE),
    "both_empty": ("no value on either side", EMPTY),
}
TIMELINE_SERIES = {
    "matched_alerts": ("on both sides", KEEPS),
    "legacy_only": ("only in the legacy export", LOSES),
    "graph_only": ("only in Graph", NEW),
}
MISMATCH_SCALE = [[0.0, "#FFFFFF"], [1.0, CHANGES]]
_FONT_SIZE = 12
_CHAR_WIDTH = 0.62  # of the font size: wide enough for DejaVu Sans and the browsers' sans fonts
_ROW_HEIGHT = 24
_MIN_HEIGHT = 320
_MAX_LABEL_MARGIN = 420
_LABEL_GAP = 8
LABEL_AXIS = {"automargin": True, "ticklabelstandoff": _LABEL_GAP}  # names clear of the bars


def _template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = [KEEPS, CHANGES, NEW, "#009E73", "#CC79A7", UNREADABLE, LOSES]
    template.layout.font = {"family": "DejaVu Sans, Arial, sans-serif", "size": _FONT_SIZE}
    template.layout.paper_bgcolor = "white"
    template.layout.plot_bgcolor = "white"
    return template


TEMPLATE = _template()


def plain_labels(values: Iterable[object]) -> list[str]:
    """Labels safe to hand to Plotly: data text with HTML special characters escaped."""
    return [html.escape(str(value)) for value in values]


def label_margin(labels: Sequence[str]) -> int:
    """Pixels that hold the longest of ``labels`` beside an axis (ticks and padding included)."""
    longest = max((len(html.unescape(label)) for label in labels), default=0)
    return min(int(longest * _FONT_SIZE * _CHAR_WIDTH) + 24 + _LABEL_GAP, _MAX_LABEL_MARGIN)


def count_axis(title: str, largest: float) -> dict[str, object]:
    """An axis of alert counts: whole numbers only (no 0.5 alerts), from zero."""
    axis: dict[str, object] = {"title": title, "rangemode": "tozero", "tickformat": ",d"}
    if largest <= 10:
        axis["dtick"] = 1
    return axis


def _finish(figure: go.Figure, **layout: object) -> go.Figure:
    figure.update_layout(template=TEMPLATE, **layout)
    return figure


def _height(rows: int) -> int:
    return max(_MIN_HEIGHT, 140 + _ROW_HEIGHT * rows)


def share_text(part: int, whole: int) -> str:
    """'x% (n of N)', or 'n of 0' when there is nothing to divide."""
    return f"{part / whole:.0%} ({part:,} of {whole:,})" if whole else f"{part:,} of 0"


def coverage_bars(coverage: pd.DataFrame, all_fields: Sequence[str] = ()) -> go.Figure:
    """One bar per SIEM field: what became of its value on the alerts in view, as shares.

    ``coverage`` is ``views.coverage_in_view``'s frame (loss first); every bar sums to its
    ``alerts``, so fields with little data show mostly 'no value on either side'. A chart of
    part of the fields leaves room for the longest of ``all_fields``: the parts line up.
    """
    ordered = coverage.iloc[::-1]
    labels = plain_labels(ordered["siem_field"])
    totals = ordered["alerts"].to_numpy()
    traces = []
    for column, (name, colour) in COVERAGE_SEGMENTS.items():
        counts = ordered[column].to_numpy()
        shares = [c / t if t else 0.0 for c, t in zip(counts, totals, strict=True)]
        traces.append(
            go.Bar(
                name=name,
                y=labels,
                x=shares,
                orientation="h",
                marker={
                    "color": colour,
                    "pattern": {"shape": "/" if column == "no_graph_field" else ""},
                },
                customdata=[
                    share_text(int(c), int(t)) for c, t in zip(counts, totals, strict=True)
                ],
                hovertemplate="%{y}: %{customdata} alerts<extra>" + name + "</extra>",
            )
        )
    return _finish(
        go.Figure(traces),
        barmode="stack",
        height=_height(len(coverage)),
        xaxis={"title": "share of the matched alerts in view", "tickformat": ".0%"},
        yaxis=LABEL_AXIS,
        legend={"orientation": "h", "traceorder": "normal", "yanchor": "bottom", "y": 1.0},
        margin={"l": label_margin([*labels, *plain_labels(all_fields)]), "r": 20, "t": 90, "b": 50},
    )


def timeline(report_timeline: pd.DataFrame) -> go.Figure:
    """Alerts per day: found on both sides, and the ones only one side has, stacked."""
    frame = report_timeline.assign(
        legacy_only=report_timeline["legacy_alerts"] - report_timeline["matched_alerts"],
        graph_only=report_timeline["graph_alerts"] - report_timeline["matched_alerts"],
    )
    figure = go.Figure(
        [
            go.Bar(
                name=label,
                x=frame["day"].tolist(),
                y=frame[column].tolist(),
                marker_color=colour,
                hovertemplate="%{x|%Y-%m-%d}: %{y:,d} alerts<extra>" + label + "</extra>",
            )
            for column, (label, colour) in TIMELINE_SERIES.items()
        ]
    )
    largest = float(frame[list(TIMELINE_SERIES)].sum(axis=1).max()) if len(frame) else 0.0
    return _finish(
        figure,
        barmode="stack",
        height=_MIN_HEIGHT,
        xaxis={"type": "date", "tickformat": "%Y-%m-%d", "automargin": True},
        yaxis={**count_axis("alerts per day", largest), "automargin": True},
        legend={"orientation": "h", "traceorder": "normal", "yanchor": "bottom", "y": 1.02},
        margin={"l": 70, "r": 20, "t": 50, "b": 60},
    )


def mismatch_rates(summary: pd.DataFrame) -> go.Figure:
    """Mismatch rate per field that has any mismatch (``views.mismatch_summary``), highest on
    top, each bar labelled 'x% (n of N)'."""
    shown = summary[summary["mismatch"] > 0].iloc[::-1]
    labels = plain_labels(shown["siem_field"])
    texts = [
        share_text(int(n), int(of))
        for n, of in zip(shown["mismatch"], shown["compared_alerts"], strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=shown["mismatch_rate"].tolist(),
            orientation="h",
            marker_color=CHANGES,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    return _finish(
        figure,
        height=_height(len(shown)),
        xaxis={
            "title": "share of the alerts compared that differ",
            "tickformat": ".0%",
            "range": [0, 1],
        },
        yaxis=LABEL_AXIS,
        margin={"l": label_margin(labels), "r": 140, "t": 20, "b": 50},
    )


def mismatch_heatmap(rates: pd.DataFrame) -> go.Figure:
    """Mismatch rate by field (rows, first on top) and alert attribute value (columns); every
    cell numbered, cells where nothing was compared say so."""
    cells = [["–" if pd.isna(v) else f"{v:.0%}" for v in row] for row in rates.to_numpy()]
    labels = plain_labels(rates.index)
    figure = go.Figure(
        go.Heatmap(
            z=rates.to_numpy().tolist(),
            x=plain_labels(rates.columns),
            y=labels,
            text=cells,
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            colorscale=MISMATCH_SCALE,
            colorbar={"title": "differ", "tickformat": ".0%"},
            hovertemplate="%{y} / %{x}: %{text}<extra></extra>",
        )
    )
    return _finish(
        figure,
        height=_height(len(rates)),
        xaxis={
            "title": html.escape(str(rates.columns.name or "")),
            "automargin": True,
            "side": "top",  # the column names above a long list of fields
        },
        yaxis={**LABEL_AXIS, "autorange": "reversed"},
        plot_bgcolor=EMPTY,
        margin={"l": label_margin(labels), "r": 20, "t": 60, "b": 20},
    )


HISTORY_SERIES = {
    "keeps": ("fields kept", KEEPS),
    "changes": ("fields changed", CHANGES),
    "loses": ("fields lost", LOSES),
    "fields_at_risk": ("fields at risk", "#CC79A7"),
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
    largest = float(trend[list(HISTORY_SERIES)].max().max()) if len(trend) else 0.0
    return _finish(
        figure,
        height=_MIN_HEIGHT,
        xaxis={"type": "date", "automargin": True},
        yaxis={**count_axis("SIEM fields", largest), "automargin": True},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02},
        margin={"l": 70, "r": 20, "t": 50, "b": 50},
    )
