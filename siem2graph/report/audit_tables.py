"""The audit's tables as DataFrames: field coverage, risk register, one-sided alerts, inputs."""

from __future__ import annotations

import pandas as pd

from siem2graph.compare import COMPARATORS
from siem2graph.held import legacy_held
from siem2graph.mapping import DROPPED_STATUSES
from siem2graph.model import AT_RISK, READINESS, VERDICTS, AuditReport, FieldResult

READINESS_TEXT = {
    "keeps": "Graph keeps the values this field held",
    "changes": "Graph holds the information in another form or with other values",
    "loses": "Graph does not carry values this field held, at any documented path",
    "unreadable": "the audit could not read this field's values: see the input problems",
    "not_applicable": "no legacy data in this field: nothing to keep or lose",
}


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype("float64")


def fields_table(report: AuditReport) -> pd.DataFrame:
    """All SIEM fields: readiness verdict, verdict counts over matched alerts and rates."""
    f = report.fields_frame()
    judged = f["legacy_populated"] - f["unreadable"]
    return pd.DataFrame(
        {
            "siem_field": f["siem_field"],
            "group": f["group"],
            "status": f["status"],
            "readiness": f["readiness"],
            "verdict": f["readiness"].map(READINESS_TEXT),
            "graph_paths": f["graph_paths"],
            "legacy_rows_populated": f["legacy_rows_populated"],
            "legacy_alerts_populated": f["legacy_alerts_populated"],
            "matched_with_value": f["legacy_populated"],
            "graph_populated": f["graph_populated"],
            **{v: f[v] for v in ("match", "mismatch", "missing_in_graph", "new_in_graph")},
            "both_empty": f["both_empty"],
            "unreadable": f["unreadable"],
            # rates are over the judged alerts: unreadable values are out of the base
            "retained_rate": _share(f["match"], judged),
            "mismatch_rate": _share(f["mismatch"], judged),
            "missing_rate": _share(f["missing_in_graph"], judged),
            "matches_by_path": f["path_matches"],
            "unreadable_example": f["unreadable_example"],
            "microsoft_note": f["microsoft_note"],
        }
    )


def _touched(r: FieldResult) -> int:
    """Matched alerts whose value of ``r``'s field Graph loses or changes."""
    if r.status in DROPPED_STATUSES or COMPARATORS[r.comparator].meaning_changed:
        return r.legacy_populated
    return r.missing_in_graph + r.mismatch


def _reason(r: FieldResult) -> str:
    if r.status in DROPPED_STATUSES:  # Microsoft's note says why: the register's one long text
        return f"no Graph field: {r.microsoft_note or r.status}"
    if COMPARATORS[r.comparator].meaning_changed:
        return "Graph holds the information in another form"
    parts = [(r.missing_in_graph, "Graph lacks the value"), (r.mismatch, "Graph's value differs")]
    return "; ".join(f"{text} on {n:,} alert(s)" for n, text in parts if n)


def replacement(r: FieldResult) -> str:
    """What Microsoft's table says replaces the field in Graph, or 'none' and why not."""
    if r.microsoft_mapping == "->" and r.microsoft_note:
        return r.microsoft_note
    return f"none: {r.microsoft_note}" if r.microsoft_note else "none"


def share_text(part: int, whole: int) -> str:
    """'n of N (x%)': a count with its denominator."""
    return f"{part:,} of {whole:,} ({part / whole:.0%})" if whole else f"{part:,} of 0"


