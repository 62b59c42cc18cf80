"""One alert on both sides: its legacy SIEM detections and its Graph alerts_v2 record(s).

Graph values are derived from the same entities as the legacy values, so every compared field
matches unless a scenario deliberately changes it; each alert reports which compared fields Graph
fills (``graph_fields``) and which it deliberately made differ (``differs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from tools.sample import catalog as c
from tools.sample import evidence as ev
from tools.sample.detections import alert_detections
from tools.sample.entities import TICKS_AT_EPOCH, UNITS, Device, Pools, fmt3, fmt7, fmt_portal

DETECTION_WEIGHTS = (35, 25, 20, 12, 8)  # relative weights of 1..5 detections per legacy alert
_REGISTRY_MAX = 4  # detections of a registry alert at most
_REDACTED = "xxxxxxxx"  # as the author of a public SIEM API sample masked DeviceID
_ANALYSTS = ("secops@contoso.com", "alex.bean@contoso.com", "soc-tier2@contoso.com")
_RECOMMENDED = (
    "Collect artifacts and determine scope\n\tReview the machine timeline for suspicious "
    "activities that may have occurred before and after the time of the alert.\n\tLook for the "
    "presence of relevant artifacts on other systems.\n\nInitiate containment & mitigation\n\t"
    "Contact the user to verify intent and initiate local remediation actions as needed.\n\t"
    "Update AV signatures and run a full scan."
)
_TRUE_POSITIVE = ("malware", "multiStagedAttack", "maliciousUserActivity", "unwantedSoftware")
_DETERMINATIONS = {
    "truePositive": _TRUE_POSITIVE,
    "falsePositive": ("notMalicious", "notEnoughDataToValidate"),
    "informationalExpectedActivity": ("securityTesting", "lineOfBusinessApplication"),
}


def mean_detections(weights: Sequence[int] = DETECTION_WEIGHTS) -> float:
    """The mean detections per MDE alert drawn with ``weights`` (registry alerts capped)."""
    counts = range(1, len(weights) + 1)
    types = c.DETECTION_TYPES
    registry = sum(t.weight for t in types if t.kind == "registry") / sum(t.weight for t in types)
    capped = fmean([min(n, _REGISTRY_MAX) for n in counts], weights)
    return (1 - registry) * fmean(counts, weights) + registry * capped


@dataclass
class Scenario:
    """What happens to one alert: which sides carry it and which deliberate differences apply."""

    legacy: bool = True
    graph: bool = True
    guid_style: bool = False
    severity_changed: bool = False
    drop_user: bool = False
    duplicate: bool = False  # also write an older copy of the Graph record
    older_first: bool = False
    portal_time: bool = False  # AlertTime as the Log Analytics portal writes it
    full_path: bool = False  # FilePath with the file name, as Microsoft's field table shows it
    redacted_device: bool = False  # DeviceID masked as an export's author did ('xxxxxxxx')


@dataclass
class Built:
    """An alert as generated, with the bookkeeping the expected truth needs."""

    legacy_id: str
    graph_id: str
    rows: list[dict[str, str]]
    records: list[dict[str, Any]]
    graph_fields: set[str] = field(default_factory=set)
    differs: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)


class AlertFactory:
    """Builds alerts from the shared pools for one tenant."""

    def __init__(self, pools: Pools, detection_weights: Sequence[int] = DETECTION_WEIGHTS) -> None:
        self.pools = pools
        self.rng = pools.rng
        self.tenant = pools.guid()
        # 1, 2, ... repeated by weight: rng.choice over it keeps the default's random stream
        self.n_detections = tuple(
            n for n, weight in enumerate(detection_weights, 1) for _ in range(weight)
        )

    # -- shared pieces -------------------------------------------------------------------

    def _sid(self) -> str:
        r, big = self.rng.randrange, 4 * 10**9
        return f"S-1-5-21-{r(10**9, big)}-{r(10**9, big)}-{r(10**8, 10**9)}-{r(1000, 9999)}"

    def _times(self, t0: int, n: int) -> list[int]:
        times = [t0]
        for _ in range(n - 1):
            times.append(times[-1] + self.rng.randrange(5 * UNITS, 300 * UNITS))
        return times

    def _ids(self, created: int, guid_style: bool) -> tuple[str, str, str]:
        """(SIEM AlertId, Graph id, providerAlertId)."""
        if guid_style:
            guid = f"{self.pools.guid()}_{self.rng.choice((1, 1, 1, 2))}"
            return guid, "da" + guid, guid
        ticks = TICKS_AT_EPOCH + created + self.rng.randrange(UNITS // 10)
        alert_id = f"da{ticks}_{self.rng.randrange(-(2**31), 2**31)}"
        return alert_id, alert_id, alert_id

    def triage(self, created: int) -> dict[str, Any]:
        """Status, classification and the other fields an analyst changes over time."""
        rng = self.rng
        last_update = created + rng.randrange(60 * UNITS, 3 * 86_400 * UNITS)
        status = rng.choices(("new", "inProgress", "resolved"), (45, 15, 40))[0]
        if status == "resolved":
            classification = rng.choice(tuple(_DETERMINATIONS))
            determination = rng.choice(_DETERMINATIONS[classification])
        else:
            classification = rng.choice((None, "unknown")) if status == "new" else "unknown"
            determination = classification
        analyst = None if status == "new" else rng.choice(_ANALYSTS)
        comments = []
        if status == "resolved" and rng.random() < 0.5:
            comments.append(
                {
                    "comment": f"Closed as {classification} after review.",
                    "createdByDisplayName": analyst,
                    "createdDateTime": fmt7(last_update),
                }
            )
        return {
            "status": status,
            "classification": classification,
            "determination": determination,
            "assignedTo": analyst,
            "lastUpdateDateTime": fmt7(last_update),
            "resolvedDateTime": fmt7(last_update) if status == "resolved" else None,
            "comments": comments,
        }

    # -- MDE alerts ----------------------------------------------------------------------

    def mde(
        self, dtype: c.DetectionType, device: Device, t0: int, incident: str, scenario: Scenario
    ) -> Built:
        """An MDE alert of ``dtype`` on ``device`` whose first detection happened at ``t0``."""
        rng, pools = self.rng, self.pools
        n = rng.choice(self.n_detections)
        if dtype.kind == "registry":
            n = min(n, _REGISTRY_MAX)
        times = self._times(t0, n)
        created = t0 + rng.randrange(UNITS, 120 * UNITS)
        alert_id, graph_id, provider_id = self._ids(created, scenario.guid_style)
        evidence_at = fmt7(created)
        if device.logon_users and dtype.kind != "file":
            domain, account_name = device.logon_users[0]
        elif device.logon_users:
            domain, account_name = device.logon_users[-1]
        else:
            domain, account_name = "NT AUTHORITY", "SYSTEM"
        account = ev.user_account(account_name, domain, self._sid())
        detections, strip_scheme = alert_detections(
            pools, dtype, device, n, account, evidence_at, t0
        )

        built = Built(alert_id, graph_id, [], [])
        evidence: list[ev.Evidence] = [ev.device(device, evidence_at)]
        has_legacy_user = dtype.kind not in ("file", "air")
        if not (scenario.drop_user and has_legacy_user):
            evidence.append(ev.user(account, evidence_at))
        elif scenario.graph:
            built.labels.append("user_evidence_dropped")
        for det in detections:
            evidence.extend(det.evidence)
        if len(evidence) < 4:
            evidence.append(ev.registry_key("SYSTEM\\CurrentControlSet\\Services", evidence_at))

        threat_name, threat_family, threat_category = dtype.threat
        description = dtype.description.format(
            cmd=detections[0].legacy.get("CommandLine", ""),
            threat=threat_name,
            file=detections[0].legacy.get("FilePath", "")
            + "\\"
            + detections[0].legacy.get("FileName", ""),
        )
        legacy_base = {
            "ComputerDnsName": device.fqdn,
            "AlertTitle": dtype.title,
            "Category": dtype.siem_category,
            "Severity": dtype.severity,
            "AlertId": alert_id,
            "Actor": dtype.actor,
            "LinkToWDATP": f"https://securitycenter.windows.com/alert/{alert_id}",
            "IoaDefinitionId": dtype.detector,
            "UserName": account_name if has_legacy_user else "",
            "AlertPart": "0",
            "ThreatCategory": threat_category,
            "ThreatFamily": threat_family,
            "ThreatName": threat_name,
            "Source": dtype.source,
            "UserDomain": domain if has_legacy_user else "",
            "LogOnUsers": "; ".join(f"{d}\\{a}" for d, a in device.logon_users),
            "MachineDomain": device.domain,
            "MachineName": device.host,
            "InternalIPv4List": ";".join(device.ipv4),
            "InternalIPv6List": ";".join(device.ipv6),
            "DeviceID": device.device_id,
            "MachineGroup": device.group,
            "Description": description,
            "DeviceCreatedMachineTags": ", ".join(device.device_tags),
            "CloudCreatedMachineTags": ", ".join(device.cloud_tags),
            "IncidentLinkToWDATP": "https://securitycenter.windows.com/incidents/byalert"
            f"?alertId={alert_id}&source=SIEM",
            "LinkToMTP": f"https://security.microsoft.com/alert/{alert_id}",
            "IncidentLinkToMTP": "https://security.microsoft.com/incidents/byalert"
            f"?alertId={alert_id}&source=SIEM",
            "SplunkIndex": "mde_alerts",
            "ingest_host": f"splunk-hf0{1 + int(device.device_id[0], 16) % 2}",
        }
        if scenario.legacy:
            for det, at in zip(detections, times, strict=True):
                ioc_id = pools.ioc_unique_id()
                row = dict(legacy_base)
                row.update(det.legacy)
                alert_time = at + rng.randrange(UNITS)
                row["AlertTime"] = (fmt_portal if scenario.portal_time else fmt7)(alert_time)
                if scenario.full_path and row.get("FilePath"):
                    row["FilePath"] += "\\" + row["FileName"]
                if scenario.redacted_device:
                    row["DeviceID"] = _REDACTED
                row["LastProcessedTimeUtc"] = fmt7(at + rng.randrange(20 * UNITS, 600 * UNITS))
                row["FullId"] = f"{alert_id}:{ioc_id}"
                row["IocUniqueId"] = ioc_id
                row["ExternalId"] = pools.hex(40).upper()
                row["ReportID"] = str(rng.randrange(10**8, 2**31))
                built.rows.append(row)
        if not scenario.graph:
            return built

        severity = dtype.severity.lower()
        if scenario.severity_changed:
            severity = c.SEVERITY_CHANGE[dtype.severity]
            built.differs.add("Severity")
            built.labels.append("severity_changed")
        else:
            built.labels.append("severity_case_only")
        if dtype.siem_category.lower() != dtype.graph_category.lower():
            built.differs.add("Category")
            built.labels.append("category_changed")
        else:
            built.labels.append("category_same")
        if device.short_in_graph:
            built.differs.add("ComputerDnsName")
            built.labels.append("host_short_name")
        if scenario.guid_style:
            built.labels.append("guid_style_id")
        if strip_scheme:
            built.labels.append("url_without_scheme")
        if scenario.legacy:
            for label, applies in (
                ("portal_time", scenario.portal_time),
                (
                    "file_path_with_name",
                    scenario.full_path and any(r.get("FilePath") for r in built.rows),
                ),
                ("device_id_redacted", scenario.redacted_device),
            ):
                if applies:
                    built.labels.append(label)
            if scenario.redacted_device:
                built.unreadable.add("DeviceID")

        alert = {
            "@odata.type": "#microsoft.graph.security.alert",
            "id": graph_id,
            "providerAlertId": provider_id,
            "incidentId": incident,
            "severity": severity,
            "serviceSource": "microsoftDefenderForEndpoint",
            "detectionSource": c.GRAPH_DETECTION_SOURCE[dtype.source],
            "productName": "Microsoft Defender for Endpoint",
            "detectorId": dtype.detector,
            "tenantId": self.tenant,
            "title": dtype.title,
            "description": description.replace("\r\n", "\n"),
            "recommendedActions": _RECOMMENDED,
            "category": dtype.graph_category,
            "categories": [dtype.graph_category],
            "alertWebUrl": f"https://security.microsoft.com/alerts/{graph_id}?tid={self.tenant}",
            "incidentWebUrl": "https://security.microsoft.com/incident2/"
            f"{incident}/overview?tid={self.tenant}",
            "actorDisplayName": dtype.actor or None,
            "threatDisplayName": threat_name or None,
            "threatFamilyName": threat_family or None,
            "mitreTechniques": list(dtype.mitre),
            "createdDateTime": evidence_at,
            "firstActivityDateTime": fmt3(t0 - rng.randrange(60 * UNITS)),
            "lastActivityDateTime": fmt3(times[-1]),
            **self.triage(created),
            "evidence": [item for item, _ in evidence],
            "systemTags": ["Defender Experts"] if rng.random() < 0.03 else [],
            "investigationId": None,
            "investigationState": "successfullyRemediated"
            if dtype.kind == "air"
            else rng.choice(("unsupportedAlertType", "queued", "benign", "terminatedBySystem")),
            "alertPolicyId": None,
            "customDetails": {},
            "additionalData": {},
        }
        built.graph_fields.update(c.ALERT_LEVEL)
        if dtype.actor:
            built.graph_fields.add("Actor")
        if dtype.mitre:
            built.graph_fields.add("ThreatCategory")
        if threat_name:
            built.graph_fields.update(("ThreatName", "ThreatFamilyName"))
        for _, fields in evidence:
            built.graph_fields.update(fields)
        built.records.append(alert)
        if scenario.duplicate:
            built.labels.append("graph_older_copy")
            older = {
                **alert,
                "status": "new",
                "classification": None,
                "determination": None,
                "assignedTo": None,
                "lastUpdateDateTime": fmt7(created + rng.randrange(UNITS, 50 * UNITS)),
                "resolvedDateTime": None,
                "comments": [],
                "evidence": [alert["evidence"][0]],
            }
            built.records.insert(0 if scenario.older_first else 1, older)
        return built
