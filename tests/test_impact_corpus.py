"""The content corpus against its hand-reviewed expectations (tests/content_corpus/expected.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from siem2graph.impact import (
    BRIDGE_VERDICTS,
    FORMATS,
    REFERENCE_VERDICTS,
    RULE_VERDICTS,
    USAGES,
    ContentImpact,
    analyse_content,
    read_content_paths,
)
from siem2graph.impact.evidence import evidence_from_audit
from siem2graph.mapping import load_mapping

CORPUS = Path(__file__).parent / "content_corpus"
CONTENT_DIRS = ("splunk", "sentinel", "qradar", "sigma", "arcsight", "text")
_REFERENCE_KEYS = ("field", "as_written", "line", "usage", "verdict")
_OPTIONAL_KEYS = ("literal", "value_check", "replacement")


@pytest.fixture(scope="module")
def impact() -> ContentImpact:
    files = read_content_paths([CORPUS / d for d in CONTENT_DIRS])
    audit = json.loads((CORPUS / "audit.json").read_text(encoding="utf-8"))
    mapping = load_mapping()
    return analyse_content(files, mapping, evidence_from_audit(audit, mapping))


def _actual(impact: ContentImpact) -> list[dict]:
    rules = []
    for rule in impact.rules:
        references = []
        for ref in rule.references:
            row = {key: getattr(ref, key) for key in _REFERENCE_KEYS}
            row.update({key: getattr(ref, key) for key in _OPTIONAL_KEYS if getattr(ref, key)})
            references.append(row)
        rules.append(
            {
                "name": rule.name,
                "file": rule.file,
                "format": rule.format,
                "verdict": rule.verdict,
                "references": references,
            }
        )
    return rules


def test_corpus_matches_expected_exactly(impact: ContentImpact) -> None:
    expected = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["rules"]
    actual = _actual(impact)
    assert [r["name"] for r in actual] == [r["name"] for r in expected]
    for got, want in zip(actual, expected, strict=True):
        assert got == want, got["name"]
    assert impact.problems == ()


def test_corpus_covers_every_format_and_verdict(impact: ContentImpact) -> None:
    assert {r.format for r in impact.rules} == {*FORMATS, "text"}
    assert {r.verdict for r in impact.rules} == set(RULE_VERDICTS)
    usages = {ref.usage for r in impact.rules for ref in r.references}
    assert usages == set(USAGES)
    verdicts = {ref.verdict for r in impact.rules for ref in r.references}
    assert verdicts == set(REFERENCE_VERDICTS) - {"unchanged"}  # no SIEM name is a Graph path
    assert {r.bridge for r in impact.rules} == {"", *BRIDGE_VERDICTS}
    assert len(impact.rules) >= 30


def test_rules_over_other_data_are_not_affected(impact: ContentImpact) -> None:
    """Sentinel's SecurityAlert, index=main and a Sigma process_creation rule name SIEM field
    names (Description, ThreatName, CommandLine) of their own sources (DOMAIN.md section 4)."""
    by_name = {r.name: r for r in impact.rules}
    for name in (
        "MDATP threat names from Sentinel's SecurityAlert table",
        "main_host_volume.spl",
        "Encoded PowerShell Command Line",
    ):
        rule = by_name[name]
        assert (rule.verdict, rule.references, rule.bridge, rule.rewrite) == (
            "not_affected",
            (),
            "",
            "",
        ), name
        assert "--siem-source" in rule.note
    assert by_name["Escalation note"].verdict == "not_affected"  # names no source and no field


def test_affected_rules_get_a_runnable_rewrite_or_a_reason(impact: ContentImpact) -> None:
    for rule in impact.rules:
        if rule.verdict in ("works", "not_affected"):
            assert (rule.rewrite, rule.rewritten_query) == ("", ""), rule.name
        elif rule.rewrite == "runnable":
            assert rule.rewritten_query and rule.verdict in ("needs_renames", "changes")
            assert "evidence[" not in rule.rewritten_query, rule.name  # not the path grammar
        else:
            assert (rule.rewrite, rule.rewritten_query) == ("manual", ""), rule.name
            assert rule.rewrite_note, rule.name
    by_name = {r.name: r for r in impact.rules}
    assert by_name["MDE - Medium and high alerts by machine group"].rewritten_query == (
        'index=mde sourcetype="mde:siem:alert" severity IN ("high", "medium")\n'
        "| spath path=evidence{} output=_evidence\n"
        '| eval _deviceEvidence=mvfilter(like(_evidence, "%\\"#microsoft.graph.security.'
        'deviceEvidence\\"%"))\n'
        '| eval rbacGroupName=mvmap(_deviceEvidence, spath(_deviceEvidence, "rbacGroupName"))\n'
        "| stats dc(id) as alerts by rbacGroupName \n"
        "| sort - alerts"
    )
    assert by_name["kql/mde_cmdline_hunt.kql"].rewritten_query.splitlines()[1:5] == [
        "AlertInfo",
        "| join kind=leftouter (AlertEvidence",
        '    | summarize ProcessCommandLine = take_anyif(ProcessCommandLine, EntityType == "Process"), '
        'DeviceName = take_anyif(DeviceName, EntityType == "Machine"), '
        'FileName = take_anyif(FileName, EntityType in ("File", "Process")), '
        'SHA1 = take_anyif(SHA1, EntityType in ("File", "Process")) by AlertId) on AlertId',
        "| where TimeGenerated > ago(7d)",
    ]
    repeated = by_name["MDE SIEM - Repeated alerts per user"]
    assert repeated.rewrite == "runnable"
    assert '| where Severity in ("Medium", "High")' in repeated.rewritten_query  # as AlertInfo has
    edr = by_name["MDE SIEM - EDR high severity by host"]
    assert edr.rewrite_note == (
        "KQL: Source_s is compared with 'EDR': the values DetectionSource holds are not in the "
        "mapping."
    )
    servers = by_name["MDE SIEM - High severity alerts on servers"]
    assert "rbacGroupName has no column in AlertInfo or AlertEvidence" in servers.rewrite_note
    sigma = by_name["MDE SIEM Credential Theft Hack Tool"]
    assert sigma.rewrite == "manual"
    assert "evidence[deviceEvidence].deviceDnsName" in sigma.rewrite_note
    enrichment = by_name["mde_alert_enrichment.spl"]
    assert "AlertId is a join key" in enrichment.rewrite_note
    not_remediated = by_name["MDE - Antivirus detections not remediated"]
    assert "RemediationIsSuccess (now evidence[].remediationStatus)" in not_remediated.rewrite_note


def test_counting_rules_say_what_their_rows_now_are(impact: ContentImpact) -> None:
    by_name = {r.name: r for r in impact.rules}
    counted = {name for name, rule in by_name.items() if rule.count_note}
    assert {
        "MDE - Daily alert count",  # stats count
        "mde_informational_noise.spl",  # top
        "MDE SIEM - EDR high severity by host",  # summarize count()
        "MDE high severity by host",  # AQL COUNT(*)
    } <= counted
    assert "MDE - Medium and high alerts by machine group" not in counted  # dc(AlertId)
    assert "main_host_volume.spl" not in counted  # not SIEM data


def test_derived_fields_with_a_replacement_change_rather_than_lose(impact: ContentImpact) -> None:
    by_name = {r.name: r for r in impact.rules}
    enrichment = by_name["mde_alert_enrichment.spl"]  # MachineName -> deviceDnsName
    assert enrichment.verdict == "changes"
    machine = [r for r in enrichment.references if r.field == "MachineName"]
    assert {(r.verdict, r.replacement) for r in machine} == {
        ("semantics_changed", "evidence[deviceEvidence].deviceDnsName")
    }
    trojan = by_name["MDE SIEM - Trojan threat category"]  # ThreatCategory: meaning changed
    assert trojan.verdict == "broken"
    assert trojan.references[0].replacement == ""


def test_frames_have_one_row_per_rule_and_reference(impact: ContentImpact) -> None:
    frames = impact.to_frames()
    assert len(frames["rules"]) == len(impact.rules)
    assert len(frames["references"]) == sum(len(r.references) for r in impact.rules)
    assert frames["references"]["line"].dtype.kind == "i"
    broken = frames["rules"].set_index("rule").loc["MDE - IOC hits"]
    assert broken["verdict"] == "broken"
    assert broken["fields"] == "IocName, AlertTime, ComputerDnsName, IocValue, CreatorIocName"
