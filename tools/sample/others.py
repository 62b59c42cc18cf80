"""Graph-only alerts from other Defender products, which the SIEM API never carried."""

from __future__ import annotations

from tools.sample import evidence as ev
from tools.sample.alerts import AlertFactory, Built
from tools.sample.catalog import made_up_guid
from tools.sample.entities import fmt3, fmt7

# (id prefix [inferred], serviceSource, productName, title, category, severity, mitre)
_PRODUCTS = (
    (
        "aa", "microsoftDefenderForIdentity", "Microsoft Defender for Identity",
        "Suspected DCSync attack (replication of directory services)", "CredentialAccess",
        "high", ["T1003.006"],
    ),
    (
        "fa", "microsoftDefenderForOffice365", "Microsoft Defender for Office 365",
        "Email messages containing malicious URL removed after delivery", "InitialAccess",
        "medium", ["T1566.002"],
    ),
)  # fmt: skip


def other_product_alert(factory: AlertFactory, which: int, t0: int, incident: str) -> Built:
    """An MDI (which=0) or MDO (which=1) alert with user, IP and device or URL evidence."""
    rng, pools = factory.rng, factory.pools
    prefix, service, product, title, category, severity, mitre = _PRODUCTS[which]
    provider_id = pools.guid()
    graph_id = prefix + provider_id
    at = fmt7(t0)
    device = rng.choice(pools.devices)
    domain, name = device.logon_users[0] if device.logon_users else ("CONTOSO", "svc-backup")
    items = [
        ev.user(ev.user_account(name, domain, f"S-1-5-21-{rng.randrange(10**9, 4 * 10**9)}"), at),
        ev.ip(pools.public_ip(), rng.choice(("NL", "US", "RU")), at),
    ]
    if which == 0:
        items.append(ev.device(device, at))
    else:
        items.append(ev.url("https://" + pools.url(), at))
    alert = {
        "@odata.type": "#microsoft.graph.security.alert",
        "id": graph_id,
        "providerAlertId": provider_id,
        "incidentId": incident,
        "severity": severity,
        "serviceSource": service,
        "detectionSource": service,
        "productName": product,
        "detectorId": made_up_guid(service),
        "tenantId": factory.tenant,
        "title": title,
        "description": f"{title}.",
        "recommendedActions": "",
        "category": category,
        "categories": [category],
        "alertWebUrl": f"https://security.microsoft.com/alerts/{graph_id}?tid={factory.tenant}",
        "incidentWebUrl": "https://security.microsoft.com/incident2/"
        f"{incident}/overview?tid={factory.tenant}",
        "actorDisplayName": None,
        "threatDisplayName": None,
        "threatFamilyName": None,
        "mitreTechniques": mitre,
        "createdDateTime": at,
        "firstActivityDateTime": fmt3(t0),
        "lastActivityDateTime": fmt3(t0),
        **factory.triage(t0),
        "evidence": [item for item, _ in items],
        "systemTags": [],
        "investigationId": None,
        "investigationState": "unsupportedAlertType",
        "alertPolicyId": None,
        "customDetails": {},
        "additionalData": {},
    }
    return Built(provider_id, graph_id, [], [alert])
