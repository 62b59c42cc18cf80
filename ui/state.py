"""Session-state keys and accessors: the only module that names them."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from siem2graph.alert_filter import AlertFilter, filtered
from siem2graph.held import legacy_held
from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport
from siem2graph.sources import Source
from ui.nav import FIELD, SOURCES

REPORT = "audit_report"  # the AuditReport this session is looking at (content impact reads it)
REPORT_ID = "report_id"  # content fingerprint of the inputs behind it
GRAPH_SOURCES = "graph_sources"  # the Graph files behind the report, to show an alert as received
REPORT_LABEL = "report_label"  # what was loaded, in words ("bundled sample", "2 uploaded files")
FAILED_AUDIT = "failed_audit"  # what the last audit that could not run was of (cleared on success)
SAVED_AUDIT = "saved_audit"  # the store id of the loaded report, when it is a saved audit
SAMPLE_TRIED = "sample_tried"  # the first visit's automatic sample load ran (even if it failed)
SELECTED_ALERT = "selected_alert"  # key of the alert the explorer shows
PREPARED_EXPORTS = "prepared_exports"  # (report id, export) pairs rendered for download
CONTENT_IMPACT = "content_impact"  # (report id judged against, ContentImpact) the page shows
IN_VIEW = "report_in_view"  # (report id, AlertFilter, the report narrowed by that filter)
HELD = "legacy_held"  # (report id, its LegacyHeld): what a filter change reads of the detections
FILTER_ON = "filter_on"  # the page showing the filter bar: its views read the narrowed report

# Widget keys (widgets keep their values in session state under these).
LEGACY_UPLOADS = "legacy_uploads"
GRAPH_UPLOADS = "graph_uploads"
COLUMN_NAMES = "column_names"  # the Sources table naming the export's own columns
COVERAGE_FILTERS = "coverage_filters"  # prefix: the field-status multiselect
ALERT_FILTERS = "alert_filters"  # the filter bar's values (and prefix of its multiselects)
MISMATCH_FIELD = "mismatch_field"
MISMATCH_GROUPING = "mismatch_grouping"
EXPLORER_QUERY = "explorer_query"
EXPLORER_SIDES = "explorer_sides"
EXPLORER_ALERT = "explorer_alert"
EXPORT_REDACT = "export_redact"
OVERVIEW_REGISTER = "overview_register"
FIELD_CHOICE = "field_choice"
FIELD_ALERTS = "field_alerts"  # prefix: one table per (field, verdict)
FIELD_PARAM = "field"  # URL query parameter of the One field page
FIELD_LINK = "field_link"  # a field a click asked to open (followed once)


def current_report() -> AuditReport | None:
    """The loaded report, or None."""
    return st.session_state.get(REPORT)


def current_report_id() -> str:
    """The loaded report's content fingerprint ("" when none is loaded)."""
    return st.session_state.get(REPORT_ID, "")


def report_label() -> str:
    """What the loaded report was built from, in words."""
    return st.session_state.get(REPORT_LABEL, "")


def store_report(
    report: AuditReport, report_id: str, label: str, saved_id: str | None = None
) -> None:
    """Make ``report`` the session's report (``saved_id``: its id in the audit store, if saved);
    a selection from an older report is dropped."""
    if st.session_state.get(REPORT_ID) != report_id:
        st.session_state.pop(SELECTED_ALERT, None)
    st.session_state[REPORT] = report
    st.session_state[REPORT_ID] = report_id
    st.session_state[REPORT_LABEL] = label
    st.session_state.pop(FAILED_AUDIT, None)
    st.session_state.pop(GRAPH_SOURCES, None)  # the caller gives them when it has them
    mark_saved(saved_id)


def store_graph_sources(sources: Sequence[Source]) -> None:
    """Keep the Graph files the loaded report was built from (uploads are in memory already)."""
    st.session_state[GRAPH_SOURCES] = tuple(sources)


def graph_sources() -> tuple[Source, ...]:
    """The Graph files behind the loaded report (none when it came from elsewhere)."""
    return st.session_state.get(GRAPH_SOURCES, ())


def mark_audit_failed(label: str) -> None:
    """Remember that the audit of ``label`` could not run (the loaded report is an older one)."""
    st.session_state[FAILED_AUDIT] = label


def failed_audit() -> str | None:
    """What the last audit that could not run was of, if it came after the loaded report."""
    return st.session_state.get(FAILED_AUDIT)


