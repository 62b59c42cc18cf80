"""One Graph alert -> the SIEM API records it stands for, driven by the mapping.

The SIEM API emitted one record per detection, several sharing an AlertId. A Graph alert keeps
its detections' entities as evidence, so each evidence item of a kind a detection carried (a
file, a process, an IP address, a URL) becomes one record; the alert's other evidence (device,
user, ...) is context every record shares. An alert with none of those kinds is one record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from siem2graph.compare import COMPARATORS
from siem2graph.mapping import FieldMapping, Mapping
from siem2graph.paths import evidence_type_name, extract

DETECTION_KINDS = frozenset({"fileEvidence", "processEvidence", "ipEvidence", "urlEvidence"})


@dataclass(frozen=True)
class Unfilled:
    """A SIEM field the feed leaves empty, with Microsoft's reason."""

    key: str
    status: str
    reason: str


@dataclass(frozen=True)
class FeedSpec:
    """The feed's columns (SIEM API key spellings, in the mapping's order) and their fields."""

    fields: tuple[FieldMapping, ...]

    @classmethod
    def from_mapping(cls, mapping: Mapping) -> FeedSpec:
        return cls(mapping.fields)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(row.siem_key for row in self.fields)

    @property
    def unfilled(self) -> tuple[Unfilled, ...]:
        """Fields Graph cannot fill: present and empty in every record."""
        return tuple(
            Unfilled(row.siem_key, row.status, row.microsoft_note)
            for row in self.fields
            if not row.has_graph_equivalent
        )


def _views(alert: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The alert once per detection-equivalent: its evidence cut to that item plus context."""
    evidence = alert.get("evidence")
    items = [e for e in evidence if isinstance(e, dict)] if isinstance(evidence, list) else []
    detections = [e for e in items if evidence_type_name(e) in DETECTION_KINDS]
    context = [e for e in items if evidence_type_name(e) not in DETECTION_KINDS]
    if not detections:
        yield alert
        return
    for item in detections:
        yield {**alert, "evidence": [item, *context]}


def _value(view: dict[str, Any], row: FieldMapping) -> str:
    values = [value for path in row.graph_paths for value in extract(view, path)]
    if not values:
        return ""
    comparator = COMPARATORS[row.comparator]
    return comparator.to_legacy(values, row.params, row.labelled_vocabulary)


def siem_records(alert: dict[str, Any], spec: FeedSpec) -> list[dict[str, str]]:
    """The SIEM API records one Graph alert stands for (every column present, '' when empty)."""
    return [{row.siem_key: _value(view, row) for row in spec.fields} for view in _views(alert)]
