"""Alert explorer: one alert's legacy detections and Graph values side by side, field by field."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siem2graph import views
from siem2graph.model import SIDES
from ui import cache, filters, render, state

FOUND_ROWS = 200
SIDE_LABELS = {"both": "on both sides", "legacy_only": "legacy only", "graph_only": "Graph only"}


def _pick_alert(report_alerts: pd.DataFrame) -> str | None:
    """Search and pick an alert; the pick is remembered for the other pages."""
    query_col, side_col = st.columns([3, 2])
    query = query_col.text_input(
        "Search by alert id, host or title", key=state.EXPLORER_QUERY, placeholder="e.g. da6372"
    )
    sides = side_col.multiselect(
        "Sides", SIDES, format_func=SIDE_LABELS.get, placeholder="all", key=state.EXPLORER_SIDES
    )
    found, total = cache.view(views.find_alerts, query, tuple(sides), FOUND_ROWS)
    keys = found["key"].tolist()
    selected = state.selected_alert()
    if selected is not None and selected not in keys and (report_alerts["key"] == selected).any():
        keys.insert(0, selected)
    labels = dict(
        zip(found["key"], found["title"].fillna("") + " · " + found["host"].fillna(""), strict=True)
    )
    if selected in keys:
        st.session_state[state.EXPLORER_ALERT] = selected
    st.caption(f"{total:,} alert(s) found; the list holds the first {min(total, FOUND_ROWS):,}.")
    return st.selectbox(
        "Alert",
        keys,
        index=None,
        format_func=lambda key: f"{key} · {labels.get(key, '')}",
        placeholder="Pick an alert",
        key=state.EXPLORER_ALERT,
        on_change=lambda: state.select_alert(st.session_state[state.EXPLORER_ALERT]),
    )


def _alert_detail(key: str) -> None:
    summary = cache.view(views.alert_summary, key)
    st.subheader("The alert")
    render.table(summary.astype("str").rename_axis("attribute").reset_index(name="value"))
    st.subheader("Every field and its verdict")
    if not report.values_kept:
        render.values_not_kept()  # before the table whose value columns it explains away
    render.table(cache.view(views.alert_field_comparison, key))
    if not report.values_kept:
        return
    sides = (
        ("Legacy detections", views.alert_detections, "No legacy detection carries this alert."),
        ("Graph alert values", views.alert_graph_values, "No Graph alert carries this alert."),
    )
    for column, (title, view, empty) in zip(st.columns(2), sides, strict=True):
        with column:
            st.subheader(title)
            frame = cache.view(view, key)
            if frame.empty:
                st.info(empty)
            else:
                render.table(frame)
    render.graph_alert_json(summary["graph_id"])


st.title("Alert explorer")
report = filters.report_in_view()
chosen = _pick_alert(report.alerts)
if chosen is not None:
    _alert_detail(chosen)

st.divider()
st.subheader("Alerts found on one side only")
render.table(cache.view(views.reason_counts))
legacy_tab, graph_tab = st.tabs(["Legacy only", "Graph only"])
for tab, side in ((legacy_tab, "legacy_only"), (graph_tab, "graph_only")):
    with tab:
        shown, total = cache.view(views.unmatched_alerts, side, render.DEFAULT_ROWS)
        render.table(shown, total=total)
