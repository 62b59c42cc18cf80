"""Views of an AuditReport for the dashboard: pure functions that only read the report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from siem2graph.held import legacy_held
from siem2graph.join import beyond_other_side
from siem2graph.mapping import DROPPED_STATUSES
from siem2graph.model import FILTER_COLUMNS, VERDICTS, AuditReport, Verdict

MATCH, MISMATCH = Verdict.MATCH.code, Verdict.MISMATCH.code
SEARCH_COLUMNS = ("key", "legacy_alert_id", "graph_id", "host", "title")
ALERT_LIST_COLUMNS = (
    "key",
    "side",
    "title",
    "severity",
    "category",
    "host",
    "legacy_time",
    "graph_time",
    "detections",
    "reason",
)
VALUE_SEPARATOR = "; "
NOT_COMPARED = "not compared"
EXPECTED_PROBLEM = "appears again"  # an alert's newer version replaced an older one: normal
_VARYING = re.compile(r"\S*\d\S*")


def matched_alerts(report: AuditReport) -> pd.DataFrame:
    """The alerts found on both sides, indexed by key."""
    return report.alerts[report.alerts["side"] == "both"].set_index("key")


def filter_options(report: AuditReport) -> dict[str, list[str]]:
    """The values each filter can take, one spelling per value whatever its case (the matched
    alerts' first: Graph's), sorted."""
    ordered = pd.concat([matched_alerts(report), report.alerts[report.alerts["side"] != "both"]])
    options = {}
    for column in FILTER_COLUMNS:
        values = ordered[column].dropna().astype("str")
        options[column] = sorted(values[~values.str.lower().duplicated()])
    return options


def day_bounds(report: AuditReport) -> tuple[date, date] | None:
    """The first and last UTC day of the alerts' times (legacy, else Graph); None without any."""
    times = report.alerts["legacy_time"].fillna(report.alerts["graph_time"]).dropna()
    if times.empty:
        return None
    days = times.dt.tz_convert("UTC").dt.date
    return days.min(), days.max()


def field_statuses_of(report: AuditReport) -> pd.Series:
    """SIEM field -> its mapping status."""
    return pd.Series({f.siem_field: f.status for f in report.fields}, name="status")


def coverage_in_view(
    report: AuditReport, field_statuses: Sequence[str] = ()
) -> tuple[pd.DataFrame, int]:
    """What became of each field's value on the report's matched alerts (those in view, for a
    filtered report), for fields of the given statuses (all when empty); and how many alerts
    that is. Fields Graph has no equivalent for count their alerts with a value as
    ``no_graph_field``. Every row sums to ``alerts``; most alerts lost first."""
    alerts = report.join.matched_alerts
    rows = []
    for r in report.fields:
        row: dict[str, Any] = {"siem_field": r.siem_field, "status": r.status}
        row |= {v: getattr(r, v) for v in VERDICTS} | {"no_graph_field": 0}
        if r.status in DROPPED_STATUSES:
            row |= {v: 0 for v in VERDICTS}
            row |= {"no_graph_field": r.legacy_populated, "both_empty": alerts - r.legacy_populated}
        rows.append(row)
    counts = pd.DataFrame(rows, columns=["siem_field", "status", *VERDICTS, "no_graph_field"])
    counts["alerts"] = alerts
    counts["lost"] = counts["missing_in_graph"] + counts["no_graph_field"]
    if field_statuses:
        counts = counts[counts["status"].isin(list(field_statuses))]
    order = counts.sort_values(
        ["lost", "mismatch", "siem_field"], ascending=[False, False, True], kind="stable"
    )
    return order.reset_index(drop=True), alerts


