"""Compared literals against the audit's observed values, and the rule verdict rules."""

from __future__ import annotations

import pytest

from siem2graph.errors import InputError
from siem2graph.impact import Reference, analyse_content
from siem2graph.impact.evidence import evidence_from_audit
from siem2graph.impact.verdict import judge_literal, rule_verdict
from siem2graph.mapping import load_mapping

MAPPING = load_mapping()


def _pair(field: str, legacy: str, graph: str, verdict: str = "mismatch") -> dict:
    return {
        "siem_field": field,
        "legacy_value": legacy,
        "graph_value": graph,
        "verdict": verdict,
        "alerts": 3,
    }


AUDIT = {
    "value_pairs": [
        _pair("Severity", "High", "high", "match"),
        _pair("Category", "Malware", "Execution"),
        _pair("Category", "LateralMovement", "LateralMovement", "match"),
        _pair("Category", "Ransomware", "", "missing_in_graph"),
        _pair("Category", "SuspiciousActivity", "DefenseEvasion | Persistence"),
        _pair("Source", "EDR", "microsoftDefenderForEndpoint", "match"),
        _pair("Source", "Windows Defender ATP", "microsoftDefenderForEndpoint", "match"),
    ]
}


@pytest.mark.parametrize(
    ("field", "literal", "expected"),
    [
        ("Severity", "High", ("replaced", "high")),
        ("Severity", "high", ("unchanged", "")),  # already the Graph value
        ("Category", "Malware", ("replaced", "Execution")),
        ("Category", "LateralMovement", ("unchanged", "")),
        ("Category", "Ransomware", ("unseen", "")),  # only on alerts missing it in Graph
        ("Category", "Phishing", ("unseen", "")),  # never seen at all
        ("Category", "SuspiciousActivity", ("ambiguous", "")),  # several Graph values
        ("Severity", "Low", ("replaced", "low")),  # not in the audit: the mapping's vocabulary
        ("Severity", "Critical", ("unseen", "")),
        # EDR and Windows Defender ATP are one value to the vocabulary: still 1:1
        ("Source", "EDR", ("replaced", "microsoftDefenderForEndpoint")),
        ("AlertTitle", "Test Alert", ("not_checked", "")),  # the audit has no values for it
    ],
)
def test_literal_against_observed_values(field: str, literal: str, expected: tuple) -> None:
    evidence = evidence_from_audit(AUDIT, MAPPING)
    check, replacement, _ = judge_literal(MAPPING.field(field), literal, evidence)
    assert (check, replacement) == expected


def test_a_graph_value_shared_by_two_legacy_values_has_no_replacement() -> None:
    audit = {"value_pairs": [*AUDIT["value_pairs"], _pair("Category", "Exploit", "Execution")]}
    check, replacement, note = judge_literal(
        MAPPING.field("Category"), "Malware", evidence_from_audit(audit, MAPPING)
    )
    assert (check, replacement) == ("ambiguous", "")
    assert "exploit" in note


def test_without_audit_only_the_vocabulary_speaks() -> None:
    evidence = evidence_from_audit(None, MAPPING)
    assert judge_literal(MAPPING.field("Severity"), "High", evidence)[:2] == ("replaced", "high")
    assert judge_literal(MAPPING.field("Category"), "Malware", evidence)[:2] == ("not_checked", "")
    assert judge_literal(MAPPING.field("RemediationIsSuccess"), "true", evidence)[0] == "ambiguous"


def _rule(query: str, audit: dict | None = AUDIT):
    evidence = evidence_from_audit(audit, MAPPING)
    (rule,) = analyse_content([("rule.spl", query.encode())], MAPPING, evidence).rules
    return rule


@pytest.mark.parametrize(
    ("query", "verdict"),
    [
        ("index=mde | stats count by host", "works"),
        ('index=mde Severity="High" | table AlertTitle', "needs_renames"),
        ('index=mde Category="Malware"', "needs_renames"),
        ('index=mde Category="LateralMovement"', "needs_renames"),
        ('index=mde Severity="High" | table AlertTitle, Md5', "loses_inputs"),
        ('index=mde Severity="High" Category="SuspiciousActivity"', "loses_inputs"),
        ('index=mde Category="SuspiciousActivity"', "broken"),  # its only filter is lost
        ('index=mde Severity="High" ThreatCategory="Trojan"', "loses_inputs"),
        ('index=mde ThreatCategory="Trojan" | table AlertTitle', "broken"),
        ('index=mde Severity="High" Md5="854b85cbff2b6e8d9c3d8a2a0d3f8a1e"', "broken"),
        ('index=mde Severity="High" | join AlertPart [search index=x]', "broken"),
        ('index=mde Severity="High" Category="Ransomware"', "broken"),
        ('index=mde Severity="Critical"', "broken"),
    ],
)
def test_rule_verdicts(query: str, verdict: str) -> None:
    assert _rule(query).verdict == verdict


