"""Overview: the headline figures and the daily timeline of both sides."""

from __future__ import annotations

import streamlit as st

from siem2graph import charts
from siem2graph.pulls import partial_warning
from ui import loading, render, state

report = loading.open_report()
headline, join = report.headline, report.join

st.title("Overview")
st.caption(f"Audit of the {state.report_label()}.")
if warning := partial_warning(report.pulls):
    st.warning(render.escape_markdown(warning), icon=":material/warning:")
columns = st.columns(5)
columns[0].metric("Matched alerts", f"{headline.matched_alerts:,}")
columns[1].metric(
    "Legacy fields with a Graph equivalent",
    render.share(headline.fields_with_equivalent_share),
    help="Share of the legacy fields that held data and have a Graph property.",
)
columns[2].metric(
    "Legacy information retained",
    render.share(headline.information_retained_share),
    help="Share of the legacy values on matched alerts that Graph carries with the same value.",
)
columns[3].metric(
    "Fields at risk",
    f"{headline.fields_at_risk:,}",
    help="Fields whose values Graph loses or changes on at least 1% of the alerts.",
)
columns[4].metric("Overall readiness", headline.overall_readiness)

columns = st.columns(5)
columns[0].metric("Legacy detections", f"{join.legacy_rows:,}")
columns[1].metric("Legacy alerts", f"{join.legacy_alerts:,}")
columns[2].metric("Graph alerts", f"{join.graph_alerts:,}")
columns[3].metric("Legacy-only alerts", f"{join.legacy_only_alerts:,}")
columns[4].metric("Graph-only alerts", f"{join.graph_only_alerts:,}")

st.subheader("Alerts per day")
st.caption("Join coverage over time: legacy alerts, Graph alerts and the ones found on both sides.")
if report.timeline.empty:
    st.info("Neither side holds alert times.")
else:
    st.plotly_chart(charts.timeline(report.timeline), key="overview_timeline")
