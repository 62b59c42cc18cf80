"""Coverage: per field, how the matched alerts' values fared; and the mapping itself."""

from __future__ import annotations

import streamlit as st

from siem2graph import charts, views
from siem2graph.mapping import STATUSES
from siem2graph.model import mapping_frame
from siem2graph.report import audit_tables
from ui import cache, loading, render, state

ALERT_FILTERS = {
    "severity": "Severity",
    "category": "Category",
    "detection_source": "Detection source",
    "status": "Alert status",
}

report = loading.open_report()
st.title("Coverage")
st.caption(
    "For each SIEM field, what became of its value on the matched alerts in view: Graph keeps "
    "it, changes it, lacks it, or has no field for it at all (unsupported and obsolete fields); "
    "alerts where neither side held a value are shown in grey. Each bar is 100% of the alerts "
    "in view; the fields that lose the most come first."
)
options = cache.view(views.filter_options)
columns = st.columns(len(ALERT_FILTERS) + 1)
field_statuses = columns[0].multiselect(
    "Field status", STATUSES, placeholder="all", key=f"{state.COVERAGE_FILTERS}.field_status"
)
filters = {
    name: tuple(
        column.multiselect(
            label, options[name], placeholder="all", key=f"{state.COVERAGE_FILTERS}.{name}"
        )
    )
    for column, (name, label) in zip(columns[1:], ALERT_FILTERS.items(), strict=True)
}
counts, alerts_in_view = cache.view(
    views.coverage_in_view, tuple(filters.items()), tuple(field_statuses)
)
st.text(
    f"{alerts_in_view:,} of {report.join.matched_alerts:,} matched alerts and "
    f"{len(counts):,} of {len(report.fields):,} fields in view."
)
if counts.empty:
    st.info("No field has these statuses.")
else:
    st.plotly_chart(charts.coverage_bars(counts), key="coverage_bars")
    with st.expander("Counts as a table"):
        render.table(counts)
    with st.expander("Where Graph holds the values (fields with several paths)"):
        render.table(cache.view(audit_tables.matches_by_path))

st.subheader("Mapping")
st.caption("Each SIEM field, its status and the Graph path(s) it maps to (in preference order).")
render.table(mapping_frame(report.mapping))