def mismatch_summary(report: AuditReport) -> pd.DataFrame:
    """Per compared field: how many alerts had a value on both sides and how many differed."""
    frame = report.fields_frame()
    frame = frame[~frame["status"].isin(DROPPED_STATUSES)]
    compared = frame["match"] + frame["mismatch"]
    table = pd.DataFrame(
        {
            "siem_field": frame["siem_field"],
            "status": frame["status"],
            "compared_alerts": compared,
            "mismatch": frame["mismatch"],
            "mismatch_rate": (frame["mismatch"] / compared.where(compared > 0)).astype("float64"),
            "missing_in_graph": frame["missing_in_graph"],
        }
    )
    return table.sort_values(["mismatch_rate", "mismatch"], ascending=False, na_position="last")


def mismatch_rate_by(report: AuditReport, attribute: str) -> pd.DataFrame:
    """Mismatch rate per (field, alert attribute value): fields as rows, values as columns.

    The rate is over the matched alerts where both sides held a value (match + mismatch);
    cells without such alerts are NaN. Only fields whose values differ somewhere are kept; the
    field with the highest rate comes first.
    """
    if attribute not in FILTER_COLUMNS:
        raise KeyError(f"cannot group by {attribute!r}")
    groups = matched_alerts(report)[attribute].reindex(report.verdicts.index).fillna("(none)")
    codes = report.verdicts.to_numpy()
    mismatched = pd.DataFrame(
        codes == MISMATCH, index=groups.index, columns=report.verdicts.columns
    )
    compared = pd.DataFrame(
        (codes == MATCH) | (codes == MISMATCH), index=groups.index, columns=report.verdicts.columns
    )
    totals = compared.groupby(groups.to_numpy()).sum().T
    rates = mismatched.groupby(groups.to_numpy()).sum().T / totals.where(totals > 0)
    rates = rates[(totals.sum(axis=1) > 0) & rates.fillna(0).gt(0).any(axis=1)]
    rates = rates.astype("float64")
    worst = rates.max(axis=1, skipna=True).sort_values(ascending=False, kind="stable")
    rates = rates.loc[worst.index]
    rates.index.name, rates.columns.name = "siem_field", attribute
    return rates


def value_pairs_for(
    report: AuditReport, siem_field: str, found: bool | None = False
) -> pd.DataFrame:
    """The top (legacy value -> Graph value) pairs of one field; ``found=None`` keeps both kinds."""
    pairs = report.value_pairs[report.value_pairs["siem_field"] == siem_field]
    if found is not None:
        pairs = pairs[pairs["found"] == found].drop(columns="found")
    return pairs.drop(columns="siem_field").reset_index(drop=True)


def _joined_values(frame: pd.DataFrame, key_column: str, value_column: str) -> pd.Series:
    """key -> its distinct values joined into one text, sorted."""
    distinct = frame[[key_column, value_column]].dropna().drop_duplicates()
    distinct = distinct.sort_values([key_column, value_column])
    return distinct.groupby(key_column, sort=False)[value_column].agg(VALUE_SEPARATOR.join)


def _graph_paths(report: AuditReport, siem_field: str) -> list[str]:
    return list(report.field(siem_field).graph_paths)


