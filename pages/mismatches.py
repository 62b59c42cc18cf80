"""Mismatches: where Graph carries a field with a different value, and on which alerts."""

from __future__ import annotations

import streamlit as st

from siem2graph import charts, views
from ui import cache, loading, render, state
from ui.nav import EXPLORER

ALERT_ROWS = 500
GROUPINGS = {"severity": "Severity", "category": "Category"}
VERDICT_CHOICES = {"mismatch": "differs", "missing_in_graph": "lacks the value"}

report = loading.open_report()
st.title("Mismatches")
summary = cache.view(views.mismatch_summary)
compared = summary.dropna(subset=["mismatch_rate"])
if compared.empty:
    st.info("No matched alert held a field's value on both sides, so nothing could differ.")
    st.stop()

st.caption(
    "Mismatch rate: of the matched alerts with a value on both sides, the share that differ."
)
st.plotly_chart(charts.mismatch_rates(summary), key="mismatch_rates")
with st.expander("Rates as a table"):
    render.table(
        summary, column_config={"mismatch_rate": st.column_config.NumberColumn(format="percent")}
    )

st.subheader("Mismatch rate by alert attribute")
grouping = st.segmented_control(
    "Group by",
    list(GROUPINGS),
    format_func=GROUPINGS.get,
    default="severity",
    key=state.MISMATCH_GROUPING,
)
rates = cache.view(views.mismatch_rate_by, grouping or "severity")
st.plotly_chart(charts.mismatch_heatmap(rates), key="mismatch_heatmap")

st.subheader("One field")
field = st.selectbox("Field", compared["siem_field"].tolist(), key=state.MISMATCH_FIELD)
st.caption("The most frequent (legacy value → Graph value) pairs that did not match.")
render.table(cache.view(views.value_pairs_for, field))

verdict = st.radio(
    "Alerts where Graph", list(VERDICT_CHOICES), format_func=VERDICT_CHOICES.get, horizontal=True
)
alerts, total = cache.view(views.alerts_with_verdict, field, verdict, ALERT_ROWS)
st.caption("Select an alert to open it in the explorer.")
event = render.table(
    alerts,
    total=total,
    key=f"{state.MISMATCH_ALERTS}.{field}.{verdict}",
    on_select="rerun",
    selection_mode="single-row",
)
if event.selection.rows:
    chosen = str(alerts.iloc[event.selection.rows[0]]["key"])
    st.text(f"Selected alert: {chosen}")
    if st.button("Open in the alert explorer", icon=EXPLORER.icon):
        state.select_alert(chosen)
        st.switch_page(EXPLORER.path)
