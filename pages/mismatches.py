"""Mismatches: the fields whose values Graph holds differently, and where that happens."""

from __future__ import annotations

import streamlit as st

from siem2graph import charts, views
from ui import cache, filters, nav, render, state

CHART = "mismatch_rates"
GROUPINGS = {"severity": "Severity", "category": "Category"}
RATE_COLUMNS = {
    "siem_field": st.column_config.TextColumn("SIEM field"),
    "status": st.column_config.TextColumn("Status"),
    "compared_alerts": st.column_config.NumberColumn("Alerts compared (value on both sides)"),
    "mismatch": st.column_config.NumberColumn("Alerts whose values differ"),
    "mismatch_rate": st.column_config.NumberColumn("Share that differ", format="percent"),
    "missing_in_graph": st.column_config.NumberColumn("Alerts where Graph lacks the value"),
}


st.title("Mismatches")
report = filters.report_in_view()
summary = cache.view(views.mismatch_summary)
differing = summary[summary["mismatch"] > 0]
compared = summary.dropna(subset=["mismatch_rate"])
st.caption(
    f"{len(differing):,} of the {len(compared):,} fields compared hold different values in "
    "Graph on some alerts. A field's rate is over the matched alerts with a value on both sides. "
    "Click a bar to open that field."
)
if differing.empty:
    st.info("Every field compared holds the same values in Graph.")
else:
    render.field_chart(
        charts.mismatch_rates(summary),
        CHART,
        "Share of the alerts compared whose values differ, per field",
    )
with st.expander("Every field compared, as a table"):
    render.table(compared, column_config=RATE_COLUMNS)

if not differing.empty:
    st.subheader("Where values differ, by alert attribute")
    grouping = st.segmented_control(
        "Group by",
        list(GROUPINGS),
        format_func=GROUPINGS.get,
        default="severity",
        key=state.MISMATCH_GROUPING,
    )
    st.caption(
        "Each cell: the share of the alerts compared that differ; '–': no alert of that kind "
        "held the field on both sides."
    )
    if grouping == "category":
        st.caption(render.escape_markdown(report.field("Category").note))
    rates = cache.view(views.mismatch_rate_by, grouping or "severity")
    st.plotly_chart(
        charts.mismatch_heatmap(rates),
        key="mismatch_heatmap",
        alt="Share of the alerts compared whose values differ, by field and alert attribute",
    )

st.subheader("One field")
field = st.selectbox(
    "Field",
    differing["siem_field"].tolist() or compared["siem_field"].tolist(),
    key=state.MISMATCH_FIELD,
)
if field is not None:
    st.page_link(
        nav.FIELD.path,
        label=f"Open {field}: its value pairs and the alerts behind them",
        icon=nav.FIELD.icon,
        query_params={state.FIELD_PARAM: field},
    )
