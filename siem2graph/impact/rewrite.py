"""Rewrites of affected rules: a query that runs, in the rule's own language, against Graph
alerts as connectors land them; or "manual" with the reason there is none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from siem2graph.impact.edits import Judged, ManualRewrite, apply_edits, edits_for
from siem2graph.impact.kql_rewrite import NOTE as KQL_NOTE
from siem2graph.impact.kql_rewrite import rewrite_kql, shipped_tables
from siem2graph.impact.model import (
    ReferenceVerdict,
    RewriteStatus,
    RuleVerdict,
    ValueCheck,
)
from siem2graph.impact.source import ParsedRule
from siem2graph.impact.spl_rewrite import NOTE as SPL_NOTE
from siem2graph.impact.spl_rewrite import rewrite_spl
from siem2graph.paths import parse_path

_MANUAL = {
    "aql": (
        "QRadar: Graph alerts arrive with the properties your DSM or custom event properties "
        "define; rewrite by hand with the references' Graph paths."
    ),
    "arcsight": (
        "ArcSight: Graph alerts arrive with the field names your connector maps them to; "
        "rewrite by hand with the references' Graph paths."
    ),
    "text": "Plain text: edit by hand with the references' Graph paths.",
}
_WHY_LOST = {
    ValueCheck.AMBIGUOUS: "no 1:1 Graph value",
    ValueCheck.UNSEEN: "never seen in Graph data",
}
_SIGMA = "Sigma: field names are Graph alert properties; point logsource at your Graph alerts."
_SPL_FORMATS = ("spl", "splunk_conf")
_KQL_FORMATS = ("kql", "sentinel_arm", "sentinel_yaml")


@dataclass(frozen=True)
class Rewrite:
    """A rewritten query (when RewriteStatus.RUNNABLE), its status and a note."""

    query: str = ""
    status: RewriteStatus = RewriteStatus.NONE
    note: str = ""


def _sigma(parsed: ParsedRule, judged: Judged) -> Rewrite:
    nested = sorted(
        {
            ref.graph_path
            for _, references in judged
            for ref, _ in references
            if ref.graph_path and len(parse_path(ref.graph_path).steps) > 1
        }
    )
    if nested:
        reason = f"Sigma: {', '.join(nested)} need your backend's field mapping for Graph alerts."
        return Rewrite("", RewriteStatus.MANUAL, reason)
    edits = [e for occurrence, refs in judged for e in edits_for(occurrence, refs, {})]
    return Rewrite(apply_edits(parsed.text, edits), RewriteStatus.RUNNABLE, _SIGMA)


def _lost(judged: Judged) -> str:
    """'No rename restores: Md5 (unsupported), Category = 'Malware' (no 1:1 Graph value)'."""
    lost = []
    for _, references in judged:
        for ref, _ in references:
            if ref.literal and ref.value_check in _WHY_LOST:
                lost.append(f"{ref.as_written} = {ref.literal!r} ({_WHY_LOST[ref.value_check]})")
            elif ref.verdict in (ReferenceVerdict.UNSUPPORTED, ReferenceVerdict.OBSOLETE):
                lost.append(f"{ref.as_written} ({ref.verdict})")
            elif ref.verdict == ReferenceVerdict.SEMANTICS_CHANGED and not ref.replacement:
                lost.append(f"{ref.as_written} (its meaning changed)")
    return f"No rename restores: {', '.join(dict.fromkeys(lost))}."


def rewrite_rule(
    parsed: ParsedRule, judged: Judged, verdict: str, paths_of: Callable[[str], Sequence[str]]
) -> Rewrite:
    """The rewrite an affected rule (needs_renames, changes, loses_inputs, broken) gets."""
    if verdict in (RuleVerdict.LOSES_INPUTS, RuleVerdict.BROKEN):
        return Rewrite("", RewriteStatus.MANUAL, _lost(judged))
    compared = [
        f"{ref.as_written} (now {ref.replacement})"
        for occurrence, references in judged
        for ref, _ in references
        if ref.verdict == ReferenceVerdict.SEMANTICS_CHANGED and occurrence.literals
    ]
    if compared:
        reason = f"{', '.join(compared)}: compared with a value Graph holds in another form."
        return Rewrite("", RewriteStatus.MANUAL, reason)
    if parsed.format in _SPL_FORMATS:
        try:
            return Rewrite(
                rewrite_spl(parsed.text, judged, paths_of), RewriteStatus.RUNNABLE, SPL_NOTE
            )
        except ManualRewrite as exc:
            return Rewrite("", RewriteStatus.MANUAL, f"SPL: {exc}.")
    if parsed.format in _KQL_FORMATS:
        try:
            query = rewrite_kql(parsed.text, judged, paths_of, parsed.sources, shipped_tables())
        except ManualRewrite as exc:
            return Rewrite("", RewriteStatus.MANUAL, f"KQL: {exc}.")
        return Rewrite(query, RewriteStatus.RUNNABLE, KQL_NOTE)
    if parsed.format == "sigma":
        try:
            return _sigma(parsed, judged)
        except ValueError as exc:
            return Rewrite("", RewriteStatus.MANUAL, f"Sigma: {exc}.")
    return Rewrite("", RewriteStatus.MANUAL, _MANUAL.get(parsed.format, _MANUAL["text"]))
