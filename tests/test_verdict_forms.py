"""Verdicts on value forms both APIs document: one legacy detection beside one Graph alert of
the same meaning, audited end to end. The same meaning in another form is a match; a value the
comparator cannot interpret is unreadable, never a mismatch. Each case names its source
(/work/shared/DOMAIN.md sections, Microsoft docs)."""

from __future__ import annotations

from typing import Any

import pytest

from siem2graph.audit import audit_sources
from siem2graph.mapping import load_mapping
from siem2graph.model import VERDICTS
from tests.helpers import json_source

MAPPING = load_mapping()
ALERT_ID = "da637551227677560813_-961444813"  # DOMAIN.md section 3, the 'da' legacy id form
CREATED = "2021-04-27T12:19:27.7211305Z"


def _evidence(kind: str, **values: Any) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.security." + kind, **values}


def _verdict(field: str, legacy_value: str, graph_extra: dict[str, Any]) -> str:
    """The one verdict the audit gives ``field`` for one detection and its Graph alert."""
    legacy = {"AlertId": ALERT_ID, "AlertTime": CREATED, field: legacy_value}
    graph = {
        "id": ALERT_ID,
        "providerAlertId": ALERT_ID,
        "serviceSource": "microsoftDefenderForEndpoint",
        "createdDateTime": CREATED,
        "lastUpdateDateTime": CREATED,
        "evidence": [],
        **graph_extra,
    }
    report = audit_sources(
        [json_source("legacy.json", [legacy])], [json_source("graph.json", {"value": [graph]})]
    )
    assert report.join.matched_alerts == 1
    row = report.field(MAPPING.key_index[field.casefold()])
    found = [v for v in VERDICTS if getattr(row, v)]
    assert len(found) == 1, found
    return found[0]


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
