"""One Graph alert -> the SIEM API records it stands for, driven by the mapping.

The SIEM API emitted one record per detection, several sharing an AlertId. A Graph alert keeps
its detections' entities as evidence, so each evidence item of a kind a detection carried (a
file, a process, an IP address, a URL) becomes one record; the alert's other evidence (device,
user, ...) is context every record shares, read after the record's own item. An alert with none
of those kinds is one record. Each path is walked once per alert (alert-level paths) or once per
evidence item (evidence paths), then the records pick their items' values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from siem2graph.compare import Inverse
from siem2graph.mapping import FieldMapping, Mapping
from siem2graph.paths import GraphPath, evidence_type_name, walk

DETECTION_KINDS = frozenset({"fileEvidence", "processEvidence", "ipEvidence", "urlEvidence"})
EVIDENCE = "evidence"


@dataclass(frozen=True)
class Unfilled:
    """A SIEM field the feed leaves empty, with Microsoft's reason."""

    key: str
    status: str
    reason: str


@dataclass(frozen=True)
class _Column:
    key: str
    paths: tuple[GraphPath, ...]
    inverse: Inverse
    params: Any
    vocabulary: dict[str, tuple[str, ...]]


def _column(row: FieldMapping) -> _Column:
    inverse = row.comparison.to_legacy
    return _Column(row.siem_key, row.graph_paths, inverse, row.params, row.labelled_vocabulary)


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

    def writer(self) -> RecordBuilder:
        """A builder of records with this spec's columns."""
        return RecordBuilder(tuple(_column(row) for row in self.fields))


def _reads_evidence(path: GraphPath) -> bool:
    first = path.steps[0]
    return first.name == EVIDENCE and first.iterate


def _per_alert(column: _Column) -> bool:
    """Whether a column's value is the same in every record of an alert: it reads the alert
    itself, or evidence of context kinds only."""
    return all(
        not _reads_evidence(p) or p.steps[0].type_filter not in ("", *DETECTION_KINDS)
        for p in column.paths
    )


class RecordBuilder:
    """Builds the records of one alert after another (the columns prepared once)."""

    def __init__(self, columns: tuple[_Column, ...]) -> None:
        self._keys = tuple(c.key for c in columns)
        self._shared = [(i, c) for i, c in enumerate(columns) if _per_alert(c)]
        self._own = [(i, c) for i, c in enumerate(columns) if not _per_alert(c)]
        paths = {p.text: p for c in columns for p in c.paths}
        self._alert_paths = [p for p in paths.values() if not _reads_evidence(p)]
        self._evidence_paths = [p for p in paths.values() if _reads_evidence(p)]

    def records(self, alert: dict[str, Any]) -> list[dict[str, str]]:
        """The SIEM API records of one Graph alert (every column present, '' when empty)."""
        top = {p.text: list(walk(alert, p.steps, p.template)) for p in self._alert_paths}
        evidence = alert.get(EVIDENCE)
        items = [e for e in evidence if isinstance(e, dict)] if isinstance(evidence, list) else []
        kinds = [evidence_type_name(item) for item in items]
        per_item = [self._item_values(item, kind) for item, kind in zip(items, kinds, strict=True)]
        detections = [i for i, kind in enumerate(kinds) if kind in DETECTION_KINDS]
        context = [per_item[i] for i, kind in enumerate(kinds) if kind not in DETECTION_KINDS]
        values = [""] * len(self._keys)
        for position, column in self._shared:
            values[position] = _value(column, top, context)
        records = []
        for view in [[per_item[i], *context] for i in detections] or [context]:
            for position, column in self._own:
                values[position] = _value(column, top, view)
            records.append(dict(zip(self._keys, values, strict=True)))
        return records

    def _item_values(self, item: dict[str, Any], kind: str) -> dict[str, list[str]]:
        values = {}
        for path in self._evidence_paths:
            wanted = path.steps[0].type_filter
            if not wanted or wanted == kind:
                values[path.text] = list(walk(item, path.steps[1:], path.template))
        return values


def _value(
    column: _Column, top: dict[str, list[str]], items: Sequence[dict[str, list[str]]]
) -> str:
    """A column's legacy value from the alert's values and the record's evidence items'."""
    values = [
        value
        for path in column.paths
        for value in (
            top[path.text]
            if path.text in top
            else [v for item in items for v in item.get(path.text, ())]
        )
    ]
    return column.inverse(values, column.params, column.vocabulary) if values else ""


def siem_records(alert: dict[str, Any], spec: FeedSpec) -> list[dict[str, str]]:
    """The SIEM API records one Graph alert stands for (one-off; convert reuses a builder)."""
    return spec.writer().records(alert)
