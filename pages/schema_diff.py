"""Schema diff: legacy columns outside the mapping, Graph properties observed but not mapped."""

from __future__ import annotations

import streamlit as st

from ui import filters, loading, render

st.title("Schema diff")
report = loading.open_report()
filters.not_applied("the columns and properties are those of every input")

st.subheader("Legacy columns outside the mapping")
st.caption(
    "Columns in the legacy export that no SIEM field (or alias) names: no audit covers them."
)
if report.unmapped_legacy_columns.empty:
    st.success("Every legacy column is a mapped SIEM field.", icon=":material/check_circle:")
else:
    render.table(
        report.unmapped_legacy_columns, column_config={"populated_rate": render.rate_column()}
    )

st.subheader("Graph properties observed and not mapped")
st.caption("Populated paths in the Graph alerts that no SIEM field maps to: new information.")
if report.unmapped_graph_paths.empty:
    st.info("No unmapped Graph property holds data.")
else:
    render.table(
        report.unmapped_graph_paths, column_config={"populated_rate": render.rate_column()}
    )
