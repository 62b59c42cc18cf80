"""The report's tables, derived once from the AuditReport and shared by every format."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from siem2graph.model import READINESS, AuditReport, mapping_frame
from siem2graph.report.summary import summary_frame

# Where a table appears: every format, or the data formats and the long documents only.
MAIN, DETAIL, DATA = "main", "detail", "data"
GOOD, BAD = "good", "bad"  # a rate where high is good (green) or bad (red)

READINESS_TEXT = {
    "keeps": "Graph keeps the values this field held",
    "changes": "Graph holds the information in another form or with other values",
    "loses": "Graph does not carry values this field held",
    "not_applicable": "no legacy data in this field: nothing to keep or lose",
}
_NO_EQUIVALENT = ("unsupported", "obsolete")


@dataclass(frozen=True)
class Table:
    """One named table with how formats should present it."""

    name: str
    title: str
    description: str
    frame: pd.DataFrame
    level: str = MAIN
    rates: Mapping[str, str] = field(default_factory=dict)  # column -> GOOD | BAD
    document_rows: int | None = None  # rows shown in MD/HTML/PDF; None: all

    def head(self) -> pd.DataFrame:
        """The rows long documents show."""
        return self.frame if self.document_rows is None else self.frame.head(self.document_rows)

    @property
    def cut_note(self) -> str:
        """'' or a note that documents show only the first rows."""
        shown = len(self.head())
        if shown == len(self.frame):
            return ""
        return f"First {shown} of {len(self.frame)} rows; CSV, XLSX and JSON hold them all."


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype("float64")


def fields_table(report: AuditReport) -> pd.DataFrame:
    """All SIEM fields: readiness verdict, verdict counts over matched alerts and rates."""
    f = report.fields_frame()
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
            "retained_rate": _share(f["match"], f["legacy_populated"]),
            "mismatch_rate": _share(f["mismatch"], f["legacy_populated"]),
            "missing_rate": _share(f["missing_in_graph"], f["legacy_populated"]),
            "microsoft_note": f["microsoft_note"],
        }
    )


def risk_register(report: AuditReport) -> pd.DataFrame:
    """Each field that loses or changes data: alerts touched, Microsoft's replacement, decision."""
    rows = []
    for r in report.fields:
        if r.readiness not in ("loses", "changes"):
            continue
        if r.status in _NO_EQUIVALENT:
            touched, base = r.legacy_alerts_populated, r.legacy_alerts_populated
        elif r.comparator == "presence":
            touched, base = r.legacy_populated, r.legacy_populated
        else:
            touched, base = r.missing_in_graph + r.mismatch, r.legacy_populated
        rows.append(
            {
                "siem_field": r.siem_field,
                "readiness": r.readiness,
                "status": r.status,
                "alerts_touched": touched,
                "touched_rate": touched / base if base else None,
                "detections_with_value": r.legacy_rows_populated,
                "replacement": " ".join(x for x in (r.microsoft_mapping, r.microsoft_note) if x),
                "graph_paths": "; ".join(r.graph_paths),
                "note": r.note,
                "owner": "",
                "decision": "",
            }
        )
    frame = pd.DataFrame(rows, columns=_RISK_COLUMNS)
    order = frame["readiness"].map({"loses": 0, "changes": 1})
    return (
        frame.assign(_o=order)
        .sort_values(["_o", "alerts_touched", "siem_field"], ascending=[True, False, True])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


_RISK_COLUMNS = [
    "siem_field",
    "readiness",
    "status",
    "alerts_touched",
    "touched_rate",
    "detections_with_value",
    "replacement",
    "graph_paths",
    "note",
    "owner",
    "decision",
]


def unsupported_fields(report: AuditReport) -> pd.DataFrame:
    """Fields Graph has no equivalent for, with the data they held."""
    f = report.fields_frame()
    f = f[f["status"].isin(_NO_EQUIVALENT)]
    columns = ["siem_field", "status", "group", "legacy_rows_populated"]
    columns += ["legacy_alerts_populated", "examples", "microsoft_note", "note"]
    return f[columns].reset_index(drop=True)


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
    return _text_times(alerts[columns].reset_index(drop=True))


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


def _text_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns as ISO text (spreadsheets and documents cannot hold time zones)."""
    out = frame.copy()
    for name, column in out.items():
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = column.map(lambda t: t.isoformat() if not pd.isna(t) else None)
    return out


_Builder = Callable[[AuditReport], pd.DataFrame]
# name, title, level, builder, rates, document rows, description
_SPECS: tuple[tuple[str, str, str, _Builder, Mapping[str, str], int | None, str], ...] = (
    (
        "summary",
        "Summary",
        MAIN,
        summary_frame,
        {},
        None,
        "Scope, versions, headline figures and the readiness verdict.",
    ),
    (
        "readiness",
        "Readiness per verdict",
        MAIN,
        readiness_counts,
        {},
        None,
        "How many SIEM fields Graph keeps, changes or loses.",
    ),
    (
        "risk_register",
        "Risk register",
        MAIN,
        risk_register,
        {"touched_rate": BAD},
        None,
        "Each field that loses or changes data; owner and decision are for the change board.",
    ),
    (
        "fields",
        "Field coverage",
        MAIN,
        fields_table,
        {"retained_rate": GOOD, "mismatch_rate": BAD, "missing_rate": BAD},
        None,
        "All SIEM fields over the matched alerts; rates are shares of matched alerts with a "
        "legacy value.",
    ),
    (
        "unsupported_fields",
        "Unsupported and obsolete fields",
        MAIN,
        unsupported_fields,
        {},
        None,
        "Fields without a Graph equivalent and the data they held.",
    ),
    (
        "mismatch_pairs",
        "Value mismatches",
        MAIN,
        mismatch_pairs,
        {},
        30,
        "Legacy values Graph holds differently, most frequent first.",
    ),
    (
        "legacy_only_alerts",
        "Legacy-only alerts",
        MAIN,
        lambda r: one_sided_alerts(r, "legacy_only"),
        {},
        50,
        "Alerts the SIEM API export has and Graph does not, with the reason.",
    ),
    (
        "graph_only_alerts",
        "Graph-only alerts",
        MAIN,
        lambda r: one_sided_alerts(r, "graph_only"),
        {},
        50,
        "Alerts Graph has and the SIEM API export does not, with the reason.",
    ),
    (
        "unmapped_legacy_columns",
        "Legacy columns outside the mapping",
        DETAIL,
        lambda r: r.unmapped_legacy_columns,
        {"populated_rate": GOOD},
        100,
        "Schema diff: columns in the legacy export that the mapping does not name.",
    ),
    (
        "unmapped_graph_paths",
        "Graph paths outside the mapping",
        DETAIL,
        lambda r: r.unmapped_graph_paths,
        {"populated_rate": GOOD},
        100,
        "Schema diff: Graph properties no SIEM field maps to (new information).",
    ),
    (
        "problems",
        "Input problems",
        MAIN,
        problems_table,
        {},
        50,
        "Rows that were rejected or need attention.",
    ),
    (
        "inputs",
        "Input files",
        DETAIL,
        inputs_table,
        {},
        None,
        "Every input file with its SHA-256 and row counts.",
    ),
    (
        "timeline",
        "Alerts per day",
        DATA,
        lambda r: _text_times(r.timeline),
        {},
        None,
        "Legacy, Graph and matched alerts per day.",
    ),
    (
        "mapping",
        "Mapping table",
        DETAIL,
        lambda r: mapping_frame(r.mapping),
        {},
        None,
        "The mapping table this audit used.",
    ),
)


def report_tables(report: AuditReport) -> list[Table]:
    """Every table of the report in reading order, the summary first."""
    return [
        Table(name, title, description, builder(report), level, rates, rows)
        for name, title, level, builder, rates, rows, description in _SPECS
    ]


def add_notes(tables: list[Table], *notes: str) -> list[Table]:
    """The tables with ``notes`` appended to the summary (what a format did to the values)."""
    rows = pd.DataFrame([{"section": "Notes", "item": "format", "value": n} for n in notes])
    return [
        replace(t, frame=pd.concat([t.frame, rows], ignore_index=True))
        if t.name == "summary" and notes
        else t
        for t in tables
    ]
