"""Every compared field on the value forms Microsoft documents and real records carry.

Each case puts one legacy value (read from the file it comes from, never retyped) beside the
Graph value of the same meaning and audits the pair: a match, never a mismatch; a value the
comparator cannot read is unreadable. Sources in tests/realworld/README.md.
"""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest

from siem2graph.mapping import load_mapping
from tests.helpers import RAPID7, REALWORLD, one_verdict

MAPPING = load_mapping()
_TYPE = "#microsoft.graph.security."
ALERT_ID = "636210704265059241_673569822"  # the field table's AlertId example


def _field_table() -> dict[str, str]:
    """Microsoft's SIEM field table (api-portal-mapping.md): field name -> example value."""
    table = REALWORLD / "microsoft_docs" / "siem_fields_api_portal_mapping.csv"
    with table.open(encoding="utf-8") as stream:
        return {row["siem_field"]: row["example_value"] for row in csv.DictReader(stream)}


def _record(name: str) -> dict[str, Any]:
    document = json.loads((RAPID7 / name).read_text(encoding="utf-8"))
    return (document["results"] if isinstance(document, dict) else document)[0]


EXAMPLES = _field_table()
FAKE_ALERT = _record("siem_api_fake_alert_w10-for-atp_2018.json")  # rapid7 plugin, 2018
HELP_EXAMPLE = _record("siem_api_help_example_2018.json")


def _evidence(kind: str, **values: Any) -> dict[str, Any]:
    return {"@odata.type": _TYPE + kind, **values}


def _files(name: str, folder: str) -> dict[str, Any]:
    return _evidence("fileEvidence", fileDetails={"fileName": name, "filePath": folder})


def _account(name: str, domain: str) -> dict[str, Any]:
    return {"accountName": name, "domainName": domain}


# (legacy column, legacy value, Graph properties of the same meaning, expected verdict)
FIELD_TABLE_CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "AlertTitle": ("AlertTitle", {"title": EXAMPLES["AlertTitle"]}, "match"),
    "Severity": ("Severity", {"severity": "high"}, "match"),
    "Category": ("Category", {"category": "Malware"}, "match"),
    "Detection source": ("Source", {"detectionSource": "antivirus"}, "match"),
    "MachineName": (
        "MachineName",
        {"evidence": [_evidence("deviceEvidence", deviceDnsName="desktop-4a5ngd6.contoso.com")]},
        "match",
    ),
    "FileName": (
        "FileName",
        {"evidence": [_files("Robocopy.exe", "C:\\Windows\\System32")]},
        "match",
    ),
    # the table gives the full path; Graph holds the folder and the name apart
    "FilePath": (
        "FilePath",
        {"evidence": [_files("Robocopy.exe", "C:\\Windows\\System32")]},
        "match",
    ),
    "UserDomain": (
        "UserDomain",
        {"evidence": [_evidence("processEvidence", userAccount=_account("liz.bean", "CONTOSO"))]},
        "match",
    ),
    "UserName": (
        "UserName",
        {"evidence": [_evidence("userEvidence", userAccount=_account("liz.bean", "CONTOSO"))]},
        "match",
    ),
    # the table's hashes are cut short (39 and 55 hex digits): no hash to compare
    "Sha1": (
        "Sha1",
        {"evidence": [_evidence("fileEvidence", fileDetails={"sha1": "3da065e0" * 5})]},
        "unreadable",
    ),
    "Sha256": (
        "Sha256",
        {"evidence": [_evidence("fileEvidence", fileDetails={"sha256": "ebf54f74" * 8})]},
        "unreadable",
    ),
    "ThreatName": ("ThreatName", {"threatDisplayName": EXAMPLES["ThreatName"]}, "match"),
    "IpAddress": (
        "IpAddress",
        {"evidence": [_evidence("ipEvidence", ipAddress="218.90.204.141")]},
        "match",
    ),
    "Url": (
        "Url",
        {"evidence": [_evidence("urlEvidence", url="http://down.esales360.cn/")]},
        "match",
    ),
    "RemediationIsSuccess": (
        "RemediationIsSuccess",
        {"evidence": [_evidence("fileEvidence", remediationStatus="remediated")]},
        "match",
    ),
    "WasExecutingWhileDetected": (
        "WasExecutingWhileDetected",
        {"evidence": [_evidence("processEvidence", detectionStatus="blocked")]},
        "match",
    ),
    "AlertId": ("AlertId", {}, "match"),  # Graph id 'da' + it, providerAlertId it
    "LinkToWDATP": (
        "LinkToWDATP",
        {"alertWebUrl": f"https://security.microsoft.com/alerts/da{ALERT_ID}?tid=t"},
        "match",
    ),
    "AlertTime": ("AlertTime", {}, "match"),  # createdDateTime is the example's instant
    "MachineDomain": (
        "MachineDomain",
        {"evidence": [_evidence("deviceEvidence", deviceDnsName="desktop-4a5ngd6.contoso.com")]},
        "match",
    ),
    "Actor": ("Actor", {"actorDisplayName": "BORON"}, "match"),
    "ComputerDnsName": (
        "ComputerDnsName",
        {"evidence": [_evidence("deviceEvidence", deviceDnsName="liz-bean.contoso.com")]},
        "match",
    ),
    "LogOnUsers": (
        "LogOnUsers",
        {
            "evidence": [
                _evidence(
                    "deviceEvidence",
                    loggedOnUsers=[
                        _account("liz-bean", "contoso"),
                        _account("jay-hardee", "contoso"),
                    ],
                )
            ]
        },
        "match",
    ),
    "LinkToMTP": (
        "LinkToMTP",
        {"alertWebUrl": "https://security.microsoft.com/alerts/da637370718981685665_16349121"},
        "match",
    ),
    "IncidentLinkToMTP": (
        "IncidentLinkToMTP",
        {"incidentWebUrl": "https://security.microsoft.com/incidents/28282?tid=t"},
        "match",
    ),
    "IncidentLinkToWDATP": (
        "IncidentLinkToWDATP",
        {"incidentWebUrl": "https://security.microsoft.com/incidents/28282?tid=t"},
        "match",
    ),
    "LastProcessedTimeUtc": (
        "LastProcessedTimeUtc",
        {"lastActivityDateTime": "2017-05-07T01:56:59.002Z"},
        "match",
    ),
}