def mark_saved(saved_id: str | None) -> None:
    """Record the loaded report's id in the audit store (None: it is not saved)."""
    if saved_id is None:
        st.session_state.pop(SAVED_AUDIT, None)
    else:
        st.session_state[SAVED_AUDIT] = saved_id


def saved_audit_id() -> str | None:
    """The loaded report's id in the audit store, when it is a saved audit."""
    return st.session_state.get(SAVED_AUDIT)


def require_report() -> AuditReport:
    """The loaded report; without one, point to Sources and stop the page."""
    report = current_report()
    if report is None:
        st.info("No audit is loaded yet. Load the sample or your own files on the Sources page.")
        st.page_link(SOURCES.path, label="Go to Sources", icon=SOURCES.icon)
        st.stop()
    return report


def select_alert(key: str | None) -> None:
    """Remember the alert the explorer should open (None forgets it)."""
    if key is None:
        st.session_state.pop(SELECTED_ALERT, None)
    else:
        st.session_state[SELECTED_ALERT] = key


def selected_alert() -> str | None:
    """The alert the explorer should open, if any."""
    return st.session_state.get(SELECTED_ALERT)


def sample_tried() -> bool:
    """Whether the automatic first-visit sample load already ran in this session."""
    return bool(st.session_state.get(SAMPLE_TRIED))


def mark_sample_tried() -> None:
    st.session_state[SAMPLE_TRIED] = True


def store_content_impact(impact: ContentImpact | None) -> None:
    """Remember the content impact the Content impact page shows (None: it shows none)."""
    if impact is None:
        st.session_state.pop(CONTENT_IMPACT, None)
    else:
        st.session_state[CONTENT_IMPACT] = (current_report_id(), impact)


def content_impact() -> ContentImpact | None:
    """The content impact judged against the loaded report, for the exports; else None."""
    stored = st.session_state.get(CONTENT_IMPACT)
    return stored[1] if stored is not None and stored[0] == current_report_id() else None


def export_prepared(export: str) -> bool:
    """Whether this session asked for ``export`` (e.g. the redacted gap report) of the report."""
    return (current_report_id(), export) in st.session_state.get(PREPARED_EXPORTS, set())


def mark_export_prepared(export: str) -> None:
    st.session_state.setdefault(PREPARED_EXPORTS, set()).add((current_report_id(), export))


def open_field(siem_field: str) -> None:
    """Ask to open ``siem_field`` on the One field page (from a widget's callback)."""
    st.session_state[FIELD_LINK] = siem_field


def open_clicked_field(chart: str) -> None:
    """Ask to open the field of the bar clicked on ``chart`` (whose bars are named by field)."""
    points = st.session_state[chart].selection.points
    if points:
        open_field(html.unescape(str(points[0]["y"])))


def follow_field_link() -> None:
    """Go to the One field page if a click asked for a field; links are followed once."""
    chosen = st.session_state.pop(FIELD_LINK, None)
    if chosen is not None:
        st.switch_page(FIELD.path, query_params={FIELD_PARAM: chosen})


def _page() -> str:
    """The page this run shows (its script's hash)."""
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def apply_filter(alert_filter: AlertFilter) -> AuditReport:
    """The loaded report narrowed by ``alert_filter`` (kept until the filter or report changes);
    the views of this page read it from here on."""
    stored = st.session_state.get(IN_VIEW)
    if stored is None or stored[:2] != (current_report_id(), alert_filter):
        report, held = require_report(), st.session_state.get(HELD)
        if held is None or held[0] != current_report_id():
            # built on the first page with the filter bar, so the first filter change is quick
            held = (current_report_id(), legacy_held(report))
            st.session_state[HELD] = held
        narrowed = filtered(report, alert_filter, held[1])
        stored = (current_report_id(), alert_filter, narrowed)
        st.session_state[IN_VIEW] = stored
    st.session_state[FILTER_ON] = _page()
    return stored[2]


def lift_filter() -> None:
    """Views read the whole report until the page applies the filter bar again."""
    st.session_state.pop(FILTER_ON, None)


def report_in_view() -> tuple[AuditReport, str]:
    """The report views read (narrowed on the page with the filter bar) and its id."""
    stored = st.session_state.get(IN_VIEW)
    narrowed = stored is not None and stored[0] == current_report_id() and stored[1].active
    if narrowed and st.session_state.get(FILTER_ON) == _page():
        return stored[2], f"{stored[0]}|{stored[1]!r}"
    return require_report(), current_report_id()
