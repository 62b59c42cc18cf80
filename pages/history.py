"""History: the saved audits (open, rename, delete, share), their trend, and two compared."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from siem2graph import charts
from siem2graph.store import EVERYONE, StoredAudit, StoreError
from siem2graph.store.history import compare_frame, history_frame, shared_text, trend_frame
from ui import audits, render
from ui.nav import OVERVIEW

CHOSEN_KEY = "history_chosen"
RENAME_KEY = "history_rename"
SHARE_KEY, EVERYONE_KEY, UNSHARE_KEY = "history_share", "history_everyone", "history_unshare"
BEFORE_KEY, AFTER_KEY = "history_before", "history_after"
TABLE_COLUMNS = [
    "name", "saved", "owner", "shared_with", "detections", "matched_alerts", "keeps", "changes",
    "loses", "unreadable", "fields_at_risk", "readable", "inputs",
]  # fmt: skip
COMPARE_COLUMNS = [
    "siem_field", "readiness_before", "readiness_after", "match_rate_before", "match_rate_after",
    "match_rate_delta", "missing_in_graph_before", "missing_in_graph_after",
    "missing_in_graph_delta", "mismatch_before", "mismatch_after", "judged_before", "judged_after",
]  # fmt: skip


def _when(created: str) -> str:
    return created[:19].replace("T", " ")


def _choose(
    label: str, saved: list[StoredAudit], index: int, key: str, where: Any = st
) -> StoredAudit:
    by_id = {a.id: a for a in saved}
    chosen = where.selectbox(
        label,
        list(by_id),
        index=index,
        format_func=lambda i: f"{by_id[i].name} (saved {_when(by_id[i].created)})",
        key=key,
    )
    return by_id[chosen]


def _share(audit: StoredAudit) -> None:
    """Share with named users or everyone signed in; stop sharing."""
    with st.popover("Share", icon=":material/share:"):
        shared = audit.shared_with
        st.text(f"Shared with: {shared_text(audit) or 'nobody'}")
        names = st.text_input("Share with (sign-in e-mails, comma separated)", key=SHARE_KEY)
        everyone = st.checkbox("Everyone signed in", key=EVERYONE_KEY)
        users = [n for n in names.split(",") if n.strip()] + ([EVERYONE] if everyone else [])
        if st.button("Share", type="primary", disabled=not users) and audits.share(audit.id, users):
            st.rerun()
        if not shared:
            return
        ended = st.multiselect(
            "Stop sharing with",
            shared,
            format_func=lambda g: "everyone signed in" if g == EVERYONE else g,
            key=f"{UNSHARE_KEY}.{audit.id}",
        )
        if st.button("Stop sharing", disabled=not ended) and audits.unshare(audit.id, ended):
            st.rerun()


def _manage(saved: list[StoredAudit]) -> None:
    """Open one audit; rename, delete or share it when it is the user's own."""
    st.subheader("Open, rename, delete or share")
    audit = _choose("Audit", saved, 0, CHOSEN_KEY)
    user = audits.current_user()
    if audit.owner != (user or ""):
        audits.open_link(audit, "Open this audit")
        st.caption(f"Shared with you by {audit.owner}: only its owner can change or share it.")
        return
    open_col, rename_col, delete_col = st.columns([1, 2, 1], vertical_alignment="bottom")
    with open_col:
        audits.open_link(audit, "Open this audit")
        if user is not None:  # sharing is between signed-in users
            _share(audit)
    name = rename_col.text_input("New name", value=audit.name, key=f"{RENAME_KEY}.{audit.id}")
    if (
        rename_col.button("Rename", icon=":material/edit:")
        and name != audit.name
        and audits.rename(audit.id, name)
    ):
        st.rerun()
    with delete_col.popover("Delete", icon=":material/delete:"):
        st.text("The audit's catalog row and saved tables are removed for good.")
        if st.button("Delete this audit", type="primary") and audits.delete(audit.id):
            st.rerun()


def _inputs(audit: StoredAudit) -> pd.DataFrame:
    frame = pd.DataFrame(audit.summary["inputs"])
    return frame.reindex(columns=["side", "name", "bytes", "sha256"])


def _compare(saved: list[StoredAudit]) -> None:
    st.subheader("Compare two audits")
    left, right = st.columns(2)
    before = _choose("Before", saved, 1, BEFORE_KEY, left)
    after = _choose("After", saved, 0, AFTER_KEY, right)
    for column, audit in ((left, before), (right, after)):
        with column:
            render.table(_inputs(audit))
    figures = (
        ("Fields kept", "normal", lambda a: a.readiness["keeps"]),
        ("Fields changed", "inverse", lambda a: a.readiness["changes"]),
        ("Fields lost", "inverse", lambda a: a.readiness["loses"]),
        ("Fields at risk", "inverse", lambda a: a.summary["headline"]["fields_at_risk"]),
    )
    for column, (name, colour, figure) in zip(st.columns(4), figures, strict=True):
        now = figure(after)
        column.metric(name, now, delta=now - figure(before), delta_color=colour)
    compared = compare_frame(before, after)
    changed = int(compared["readiness_changed"].sum())
    st.caption(f"{changed} field(s) changed readiness; they come first.")
    rates = {
        c: render.rate_column(c.replace("_", " "))
        if not c.endswith("delta")
        else st.column_config.NumberColumn(c.replace("_", " "), format="percent")
        for c in COMPARE_COLUMNS
        if "rate" in c
    }
    render.table(compared[COMPARE_COLUMNS], column_config=rates)


st.title("History")
st.caption("Every audit is saved when it completes: reopen one, follow the trend, compare two.")
try:
    saved = audits.audit_store().list()
except StoreError as error:
    st.error(f"The audit store cannot be read: {render.escape_markdown(str(error))}")
    st.stop()
if not saved:
    st.info("No saved audits yet. Audit your files on Sources: each audit is saved here.")
    st.stop()

table = history_frame(saved)
mine = [a.owner == (audits.current_user() or "") for a in saved]
shown = table.assign(saved=table["created"].map(_when), owner=table["owner"].mask(mine, "you"))
render.table(shown[TABLE_COLUMNS])
if unreadable := int((~table["readable"]).sum()):
    st.warning(f"{unreadable} saved audit(s) cannot be reopened: their tables are missing.")
_manage(saved)

if len(saved) > 1:
    st.subheader("Trend")
    st.plotly_chart(
        charts.history_trend(trend_frame(saved)),
        key="history_trend",
        alt="Fields kept, changed, lost and at risk per saved audit",
    )
    _compare(saved)
st.page_link(OVERVIEW.path, label="Back to the audit on screen", icon=OVERVIEW.icon)
