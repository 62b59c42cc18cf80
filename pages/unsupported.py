"""Unsupported fields: what the legacy export held that Graph does not carry at all."""

from __future__ import annotations

import streamlit as st

from siem2graph import views
from ui import cache, filters, render

st.title("Unsupported fields")
report = filters.report_in_view()
st.caption(
    "SIEM fields with no Graph alerts_v2 equivalent (unsupported) or retired by Microsoft "
    "(obsolete): the detections and alerts that carried a value lose it after the migration."
)
dropped = cache.view(views.unsupported_fields)
with_data = dropped[dropped["detections_with_value"] > 0]
st.text(
    f"{len(dropped):,} field(s) have no Graph equivalent; "
    f"{len(with_data):,} of them held data in the legacy export."
)
render.table(
    dropped,
    column_config={
        "detections_with_value": st.column_config.NumberColumn("detections with a value"),
        "alerts_with_value": st.column_config.NumberColumn("alerts with a value"),
        "microsoft_note": st.column_config.TextColumn("Microsoft's note", width="large"),
    },
)
