"""One filter bar over the matched alerts' attributes, kept across pages and in the URL
(``?severity=high&severity=medium``), so a filtered view can be shared as a link."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui import state

FILTERS = {
    "severity": "Severity",
    "category": "Category",
    "detection_source": "Detection source",
    "status": "Alert status",
}
SEVERITY_ORDER = ("informational", "low", "medium", "high")

Filters = tuple[tuple[str, tuple[str, ...]], ...]


def ordered(name: str, values: Sequence[str]) -> list[str]:
    """The values a filter offers: severities from informational to high, the rest by name."""
    if name != "severity":
        return sorted(values)
    rank = {v: n for n, v in enumerate(SEVERITY_ORDER)}
    return sorted(values, key=lambda v: (rank.get(v.lower(), len(rank)), v))


def _widget(name: str) -> str:
    return f"{state.ALERT_FILTERS}.{name}"


def _remember(name: str) -> None:
    values = list(st.session_state[_widget(name)])
    st.session_state.setdefault(state.ALERT_FILTERS, {})[name] = values
    st.query_params[name] = values  # an empty list removes the parameter


def filter_bar(options: dict[str, list[str]]) -> Filters:
    """The filter bar; the chosen values per attribute (empty: all). The URL's values win over
    the session's on arrival, so a shared link shows what its sender saw."""
    kept = st.session_state.setdefault(state.ALERT_FILTERS, {})
    columns = st.columns(len(FILTERS))
    chosen = []
    for column, (name, label) in zip(columns, FILTERS.items(), strict=True):
        offered = ordered(name, options[name])
        from_url = [v for v in st.query_params.get_all(name) if v in offered]
        start = from_url or [v for v in kept.get(name, []) if v in offered]
        if _widget(name) not in st.session_state or from_url:
            st.session_state[_widget(name)] = start
        values = column.multiselect(
            label, offered, placeholder="all", key=_widget(name), on_change=_remember, args=(name,)
        )
        kept[name] = list(values)
        st.query_params[name] = list(values)
        chosen.append((name, tuple(values)))
    return tuple(chosen)
