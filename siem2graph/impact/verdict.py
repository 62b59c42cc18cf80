"""Verdicts: per reference (from the mapping and the audit's observed values) and per rule.

Reference verdicts, first that applies:
  unsupported / obsolete  the field's status in the mapping: the rule loses this input.
  semantics_changed       a derived field or a presence-compared one (ThreatCategory ->
                          mitreTechniques): the Graph path holds something else.
  value_changed           a compared literal that Graph carries differently ("High" -> "high"),
                          ambiguously, or never.
  unchanged               the name as written is the Graph path, and any literal is unchanged.
  renamed                 otherwise: use the Graph path.

Rule verdicts, first that applies:
  broken         a filter or join key on an unsupported/obsolete field; or a literal never seen in
                 Graph data; or the rule has filters and every one of them is lost.
  loses_inputs   some reference is lost: unsupported, obsolete, semantics_changed, or a literal with
                 no 1:1 Graph value.
  needs_renames  some reference is renamed or value_changed with a 1:1 replacement.
  works          every reference unchanged (or none at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from siem2graph.impact.evidence import Evidence
from siem2graph.impact.finder import FILTER, JOIN, Literal, Occurrence
from siem2graph.impact.model import (
    BROKEN,
    LOSES_INPUTS,
    NEEDS_RENAMES,
    OBSOLETE,
    RENAMED,
    SEMANTICS_CHANGED,
    UNCHANGED,
    UNSUPPORTED,
    VALUE_AMBIGUOUS,
    VALUE_CHANGED,
    VALUE_NOT_CHECKED,
    VALUE_REPLACED,
    VALUE_SAME,
    VALUE_UNSEEN,
    WORKS,
    Reference,
)
from siem2graph.mapping import FieldMapping, Status

_LOST = (UNSUPPORTED, OBSOLETE, SEMANTICS_CHANGED)
_CHANGED_VALUES = (VALUE_REPLACED, VALUE_AMBIGUOUS, VALUE_UNSEEN)


def _canonical(row: FieldMapping, value: str) -> tuple[str, ...]:
    """Legacy values the vocabulary maps alike are one value (EDR, Windows Defender ATP)."""
    return row.vocabulary.get(value.casefold()) or (value.casefold(),)


def _from_vocabulary(row: FieldMapping, literal: str) -> tuple[str, str, str]:
    targets = row.vocabulary.get(literal.casefold())
    if not targets:
        return VALUE_NOT_CHECKED, "", ""
    if len(targets) > 1:
        return VALUE_AMBIGUOUS, "", f"the mapping gives several Graph values: {', '.join(targets)}"
    check = VALUE_SAME if targets[0] == literal else VALUE_REPLACED
    return check, targets[0] if check == VALUE_REPLACED else "", "from the mapping's vocabulary"


def judge_literal(row: FieldMapping, literal: str, evidence: Evidence) -> tuple[str, str, str]:
    """(value check, replacement value, note) for a literal compared with ``row``'s field.

    The audit's observations decide when it saw the field; the mapping's vocabulary otherwise.
    A replacement is given only for a 1:1 correspondence: the literal became one Graph value, and
    that Graph value came from no other legacy value.
    """
    observed = evidence.values.get(row.siem_field)
    if observed is None:
        return _from_vocabulary(row, literal)
    graphs = observed.graph_by_legacy.get(literal.casefold())
    if graphs is None:
        if literal in observed.legacy_by_graph:
            return VALUE_SAME, "", "already a Graph value"
        check = _from_vocabulary(row, literal)
        if check[0] != VALUE_NOT_CHECKED:
            return check
        return VALUE_UNSEEN, "", "the audit never saw this value, in legacy or Graph data"
    if not graphs:
        return VALUE_UNSEEN, "", "the audit saw this value only on alerts lacking it in Graph"
    if graphs == {literal}:
        return VALUE_SAME, "", ""
    if len(graphs) > 1:
        return VALUE_AMBIGUOUS, "", f"Graph shows several values: {', '.join(sorted(graphs))}"
    (target,) = graphs
    sources = {_canonical(row, v) for v in observed.legacy_by_graph[target]}
    if sources != {_canonical(row, literal)}:
        others = sorted(observed.legacy_by_graph[target] - {literal.casefold()})
        return VALUE_AMBIGUOUS, "", f"Graph's {target!r} also stands for {', '.join(others)}"
    return VALUE_REPLACED, target, "observed in the audit"


def judge_occurrence(
    occurrence: Occurrence, line: int, row: FieldMapping, evidence: Evidence
) -> list[tuple[Reference, Literal | None]]:
    """The references of one occurrence: one per compared literal (one when it compares none)."""
    paths = evidence.paths.get(row.siem_field) or tuple(p.text for p in row.graph_paths)
    graph_path = paths[0] if paths else ""
    base = Reference(
        field=row.siem_field,
        as_written=occurrence.as_written,
        line=line,
        usage=occurrence.usage,
        verdict=RENAMED,
        graph_path=graph_path,
        note=f"or: {', '.join(paths[1:])}" if len(paths) > 1 else "",
    )
    if not row.has_graph_equivalent:
        return [(replace(base, verdict=row.status, note=row.microsoft_note), None)]
    if row.status == Status.DERIVED or row.comparison.meaning_changed:
        note = row.note or row.microsoft_note
        return [(replace(base, verdict=SEMANTICS_CHANGED, replacement=graph_path, note=note), None)]
    name_verdict = UNCHANGED if occurrence.as_written == graph_path else RENAMED
    name_ref = replace(
        base, verdict=name_verdict, replacement=graph_path if name_verdict == RENAMED else ""
    )
    if not occurrence.literals:
        return [(name_ref, None)]
    references: list[tuple[Reference, Literal | None]] = []
    for literal in occurrence.literals:
        check, value, note = judge_literal(row, literal.value, evidence)
        if check in _CHANGED_VALUES:
            ref = replace(base, verdict=VALUE_CHANGED, replacement=value, note=note)
        else:
            ref = replace(name_ref, note=note or name_ref.note)
        references.append((replace(ref, literal=literal.value, value_check=check), literal))
    return references


def _lost(ref: Reference) -> bool:
    return ref.verdict in _LOST or ref.value_check == VALUE_AMBIGUOUS


def rule_verdict(references: Sequence[Reference]) -> str:
    """The rule's verdict from its references (rules in the module docstring)."""
    filters = [r for r in references if r.usage == FILTER]
    if (
        any(r.usage in (FILTER, JOIN) and r.verdict in (UNSUPPORTED, OBSOLETE) for r in references)
        or any(r.value_check == VALUE_UNSEEN for r in references)
        or (filters and all(_lost(r) for r in filters))
    ):
        return BROKEN
    if any(_lost(r) for r in references):
        return LOSES_INPUTS
    if any(r.verdict != UNCHANGED for r in references):
        return NEEDS_RENAMES
    return WORKS