def test_value_changed_literal_is_rewritten_with_its_graph_value() -> None:
    rule = _rule('index=mde Severity="High" Category=Malware | stats count by ComputerDnsName')
    assert [(r.field, r.verdict, r.literal, r.replacement) for r in rule.references] == [
        ("Severity", "value_changed", "High", "high"),
        ("Category", "value_changed", "Malware", "Execution"),
        ("ComputerDnsName", "renamed", "", "evidence[deviceEvidence].deviceDnsName"),
    ]
    assert rule.rewritten_query == (
        'index=mde severity="high" category=Execution\n'
        "| spath path=evidence{} output=_evidence\n"
        '| eval _deviceEvidence=mvfilter(like(_evidence, "%\\"#microsoft.graph.security.'
        'deviceEvidence\\"%"))\n'
        '| eval deviceDnsName=mvmap(_deviceEvidence, spath(_deviceEvidence, "deviceDnsName"))\n'
        "| stats count by deviceDnsName"
    )
    assert rule.rewrite == "runnable"
    assert "detections" in rule.count_note


def test_replaced_values_are_escaped_for_the_quotes_they_sit_in() -> None:
    audit = {"value_pairs": [_pair("Description", "C:\\Windows\\Temp", "c:\\windows\\temp")]}
    rule = _rule('index=mde Description="C:\\\\Windows\\\\Temp"', audit)
    assert rule.references[0].literal == "C:\\Windows\\Temp"
    assert rule.rewritten_query == 'index=mde description="c:\\\\windows\\\\temp"'
    sigma = "title: t\ndetection:\n  s:\n    Description: 'C:\\Windows\\Temp'\n"
    evidence = evidence_from_audit(audit, MAPPING)
    (rule,) = analyse_content([("r.yml", sigma.encode())], MAPPING, evidence).rules
    assert "description: 'c:\\windows\\temp'" in rule.rewritten_query


def test_audit_graph_paths_take_precedence_over_the_mapping() -> None:
    audit = {"fields": [{"siem_field": "Sha1", "status": "mapped", "graph_paths": ["xsha1"]}]}
    rule = _rule("index=mde | table Sha1", audit)
    assert rule.references[0].replacement == "xsha1"
    assert rule.rewritten_query == "index=mde | table xsha1"


def test_rule_verdict_without_references_is_works() -> None:
    assert rule_verdict([]) == "works"
    mentioned = Reference("Md5", "Md5", 1, "mentioned", "unsupported")
    assert rule_verdict([mentioned]) == "loses_inputs"


@pytest.mark.parametrize(
    "audit",
    [
        ["not", "an", "object"],
        {"value_pairs": {"siem_field": "Severity"}},
        {"value_pairs": [{"siem_field": "Severity", "legacy_value": 3, "verdict": "match"}]},
        {"value_pairs": [_pair("NoSuchField", "a", "b")]},
        {"fields": [{"siem_field": "Sha1", "graph_paths": "x"}]},
    ],
)
def test_a_malformed_audit_is_an_input_error(audit: object) -> None:
    with pytest.raises(InputError, match="audit report"):
        evidence_from_audit(audit, MAPPING)  # type: ignore[arg-type]


def test_a_name_already_equal_to_its_graph_path_is_unchanged() -> None:
    audit = {
        "fields": [{"siem_field": "Severity", "status": "mapped", "graph_paths": ["Severity"]}],
        "value_pairs": [_pair("Severity", "High", "High", "match")],
    }
    rule = _rule('index=mde Severity="High"', audit)
    assert [(r.verdict, r.value_check) for r in rule.references] == [("unchanged", "unchanged")]
    assert (rule.verdict, rule.rewritten_query) == ("works", "")
