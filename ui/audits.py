"""Saved audits in the dashboard: who is asking, saving a finished audit, and the URL that
reopens it (``?audit=<id>``: reload, a new tab or a bookmark shows the same audit).

A store that cannot be used costs a warning, never the audit on screen. Every store call goes
through ``current_user()``: a user sees their own audits and those shared with them, and
changes or shares only their own. A reopened report is held by the sessions showing it
(``ui.cache.saved_report``), never in a server-wide cache.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence

import streamlit as st

from siem2graph.model import AuditReport
from siem2graph.sources import Source
from siem2graph.store import AuditStore, StoredAudit, StoreError, open_store, store_location
from ui import cache, render, state
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


def _held(store: AuditStore, audit_id: str) -> str:
    return f"{store.root}:{audit_id}"


def reopen(audit_id: str) -> StoredAudit:
    """Make the saved audit the session's report (StoreError when it cannot be, AuditNotFound
    when this user may not open it: the same answer as for an id that does not exist)."""
    store = audit_store()
    audit = store.get(audit_id)  # before any report is looked up
    report = cache.saved_report(_held(store, audit.id), lambda: store.open(audit.id))
    state.store_report(report, f"saved:{audit.id}", saved_label(audit), saved_id=audit.id)
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
        store = audit_store()
        audit = store.save(report, sizes=sizes)
    except StoreError as error:
        st.warning(
            f"This audit was not saved: {render.escape_markdown(str(error))}. "
            "It stays open in this session.",
            icon=":material/warning:",
        )
        st.query_params.pop(URL_KEY, None)
        return None
    cache.saved_report(_held(store, audit.id), lambda: report)  # a reload reopens this one
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


def _change(doing: str, action: Callable[[AuditStore], object]) -> bool:
    """Run ``action`` on the user's store; False (with the reason shown) when it refuses."""
    try:
        action(audit_store())
    except StoreError as error:
        st.error(
            f"Could not {doing}: {render.escape_markdown(str(error))}", icon=":material/error:"
        )
        return False
    return True


def rename(audit_id: str, name: str) -> bool:
    """Rename the user's saved audit."""
    return _change("rename the audit", lambda store: store.rename(audit_id, name))


def share(audit_id: str, users: Iterable[str]) -> bool:
    """Share the user's audit with ``users`` (EVERYONE: every signed-in user)."""
    return _change("share the audit", lambda store: store.share(audit_id, users))


def unshare(audit_id: str, users: Iterable[str]) -> bool:
    """Stop sharing the user's audit with ``users``."""
    return _change("stop sharing the audit", lambda store: store.unshare(audit_id, users))


def delete(audit_id: str) -> bool:
    """Delete the user's saved audit for good (if it is the one on screen, it stays for this
    session but the URL no longer names it)."""
    if not _change("delete the audit", lambda store: store.delete(audit_id)):
        return False
    if state.saved_audit_id() == audit_id:
        state.mark_saved(None)
        forget_link()
    return True


def forget_link() -> None:
    """The session's report is no saved audit (the sample): the URL names none."""
    st.query_params.pop(URL_KEY, None)


def saved_audits() -> list[StoredAudit]:
    """The saved audits this user may open, newest first ([] when the store cannot be used)."""
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
