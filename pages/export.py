"""Export: the gap report for the change board, and the audit's data files."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from siem2graph.report.content_tables import rules_summary
from ui import cache, filters, loading, nav, render, state
from ui.downloads import DATA_FILES, GAP_REPORT, Download, export_downloads

logger = logging.getLogger(__name__)
LABELS = {
    "pdf": "PDF: to read and print (the verdict on page 1)",
    "xlsx": "XLSX: to work on (risk register with owner and decision columns)",
    "html": "HTML: to share, opens offline in any browser",
    "json": "JSON: every figure, for scripts",
    "csv": "CSV: one file per table (zip)",
    "md": "Markdown: a short summary",
}


def _offer(kind: str, formats: Sequence[str], redact: bool) -> None:
    prepared = f"{kind}.{'redacted' if redact else 'plain'}"
    if not state.export_prepared(prepared):
        if st.button(f"Prepare the {kind}", key=f"prepare.{kind}", icon=":material/build:"):
            state.mark_export_prepared(prepared)
            st.rerun()
        return
    with st.spinner(f"Rendering the {kind}"):
        try:
            downloads: tuple[Download, ...] = cache.view(
                export_downloads, tuple(formats), state.content_impact(), redact
            )
        except Exception:
            logger.exception("export %s failed", kind)
            render.unexpected_error(f"rendering the {kind}")
            return
    for download in downloads:
        st.download_button(
            f"Download {download.file_name}",
            data=download.data,
            file_name=download.file_name,
            mime=download.mime,
            key=f"export.{download.fmt}",
            on_click="ignore",
            icon=":material/download:",
            help=LABELS[download.fmt],
        )
        st.caption(f"{LABELS[download.fmt]}; {len(download.data):,} bytes.")


st.title("Export")
loading.open_report()
filters.not_applied("the files cover the whole audit")
redact = st.toggle(
    "Redact user names, host names, domains and IP addresses",
    key=state.EXPORT_REDACT,
    help="Replaces them with stable pseudonyms (user-1, host-1, ...) in every file.",
)
content = state.content_impact()
if content is None:
    st.caption(
        "Content impact: not included. Analyse your detection content on the Content impact "
        "page while this audit is loaded to add it to every file."
    )
    st.page_link(
        nav.CONTENT_IMPACT.path, label="Go to Content impact", icon=nav.CONTENT_IMPACT.icon
    )
else:
    st.info(f"Content impact: included ({rules_summary(content)}).", icon=":material/rule:")

with st.container(border=True):
    st.subheader("Gap report for the change board")
    st.caption(
        "What the migration loses, how many alerts it touches and what to do: the verdict, "
        "the risk register and the charts. Rendered once when you ask (large audits take a "
        "while), then kept for this audit."
    )
    _offer("gap report", GAP_REPORT, redact)
with st.container(border=True):
    st.subheader("Data files")
    st.caption("Every table in full, for scripts and spreadsheets; values are formula-neutralised.")
    _offer("data files", DATA_FILES, redact)
