"""Saved audits in the dashboard: who is asking, saving a finished audit, and the URL that
reopens it (``?audit=<id>``: reload, a new tab or a bookmark shows the same audit).

A store that cannot be used costs a warning, never the audit on screen. Every store call goes
through ``current_user()``: a user only ever sees their own audits.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import streamlit as st

from siem2graph.model import AuditReport
from siem2graph.sources import Source
from siem2graph.store import AuditStore, StoredAudit, StoreError, open_store, store_location
from ui import render, state
from ui.nav import HISTORY, OVERVIEW
from ui.settings import secrets_section
from ui.user import current_user  # the signed-in user owns their audits

logger = logging.getLogger(__name__)
URL_KEY = "audit"  # ?audit=<id>
LISTED = 10  # saved audits offered on a page that has no audit


def _store_url() -> str | None:
    """A team server's PostgreSQL catalog URL from st.secrets["store"]["url"] (else the
    environment's SIEM2GRAPH_STORE_URL, read by the store itself)."""
    url = secrets_section("store").get("url")
    return str(url) if url else None


@st.cache_resource(show_spinner=False, max_entries=64)
def _store(location: str, url_digest: str, user: str | None, _url: str | None) -> AuditStore:
    return open_store(location, _url, user)


def audit_store() -> AuditStore:
    """The signed-in user's store (StoreError when it cannot be used)."""
    url = _store_url()
    # keyed by where it is and who asks; the URL (it may hold a password) only by its digest
    digest = hashlib.sha256(url.encode()).hexdigest()[:16] if url else ""
    return _store(str(store_location()), digest, current_user(), url)


@st.cache_resource(show_spinner=False, max_entries=3, ttl=3600)
def _reopen(location: str, user: str | None, audit_id: str, _store: AuditStore) -> AuditReport:
    return _store.open(audit_id)


def reopen(audit_id: str) -> StoredAudit:
    """Make the saved audit the session's report (StoreError when it cannot be)."""
    store = audit_store()
    audit = store.get(audit_id)
    report = _reopen(str(store.root), current_user(), audit_id, store)
    state.store_report(report, f"saved:{audit_id}", saved_label(audit), saved_id=audit_id)
    return audit


def saved_label(audit: StoredAudit) -> str:
    """The report label of a saved audit (no file names: labels are shown as markdown)."""
    sides = [i["side"] for i in audit.summary["inputs"]]
    return (
        f"{sides.count('legacy')} legacy and {sides.count('graph')} Graph file(s), "
        f"saved {audit.created[:16].replace('T', ' ')} UTC"
    )


def save(report: AuditReport, sources: Sequence[Source]) -> str | None:
    """Save a finished audit and name it in the URL; None (with a warning) when it is not saved."""
    sizes = {s.name: size for s in sources if (size := s.stored_size()) is not None}
    try:
        audit = audit_store().save(report, sizes=sizes)
    except StoreError as error:
        st.warning(
            f"This audit was not saved: {render.escape_markdown(str(error))}. "
            "It stays open in this session.",
            icon=":material/warning:",
        )
        st.query_params.pop(URL_KEY, None)
        return None
    st.query_params[URL_KEY] = audit.id
    return audit.id


def follow_link() -> None:
    """Every run: open the audit the URL names, or name the session's saved audit in the URL."""
    wanted, current = st.query_params.get(URL_KEY), state.saved_audit_id()
    if wanted and wanted != current:
        state.mark_sample_tried()  # a link never silently turns into the sample
        try:
            with st.spinner("Opening the saved audit"):
                reopen(wanted)
        except StoreError as error:
            st.error(
                f"This link's audit cannot be opened: {render.escape_markdown(str(error))}",
                icon=":material/error:",
            )
        except Exception:
            logger.exception("reopening a saved audit failed")
            render.unexpected_error("opening the saved audit")
    elif current and not wanted:
        st.query_params[URL_KEY] = current


def _store_failed(doing: str, error: StoreError) -> None:
    st.error(f"Could not {doing}: {render.escape_markdown(str(error))}", icon=":material/error:")


def rename(audit_id: str, name: str) -> bool:
    """Rename a saved audit; False (with the reason shown) when the store refuses."""
    try:
        audit_store().rename(audit_id, name)
    except StoreError as error:
        _store_failed("rename the audit", error)
        return False
    return True


def delete(audit_id: str) -> bool:
    """Delete a saved audit for good (if it is the one on screen, it stays for this session but
    the URL no longer names it); False (with the reason shown) when the store refuses."""
    try:
        audit_store().delete(audit_id)
    except StoreError as error:
        _store_failed("delete the audit", error)
        return False
    if state.saved_audit_id() == audit_id:
        state.mark_saved(None)
        forget_link()
    return True


def forget_link() -> None:
    """The session's report is no saved audit (the sample): the URL names none."""
    st.query_params.pop(URL_KEY, None)


def saved_audits() -> list[StoredAudit]:
    """This user's saved audits, newest first ([] when the store cannot be used)."""
    try:
        return audit_store().list()
    except StoreError as error:
        logger.warning("the audit store cannot be read: %s", error)
        return []


def saved_audit_links(audits: Sequence[StoredAudit] | None = None) -> None:
    """The newest saved audits as links that open them (nothing when there are none)."""
    audits = saved_audits() if audits is None else audits
    if not audits:
        return
    st.subheader("Saved audits")
    for audit in audits[:LISTED]:
        open_link(audit, f"{audit.name} ({audit.rows:,} detections)")
    st.page_link(HISTORY.path, label="All saved audits", icon=HISTORY.icon)


def open_link(audit: StoredAudit, label: str) -> None:
    """A link that opens the saved audit on the Overview (disabled when it is unreadable)."""
    st.page_link(
        OVERVIEW.path,
        label=render.escape_markdown(label),
        icon=":material/history:" if audit.readable else ":material/broken_image:",
        query_params={URL_KEY: audit.id},
        disabled=not audit.readable,
        help=None if audit.readable else "Its saved tables are missing or damaged.",
    )
