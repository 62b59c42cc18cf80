"""Running the audit from the Sources page: progress while it works, a clear message if it fails."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from siem2graph.errors import Siem2GraphError
from siem2graph.legacy.aliases import AliasSet
from siem2graph.model import AuditReport
from siem2graph.sources import Source
from ui import audits, cache, progress, render, state
from ui.nav import OVERVIEW
from ui.samples import SAMPLE_LABEL, sample_files

logger = logging.getLogger(__name__)


def run_audit(
    legacy: Sequence[Source],
    graph: Sequence[Source],
    label: str,
    aliases: Sequence[AliasSet] = (),
    save: bool = True,
) -> bool:
    """Audit the sources (cached by content; legacy columns named by ``aliases`` too) and make
    the result the session's report; save it in the audit store unless ``save`` is False (the
    sample)."""
    with st.status("Auditing: reading the files", expanded=True) as status:
        bar = st.progress(0.0, text=progress.FIRST_STEP)
        started = time.monotonic()

        def draw(board: progress.Board) -> None:
            waiting = board.queue_position
            status.update(
                label=f"Waiting for a free audit slot: number {waiting} in the queue"
                if waiting is not None
                else render.escape_markdown(f"Auditing: {board.step}")
            )
            bar.progress(board.share, text=render.escape_markdown(board.text()))

        try:
            inputs_id, report = progress.run_with_board(
                lambda heard, queued: cache.audit(legacy, graph, heard, aliases, queued), draw
            )
        except Siem2GraphError as error:
            status.update(label="The audit could not run", state="error", expanded=True)
            render.input_error(error)
            state.mark_audit_failed(label)
            return False
        except Exception:
            logger.exception("audit failed")
            status.update(label="The audit could not run", state="error", expanded=True)
            render.unexpected_error("auditing these files")
            state.mark_audit_failed(label)
            return False
        saved_id = audits.save(report, [*legacy, *graph]) if save else None
        if not save:
            audits.forget_link()
        state.store_report(report, inputs_id, label, saved_id=saved_id)
        state.store_graph_sources(graph)
        bar.progress(1.0, text="Done")
        status.update(
            label=f"Audit ready ({report.join.legacy_rows:,} detections, "
            f"{report.join.graph_alerts:,} Graph alerts) in {time.monotonic() - started:.1f} s",
            state="complete",
            expanded=False,
        )
    st.page_link(OVERVIEW.path, label="See the results: the verdict", icon=OVERVIEW.icon)
    return True


def load_sample(legacy: Sequence[Path], graph: Sequence[Path], label: str) -> bool:
    """Audit the sample files on disk."""
    return run_audit(
        [Source.from_path(p) for p in legacy],
        [Source.from_path(p) for p in graph],
        label,
        save=False,
    )


def open_sample_on_first_visit() -> None:
    """A session's first visit, whatever the page, opens on the bundled sample, unless the user
    has saved audits (then the page offers them)."""
    sample = sample_files()
    if sample is not None and state.current_report() is None and not state.sample_tried():
        state.mark_sample_tried()
        if not audits.saved_audits():
            load_sample(*sample)


def sample_banner() -> None:
    """Say so whenever the report on screen is the bundled sample, not the user's data."""
    if state.current_report() is not None and state.report_label() == SAMPLE_LABEL:
        st.info(
            "You are looking at the bundled sample, not your data. Audit your own files on "
            "Sources; saved audits are on History.",
            icon=":material/science:",
        )


def open_report() -> AuditReport:
    """The session's report (the sample on a first visit); without one, the saved audits and a
    pointer to Sources."""
    open_sample_on_first_visit()
    if state.current_report() is None:
        audits.saved_audit_links()
    report = state.require_report()
    sample_banner()
    return report
