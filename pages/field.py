"""One field: its mapping, what became of its values, and the alerts behind every number."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siem2graph import charts, views
from siem2graph.mapping import DROPPED_STATUSES
from siem2graph.report.audit_tables import READINESS_TEXT, replacement, risk_register
from ui import cache, filters, render, state
from ui.nav import EXPLORER

VERDICT_CHOICES = {
    "missing_in_graph": "Graph lacks the value",
    "mismatch": "Graph's value differs",
    "match": "Graph keeps the value",
    "new_in_graph": "only Graph has a value",
    "unreadable": "the value could not be read",
}


def _choose_field(names: list[str]) -> str:
    """The field in the URL, else the one chosen before, else the top of the risk register."""
    register = cache.view(risk_register)
    if state.FIELD_CHOICE not in st.session_state and len(register):
        st.session_state[state.FIELD_CHOICE] = register["siem_field"].iloc[0]
    asked = st.query_params.get(state.FIELD_PARAM)
    if asked in names and asked != st.session_state.get(state.FIELD_CHOICE):
        st.session_state[state.FIELD_CHOICE] = asked
    field = st.selectbox("SIEM field", names, key=state.FIELD_CHOICE, on_change=_follow_choice)
    st.query_params[state.FIELD_PARAM] = field
    return str(field)


def _follow_choice() -> None:
    st.query_params[state.FIELD_PARAM] = st.session_state[state.FIELD_CHOICE]


def _figures(row: pd.Series) -> None:
    total = int(row["alerts"])
    shown = [(c, label) for c, (label, _) in charts.COVERAGE_SEGMENTS.items() if row[c]]
    columns = st.columns(max(len(shown), 1))
    for column, (name, label) in zip(columns, shown, strict=False):
        column.metric(label, charts.share_text(int(row[name]), total))
    st.caption(f"Out of the {total:,} matched alerts (alerts both the export and Graph hold).")


def _alerts(field: str, dropped: bool, row: pd.Series) -> None:
    verdict = "no_graph_field"
    if dropped:
        st.subheader("Alerts whose value is lost")
        alerts, total = cache.view(views.alerts_holding, field, render.DEFAULT_ROWS)
    else:
        choices = [v for v in VERDICT_CHOICES if row[v]]
        if not choices:
            return
        st.subheader("The alerts behind each number")
        verdict = (
            st.radio("Alerts where", choices, format_func=VERDICT_CHOICES.get, horizontal=True)
            or choices[0]
        )
        alerts, total = cache.view(views.alerts_with_verdict, field, verdict, render.DEFAULT_ROWS)
    if not report.values_kept:
        render.values_not_kept()
        render.table(alerts, total=total)
        return
    st.caption("Select an alert to see its legacy detections and Graph values.")
    event = render.table(
        alerts,
        total=total,
        key=f"{state.FIELD_ALERTS}.{field}.{verdict}",
        on_select="rerun",
        selection_mode="single-row",
    )
    if not event.selection.rows:
        return
    key = str(alerts.iloc[event.selection.rows[0]]["key"])
    graph_id = cache.view(views.alert_summary, key)["graph_id"]
    left, right = st.columns(2)
    with left:
        st.markdown("**Legacy detections (raw rows)**")
        render.table(cache.view(views.alert_detections, key))
    with right:
        st.markdown("**Graph values at the mapped paths**")
        render.table(cache.view(views.alert_graph_values, key))
    render.graph_alert_json(graph_id)
    if st.button("Open this alert in the alert explorer", icon=EXPLORER.icon):
        state.select_alert(key)
        st.switch_page(EXPLORER.path)


st.title("One field")
report = filters.report_in_view()
field = _choose_field([f.siem_field for f in report.fields])
result = report.field(field)
dropped = result.status in DROPPED_STATUSES
coverage, _ = cache.view(views.coverage_in_view)
row = coverage.set_index("siem_field").loc[field]

st.subheader(f"{field}: {READINESS_TEXT[result.readiness]}")
about = pd.DataFrame(
    [
        ("Status in the mapping", result.status),
        ("Graph path(s), first preferred", "; ".join(result.graph_paths) or "none"),
        ("Microsoft's table: use instead", replacement(result)),
        ("Note", result.note or "–"),
        ("Legacy detections with a value", f"{result.legacy_rows_populated:,}"),
    ],
    columns=["About the field", "Value"],
)
# a static table wraps Microsoft's longer notes within the page at any width; its cells are
# markdown, so the mapping's texts are escaped
st.table(about.assign(Value=about["Value"].map(render.escape_markdown)), hide_index=True)
_figures(row)
if len(result.graph_paths) > 1 and result.match:
    st.caption("Where Graph held the matching values (the first path that held each):")
    render.table(
        pd.DataFrame(result.path_shares(), columns=["Graph path", "share"]),
        column_config={"share": render.rate_column("share of the matches")},
    )
if not dropped:
    pairs = cache.view(views.value_pairs_for, field)
    if len(pairs):
        st.subheader("Values Graph holds differently")
        whole = (
            ", over every matched alert (filters do not narrow them)" if filters.narrowed() else ""
        )
        st.caption(
            f"The most frequent (legacy value, Graph value) pairs that did not match{whole}."
        )
        render.table(pairs)
_alerts(field, dropped, row)