# Values of the real records beside the Graph values of the same meaning.
RECORD_CASES: list[tuple[str, dict[str, Any], str, dict[str, Any], str]] = [
    (
        "fake",
        FAKE_ALERT,
        "FilePath",
        {"evidence": [_files("reg.exe", "C:\\Windows\\System32")]},
        "match",
    ),
    (
        "fake",
        FAKE_ALERT,
        "LogOnUsers",
        {
            "evidence": [
                _evidence(
                    "deviceEvidence", loggedOnUsers=[_account("Administrator", "W10-FOR-ATP")]
                )
            ]
        },
        "match",
    ),
    # DeviceID redacted by the record's author: unreadable, not a different device
    (
        "fake",
        FAKE_ALERT,
        "DeviceID",
        {
            "evidence": [
                _evidence("deviceEvidence", mdeDeviceId="c6944fa14970633adeecbabc104167ef12557a6f")
            ]
        },
        "unreadable",
    ),
    (
        "help",
        HELP_EXAMPLE,
        "DeviceID",
        {
            "evidence": [
                _evidence("deviceEvidence", mdeDeviceId="c6944fa14970633adeecbabc104167ef12557a6f")
            ]
        },
        "match",
    ),
    ("fake", FAKE_ALERT, "Source", {"detectionSource": "microsoftDefenderForEndpoint"}, "match"),
    ("fake", FAKE_ALERT, "Category", {"category": "LateralMovement"}, "match"),
    (
        "fake",
        FAKE_ALERT,
        "IoaDefinitionId",
        {"detectorId": "4a89c39f-47b5-4ad6-8b48-7d1b0afd9493"},
        "match",
    ),
    (
        "fake",
        FAKE_ALERT,
        "Sha256",
        {
            "evidence": [
                _evidence("processEvidence", imageFile={"sha256": FAKE_ALERT["Sha256"].upper()})
            ]
        },
        "match",
    ),
    (
        "fake",
        FAKE_ALERT,
        "ComputerDnsName",
        {"evidence": [_evidence("deviceEvidence", deviceDnsName="w10-for-atp")]},
        "match",
    ),
    (
        "help",
        HELP_EXAMPLE,
        "FilePath",
        {
            "evidence": [
                _evidence(
                    "processEvidence",
                    imageFile={"fileName": "powershell.exe", "filePath": HELP_EXAMPLE["FilePath"]},
                )
            ]
        },
        "match",
    ),
]


@pytest.mark.parametrize("name", sorted(FIELD_TABLE_CASES))
def test_field_table_examples_match_their_graph_values(name):
    column, graph, expected = FIELD_TABLE_CASES[name]
    legacy = {
        "AlertId": ALERT_ID,
        "AlertTime": EXAMPLES["AlertTime"],
        column: EXAMPLES[name],
    }
    assert one_verdict(legacy, graph, column) == expected


def test_every_compared_field_of_the_table_has_a_case():
    """A row of Microsoft's table that the mapping compares and no case checks fails here."""
    for name in EXAMPLES:
        siem_field = MAPPING.key_index.get(
            {"Detection source": "Source"}.get(name, name).casefold()
        )
        if siem_field is None or not MAPPING.field(siem_field).has_graph_equivalent:
            continue
        assert name in FIELD_TABLE_CASES, name


@pytest.mark.parametrize(
    ("record", "legacy", "field", "graph", "expected"),
    RECORD_CASES,
    ids=[f"{r[0]}-{r[2]}" for r in RECORD_CASES],
)
def test_real_record_values_match_their_graph_values(record, legacy, field, graph, expected):
    kept = {k: v for k, v in legacy.items() if k in ("AlertId", "AlertTime", field)}
    assert one_verdict(kept, graph, field) == expected
