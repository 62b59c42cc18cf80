"""Content impact: which detection rules, dashboards and playbooks break when the SIEM API goes.

Thin page: upload, one cached engine call (siem2graph.impact), render. User content and rule names
are shown only through dataframes, selectbox options and st.code: never as markdown or HTML.
The analysis shown is kept in session state (``ui.state``): the Export page includes it.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.uploaded_file_manager import UploadedFile

from siem2graph.errors import Siem2GraphError
from siem2graph.impact import (
    BRIDGE_LABELS,
    BRIDGE_VERDICTS,
    FORMATS,
    RULE_VERDICTS,
    ContentImpact,
    analyse_content,
)
from siem2graph.impact.evidence import evidence_from_audit, observed
from siem2graph.mapping import load_mapping
from siem2graph.report.cells import human_header
from ui import render, state
from ui.cache import view
from ui.samples import sample_content


@st.cache_data(show_spinner="Reading the content...", max_entries=8)
def _analyse(
    files: tuple[tuple[str, bytes], ...], audit: dict[str, Any] | None, sources: tuple[str, ...]
) -> ContentImpact:
    mapping = load_mapping()
    return analyse_content(files, mapping, evidence_from_audit(audit, mapping), sources)


# the verdicts and their reasons in sight at 1280 px (pixels, long texts wrapped); the file and
# format after them; a rule's notes and rewrite, long, show below once it is chosen
_OVERVIEW_WIDTHS = {
    "rule": 190,
    "verdict": 110,
    "bridge": 130,
    "references": 90,
    "fields": 260,
    "file": 200,
    "format": 110,
}
_OVERVIEW_LINES = 3
_OVERVIEW_ROWS_SHOWN = 8
# the chosen rule's references: each field's verdict, what to use instead and why first (the
# rule, its file and format are the one chosen above)
_REFERENCE_ORDER = (
    "field",
    "verdict",
    "replacement",
    "literal",
    "note",
    "usage",
    "as_written",
    "line",
    "bridge",
    "value_check",
    "graph_path",
)


def _words(verdict: str) -> str:
    return verdict.replace("_", " ")


def _audit() -> dict[str, Any] | None:
    if state.current_report() is not None:
        return view(observed)
    st.info(
        "Value checks need an audit: without one, compared values are checked only against "
        "the mapping's vocabularies. Run an audit first to check them against observed data."
    )
    with contextlib.suppress(StreamlitAPIException):  # the router has not registered Sources
        st.page_link("pages/sources.py", label="Go to Sources")
    return None


def _analysed(
    files: tuple[tuple[str, bytes], ...], audit: dict[str, Any] | None, sources: tuple[str, ...]
) -> ContentImpact:
    """The analysis of ``files``, kept for the Export page (an error stops the page)."""
    try:
        impact = _analyse(files, audit, sources)
    except Siem2GraphError as exc:
        state.store_content_impact(None)
        st.error(f"Cannot analyse the content: {exc}", icon=":material/error:")
        st.stop()
    state.store_content_impact(impact)
    return impact


def _current(
    uploads: list[UploadedFile], audit: dict[str, Any] | None, sources: tuple[str, ...]
) -> ContentImpact:
    """The uploads' analysis, else the session's last one, else the sample rules' when asked."""
    if uploads:
        return _analysed(tuple((f.name, f.getvalue()) for f in uploads), audit, sources)
    impact = state.content_impact()
    if impact is None:
        sample = sample_content()
        with (prompt := st.empty()).container():
            st.info(
                "Upload one or more content files to start"
                + (", or try the rules bundled with the sample." if sample else ".")
            )
            tried = bool(sample) and st.button("Try the sample rules", icon=":material/science:")
        if not tried:
            st.stop()
        prompt.empty()
        return _analysed(sample, audit, sources)
    st.caption("Showing this session's last analysis; upload files to analyse other content.")
    if st.button("Forget this analysis", icon=":material/delete:"):
        state.store_content_impact(None)
        st.rerun()
    return impact


st.title("Content impact")
st.caption(
    "Upload Splunk savedsearches.conf / .spl, Sentinel rules (ARM JSON, YAML, .kql), QRadar AQL, "
    "Sigma rules, ArcSight filter exports or plain text, and see which rules break."
)
audit = _audit()
uploads = st.file_uploader("Content files", accept_multiple_files=True) or []
named = st.text_input(
    "More SIEM API sources",
    help="Comma-separated indexes, sourcetypes, macros, tables or log source types that hold "
    "SIEM API records, beside the known ones. Rules naming only other sources are not affected.",
)
impact = _current(uploads, audit, tuple(n.strip() for n in named.split(",") if n.strip()))
if audit is not None:
    st.caption("The Export page includes this analysis in every format of the gap report.")

frames = impact.to_frames()
if impact.problems:
    st.subheader("Files not read")
    render.table(pd.DataFrame([{"file": p.file, "problem": p.message} for p in impact.problems]))

counts = frames["rules"]["verdict"].value_counts()
for column, verdict in zip(st.columns(len(RULE_VERDICTS)), RULE_VERDICTS, strict=True):
    column.metric(_words(verdict), int(counts.get(verdict, 0)))
bridge = frames["rules"]["bridge"].value_counts()
for column, verdict in zip(st.columns(len(BRIDGE_VERDICTS)), BRIDGE_VERDICTS, strict=True):
    column.metric(f"rules that {BRIDGE_LABELS[verdict]}", int(bridge.get(verdict, 0)))

left, right = st.columns(2)
verdicts = left.multiselect(
    "Verdict", RULE_VERDICTS, default=list(RULE_VERDICTS), format_func=_words
)
formats = right.multiselect("Format", [*FORMATS, "text"], default=[*FORMATS, "text"])
rules = frames["rules"]
shown = rules[rules["verdict"].isin(verdicts) & rules["format"].isin(formats)]
render.table(
    shown,
    column_order=tuple(_OVERVIEW_WIDTHS),
    column_config={
        name: st.column_config.TextColumn(human_header(name), width=width)
        for name, width in _OVERVIEW_WIDTHS.items()
    },
    **render.wrapped_rows(min(len(shown), _OVERVIEW_ROWS_SHOWN), _OVERVIEW_LINES),
)
if shown.empty:
    st.stop()

index = st.selectbox(
    "Rule",
    list(shown.index),
    format_func=lambda i: f"{rules.at[i, 'rule']} ({rules.at[i, 'file']})",
)
rule = impact.rules[index]
references = frames["references"]
render.table(
    references[(references["rule"] == rule.name) & (references["file"] == rule.file)],
    column_order=_REFERENCE_ORDER,
)
for note in (rule.note, rule.count_note):
    if note:
        st.text(note)
st.subheader("Query")
st.code(rule.query, language=None)
if rule.rewrite:
    st.subheader(f"Rewrite for Graph alerts_v2: {rule.rewrite}")
    st.text(rule.rewrite_note)
if rule.rewritten_query:
    st.code(rule.rewritten_query, language=None)
