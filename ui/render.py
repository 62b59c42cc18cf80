"""How the pages show things: data as plain text only, bounded tables, one error style."""

from __future__ import annotations

import json
import re
import string
from typing import Any

import pandas as pd
import streamlit as st

from siem2graph.errors import Siem2GraphError
from siem2graph.graph.lookup import raw_alert
from siem2graph.report.cells import human_header
from ui import state

DEFAULT_ROWS = 1000
# the grid wraps a cell's text only in rows taller than 4rem (64 px): three lines at least
_LINE_PX, _CELL_PADDING_PX, _HEADER_PX = 19, 8, 38
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def table(
    frame: pd.DataFrame, limit: int = DEFAULT_ROWS, total: int | None = None, **options: Any
) -> Any:
    """Show at most ``limit`` rows of ``frame`` as a plain-text table with headers in words,
    saying when rows were cut (``total`` is the full row count when ``frame`` is already a cut).

    ``options`` go to ``st.dataframe`` (e.g. ``key``, ``on_select``, ``column_config``).
    """
    shown = frame.head(limit)
    configs: dict[str, Any] = {str(c): human_header(str(c)) for c in shown.columns}
    configs |= options.get("column_config", {})
    for name, column in shown.items():  # counts as the sentences give them: 3,309, not 3309
        if pd.api.types.is_integer_dtype(column) and not pd.api.types.is_bool_dtype(column):
            configs[str(name)] = _localized(configs[str(name)])
    options["column_config"] = configs
    result = st.dataframe(shown, hide_index=True, **options)
    total = len(frame) if total is None else total
    if total > len(shown):
        st.caption(f"Showing the first {len(shown):,} of {total:,} rows.")
    return result


def _localized(config: Any) -> Any:
    """A whole-number column's configuration (a label, or a page's number column) shown in the
    browser's number format; other kinds of column (progress bars, hidden ones) as they are."""
    if config is None:
        return None
    if isinstance(config, str):
        return st.column_config.NumberColumn(config, format="localized")
    kind = config.get("type_config") or {}
    if kind.get("type") == "number" and not kind.get("format"):
        return {**config, "type_config": {**kind, "format": "localized"}}
    return config


def wrapped_rows(shown: int, lines: int) -> dict[str, int]:
    """``table`` options for rows tall enough to wrap long text onto ``lines`` lines (three at
    least: the grid wraps no shorter rows), ``shown`` of them on screen before it scrolls."""
    row = _LINE_PX * max(lines, 3) + _CELL_PADDING_PX
    return {"row_height": row, "height": row * shown + _HEADER_PX}


def field_chart(figure: Any, key: str, alt: str) -> None:
    """A chart whose bars are SIEM fields: clicking one opens that field's page."""
    st.plotly_chart(
        figure,
        key=key,
        on_select=lambda: state.open_clicked_field(key),
        selection_mode="points",
        alt=alt,
    )
    state.follow_field_link()


def graph_alert_json(graph_id: object) -> None:
    """On request, the Graph alert ``graph_id`` as its file holds it, as JSON text."""
    if not isinstance(graph_id, str) or not graph_id:
        return
    if not st.toggle("Show the Graph alert as received (JSON)", key=f"graph_json.{graph_id}"):
        return
    with st.spinner("Finding the alert in the Graph files"):
        alert = raw_alert(state.graph_sources(), graph_id)
    if alert is None:
        st.info("This alert's Graph file is not at hand (the audit came from elsewhere).")
    else:
        st.code(json.dumps(alert, indent=2, ensure_ascii=False), language="json")


def rate_column(label: str = "populated") -> Any:
    """A table column of shares (0..1) drawn as a percentage bar."""
    return st.column_config.ProgressColumn(label, format="percent", min_value=0, max_value=1)


def share(value: float | None) -> str:
    """A share as a percentage, or a dash when there is nothing to divide."""
    return "–" if value is None or pd.isna(value) else f"{value:.1%}"


def time_range(bounds: tuple[str, str] | None) -> str:
    """An ISO time range as "first to last" in UTC minutes, or a note that there is none."""
    if bounds is None:
        return "no times"
    first, last = (pd.Timestamp(b).tz_convert("UTC").strftime("%Y-%m-%d %H:%M") for b in bounds)
    return f"{first} to {last} UTC"


def escape_markdown(text: str) -> str:
    """``text`` with every ASCII punctuation backslash-escaped, so markdown shows it literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def values_not_kept() -> None:
    """Say why an alert's own values are not shown: the audit kept counts only."""
    st.info(
        "This audit kept counts, not each alert's values (it ran with --no-alert-values, for "
        "an estate too large to hold them): every figure is whole, but an alert's legacy "
        "detections and Graph values cannot be shown. Audit a smaller period without that "
        "option to see them.",
        icon=":material/info:",
    )


def input_error(error: Siem2GraphError) -> None:
    """Show an error the user can fix (the engine's message names the file and the reason)."""
    st.error(f"The audit could not run: {escape_markdown(str(error))}", icon=":material/error:")


def unexpected_error(doing: str) -> None:
    """Show a failure the user cannot fix, without internals (``doing``: e.g. "auditing")."""
    st.error(
        f"Something went wrong while {doing}. The details are in the server log.",
        icon=":material/error:",
    )
