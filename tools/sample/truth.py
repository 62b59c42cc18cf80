"""The expected audit outcome, accumulated from each alert's bookkeeping while it is written."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tools.sample.alerts import Built
from tools.sample.catalog import COMPARED_FIELDS, DROPPED_FIELDS, FIELD_COLUMNS

VERDICTS = ("match", "mismatch", "missing_in_graph", "new_in_graph", "both_empty", "unreadable")
OUTSIDE_WINDOW = "outside_graph_window"
NOT_IN_GRAPH = "not_in_graph"

# Deliberate differences: key -> what it is (README wording). Counts are of matched alerts.
DELIBERATE: dict[str, str] = {
    "severity_case_only": "Severity differs only by case (High -> high): Severity = match "
    "through the enum vocabulary.",
    "severity_changed": "Severity really changed (Informational->low, Low->medium, "
    "Medium->high, High->medium): Severity = mismatch.",
    "category_changed": "SIEM Category differs from the Graph MITRE tactic (e.g. Malware -> "
    "Execution, SuspiciousActivity -> DefenseEvasion): Category = mismatch.",
    "category_same": "Category kept its name (CredentialAccess, Persistence, Execution, "
    "CommandAndControl, and Malware for some AV alerts): Category = match.",
    "host_short_name": "Graph names the domain-joined device by its bare host name: "
    "ComputerDnsName = mismatch; MachineName = match, and MachineDomain = match at dnsDomain.",
    "guid_style_id": "GUID-style id: Graph id = 'da' + providerAlertId, SIEM AlertId = "
    "providerAlertId; the join matches them: AlertId = match at providerAlertId, and "
    "LinkToWDATP and LinkToMTP = match (the link's alert id, with or without 'da').",
    "user_evidence_dropped": "Legacy UserName/UserDomain present, no userEvidence in Graph: "
    "UserName and UserDomain = match where processEvidence.userAccount or "
    "deviceEvidence.loggedOnUsers holds the account (moved), missing_in_graph otherwise.",
    "url_without_scheme": "Legacy Url without its scheme, Graph urlEvidence with it: "
    "URL = match (compared without the scheme).",
    "portal_time": "AlertTime as the Log Analytics portal exports it "
    "('10/13/2026, 2:05:09.123 PM', UTC): read month-first, AlertTime = match.",
    "file_path_with_name": "FilePath with the file name (C:\\...\\file.exe), as Microsoft's "
    "field table shows it; Graph has the folder and the name apart: FilePath = match.",
    "device_id_redacted": "DeviceID masked ('xxxxxxxx') as in a public SIEM API sample: "
    "DeviceID = unreadable (no hash to compare), not a mismatch.",
    "graph_older_copy": "The Graph file also holds an older copy (earlier lastUpdateDateTime, "
    "status new, deviceEvidence only); the reader must keep the latest.",
}


class Truth:
    """Counts every number expected.json states."""

    def __init__(self) -> None:
        self.legacy_rows = 0
        self.legacy_alerts = 0
        self.graph_records = 0
        self.graph_alerts = 0
        self.matched = 0
        self.legacy_only: list[dict[str, str]] = []
        self.graph_only: list[str] = []
        self.guid_style: list[dict[str, str]] = []
        self.labels: Counter[str] = Counter()
        self.verdicts = {f: dict.fromkeys(VERDICTS, 0) for f in COMPARED_FIELDS}
        self.dropped = {f: {"rows": 0, "alerts": 0, "matched_alerts": 0} for f in DROPPED_FIELDS}

    def add(self, built: Built, reason: str = NOT_IN_GRAPH) -> None:
        """Account for one alert; ``reason`` classifies it if it is legacy-only."""
        rows, matched = built.rows, bool(built.rows and built.records)
        self.graph_records += len(built.records)
        self.graph_alerts += bool(built.records)
        filled: Counter[str] = Counter(k for row in rows for k, v in row.items() if v)
        if rows:
            self.legacy_rows += len(rows)
            self.legacy_alerts += 1
            for name in DROPPED_FIELDS:
                carrying = filled[FIELD_COLUMNS[name]]
                counts = self.dropped[name]
                counts["rows"] += carrying
                counts["alerts"] += carrying > 0
                counts["matched_alerts"] += matched and carrying > 0
        if matched:
            self.matched += 1
            self.labels.update(built.labels)
            if built.legacy_id != built.graph_id:
                self.guid_style.append({"AlertId": built.legacy_id, "id": built.graph_id})
            self._verdicts(built, filled)
        elif rows:
            self.legacy_only.append({"id": built.legacy_id, "reason": reason})
        elif built.records:
            self.graph_only.append(built.graph_id)

    def _verdicts(self, built: Built, filled: Counter[str]) -> None:
        for name in COMPARED_FIELDS:
            legacy = filled[FIELD_COLUMNS[name]] > 0
            graph = name in built.graph_fields
            if legacy and graph and name in built.unreadable:
                verdict = "unreadable"
            elif legacy and graph:
                verdict = "mismatch" if name in built.differs else "match"
            elif legacy:
                verdict = "missing_in_graph"
            else:
                verdict = "new_in_graph" if graph else "both_empty"
            self.verdicts[name][verdict] += 1

    def to_dict(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The expected.json document."""
        reasons = Counter(item["reason"] for item in self.legacy_only)
        return {
            **meta,
            "legacy_rows": self.legacy_rows,
            "legacy_alerts": self.legacy_alerts,
            "graph_records": self.graph_records,
            "graph_alerts": self.graph_alerts,
            "graph_duplicates": self.graph_records - self.graph_alerts,
            "matched_alerts": self.matched,
            "legacy_only_count": len(self.legacy_only),
            "legacy_only_by_reason": dict(sorted(reasons.items())),
            "graph_only_count": len(self.graph_only),
            "deliberate": {key: self.labels[key] for key in DELIBERATE},
            "fields": self.verdicts,
            "dropped_fields": self.dropped,
            "legacy_only_alerts": self.legacy_only,
            "graph_only_alerts": self.graph_only,
            "guid_style_alerts": self.guid_style,
        }