def _values_shown(report: AuditReport, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without its columns of alert values when the report kept none (they would
    read as empty values)."""
    if report.values_kept:
        return table
    return table.drop(columns=[c for c in ("legacy_value", "graph_value") if c in table])


def alerts_with_verdict(
    report: AuditReport, siem_field: str, verdict: str = Verdict.MISMATCH, limit: int = 500
) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` matched alerts whose field has ``verdict``, with both sides' values;
    and how many alerts have that verdict in all."""
    codes = report.verdicts[siem_field]
    keys = codes.index[codes.to_numpy() == VERDICTS.index(verdict)]
    shown = keys[:limit]
    alerts = matched_alerts(report).loc[shown, ["title", "severity", "category", "host"]]
    legacy = report.detections.loc[report.detections["key"].isin(shown), ["key", siem_field]]
    graph = report.graph_values[
        report.graph_values["key"].isin(shown)
        & report.graph_values["path"].isin(_graph_paths(report, siem_field))
    ]
    table = alerts.assign(
        legacy_value=_joined_values(legacy, "key", siem_field).reindex(shown).to_numpy(),
        graph_value=_joined_values(graph, "key", "value").reindex(shown).to_numpy(),
    )
    return _values_shown(report, table.reset_index()), len(keys)


def alerts_holding(
    report: AuditReport, siem_field: str, limit: int = 500
) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` matched alerts whose legacy detections hold a value of
    ``siem_field`` (for fields Graph has no equivalent for), with that value (none when the
    report kept no values); and how many."""
    held = legacy_held(report, [siem_field]).rows[:, 0] > 0
    matched = matched_alerts(report)
    keys = pd.Index(report.alerts["key"][held], name="key").intersection(matched.index)
    shown = keys[:limit]
    detections = report.detections
    rows = detections.loc[detections["key"].isin(shown), ["key", siem_field]].dropna()
    table = matched.loc[shown, ["title", "severity", "category", "host"]].assign(
        legacy_value=_joined_values(rows, "key", siem_field).reindex(shown).to_numpy()
    )
    return _values_shown(report, table.reset_index()), len(keys)


def find_alerts(
    report: AuditReport, query: str = "", sides: Sequence[str] = (), limit: int = 200
) -> tuple[pd.DataFrame, int]:
    """Alerts whose id, host or title contains ``query`` (case-insensitive), on the given sides;
    returns the first ``limit`` and the number found."""
    alerts = report.alerts
    mask = pd.Series(True, index=alerts.index)
    if sides:
        mask &= alerts["side"].isin(list(sides))
    needle = query.strip()
    if needle:
        hit = pd.Series(False, index=alerts.index)
        for column in SEARCH_COLUMNS:
            text = alerts[column].astype("str").fillna("")
            hit |= text.str.contains(needle, case=False, regex=False)
        mask &= hit
    found = alerts.loc[mask, list(ALERT_LIST_COLUMNS)]
    return found.head(limit).reset_index(drop=True), len(found)


def alert_summary(report: AuditReport, key: str) -> pd.Series:
    """One alert's row of ``report.alerts``."""
    rows = report.alerts[report.alerts["key"] == key]
    if rows.empty:
        raise KeyError(key)
    return rows.iloc[0]


def alert_detections(report: AuditReport, key: str) -> pd.DataFrame:
    """The legacy detections of one alert as text, one row per field that holds a value and one
    column per detection ("detection 1", ...)."""
    rows = report.detections[report.detections["key"] == key]
    rows = rows.drop(columns="key").dropna(axis="columns", how="all")
    table = rows.astype("str").T
    table.columns = [f"detection {n}" for n in range(1, len(rows) + 1)]
    return table.rename_axis("field").reset_index()


def alert_graph_values(report: AuditReport, key: str) -> pd.DataFrame:
    """The Graph values of one alert at the mapped paths (path, value)."""
    rows = report.graph_values[report.graph_values["key"] == key]
    return rows[["path", "value"]].sort_values(["path", "value"]).reset_index(drop=True)


def alert_field_comparison(report: AuditReport, key: str) -> pd.DataFrame:
    """Every SIEM field of one alert: legacy values, Graph values at its paths, and the verdict."""
    detections = report.detections[report.detections["key"] == key]
    graph = alert_graph_values(report, key)
    graph_by_path = graph.groupby("path")["value"].agg(VALUE_SEPARATOR.join)
    compared = key in report.verdicts.index
    rows = []
    for result in report.fields:
        legacy = detections[result.siem_field].dropna().astype("str").drop_duplicates()
        legacy = legacy.sort_values()
        graph_text = VALUE_SEPARATOR.join(
            graph_by_path[p] for p in result.graph_paths if p in graph_by_path.index
        )
        verdict = NOT_COMPARED
        if compared and result.siem_field in report.verdicts.columns:
            verdict = VERDICTS[int(report.verdicts.at[key, result.siem_field])]  # type: ignore[arg-type]
        rows.append(
            {
                "siem_field": result.siem_field,
                "status": result.status,
                "legacy_value": VALUE_SEPARATOR.join(legacy.astype("str")),
                "graph_paths": VALUE_SEPARATOR.join(result.graph_paths),
                "graph_value": graph_text,
                "verdict": verdict,
            }
        )
    return _values_shown(report, pd.DataFrame(rows))


def unmatched_alerts(report: AuditReport, side: str, limit: int = 500) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` legacy-only or Graph-only alerts with the likely reason, and how
    many there are (the view is cached for an hour: 2M alerts' rows would stay held)."""
    on_side = (report.alerts["side"] == side).to_numpy(dtype=bool)
    shown = report.alerts.loc[on_side, list(ALERT_LIST_COLUMNS)].head(limit)
    return shown.reset_index(drop=True), int(on_side.sum())


def reason_counts(report: AuditReport) -> pd.DataFrame:
    """How many unmatched alerts each (side, reason) holds, largest first."""
    unmatched = report.alerts[report.alerts["side"] != "both"]
    counts = unmatched.groupby(["side", "reason"]).size().rename("alerts").reset_index()
    return counts.sort_values("alerts", ascending=False, ignore_index=True)


def one_sided_counts(report: AuditReport) -> dict[str, tuple[int, int]]:
    """Per side ("legacy_only", "graph_only"): (alerts the other side lacks, alerts beyond what
    the other side covers: another period, a product the SIEM API never carried)."""
    counts = {}
    for side in ("legacy_only", "graph_only"):
        reasons = report.alerts.loc[report.alerts["side"] == side, "reason"]
        beyond = int(beyond_other_side(reasons).sum())
        counts[side] = (len(reasons) - beyond, beyond)
    return counts


def unsupported_fields(report: AuditReport) -> pd.DataFrame:
    """Fields Graph does not carry: how much legacy data held them, examples, Microsoft's note."""
    columns = ["siem_field", "status", "legacy_rows_populated", "legacy_alerts_populated"]
    columns += ["examples", "microsoft_note", "note"]
    frame = report.dropped_fields_frame()[columns]
    ordered = frame.sort_values("legacy_rows_populated", ascending=False)
    return ordered.rename(
        columns={
            "legacy_rows_populated": "detections_with_value",
            "legacy_alerts_populated": "alerts_with_value",
        }
    ).reset_index(drop=True)


def problem_kind(reason: str) -> str:
    """What a problem is, without the ids and counts that differ from row to row."""
    return _VARYING.sub("…", reason.split(":", 1)[0])


def problem_counts(report: AuditReport) -> pd.DataFrame:
    """Problems per (side, file, kind), largest first; ``expected`` marks the kinds that are
    normal (a newer version of the same alert replaced an older one)."""
    if not report.problems:
        return pd.DataFrame(columns=["side", "file", "reason", "rows", "expected"])
    frame = pd.DataFrame(
        [(p.side, p.file, problem_kind(p.reason)) for p in report.problems],
        columns=["side", "file", "reason"],
    )
    counts = frame.groupby(["side", "file", "reason"]).size().rename("rows").reset_index()
    counts["expected"] = counts["reason"].str.contains(EXPECTED_PROBLEM, regex=False)
    return counts.sort_values(["expected", "rows"], ascending=[True, False], ignore_index=True)


def problems_frame(report: AuditReport, limit: int) -> pd.DataFrame:
    """The first ``limit`` problems as a table."""
    return pd.DataFrame(
        [(p.side, p.file, p.line, p.reason) for p in report.problems[:limit]],
        columns=["side", "file", "line", "reason"],
    )


def inputs_frame(report: AuditReport) -> pd.DataFrame:
    """One row per input file: side, name, format, rows read, kept and rejected."""
    return pd.DataFrame(
        [
            {
                "side": f.side,
                "file": f.name,
                "format": f.format,
                "rows_read": f.rows_read,
                "rows_kept": f.rows_kept,
                "rows_rejected": f.rows_rejected,
                "sha256": f.sha256[:16],
            }
            for f in report.inputs
        ]
    )
