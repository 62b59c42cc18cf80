"""Session-state keys and accessors: the only module that names them."""

from __future__ import annotations

import streamlit as st

from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport
from ui.nav import SOURCES

REPORT = "audit_report"  # the AuditReport this session is looking at (content impact reads it)
REPORT_ID = "report_id"  # content fingerprint of the inputs behind it
REPORT_LABEL = "report_label"  # what was loaded, in words ("bundled sample", "2 uploaded files")
SAVED_AUDIT = "saved_audit"  # the store id of the loaded report, when it is a saved audit
SAMPLE_TRIED = "sample_tried"  # the first visit's automatic sample load ran (even if it failed)
SELECTED_ALERT = "selected_alert"  # key of the alert the explorer shows
PREPARED_EXPORTS = "prepared_exports"  # (report id, format) pairs rendered for download
CONTENT_IMPACT = "content_impact"  # (report id judged against, ContentImpact) the page shows

# Widget keys (widgets keep their values in session state under these).
LEGACY_UPLOADS = "legacy_uploads"
GRAPH_UPLOADS = "graph_uploads"
COVERAGE_FILTERS = "coverage_filters"  # prefix: one multiselect per filter
MISMATCH_FIELD = "mismatch_field"
MISMATCH_GROUPING = "mismatch_grouping"
MISMATCH_ALERTS = "mismatch_alerts"  # prefix: one table per (field, verdict)
EXPLORER_QUERY = "explorer_query"
EXPLORER_SIDES = "explorer_sides"
EXPLORER_ALERT = "explorer_alert"


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
    mark_saved(saved_id)


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


def export_prepared(fmt: str) -> bool:
    """Whether this session asked for the ``fmt`` export of the current report."""
    return (current_report_id(), fmt) in st.session_state.get(PREPARED_EXPORTS, set())


def mark_export_prepared(fmt: str) -> None:
    st.session_state.setdefault(PREPARED_EXPORTS, set()).add((current_report_id(), fmt))
