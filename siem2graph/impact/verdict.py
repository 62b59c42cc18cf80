"""Verdicts: per reference (from the mapping and the audit's observed values) and per rule.

Reference verdicts, first that applies:
  unsupported / obsolete  the field's status in the mapping: the rule loses this input.
  semantics_changed       a derived field (MachineName -> deviceDnsName: the replacement holds the
                          value in another form) or one whose comparator says the meaning changed
                          (ThreatCategory -> mitreTechniques: no replacement, the input is lost).
  value_changed           a compared literal that Graph carries differently ("High" -> "high"),
                          ambiguously, or never.
  unchanged               the name as written is the Graph path, and any literal is unchanged.
  renamed                 otherwise: use the Graph path.

Rule verdicts, first that applies:
  broken         a filter or join key on an unsupported/obsolete field; or a literal never seen in
                 Graph data; or the rule has filters and every one of them is lost.
  loses_inputs   some reference is lost: unsupported, obsolete, semantics_changed without a
                 replacement, or a literal with no 1:1 Graph value.
  changes        some reference is semantics_changed with a replacement.
  needs_renames  some reference is renamed or value_changed with a 1:1 replacement.
  works          every reference unchanged (or none at all).
(not_affected, for rules reading no SIEM API data, is decided before any reference is judged.)

Bridge: a reference is restored by the bridge feed when its field has a Graph equivalent whose
comparator keeps the meaning and its literal, if any, comes back through the comparator's inverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from siem2graph.impact.evidence import Evidence
from siem2graph.impact.finder import FILTER, JOIN, Literal, Occurrence
from siem2graph.impact.model import (
    BridgeReference,
    BridgeRule,
    Reference,
    ReferenceVerdict,
    RuleVerdict,
    ValueCheck,
)
from siem2graph.mapping import FieldMapping, Status

_DROPPED = (ReferenceVerdict.UNSUPPORTED, ReferenceVerdict.OBSOLETE)
_CHANGED_VALUES = (ValueCheck.REPLACED, ValueCheck.AMBIGUOUS, ValueCheck.UNSEEN)


def _canonical(row: FieldMapping, value: str) -> tuple[str, ...]:
    """Legacy values the vocabulary maps alike are one value (EDR, Windows Defender ATP)."""
    return row.vocabulary.get(value.casefold()) or (value.casefold(),)


def _from_vocabulary(row: FieldMapping, literal: str) -> tuple[ValueCheck, str, str]:
    targets = row.vocabulary.get(literal.casefold())
    if not targets:
        return ValueCheck.NOT_CHECKED, "", ""
    if len(targets) > 1:
        return (
            ValueCheck.AMBIGUOUS,
            "",
            f"the mapping gives several Graph values: {', '.join(targets)}",
        )
    check = ValueCheck.SAME if targets[0] == literal else ValueCheck.REPLACED
    return (
        check,
        targets[0] if check == ValueCheck.REPLACED else "",
        "from the mapping's vocabulary",
    )


def judge_literal(
    row: FieldMapping, literal: str, evidence: Evidence
) -> tuple[ValueCheck, str, str]:
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
            return ValueCheck.SAME, "", "already a Graph value"
        check = _from_vocabulary(row, literal)
        if check[0] != ValueCheck.NOT_CHECKED:
            return check
        return ValueCheck.UNSEEN, "", "the audit never saw this value, in legacy or Graph data"
    if not graphs:
        return ValueCheck.UNSEEN, "", "the audit saw this value only on alerts lacking it in Graph"
    if graphs == {literal}:
        return ValueCheck.SAME, "", ""
    if len(graphs) > 1:
        return ValueCheck.AMBIGUOUS, "", f"Graph shows several values: {', '.join(sorted(graphs))}"
    (target,) = graphs
    sources = {_canonical(row, v) for v in observed.legacy_by_graph[target]}
    if sources != {_canonical(row, literal)}:
        others = sorted(observed.legacy_by_graph[target] - {literal.casefold()})
        return ValueCheck.AMBIGUOUS, "", f"Graph's {target!r} also stands for {', '.join(others)}"
    return ValueCheck.REPLACED, target, "observed in the audit"


def graph_paths_of(row: FieldMapping, evidence: Evidence) -> tuple[str, ...]:
    """The field's Graph paths: the audit's when it gave them, else the mapping's."""
    return evidence.paths.get(row.siem_field) or tuple(p.text for p in row.graph_paths)


