"""Export: download the report in every format the exporters offer."""

from __future__ import annotations

import logging

import streamlit as st

from siem2graph.impact import ContentImpact
from siem2graph.report import EXPORTERS
from siem2graph.report.content_tables import rules_summary
from ui import cache, loading, nav, render, state
from ui.downloads import Download, export_download

logger = logging.getLogger(__name__)


def _rendered(fmt: str, content: ContentImpact | None) -> Download | None:
    with st.spinner(f"Rendering {fmt.upper()}"):
        try:
            return cache.view(export_download, fmt, content)
        except Exception:
            logger.exception("export %s failed", fmt)
            render.unexpected_error(f"rendering the {fmt.upper()} export")
            return None


loading.open_report()
st.title("Export")
st.caption(
    "The whole audit as files to keep or share; formats with several files come as one zip. "
    "Exported values are escaped and formula-neutralised by the exporters. Each format is "
    "rendered when you ask for it (large audits take a while) and kept for this audit."
)
content = state.content_impact()
if content is None:
    st.caption(
        "Content impact: not included. Analyse detection content on the Content impact page "
        "while this audit is loaded to add its tables to every format."
    )
    st.page_link(
        nav.CONTENT_IMPACT.path, label="Go to Content impact", icon=nav.CONTENT_IMPACT.icon
    )
else:
    st.info(f"Content impact: included ({rules_summary(content)}).", icon=":material/rule:")
for fmt in EXPORTERS:
    with st.container(border=True):
        label = fmt.upper()
        if not state.export_prepared(fmt):
            if st.button(f"Prepare {label}", key=f"prepare.{fmt}", icon=":material/build:"):
                state.mark_export_prepared(fmt)
                st.rerun()
            continue
        download = _rendered(fmt, content)
        if download is None:
            continue
        st.download_button(
            f"Download {label}",
            data=download.data,
            file_name=download.file_name,
            mime=download.mime,
            key=f"export.{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )
        st.text(f"{download.file_name}: {len(download.data):,} bytes ({', '.join(download.files)})")
