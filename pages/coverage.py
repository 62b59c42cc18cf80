"""Coverage: per field, how the matched alerts' values fared; and the mapping itself."""

from __future__ import annotations

import streamlit as st

from siem2graph import charts, views
from siem2graph.mapping import STATUSES
from siem2graph.model import mapping_frame
from siem2graph.report import audit_tables
from ui import cache, filters, render, state

CHART = "coverage_bars"
COUNT_COLUMNS = {
    "siem_field": "SIEM field",
    "status": "Status",
    **{column: label for column, (label, _) in charts.COVERAGE_SEGMENTS.items()},
    "alerts": "Matched alerts in view",
    "lost": "Alerts that lose the value",
}


st.title("Coverage")
report = filters.report_in_view()
st.caption(
    "For each SIEM field, what became of its value on the matched alerts in view: Graph keeps "
    "it, changes it, lacks it, or has no field for it at all (unsupported and obsolete fields); "
    "alerts where neither side held a value are shown in grey. Each bar is 100% of the alerts "
    "in view; the fields that lose the most come first."
)
field_statuses = st.multiselect(
    "Field status", STATUSES, placeholder="all", key=f"{state.COVERAGE_FILTERS}.field_status"
)
counts, alerts_in_view = cache.view(views.coverage_in_view, tuple(field_statuses))
st.text(
    f"{len(counts):,} of {len(report.fields):,} fields; each bar is 100% of the "
    f"{alerts_in_view:,} matched alerts in view."
)
if counts.empty:
    st.info("No field has these statuses.")
else:
    st.caption("Click a bar to open that field: its values and the alerts behind each number.")
    render.field_chart(
        charts.coverage_bars(counts),
        CHART,
        "What became of each SIEM field's value on the matched alerts in view",
    )
    with st.expander("Counts as a table"):
        render.table(counts, column_config=COUNT_COLUMNS)
    with st.expander("Where Graph holds the values (fields with several paths)"):
        render.table(cache.view(audit_tables.matches_by_path))

st.subheader("Mapping")
st.caption("Each SIEM field, its status and the Graph path(s) it maps to (in preference order).")
render.table(mapping_frame(report.mapping))