def risk_register(report: AuditReport) -> pd.DataFrame:
    """Each field that loses or changes data, most matched alerts touched first (losses first
    on ties): the alerts touched out of the matched alerts (the Coverage chart's figures), why,
    Microsoft's replacement, and empty owner and decision columns for the change board."""
    matched = report.join.matched_alerts
    rows = [
        {
            "siem_field": r.siem_field,
            "readiness": r.readiness,
            "status": r.status,
            "alerts_touched": _touched(r),
            "matched_alerts": matched,
            "touched_rate": _touched(r) / matched if matched else None,
            "touched": share_text(_touched(r), matched),
            "reason": _reason(r),
            "detections_with_value": r.legacy_rows_populated,
            "replacement": "none" if r.status in DROPPED_STATUSES else replacement(r),
            "graph_paths": "; ".join(r.graph_paths),
            "note": r.note,
            "owner": "",
            "decision": "",
        }
        for r in report.fields
        if r.readiness in AT_RISK
    ]
    frame = pd.DataFrame(rows, columns=_RISK_COLUMNS)
    order = frame["readiness"].map({level.value: rank for rank, level in enumerate(AT_RISK)})
    return (
        frame.assign(_o=order)
        .sort_values(["alerts_touched", "_o", "siem_field"], ascending=[False, True, True])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def alerts_losing_data(report: AuditReport) -> int:
    """Matched alerts on which Graph lacks the value of at least one field that loses data."""
    losing = [r for r in report.fields if r.readiness == "loses"]
    compared = [r.siem_field for r in losing if r.siem_field in report.verdicts.columns]
    missing = VERDICTS.index("missing_in_graph")
    keys = set(report.verdicts.index[(report.verdicts[compared].to_numpy() == missing).any(axis=1)])
    dropped = [r.siem_field for r in losing if r.siem_field not in report.verdicts.columns]
    if dropped:
        held = legacy_held(report, dropped).rows.any(axis=1)
        matched = report.alerts["side"].to_numpy() == "both"
        keys |= set(report.alerts["key"][held & matched])
    return len(keys)


_RISK_COLUMNS = [
    "siem_field",
    "readiness",
    "status",
    "alerts_touched",
    "matched_alerts",
    "touched_rate",
    "touched",
    "reason",
    "detections_with_value",
    "replacement",
    "graph_paths",
    "note",
    "owner",
    "decision",
]


def matches_by_path(report: AuditReport) -> pd.DataFrame:
    """Per field with several Graph paths: how many matching alerts had their value at each
    path (the first path that held it, in the mapping's order) and the share of all."""
    rows = [
        {
            "siem_field": r.siem_field,
            "preference": number,
            "graph_path": path,
            "alerts": count,
            "share": count / sum(r.path_matches) if sum(r.path_matches) else None,
        }
        for r in report.fields
        if len(r.graph_paths) > 1
        for number, (path, count) in enumerate(zip(r.graph_paths, r.path_matches, strict=False), 1)
    ]
    columns = ["siem_field", "preference", "graph_path", "alerts", "share"]
    return pd.DataFrame(rows, columns=columns)


def unsupported_fields(report: AuditReport) -> pd.DataFrame:
    """Fields Graph has no equivalent for, with the data they held."""
    columns = ["siem_field", "status", "group", "legacy_rows_populated"]
    columns += ["legacy_alerts_populated", "examples", "microsoft_note", "note"]
    return report.dropped_fields_frame()[columns]


def mismatch_pairs(report: AuditReport) -> pd.DataFrame:
    """Legacy values Graph holds differently, most frequent first, with example alert ids."""
    pairs = report.value_pairs[~report.value_pairs["found"]]
    columns = ["siem_field", "legacy_value", "graph_value", "verdict", "alerts", "example_alerts"]
    ordered = pairs.sort_values(["alerts", "siem_field"], ascending=[False, True], kind="stable")
    return ordered[columns].reset_index(drop=True)


def one_sided_alerts(report: AuditReport, side: str) -> pd.DataFrame:
    """Alerts only one side has, with the reason."""
    own = (
        ("legacy_alert_id", "legacy_time", "detections")
        if side == "legacy_only"
        else ("graph_id", "graph_time", "service_source", "status")
    )
    columns = [own[0], "reason", "title", "severity", "category", "detection_source", "host"]
    columns += list(own[1:])
    alerts = report.alerts[report.alerts["side"] == side]
    return text_times(alerts[columns].reset_index(drop=True))


def inputs_table(report: AuditReport) -> pd.DataFrame:
    """Every input file with its digest and row counts."""
    columns = ["side", "name", "format", "rows_read", "rows_kept", "rows_rejected", "sha256"]
    return pd.DataFrame(
        [{c: getattr(f, c) for c in columns} for f in report.inputs], columns=columns
    )


def problems_table(report: AuditReport) -> pd.DataFrame:
    """Rejected rows and rows that need attention."""
    columns = ["side", "file", "line", "reason"]
    records = [{c: getattr(p, c) for c in columns} for p in report.problems]
    return pd.DataFrame(records, columns=columns).astype({"line": "Int64"})


def readiness_counts(report: AuditReport) -> pd.DataFrame:
    """How many fields get each readiness verdict."""
    counts = pd.Series([r.readiness for r in report.fields]).value_counts()
    return pd.DataFrame(
        {
            "readiness": list(READINESS),
            "fields": [int(counts.get(r, 0)) for r in READINESS],
            "meaning": [READINESS_TEXT[r] for r in READINESS],
        }
    )


def text_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns as ISO text (spreadsheets and documents cannot hold time zones)."""
    out = frame.copy()
    for name, column in out.items():
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = column.map(lambda t: t.isoformat() if not pd.isna(t) else None)
    return out
