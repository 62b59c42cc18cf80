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
    "For each SIEM field, the matched alerts whose legacy value Graph carries (match), "
    "carries differently (mismatch), lacks at every documented path (missing in Graph), or adds "
    "(new in Graph); values the audit could not read are counted apart (unreadable)."
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
st.text(f"{alerts_in_view:,} matched alert(s) and {len(counts):,} field(s) in view.")
if counts.empty:
    st.info("No field is compared under these filters.")
else:
    st.plotly_chart(charts.coverage_bars(counts), key="coverage_bars")
    with st.expander("Counts as a table"):
        render.table(counts)
    with st.expander("Where Graph holds the values (fields with several paths)"):
        render.table(cache.view(audit_tables.matches_by_path))

st.subheader("Mapping")
st.caption("Each SIEM field and the Graph path(s) it maps to, coloured by the field's status.")
st.plotly_chart(charts.mapping_sankey(report), key="mapping_sankey")
render.table(mapping_frame(report.mapping))
