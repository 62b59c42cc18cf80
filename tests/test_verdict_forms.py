"""Verdicts on value forms both APIs document: one legacy detection beside one Graph alert of
the same meaning, audited end to end. The same meaning in another form is a match; a value the
comparator cannot interpret is unreadable, never a mismatch. Each case names its source
(DOMAIN.md sections, Microsoft docs)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import one_verdict

ALERT_ID = "da637551227677560813_-961444813"  # DOMAIN.md section 3, the 'da' legacy id form
CREATED = "2021-04-27T12:19:27.7211305Z"


def _evidence(kind: str, **values: Any) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.security." + kind, **values}


def _verdict(field: str, legacy_value: str, graph_extra: dict[str, Any]) -> str:
    legacy = {"AlertId": ALERT_ID, "AlertTime": CREATED, field: legacy_value}
    return one_verdict(legacy, graph_extra, field)


@pytest.mark.parametrize(
    ("field", "legacy", "graph"),
    [
        ("Source", "Antivirus", {"detectionSource": "unknownFutureValue"}),
        (
            "RemediationAction",
            "NoAction",
            {"evidence": [_evidence("fileEvidence", remediationStatus="unknownFutureValue")]},
        ),
        (
            "RemediationIsSuccess",
            "false",
            {"evidence": [_evidence("fileEvidence", remediationStatus="unknownFutureValue")]},
        ),
    ],
)
def test_a_masked_graph_enum_member_is_unreadable(field, legacy, graph):
    """Without ``Prefer: include-unknown-enum-members`` Graph returns the members added after
    ``unknownFutureValue`` as ``unknownFutureValue`` (DOMAIN.md 2.2 'Evolvable enums' and 4.7:
    evidence remediationStatus ``active``, detectionSource ``microsoftSentinel``...): the value
    is hidden, not another one. A Graph file pulled by another tool often lacks the header."""
    assert _verdict(field, legacy, graph) == "unreadable"


def test_a_known_graph_enum_member_of_another_meaning_still_differs():
    assert _verdict("Source", "Antivirus", {"detectionSource": "microsoftDefenderForEndpoint"}) == (
        "mismatch"
    )


def _ip(address: str) -> dict[str, Any]:
    return {"evidence": [_evidence("ipEvidence", ipAddress=address)]}


@pytest.mark.parametrize(
    ("legacy", "graph"),
    [
        # one IPv6 address in its full and compressed forms (RFC 4291 2.2; RFC 5952 4)
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0DB8::0001", "2001:db8::1"),
        # in brackets, as URLs write it (RFC 3986 3.2.2)
        ("[2001:db8::1]", "2001:db8::1"),
        # with the zone index Windows writes after a link-local address (RFC 4007 11)
        ("fe80::1c2b:3d4e%12", "fe80::1c2b:3d4e"),
        # IPv4 as a dual-stack socket reports it, e.g. Windows event 4624 (RFC 4291 2.5.5.2)
        ("::ffff:218.90.204.141", "218.90.204.141"),
    ],
)
def test_an_ip_address_in_another_text_form_matches(legacy, graph):
    """ipEvidence.ipAddress holds IPv4 or IPv6 (DOMAIN.md 2.6), the SIEM IpAddress the same
    address (DOMAIN.md 1.4 #16, ``218.90.204.141``); IPv6 has several text forms of one address."""
    assert _verdict("IPAddress", legacy, _ip(graph)) == "match"


@pytest.mark.parametrize("legacy", ["XXX.XXX.XXX.XXX", "218.90.204"])
def test_a_legacy_ip_that_is_no_address_is_unreadable(legacy):
    """Masked addresses (the Rapid7 help example masks its IPs as ``XXX.XXX.XXX.XXX``,
    tests/realworld/README.md) or cut ones name no address to compare."""
    assert _verdict("IPAddress", legacy, _ip("218.90.204.141")) == "unreadable"


def test_another_ip_address_still_differs():
    assert _verdict("IPAddress", "218.90.204.142", _ip("218.90.204.141")) == "mismatch"


@pytest.mark.parametrize(
    "graph",
    [
        {"categories": ["LateralMovement"]},
        {"category": None, "categories": ["Discovery", "LateralMovement"]},
    ],
)
def test_a_category_graph_lists_only_in_categories_matches(graph):
    """Graph's ``category`` is "in the process of being deprecated. Use the categories property
    instead" (Graph metadata, as generated into the SDK models; DOMAIN.md 2.4, G5): an alert
    that carries its tactic only in ``categories`` has not lost it. ``LateralMovement`` is a
    real SIEM Category (the 2018 Rapid7 record, DOMAIN.md 1.4 #4)."""
    assert _verdict("Category", "LateralMovement", graph) == "match"


def test_a_category_absent_from_both_graph_properties_still_differs():
    assert _verdict("Category", "LateralMovement", {"categories": ["Execution"]}) == "mismatch"


# Microsoft's alerts_v2 example (DOMAIN.md G2; tests/realworld/microsoft_docs): the alert was
# created more than a day after its earliest activity.
EXAMPLE_FIRST_ACTIVITY = "2021-04-26T07:45:50.116Z"
EXAMPLE_CREATED = "2021-04-27T12:19:27.7211305Z"


@pytest.mark.parametrize("legacy", [EXAMPLE_FIRST_ACTIVITY, "2021-04-26T07:47:02.1234567Z"])
def test_an_alert_time_at_the_alerts_first_activity_matches(legacy):
    """AlertTime is "The time the event occurred" (Microsoft's SIEM field table,
    api-portal-mapping.md; DOMAIN.md 1.4 #1); Graph's ``firstActivityDateTime`` is "The earliest
    activity associated with the alert" (DOMAIN.md G3). An alert created long after its
    activity keeps its event time there: no mismatch because ``createdDateTime`` is later."""
    graph = {"createdDateTime": EXAMPLE_CREATED, "firstActivityDateTime": EXAMPLE_FIRST_ACTIVITY}
    assert one_verdict({"AlertId": ALERT_ID, "AlertTime": legacy}, graph, "AlertTime") == "match"


def test_an_alert_time_near_neither_graph_time_still_differs():
    graph = {"createdDateTime": EXAMPLE_CREATED, "firstActivityDateTime": EXAMPLE_FIRST_ACTIVITY}
    legacy = {"AlertId": ALERT_ID, "AlertTime": "2021-04-25T07:45:50Z"}
    assert one_verdict(legacy, graph, "AlertTime") == "mismatch"


def _logged_on(*users: tuple[str, str]) -> dict[str, Any]:
    accounts = [{"accountName": name, "domainName": domain} for domain, name in users]
    return {"evidence": [_evidence("deviceEvidence", loggedOnUsers=accounts)]}


@pytest.mark.parametrize(
    "legacy", ["Administrator", "administrator; contoso\\liz-bean", "liz-bean, Administrator"]
)
def test_a_logged_on_user_listed_without_its_domain_matches(legacy):
    """LogOnUsers: "The domain and user of the interactive logon users at the time of the
    event. Note: For devices on Windows 10 version 1607, the domain information will not be
    available." (Microsoft's SIEM field table, api-portal-mapping.md; DOMAIN.md S2). Graph's
    loggedOnUsers gives each account's domainName and accountName (DOMAIN.md 2.6): a user
    the SIEM API listed without a domain is the account of that name, not another value."""
    graph = _logged_on(("W10-FOR-ATP", "Administrator"), ("CONTOSO", "liz-bean"))
    assert _verdict("LogOnUsers", legacy, graph) == "match"


def test_a_logged_on_user_of_another_domain_still_differs():
    graph = _logged_on(("W10-FOR-ATP", "Administrator"))
    assert _verdict("LogOnUsers", "CONTOSO\\Administrator", graph) == "mismatch"


def _device(**values: Any) -> dict[str, Any]:
    return {"evidence": [_evidence("deviceEvidence", **values)]}


def test_a_machine_domain_graph_gives_apart_from_a_bare_host_name_matches():
    """deviceDnsName is often a bare host name (DOMAIN.md 2.6: ``clw555test``); deviceEvidence's
    dnsDomain is 'The DNS domain that this computer belongs to' (security-deviceevidence.md)."""
    bare = _device(deviceDnsName="clw555test", hostName="clw555test", dnsDomain="contoso.com")
    assert _verdict("MachineDomain", "contoso.com", bare) == "match"
    assert _verdict("ComputerDnsName", "clw555test.contoso.com", bare) == "mismatch"


def test_a_machine_domain_of_another_domain_still_differs():
    other = _device(deviceDnsName="clw555test", dnsDomain="fabrikam.com")
    assert _verdict("MachineDomain", "contoso.com", other) == "mismatch"


DEVICE_ID = "deadbeef000040830ee54503926f556dcaf82bb0"  # DOMAIN.md 1.4 #39


@pytest.mark.parametrize("kind", ["processEvidence", "fileEvidence"])
def test_a_device_id_graph_gives_on_process_or_file_evidence_only_matches(kind):
    """Both evidence types carry mdeDeviceId (DOMAIN.md 2.6; security-processevidence.md)."""
    graph = {"evidence": [_evidence(kind, mdeDeviceId=DEVICE_ID.upper())]}
    assert _verdict("DeviceID", DEVICE_ID, graph) == "match"
    assert _verdict("DeviceID", DEVICE_ID, {"evidence": []}) == "missing_in_graph"
