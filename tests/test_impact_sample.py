"""Content impact's value checks against the sample's real audit (not a hand-written one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from siem2graph.audit import audit_files
from siem2graph.impact import Evidence, analyse_content
from siem2graph.mapping import load_mapping

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
RULES = {
    "informational.spl": b'index=mde Severity="Informational" | table AlertTitle',
    "malware.spl": b'index=mde Category="Malware" | stats count by ComputerDnsName',
    "persistence.spl": b'index=mde Category="Persistence" | table AlertTitle',
    "edr.spl": b'index=mde Source="EDR" | table AlertTitle',
    "backdoor.spl": b'index=mde Category="Backdoor" | table AlertTitle',
}


@pytest.fixture(scope="module")
def rules():
    report = audit_files([SAMPLE / "legacy_siem_export.csv"], [SAMPLE / "graph_alerts_v2.json"])
    impact = analyse_content(list(RULES.items()), load_mapping(), Evidence.from_report(report))
    return {rule.name: rule for rule in impact.rules}


@pytest.mark.parametrize(
    ("rule", "verdict", "check", "replacement"),
    [
        # the sample maps Informational 1:1 to informational: a safe rewrite
        ("informational.spl", "needs_renames", "replaced", "informational"),
        # the sample saw Malware become Execution, CredentialAccess, CommandAndControl...
        ("malware.spl", "broken", "ambiguous", ""),
        # Persistence stayed Persistence: only the field name changes
        ("persistence.spl", "needs_renames", "unchanged", "category"),
        ("edr.spl", "needs_renames", "replaced", "microsoftDefenderForEndpoint"),
        # never seen in the audited data: the rule would silently match nothing
        ("backdoor.spl", "broken", "unseen", ""),
    ],
)
def test_literals_against_observed_values(rules, rule, verdict, check, replacement):
    found = rules[rule]
    literal = found.references[0]
    assert (found.verdict, literal.value_check, literal.replacement) == (
        verdict,
        check,
        replacement,
    )


def test_rename_only_rules_are_rewritten(rules):
    assert rules["informational.spl"].rewritten_query == (
        'index=mde severity="informational" | table title'
    )
    assert rules["malware.spl"].rewritten_query in ("", None)
