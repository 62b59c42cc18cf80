"""One filter bar over the alerts' attributes and days, on every page that shows alerts, kept
across pages and in the URL (``?severity=high&severity=medium&from=2026-01-02``), so a filtered
view can be shared as a link. The engine narrows the report (``siem2graph.alert_filter``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st

from siem2graph import views
from siem2graph.alert_filter import AlertFilter
from siem2graph.model import AuditReport
from ui import cache, loading, state

FILTERS = {
    "severity": "Severity",
    "category": "Category",
    "detection_source": "Detection source",
    "status": "Alert status",
}
SEVERITY_ORDER = ("informational", "low", "medium", "high")
DAYS = "days"
DAY_PARAMS = ("from", "to")  # URL parameters of the first and last day
NARROWED = "days_narrowed"  # the kept day range is narrower than the alerts' span
OPEN = "open"  # the bar is unfolded: it stays so across choices and pages


def ordered(name: str, values: Sequence[str]) -> list[str]:
    """The values a filter offers: severities from informational to high, the rest by name."""
    if name != "severity":
        return sorted(values)
    rank = {v: n for n, v in enumerate(SEVERITY_ORDER)}
    return sorted(values, key=lambda v: (rank.get(v.lower(), len(rank)), v))


def _widget(name: str) -> str:
    return f"{state.ALERT_FILTERS}.{name}"


def _remember(name: str) -> None:
    """Keep a changed filter; the URL follows (the day range's once the page has run)."""
    value = st.session_state[_widget(name)]
    st.session_state.setdefault(state.ALERT_FILTERS, {})[name] = value
    for param in DAY_PARAMS if name == DAYS else (name,):
        st.query_params[param] = [] if name == DAYS else list(value)


def _keep_open() -> None:
    st.session_state.setdefault(state.ALERT_FILTERS, {})[OPEN] = st.session_state[_widget(OPEN)]


def _url_day(name: str, bounds: tuple[date, date]) -> date | None:
    try:
        day = date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None
    return min(max(day, bounds[0]), bounds[1])


def _attribute(column: Any, name: str, label: str, offered: list[str]) -> tuple[str, ...]:
    kept = st.session_state.setdefault(state.ALERT_FILTERS, {})
    from_url = [v for v in st.query_params.get_all(name) if v in offered]
    current = st.session_state.get(_widget(name))
    if current is None or from_url or not set(current) <= set(offered):
        current = from_url or [v for v in kept.get(name, []) if v in offered]
    # set on every run: a widget new to this page would otherwise start empty
    st.session_state[_widget(name)] = current
    values = column.multiselect(
        label,
        offered,
        placeholder="all",
        key=_widget(name),
        on_change=_remember,
        args=(name,),
        wrap=True,  # in a column the chips would scroll out of sight
    )
    kept[name] = list(values)
    st.query_params[name] = list(values)  # an empty list removes the parameter
    return tuple(values)


def _within(days: Sequence[date] | None, bounds: tuple[date, date]) -> bool:
    return bool(days) and all(bounds[0] <= day <= bounds[1] for day in days or ())


def _on(name: str) -> bool:
    """Whether a filter narrows the view: as the session keeps it, or as the URL says."""
    kept = st.session_state.get(state.ALERT_FILTERS, {})
    if name == DAYS:
        return bool(kept.get(NARROWED)) or any(st.query_params.get(p) for p in DAY_PARAMS)
    return bool(kept.get(name) or st.query_params.get_all(name))


def _days(column: Any, bounds: tuple[date, date] | None) -> tuple[date | None, date | None]:
    """The day range picked (None ends: open); the whole span when the alerts hold no times."""
    if bounds is None:
        return None, None
    kept = st.session_state.setdefault(state.ALERT_FILTERS, {})
    from_url = tuple(_url_day(name, bounds) for name in DAY_PARAMS)
    current = st.session_state.get(_widget(DAYS))
    if any(from_url) or not _within(current, bounds):
        start = kept[DAYS] if _within(kept.get(DAYS), bounds) else bounds
        current = (from_url[0] or start[0], from_url[1] or start[-1])
    st.session_state[_widget(DAYS)] = current  # as above; a range half picked stays so
    picked = column.date_input(
        "Days (UTC)",
        min_value=bounds[0],
        max_value=bounds[1],
        key=_widget(DAYS),
        on_change=_remember,
        args=(DAYS,),
        width=300,  # both days in full, whatever the page's width
    )
    first, last = (*picked, bounds[1])[:2] if picked else bounds
    kept[DAYS] = (first, last)
    kept[NARROWED] = (first, last) != bounds
    for name, day, bound in zip(DAY_PARAMS, (first, last), bounds, strict=True):
        if day == bound:
            st.query_params.pop(name, None)
        else:
            st.query_params[name] = day.isoformat()
    return (first if first != bounds[0] else None), (last if last != bounds[1] else None)


def filter_bar() -> AlertFilter:
    """The filter bar (folded, saying how many filters are on); the filter chosen. The URL's
    values win over the session's on arrival, so a shared link shows what its sender saw."""
    options = cache.view(views.filter_options)
    bounds = cache.view(views.day_bounds)
    active = sum(_on(name) for name in (*FILTERS, DAYS))
    label = f"Filter the alerts ({active} on)" if active else "Filter the alerts"
    kept = st.session_state.setdefault(state.ALERT_FILTERS, {})
    with st.expander(
        label,
        expanded=bool(kept.get(OPEN)),
        key=_widget(OPEN),  # the label counts the filters on: the key keeps it one widget
        on_change=_keep_open,
        icon=":material/filter_list:",
    ):
        # rows of two: narrower columns cut a chosen value to its first letter at 800 px
        columns = [*st.columns(2), *st.columns(2), st.container()]
        attributes = tuple(
            (name, _attribute(column, name, text, ordered(name, options[name])))
            for column, (name, text) in zip(columns, FILTERS.items(), strict=False)
        )
        first, last = _days(columns[-1], bounds)
    return AlertFilter(attributes, first, last)


def report_in_view() -> AuditReport:
    """The page's report narrowed by the filter bar, drawn here; says when a filter is on.
    Every ``cache.view`` of this run then reads the narrowed report."""
    whole = loading.open_report()
    state.lift_filter()
    alert_filter = filter_bar()
    report = state.apply_filter(alert_filter)
    if alert_filter.active:
        st.text(
            f"Filtered: {report.join.matched_alerts:,} of {whole.join.matched_alerts:,} matched "
            f"alerts, {len(report.alerts):,} of {len(whole.alerts):,} alerts in all "
            f"({alert_filter.describe()})."
        )
    return report


def narrowed() -> bool:
    """Whether a filter is on (kept in the session or asked for by the URL)."""
    return any(_on(name) for name in (*FILTERS, DAYS))


def not_applied(what: str) -> None:
    """On a page the filter bar does not narrow: say so while a filter is on elsewhere."""
    if narrowed():
        st.caption(f"The alert filters of the other pages do not apply here: {what}.")
