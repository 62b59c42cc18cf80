"""Overview, the verdict: what the migration loses, on how many alerts, and what to do."""

from __future__ import annotations

import streamlit as st

from siem2graph import charts, views
from siem2graph.pulls import partial_warning
from siem2graph.report import audit_tables
from siem2graph.report.summary import OVERALL_TEXT, verdict_sentence
from ui import cache, filters, nav, render, state

# label and width of each column: together they fit the page at 1280 px, and the grid
# shares out any width left over; the field, its verdict and why come first, so that they
# are what shows at 800 px beside the sidebar (the rest scrolls into view)
REGISTER_COLUMNS: dict[str, tuple[str, int]] = {
    "siem_field": ("SIEM field", 130),
    "readiness": ("Graph", 65),
    "reason": ("Why", 235),
    "touched": ("Matched alerts touched", 155),
    "replacement": ("Use in Graph instead", 150),
}
REGISTER_ROWS_SHOWN = 8
REGISTER_LINES = 5  # Microsoft's longest note in the "Why" column at its narrowest

st.title("Overview")
report = filters.report_in_view()
join = report.join
st.caption(f"Audit of the {state.report_label()}.")
if warning := partial_warning(report.pulls):
    st.warning(render.escape_markdown(warning), icon=":material/warning:")
st.subheader(cache.view(verdict_sentence))  # our words and figures only: no data text
st.text(OVERALL_TEXT.get(report.headline.overall_readiness, ""))

fields = len(report.fields)
readiness = cache.view(audit_tables.readiness_counts).set_index("readiness")["fields"]
# Metrics as wide as their text, wrapping onto the next line: nothing is cut at 800 px.
figures = st.container(horizontal=True, gap="medium")
for verdict, label in [
    ("loses", "Fields that lose data"),
    ("changes", "Fields that change"),
    ("keeps", "Fields Graph keeps"),
    ("not_applicable", "Fields without data"),
]:
    figures.metric(label, f"{readiness[verdict]:,} of {fields:,}", width="content", border=True)
figures = st.container(horizontal=True, gap="medium")
figures.metric(
    "Matched alerts",
    f"{join.matched_alerts:,} of {join.legacy_alerts:,}",
    help="Legacy alerts that Graph also has: the base of every field's figures.",
    width="content",
    border=True,
)
# one-sided alerts beyond what the other input covers are no gap of it: counted apart
lacking = cache.view(views.one_sided_counts)
(legacy_gaps, legacy_beyond), (graph_gaps, graph_beyond) = (
    lacking["legacy_only"],
    lacking["graph_only"],
)
figures.metric(
    "Legacy alerts Graph lacks",
    f"{legacy_gaps:,} of {join.legacy_alerts:,}",
    help="Legacy alerts with no Graph alert of the same id, within the period the Graph alerts "
    "cover.",
    width="content",
    border=True,
)
figures.metric(
    "Graph alerts the export lacks",
    f"{graph_gaps:,} of {join.graph_alerts:,}",
    help="Defender for Endpoint alerts of the export's period that no legacy detection names.",
    width="content",
    border=True,
)
beyond = []
if legacy_beyond:
    beyond.append(f"{legacy_beyond:,} legacy alerts outside the period of the Graph alerts")
if graph_beyond:
    beyond.append(
        f"{graph_beyond:,} Graph alerts outside the export's period or from products the "
        "SIEM API never carried"
    )
if beyond:
    st.caption(
        f"Not counted as lacking: {'; '.join(beyond)}. "
        "Alert explorer lists every one-sided alert with its reason."
    )
st.caption(
    "Detections are the legacy SIEM API's rows (several per alert); alerts are what both APIs "
    "share, matched by alert id."
)

st.subheader("Risk register")
st.caption(
    "Each field that loses or changes data, the most matched alerts touched first. "
    "Select a row to open that field."
)
register = cache.view(audit_tables.risk_register)


def _open_field() -> None:
    rows = st.session_state[state.OVERVIEW_REGISTER].selection.rows
    if rows:
        state.open_field(str(register.iloc[rows[0]]["siem_field"]))


render.table(
    register[list(REGISTER_COLUMNS)],
    column_config={
        name: st.column_config.TextColumn(label, width=width)
        for name, (label, width) in REGISTER_COLUMNS.items()
    },
    **render.wrapped_rows(min(len(register), REGISTER_ROWS_SHOWN), REGISTER_LINES),
    key=state.OVERVIEW_REGISTER,
    on_select=_open_field,
    selection_mode="single-row",
)
state.follow_field_link()
st.caption(
    "The gap report for the change board holds this register with owner and decision columns."
)
st.page_link(nav.EXPORT.path, label="Download the gap report", icon=nav.EXPORT.icon)

st.subheader("Alerts per day")
st.caption("Alerts found on both sides, and the ones only one side has.")
if report.timeline.empty:
    st.info("Neither side holds alert times.")
else:
    st.plotly_chart(
        charts.timeline(report.timeline),
        key="overview_timeline",
        alt="Alerts per day: on both sides and on one side only",
    )
