"""The content corpus against its hand-reviewed expectations (tests/content_corpus/expected.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from siem2graph.impact import (
    FORMATS,
    REFERENCE_VERDICTS,
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
    assert {r.verdict for r in impact.rules} == {"works", "needs_renames", "loses_inputs", "broken"}
    usages = {ref.usage for r in impact.rules for ref in r.references}
    assert usages == set(USAGES)
    verdicts = {ref.verdict for r in impact.rules for ref in r.references}
    assert verdicts == set(REFERENCE_VERDICTS) - {"unchanged"}  # no SIEM name is a Graph path
    assert len(impact.rules) >= 30


def test_rename_only_rules_get_a_rewrite_and_others_do_not(impact: ContentImpact) -> None:
    for rule in impact.rules:
        assert bool(rule.rewritten_query) == (rule.verdict == "needs_renames"), rule.name
    by_name = {r.name: r for r in impact.rules}
    assert by_name["MDE - Medium and high alerts by machine group"].rewritten_query == (
        'index=mde sourcetype="mde:siem:alert" severity IN ("high", "medium") \n'
        "| stats dc(id) as alerts by evidence[deviceEvidence].rbacGroupName \n"
        "| sort - alerts"
    )
    assert by_name["MDE SIEM - Repeated alerts per user"].rewritten_query.splitlines()[1] == (
        '| where severity in ("medium", "high")'
    )
    sigma = by_name["MDE SIEM Credential Theft Hack Tool"].rewritten_query
    assert "        detectionSource: 'antivirus'\n" in sigma
    assert "threatDisplayName|contains:" in sigma
    assert yaml.safe_load(sigma)["fields"][0] == "evidence[deviceEvidence].deviceDnsName"
    aql = by_name["MDE high severity by host"].rewritten_query
    assert """AND "severity" = 'high'""" in aql


def test_frames_have_one_row_per_rule_and_reference(impact: ContentImpact) -> None:
    frames = impact.to_frames()
    assert len(frames["rules"]) == len(impact.rules)
    assert len(frames["references"]) == sum(len(r.references) for r in impact.rules)
    assert frames["references"]["line"].dtype.kind == "i"
    broken = frames["rules"].set_index("rule").loc["MDE - IOC hits"]
    assert broken["verdict"] == "broken"
    assert broken["fields"] == "IocName, AlertTime, ComputerDnsName, IocValue, CreatorIocName"
