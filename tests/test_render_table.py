"""``render.table`` on its own: counts in the browser's number format, whoever configured the
column; hidden columns and progress bars left as the page asked."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def table_script() -> None:
    import pandas as pd
    import streamlit as st

    from ui import render

    frame = pd.DataFrame(
        {"name": ["a"], "rows": [3309], "alerts": [1400], "hidden": [7], "share": [0.5]}
    )
    render.table(
        frame,
        column_config={
            "alerts": st.column_config.NumberColumn("alerts with a value"),
            "hidden": None,
            "share": st.column_config.ProgressColumn("share"),
        },
    )


def test_counts_are_localized_and_other_columns_are_left_as_asked():
    at = AppTest.from_function(table_script, default_timeout=30).run()
    assert not at.exception
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["rows"]["type_config"]["format"] == "localized"
    assert columns["alerts"]["label"] == "alerts with a value"
    assert columns["alerts"]["type_config"]["format"] == "localized"
    assert columns["hidden"]["hidden"] is True
    assert columns["share"]["type_config"]["type"] == "progress"
    assert "type_config" not in columns["name"]
