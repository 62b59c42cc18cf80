"""Small dashboard inputs built from the real payloads, shared by the dashboard tests; and the
audit outcome they are built to give (so the page tests can assert exact figures).

Three alerts match (one keeps every value, one changes Severity from High to medium, one
changes FileName and carries hostile text in its title), one is legacy-only, one Graph-only.
"""

from __future__ import annotations

import csv
import functools
import io
from typing import Any

import orjson

from siem2graph.audit import audit_sources
from siem2graph.model import AuditReport
from siem2graph.sources import Source
from tests.helpers import graph_example, legacy_for_example

KEEPS, SEVERITY_CHANGED, FILE_CHANGED = (
    "da600000000000000001_100000001",
    "da600000000000000002_100000002",
    "da600000000000000003_100000003",
)
LEGACY_ONLY = "da600000000000000004_100000004"
GRAPH_ONLY = "da600000000000000005_100000005"
HOSTILE_TITLE = "<img src=x onerror=alert(1)> =cmd|' /C calc'!A0 [link](http://x)"
MATCHED = 3
LEGACY_FILE, GRAPH_FILE = "dashboard_legacy.csv", "dashboard_graph.json"


def _graph_alert(alert_id: str, **changes: Any) -> dict[str, Any]:
    alert = graph_example()
    alert.update(
        id=alert_id,
        providerAlertId=alert_id,
        alertWebUrl=f"https://security.microsoft.com/alerts/{alert_id}?tid={alert['tenantId']}",
        **changes,
    )
    return alert


def _legacy(alert_id: str, **changes: str) -> dict[str, str]:
    return legacy_for_example(
        AlertId=alert_id,
        LinkToWDATP=f"https://securitycenter.windows.com/alert/{alert_id}",
        LinkToMTP=f"https://security.microsoft.com/alert/{alert_id}",
        **changes,
    )


def legacy_records() -> list[dict[str, str]]:
    """The legacy detections: two for the first alert, one for each other."""
    return [
        _legacy(KEEPS),
        _legacy(KEEPS, AlertTime="2021-04-27T12:30:00Z"),
        _legacy(SEVERITY_CHANGED, Severity="High"),
        _legacy(FILE_CHANGED, FileName="other.exe", AlertTitle=HOSTILE_TITLE),
        _legacy(LEGACY_ONLY),
    ]


def graph_alerts() -> list[dict[str, Any]]:
    """The Graph alerts: three matching, one from another product."""
    return [
        _graph_alert(KEEPS),
        _graph_alert(SEVERITY_CHANGED, severity="medium"),
        _graph_alert(FILE_CHANGED, title=HOSTILE_TITLE),
        _graph_alert(GRAPH_ONLY, serviceSource="microsoftDefenderForOffice365"),
    ]


def legacy_csv() -> bytes:
    """The legacy detections as a CSV export."""
    records = legacy_records()
    columns = list(dict.fromkeys(key for record in records for key in record))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode()


def graph_json() -> bytes:
    """The Graph alerts as a list response."""
    return orjson.dumps({"value": graph_alerts()})


@functools.cache
def dashboard_report() -> AuditReport:
    """The audit of these inputs, as the dashboard builds it from uploads (once per process:
    the report is immutable)."""
    return audit_sources(
        [Source.from_bytes(LEGACY_FILE, legacy_csv())],
        [Source.from_bytes(GRAPH_FILE, graph_json())],
    )
