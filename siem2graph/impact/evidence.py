"""What the audit observed: per field, which Graph values each legacy value became."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from siem2graph.errors import InputError
from siem2graph.mapping import Mapping
from siem2graph.model import AuditReport, Verdict, records

GRAPH_VALUE_SEPARATOR = " | "


@dataclass(frozen=True)
class FieldValues:
    """One field's observed values. Legacy values are casefolded (SPL and Sigma match them so)."""

    graph_by_legacy: MappingABC[str, frozenset[str]]
    legacy_by_graph: MappingABC[str, frozenset[str]]


@dataclass(frozen=True)
class Evidence:
    """The audit's observations; empty when no audit was given."""

    values: MappingABC[str, FieldValues] = field(default_factory=lambda: MappingProxyType({}))
    paths: MappingABC[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    audited: bool = False

    @classmethod
    def from_report(cls, report: AuditReport) -> Evidence:
        """The observations of an audit run in this process (no report.json round trip)."""
        return evidence_from_audit(observed(report), report.mapping)


def observed(report: AuditReport) -> dict[str, Any]:
    """The part of report.json the value checks read, built without the rest."""
    return {
        "fields": [{"siem_field": f.siem_field, "graph_paths": list(f.graph_paths)}
                   for f in report.fields],
        "value_pairs": records(report.value_pairs),
    }  # fmt: skip


def _entry_text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise InputError(f"{where}: '{key}' must be a text")
    return value


def _field_name(name: str, index: dict[str, str], where: str) -> str:
    field_name = index.get(name.casefold())
    if not field_name:
        raise InputError(f"{where}: {name!r} is not a SIEM field of the mapping")
    return field_name


def _values(pairs: Any, index: dict[str, str]) -> dict[str, FieldValues]:
    if not isinstance(pairs, list):
        raise InputError("audit report: 'value_pairs' must be a list")
    graph_by_legacy: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    legacy_by_graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for number, entry in enumerate(pairs, 1):
        where = f"audit report value_pairs[{number}]"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: expected an object")
        name = _field_name(_entry_text(entry, "siem_field", where), index, where)
        legacy = _entry_text(entry, "legacy_value", where).casefold()
        seen = graph_by_legacy[name][legacy]  # a legacy value missing in Graph keeps an empty set
        if _entry_text(entry, "verdict", where) == Verdict.MISSING_IN_GRAPH:
            continue
        graph_text = entry.get("graph_value") or ""
        if not isinstance(graph_text, str):
            raise InputError(f"{where}: 'graph_value' must be a text")
        for value in filter(None, (v.strip() for v in graph_text.split(GRAPH_VALUE_SEPARATOR))):
            seen.add(value)
            legacy_by_graph[name][value].add(legacy)
    return {
        name: FieldValues(
            MappingProxyType({k: frozenset(v) for k, v in by_legacy.items()}),
            MappingProxyType({k: frozenset(v) for k, v in legacy_by_graph[name].items()}),
        )
        for name, by_legacy in graph_by_legacy.items()
    }


def _paths(fields: Any, index: dict[str, str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(fields, list):
        raise InputError("audit report: 'fields' must be a list")
    paths = {}
    for number, entry in enumerate(fields, 1):
        where = f"audit report fields[{number}]"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: expected an object")
        graph_paths = entry.get("graph_paths") or []
        if not isinstance(graph_paths, list) or not all(isinstance(p, str) for p in graph_paths):
            raise InputError(f"{where}: 'graph_paths' must be a list of texts")
        if graph_paths:
            name = _field_name(_entry_text(entry, "siem_field", where), index, where)
            paths[name] = tuple(graph_paths)
    return paths


def evidence_from_audit(audit: dict[str, Any] | None, mapping: Mapping) -> Evidence:
    """Read ``audit["value_pairs"]`` and ``audit["fields"]``; InputError names a malformed entry."""
    if audit is None:
        return Evidence()
    if not isinstance(audit, dict):
        raise InputError("audit report: expected a JSON object")
    index = mapping.key_index
    return Evidence(
        values=MappingProxyType(_values(audit.get("value_pairs") or [], index)),
        paths=MappingProxyType(_paths(audit.get("fields") or [], index)),
        audited=True,
    )
