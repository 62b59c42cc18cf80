"""Graph alerts_v2 evidence items, each returned with the compared fields it gives values to."""

from __future__ import annotations

from typing import Any

from tools.sample import catalog as c
from tools.sample.entities import Device, FileInfo, fmt7

_TYPE = "#microsoft.graph.security."
Evidence = tuple[dict[str, Any], frozenset[str]]


def _base(kind: str, created: str, status: str = "none", roles: tuple[str, ...] = ()) -> dict:
    return {
        "@odata.type": _TYPE + kind,
        "createdDateTime": created,
        "verdict": "malicious" if status != "none" else "suspicious" if roles else "unknown",
        "remediationStatus": status,
        "remediationStatusDetails": None,
        "roles": list(roles),
        "detailedRoles": [],
        "tags": [],
    }


def file_details(f: FileInfo, hashes: bool = True) -> dict[str, Any]:
    """The fileDetails shape (also processEvidence.imageFile)."""
    return {
        "sha1": f.sha1 if hashes else None,
        "sha256": f.sha256 if hashes else None,
        "md5": f.md5 if hashes else None,
        "fileName": f.name,
        "filePath": f.folder,
        "fileSize": f.size,
        "filePublisher": f.publisher,
        "signer": f.publisher,
        "issuer": "Microsoft Windows Production PCA 2011" if f.publisher else None,
    }


def device(d: Device, created: str) -> Evidence:
    """deviceEvidence; Graph names some domain-joined machines by their bare host name."""
    item = _base("deviceEvidence", created, roles=("compromised",))
    item["detailedRoles"] = ["PrimaryDevice"]
    item["tags"] = [*d.device_tags, *d.cloud_tags]
    platform, build, version = d.os
    item.update(
        {
            "firstSeenDateTime": fmt7(d.first_seen),
            "mdeDeviceId": d.device_id,
            "azureAdDeviceId": d.aad_device_id,
            "deviceDnsName": d.host if d.short_in_graph else d.fqdn,
            "hostName": d.host,
            "ntDomain": d.netbios or None,
            "dnsDomain": d.domain or None,
            "osPlatform": platform,
            "osBuild": build,
            "version": version,
            "healthStatus": "active",
            "riskScore": "medium",
            "rbacGroupId": d.group_id,
            "rbacGroupName": d.group or None,
            "onboardingStatus": "onboarded",
            "defenderAvStatus": "updated",
            "ipInterfaces": [*d.ipv4, *d.ipv6],
            "lastIpAddress": d.ipv4[0],
            "lastExternalIpAddress": None,
            "loggedOnUsers": [{"accountName": a, "domainName": dom} for dom, a in d.logon_users],
            "vmMetadata": None,
        }
    )
    fields = set(c.DEVICE)
    if d.group:
        fields.add("MachineGroup")
    if d.logon_users:
        fields.update(("LogOnUsers", "UserName", "UserDomain"))
    if item["tags"]:
        fields.update(("DeviceCreatedMachineTags", "CloudCreatedMachineTags"))
    return item, frozenset(fields)


def user_account(name: str, domain: str, sid: str) -> dict[str, Any]:
    """The userAccount shape."""
    return {
        "accountName": name,
        "domainName": domain,
        "userSid": sid,
        "azureAdUserId": None,
        "userPrincipalName": f"{name}@{domain.lower()}.com" if "." in name else None,
        "displayName": name.replace(".", " ").title(),
    }


def user(account: dict[str, Any], created: str) -> Evidence:
    """userEvidence."""
    item = _base("userEvidence", created, roles=("compromised",))
    item.update({"userAccount": account, "stream": None})
    return item, c.USER


def file(f: FileInfo, device_id: str, created: str, status: str, detection: str) -> Evidence:
    """fileEvidence."""
    item = _base("fileEvidence", created, status, roles=("created",) if status == "none" else ())
    item.update(
        {"detectionStatus": detection, "mdeDeviceId": device_id, "fileDetails": file_details(f)}
    )
    return item, c.FILE


def process(
    image: FileInfo,
    parent: FileInfo,
    command: str,
    detection: str | None,
    account: dict[str, Any],
    device_id: str,
    times: tuple[str, str, str],
    pids: tuple[int, int],
) -> Evidence:
    """processEvidence; ``times`` = (evidence created, process created, parent created)."""
    item = _base("processEvidence", times[0])
    item.update(
        {
            "processId": pids[0],
            "parentProcessId": pids[1],
            "processCommandLine": command,
            "processCreationDateTime": times[1],
            "parentProcessCreationDateTime": times[2],
            "detectionStatus": detection,
            "mdeDeviceId": device_id,
            "imageFile": file_details(image),
            "parentProcessImageFile": file_details(parent, hashes=False),
            "userAccount": account,
        }
    )
    fields = c.PROCESS if detection else c.PROCESS - {"WasExecutingWhileDetected"}
    return item, fields if command else fields - {"CommandLine"}


def ip(address: str, country: str, created: str) -> Evidence:
    """ipEvidence."""
    item = _base("ipEvidence", created, roles=("destination",))
    item.update(
        {"ipAddress": address, "countryLetterCode": country, "location": None, "stream": None}
    )
    return item, c.IP


def url(address: str, created: str) -> Evidence:
    """urlEvidence (always with its scheme)."""
    item = _base("urlEvidence", created, roles=("destination",))
    item["url"] = address
    return item, c.URL


def registry_key(key: str, created: str) -> Evidence:
    """registryKeyEvidence."""
    item = _base("registryKeyEvidence", created)
    item.update({"registryKey": key, "registryHive": "HKEY_LOCAL_MACHINE"})
    return item, c.REMEDIATION
