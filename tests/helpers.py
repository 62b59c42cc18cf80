"""Small builders shared by the engine tests."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from siem2graph.audit import audit_sources
from siem2graph.mapping import load_mapping
from siem2graph.model import VERDICTS
from siem2graph.sources import Source

REALWORLD = Path(__file__).resolve().parent / "realworld"  # public payloads, see its README.md
GRAPH_EXAMPLE = REALWORLD / "microsoft_docs" / "graph_alerts_v2_example_get.json"
RAPID7 = REALWORLD / "rapid7_insightconnect_microsoft_atp"


def graph_example() -> dict[str, Any]:
    """The real alerts_v2 example alert (a fresh copy)."""
    return copy.deepcopy(json.loads(GRAPH_EXAMPLE.read_text(encoding="utf-8")))


def legacy_for_example(**overrides: str) -> dict[str, str]:
    """A legacy detection that carries the example alert's values the way the SIEM API would."""
    record = {
        "AlertTime": "2021-04-27T12:18:01.1234567Z",
        "ComputerDnsName": "tempDns",
        "AlertTitle": "Suspicious  execution of hidden file",
        "Category": "DefenseEvasion",
        "Severity": "Low",
        "AlertId": "da637578995287051192_756343937",
        "LinkToWDATP": "https://securitycenter.windows.com/alert/da637578995287051192_756343937",
        "LinkToMTP": "https://security.microsoft.com/alert/da637578995287051192_756343937",
        "Sha1": "5F1E8ACEDC065031AAD553B710838EB366CFEE9A",
        "FileName": "MsSense.exe",
        "FilePath": "C:\\Program Files\\temp",
        "IoaDefinitionId": "e0da400f-affd-43ef-b1d5-afc2eb6f2756",
        "LastProcessedTimeUtc": "2021-05-02T07:50:00.0000000Z",
        "Source": "Antivirus",
        "Md5": "95000560239032bc68b4c2fdfcdef913",
        "DeviceID": "73e7e2de709dff64ef64b1d0c30e67fab63279db",
        "MachineName": "tempdns",
        "MachineGroup": "UnassignedGroup",
        "DeviceCreatedMachineTags": "Test Machine",
        "CommandLine": '"MsSense.exe"',
        "ThreatCategory": "Malware",
        "IncidentLinkToMTP": "https://security.microsoft.com/incidents/byalert?alertId=x&source=SIEM",
        "InternalIPv4List": "10.0.0.1;127.0.0.1",
        "CustomerTag": "kept-but-unmapped",
    }
    record.update(overrides)
    return record


def json_source(name: str, document: Any) -> Source:
    """An in-memory JSON file."""
    return Source.from_bytes(name, orjson.dumps(document))


def one_verdict(legacy: dict[str, Any], graph_extra: dict[str, Any], field: str) -> str:
    """The one verdict a whole audit gives ``field`` for one legacy detection (``AlertId``,
    ``AlertTime`` and the field) beside its Graph alert (``graph_extra`` added to a bare one)."""
    alert_id, created = legacy["AlertId"], legacy["AlertTime"]
    graph = {
        "id": alert_id if alert_id.startswith("da") else "da" + alert_id,
        "providerAlertId": alert_id,
        "serviceSource": "microsoftDefenderForEndpoint",
        "createdDateTime": created,
        "lastUpdateDateTime": created,
        "evidence": [],
        **graph_extra,
    }
    report = audit_sources(
        [json_source("legacy.json", [legacy])], [json_source("graph.json", {"value": [graph]})]
    )
    assert report.join.matched_alerts == 1
    row = report.field(load_mapping().key_index[field.casefold()])
    found = [v for v in VERDICTS if getattr(row, v)]
    assert len(found) == 1, found
    return found[0]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m siem2graph`` with ``args``, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "siem2graph", *args], capture_output=True, text=True, timeout=120
    )
