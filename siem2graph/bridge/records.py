"""One Graph alert -> the SIEM API records it stands for, driven by the mapping.

The SIEM API emitted one record per detection, several sharing an AlertId. A Graph alert keeps
its detections' entities as evidence, so each evidence item of a kind a detection carried (a
file, a process, an IP address, a URL) becomes one record; the alert's other evidence (device,
user, ...) is context every record shares, read after the record's own item. An alert with none
of those kinds is one record. Each path is walked once per alert (alert-level paths) or once per
evidence item (evidence paths), then the records pick their items' values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from siem2graph.inverses import Inverse
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
    labels: dict[str, str]

    @cached_property
    def texts(self) -> tuple[str, ...]:
        return tuple(path.text for path in self.paths)


def _column(row: FieldMapping) -> _Column:
    inverse = row.comparison.to_legacy
    return _Column(row.siem_key, row.graph_paths, inverse, row.params, row.legacy_labels)


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


class RecordBuilder:
    """Builds the records of one alert after another (the columns prepared once)."""

    def __init__(self, columns: tuple[_Column, ...]) -> None:
        self._keys = tuple(c.key for c in columns)
        self._columns = columns
        paths = {p.text: p for c in columns for p in c.paths}
        self._alert_paths = [p for p in paths.values() if not _reads_evidence(p)]
        self._evidence_paths = [p for p in paths.values() if _reads_evidence(p)]
        self._readers: dict[str, list[int]] = {}  # path -> the columns that read it
        for number, column in enumerate(columns):
            for path in column.paths:
                self._readers.setdefault(path.text, []).append(number)

    def records(self, alert: dict[str, Any]) -> list[dict[str, str]]:
        """The SIEM API records of one Graph alert (every column present, '' when empty).

        Every column is first filled from the alert and its context evidence; a record then
        recomputes only the columns its own evidence item holds values for."""
        shared = {p.text: walk(alert, p.steps, p.template) for p in self._alert_paths}
        evidence = alert.get(EVIDENCE)
        items = [e for e in evidence if isinstance(e, dict)] if isinstance(evidence, list) else []
        detections = []
        for item in items:
            kind = evidence_type_name(item)
            values = self._item_values(item, kind)
            if kind in DETECTION_KINDS:
                detections.append(values)
            else:
                for path, found in values.items():
                    shared.setdefault(path, []).extend(found)
        alert_row = [_value(column, shared) if column.paths else "" for column in self._columns]
        records = []
        for own in detections or [{}]:
            view = shared | {path: found + shared.get(path, []) for path, found in own.items()}
            row = alert_row.copy()
            for number in {n for path in own for n in self._readers[path]}:
                row[number] = _value(self._columns[number], view)
            records.append(dict(zip(self._keys, row, strict=True)))
        return records

    def _item_values(self, item: dict[str, Any], kind: str) -> dict[str, list[str]]:
        values = {}
        for path in self._evidence_paths:
            wanted = path.steps[0].type_filter
            if not wanted or wanted == kind:
                found = walk(item, path.steps[1:], path.template)
                if found:
                    values[path.text] = found
        return values


def _value(column: _Column, values: dict[str, list[str]]) -> str:
    """A column's legacy value from the values its paths hold for the record."""
    found = [value for text in column.texts for value in values.get(text, ())]
    return column.inverse(found, column.params, column.labels) if found else ""