def _on_bridge(row: FieldMapping, ref: Reference) -> BridgeReference:
    comparator = row.comparison
    if not row.has_graph_equivalent or comparator.meaning_changed:
        return BridgeReference.NOT_RESTORED
    if ref.value_check in (ValueCheck.AMBIGUOUS, ValueCheck.UNSEEN):
        return BridgeReference.NOT_RESTORED
    if ref.value_check == ValueCheck.REPLACED:
        back = comparator.to_legacy([ref.replacement], row.params, row.legacy_labels)
        return (
            BridgeReference.RESTORED
            if back.casefold() == ref.literal.casefold()
            else BridgeReference.NOT_RESTORED
        )
    return BridgeReference.RESTORED


def judge_occurrence(
    occurrence: Occurrence, line: int, row: FieldMapping, evidence: Evidence
) -> list[tuple[Reference, Literal | None]]:
    """The references of one occurrence: one per compared literal (one when it compares none)."""
    return [
        (replace(ref, bridge=_on_bridge(row, ref)), literal)
        for ref, literal in _judged(occurrence, line, row, evidence)
    ]


def _judged(
    occurrence: Occurrence, line: int, row: FieldMapping, evidence: Evidence
) -> list[tuple[Reference, Literal | None]]:
    paths = graph_paths_of(row, evidence)
    graph_path = paths[0] if paths else ""
    base = Reference(
        field=row.siem_field,
        as_written=occurrence.as_written,
        line=line,
        usage=occurrence.usage,
        verdict=ReferenceVerdict.RENAMED,
        graph_path=graph_path,
        note=f"or: {', '.join(paths[1:])}" if len(paths) > 1 else "",
    )
    if not row.has_graph_equivalent:  # unsupported or obsolete: the reference is the same
        lost = ReferenceVerdict(row.status)
        return [(replace(base, verdict=lost, note=row.microsoft_note), None)]
    meaning_changed = row.comparison.meaning_changed
    if row.status == Status.DERIVED or meaning_changed:
        # a derived field's value is still at the path (in another form); a changed meaning is not
        replacement = "" if meaning_changed else graph_path
        note = row.note or row.microsoft_note
        changed = replace(
            base, verdict=ReferenceVerdict.SEMANTICS_CHANGED, replacement=replacement, note=note
        )
        return [(changed, None)]
    name_verdict = (
        ReferenceVerdict.UNCHANGED
        if occurrence.as_written == graph_path
        else ReferenceVerdict.RENAMED
    )
    name_ref = replace(
        base,
        verdict=name_verdict,
        replacement=graph_path if name_verdict == ReferenceVerdict.RENAMED else "",
    )
    if not occurrence.literals:
        return [(name_ref, None)]
    references: list[tuple[Reference, Literal | None]] = []
    for literal in occurrence.literals:
        check, value, note = judge_literal(row, literal.value, evidence)
        if check in _CHANGED_VALUES:
            ref = replace(
                base, verdict=ReferenceVerdict.VALUE_CHANGED, replacement=value, note=note
            )
        else:
            ref = replace(name_ref, note=note or name_ref.note)
        references.append((replace(ref, literal=literal.value, value_check=check), literal))
    return references


def _lost(ref: Reference) -> bool:
    return (
        ref.verdict in _DROPPED
        or (ref.verdict == ReferenceVerdict.SEMANTICS_CHANGED and not ref.replacement)
        or ref.value_check == ValueCheck.AMBIGUOUS
    )


def rule_verdict(references: Sequence[Reference]) -> RuleVerdict:
    """The rule's verdict from its references (rules in the module docstring)."""
    filters = [r for r in references if r.usage == FILTER]
    if (
        any(r.usage in (FILTER, JOIN) and r.verdict in _DROPPED for r in references)
        or any(r.value_check == ValueCheck.UNSEEN for r in references)
        or (filters and all(_lost(r) for r in filters))
    ):
        return RuleVerdict.BROKEN
    if any(_lost(r) for r in references):
        return RuleVerdict.LOSES_INPUTS
    if any(r.verdict == ReferenceVerdict.SEMANTICS_CHANGED for r in references):
        return RuleVerdict.CHANGES
    if any(r.verdict != ReferenceVerdict.UNCHANGED for r in references):
        return RuleVerdict.NEEDS_RENAMES
    return RuleVerdict.WORKS


def bridge_verdict(references: Sequence[Reference]) -> BridgeRule:
    """works_on_bridge when the bridge feed restores every reference, else needs_rewrite."""
    return (
        BridgeRule.WORKS_ON_BRIDGE
        if all(r.bridge == BridgeReference.RESTORED for r in references)
        else BridgeRule.NEEDS_REWRITE
    )
