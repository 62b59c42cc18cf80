"""Bridge fidelity: what the SIEM-API-shaped feed gives back of each field's legacy values."""

from __future__ import annotations

import streamlit as st

from siem2graph.bridge.fidelity import bridge_fidelity
from ui import cache, filters, loading, render

st.title("Bridge fidelity")
report = loading.open_report()
filters.not_applied("the figures are over every matched alert")
st.caption(
    "The bridge feed (`siem2graph convert` / `serve-siem-api`) re-emits Graph alerts as SIEM API "
    "records so that old parsers and searches keep running during the move. Per field, of the "
    "matched alerts that carried a legacy value: how many the feed restores, restores with a "
    "different value, or leaves empty."
)
fidelity = cache.view(bridge_fidelity)
complete = fidelity[fidelity["restored_share"] >= 1.0]
st.text(
    f"{len(complete):,} of {len(fidelity):,} fields with legacy data are restored for every "
    "alert; the rest are listed first."
)
render.table(
    fidelity,
    column_config={
        "siem_key": st.column_config.TextColumn(
            "key in the feed",
            help="The key the feed writes: the SIEM API payload's own spelling, which can differ "
            "from Microsoft's mapping table (InternalIPv4List there is InternalIPV4List).",
        ),
        "status": st.column_config.TextColumn("mapping status"),
        "alerts_with_legacy_value": st.column_config.NumberColumn("alerts with a legacy value"),
        "restored": st.column_config.NumberColumn("restored"),
        "restored_differently": st.column_config.NumberColumn("restored with another value"),
        "not_restored": st.column_config.NumberColumn("left empty"),
        "restored_share": st.column_config.ProgressColumn(
            "share restored", format="percent", min_value=0.0, max_value=1.0
        ),
        "feed_source": st.column_config.TextColumn("what the feed writes", width="large"),
    },
)
