"""Your export's column names: a table on Sources naming the columns the mapping does not know
(the dashboard's form of the CLI's alias files)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siem2graph.legacy.aliases import AliasSet, parse_alias_set
from siem2graph.mapping import Mapping, load_mapping
from ui import state

ORIGIN = "Your export's column names"
EMPTY = pd.DataFrame({"your_column": pd.Series(dtype="str"), "siem_field": pd.Series(dtype="str")})


def column_aliases(table: pd.DataFrame, mapping: Mapping) -> tuple[AliasSet, ...]:
    """The filled rows of ``table`` (your_column, siem_field) as an alias set; MappingError
    names a bad row (a name given twice, a field the mapping lacks)."""
    rows = table.dropna()
    pairs = {
        str(column).strip(): str(field)
        for column, field in zip(rows["your_column"], rows["siem_field"], strict=True)
        if str(column).strip() and str(field).strip()
    }
    if not pairs:
        return ()
    return (parse_alias_set({"name": ORIGIN, "columns": pairs}, ORIGIN, mapping),)


def column_names_editor() -> pd.DataFrame:
    """The table where the user names their columns (empty until they do)."""
    mapping = load_mapping()
    with st.expander(ORIGIN):
        st.caption(
            "When your export calls a column differently from the SIEM API (say 'Alert ID' for "
            "AlertId), add a row: the audit then reads that column as the SIEM field. Common "
            "spellings of Splunk, Sentinel, ArcSight and QRadar are known already."
        )
        return st.data_editor(
            EMPTY,
            num_rows="dynamic",
            hide_index=True,
            key=state.COLUMN_NAMES,
            column_config={
                "your_column": st.column_config.TextColumn("Column in your export"),
                "siem_field": st.column_config.SelectboxColumn(
                    "SIEM field", options=[row.siem_field for row in mapping.fields]
                ),
            },
        )
