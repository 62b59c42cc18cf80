"""Sources: open on the bundled sample, or audit your own exports; see what was read."""

from __future__ import annotations

import streamlit as st

from siem2graph import views
from siem2graph.errors import MappingError
from siem2graph.mapping import load_mapping
from siem2graph.model import AuditReport, engine_text
from siem2graph.pulls import describe, partial_warning
from siem2graph.sources import Source
from ui import audits, cache, loading, render, state
from ui.columns import column_aliases, column_names_editor
from ui.live_graph import live_graph_section
from ui.nav import SCHEMA_DIFF
from ui.samples import sample_files
from ui.settings import server_limits

LEGACY_TYPES = ["csv", "json", "ndjson", "jsonl", "gz", "zip"]
GRAPH_TYPES = ["json", "ndjson", "jsonl"]
PROBLEM_ROWS = 1000
LIVE_GRAPH_OPEN = "live_graph_open"  # the Live Graph expander's state: stays open across reruns


def _sample_controls() -> None:
    """The first visit's sample audit and the sample button, in one container: what an audit
    shows for one run then never moves the uploaders below. (A moved uploader is re-created
    in the browser, and a file it was still sending is lost.)"""
    with st.container():
        loading.open_sample_on_first_visit()
        sample = sample_files()
        st.subheader("Start on the sample")
        if sample is None:
            st.info("No sample is bundled with this installation.")
        elif st.button("Load the bundled sample", icon=":material/science:"):
            loading.load_sample(*sample)


def _load_controls() -> None:
    _sample_controls()

    st.subheader("Audit your own files")
    limit, rows = st.get_option("server.maxUploadSize"), server_limits().max_rows
    st.caption(
        f"Each file may be up to {limit:,} MB (server.maxUploadSize); an audit up to "
        f"{rows:,} legacy rows and {rows:,} Graph records."
    )
    legacy_col, graph_col = st.columns(2)
    legacy_files = legacy_col.file_uploader(
        "Legacy SIEM API exports (CSV, JSON, NDJSON; .gz or .zip)",
        type=LEGACY_TYPES,
        accept_multiple_files=True,
        key=state.LEGACY_UPLOADS,
    )
    graph_files = graph_col.file_uploader(
        "Graph alerts_v2 files (JSON or NDJSON)",
        type=GRAPH_TYPES,
        accept_multiple_files=True,
        key=state.GRAPH_UPLOADS,
    )
    with st.expander(
        "Live Graph: pull alerts_v2 from your tenant", key=LIVE_GRAPH_OPEN, on_change="rerun"
    ):
        live_file = live_graph_section()
    names = column_names_editor()
    legacy_files, graph_files = legacy_files or [], graph_files or []
    graph_count = len(graph_files) + (live_file is not None)
    ready = bool(legacy_files) and graph_count > 0
    if not ready:
        st.caption("Add at least one legacy export and one Graph file (or a live pull) to audit.")
    if st.button(
        "Audit these files", type="primary", disabled=not ready, icon=":material/play_arrow:"
    ):
        legacy = [Source.from_bytes(f.name, f.getvalue()) for f in legacy_files]
        graph = [Source.from_bytes(f.name, f.getvalue()) for f in graph_files]
        if live_file is not None:
            graph.append(Source.from_path(live_file))
        label = f"{len(legacy)} legacy and {len(graph)} Graph file(s) you provided"
        try:
            aliases = column_aliases(names, load_mapping())
        except MappingError as error:
            render.input_error(error)
            return
        loading.run_audit(legacy, graph, label, aliases)


def _problems(report: AuditReport) -> None:
    """Rows that need attention as a warning; expected ones (newer versions) as information."""
    counts = cache.view(views.problem_counts)
    expected = counts[counts["expected"]]
    attention = counts[~counts["expected"]]
    if len(expected):
        st.info(
            f"{int(expected['rows'].sum()):,} older version(s) of alerts that appear again "
            "were replaced by the newest: normal for exports and pulls that overlap.",
            icon=":material/info:",
        )
    if len(attention):
        st.warning(
            f"{int(attention['rows'].sum()):,} row(s) need attention; the rest of the audit "
            "is usable.",
            icon=":material/warning:",
        )
        render.table(attention.drop(columns="expected"))
    elif not len(expected):
        st.success("Every row read was kept.", icon=":material/check_circle:")
    if report.problems:
        with st.expander(f"Every problem, row by row (first {PROBLEM_ROWS:,})"):
            render.table(cache.view(views.problems_frame, PROBLEM_ROWS))


def _what_was_read() -> None:
    report = state.current_report()
    if report is None:
        audits.saved_audit_links()
        return
    st.divider()
    st.subheader("What was read")
    loading.sample_banner()
    if failed := state.failed_audit():
        st.warning(
            f"The audit of the {failed} could not run (see above); what follows is the "
            f"previous audit, of the {state.report_label()}, which every page still shows.",
            icon=":material/history:",
        )
    else:
        st.caption(f"Audit of the {state.report_label()}.")
    kept = "" if report.values_kept else "; counts kept, not each alert's values"
    st.text(f"Run on {engine_text(report.engine)} in {report.run_seconds:.1f} s{kept}.")
    render.table(views.inputs_frame(report))
    left, right = st.columns(2)
    left.text("Legacy detections: " + render.time_range(report.legacy_time_range))
    right.text("Graph alerts: " + render.time_range(report.graph_time_range))
    for pull in report.pulls:
        st.text(describe(pull))
    if warning := partial_warning(report.pulls):
        st.warning(render.escape_markdown(warning), icon=":material/warning:")
    _problems(report)
    unmapped = report.unmapped_legacy_columns
    st.text(
        f"Legacy columns outside the mapping: {len(unmapped):,}. "
        f"Graph properties seen but not mapped: {len(report.unmapped_graph_paths):,}."
    )
    if len(unmapped):
        render.table(unmapped, column_config={"populated_rate": render.rate_column()})
    st.page_link(SCHEMA_DIFF.path, label="See the schema diff", icon=SCHEMA_DIFF.icon)


st.title("Sources")
st.caption(
    "Bring legacy SIEM API exports and Microsoft Graph alerts_v2 alerts; "
    "the audit shows what the migration keeps, changes and loses."
)
_load_controls()
_what_was_read()
