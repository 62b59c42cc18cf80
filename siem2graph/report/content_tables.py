"""The content impact's tables as DataFrames: rules worst first, their references, unread files."""

from __future__ import annotations

from collections import Counter
from typing import TypeVar

import pandas as pd

from siem2graph.impact import (
    BRIDGE_LABELS,
    BRIDGE_VERDICTS,
    REFERENCE_VERDICTS,
    RULE_VERDICTS,
    ContentImpact,
    RuleImpact,
)

SECTION = "Content impact"
REDACTION_NOTE = (
    "Rule names, file names, queries, literals and notes: the names the audit's identifying "
    "fields held, and any IPv4 address, were replaced by the same pseudonyms; other names in "
    "the content were not."
)
RULE_COLUMNS = [
    "rule",
    "file",
    "format",
    "verdict",
    "bridge",
    "rewrite",
    "rewrite_note",
    "count_note",
    "fields",
    "references",
    *REFERENCE_VERDICTS,
]
REFERENCE_COLUMNS = [
    "rule",
    "file",
    "line",
    "field",
    "usage",
    "verdict",
    "replacement",
    "literal",
    "value_check",
    "bridge",
    "note",
]
_WORST_FIRST = {verdict: rank for rank, verdict in enumerate(reversed(RULE_VERDICTS))}
V = TypeVar("V", bound=str)


def _worst_first(impact: ContentImpact) -> list[RuleImpact]:
    """Rules broken first and works last; the content's order within a verdict."""
    return sorted(impact.rules, key=lambda rule: _WORST_FIRST[rule.verdict])


def content_rules(impact: ContentImpact) -> pd.DataFrame:
    """One row per rule: its verdict, the SIEM fields it uses, its references per verdict."""
    rows = []
    for rule in _worst_first(impact):
        counts = Counter(ref.verdict for ref in rule.references)
        rows.append(
            {
                "rule": rule.name,
                "file": rule.file,
                "format": rule.format,
                "verdict": rule.verdict,
                "bridge": rule.bridge,
                "rewrite": rule.rewrite,
                "rewrite_note": rule.rewrite_note,
                "count_note": rule.count_note,
                "fields": ", ".join(dict.fromkeys(ref.field for ref in rule.references)),
                "references": len(rule.references),
                **{str(verdict): counts[verdict] for verdict in REFERENCE_VERDICTS},
            }
        )
    return pd.DataFrame(rows, columns=RULE_COLUMNS)


def content_references(impact: ContentImpact) -> pd.DataFrame:
    """One row per reference, in the rules' order, with what to use in Graph instead."""
    rows = [
        {"rule": rule.name, "file": rule.file} | {c: getattr(ref, c) for c in REFERENCE_COLUMNS[2:]}
        for rule in _worst_first(impact)
        for ref in rule.references
    ]
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)


def content_problems(impact: ContentImpact) -> pd.DataFrame:
    """Content files that could not be read or parsed."""
    rows = [{"file": p.file, "problem": p.message} for p in impact.problems]
    return pd.DataFrame(rows, columns=["file", "problem"])


def _counted(counts: Counter[V], verdicts: tuple[V, ...]) -> str:
    return ", ".join(f"{counts[v]} {v.replace('_', ' ')}" for v in verdicts)


def rules_summary(impact: ContentImpact) -> str:
    """'N rules: a not affected, b works, c needs renames, d changes, e loses inputs, f broken'."""
    counts = Counter(rule.verdict for rule in impact.rules)
    noun = "rule" if len(impact.rules) == 1 else "rules"
    return f"{len(impact.rules)} {noun}: {_counted(counts, RULE_VERDICTS)}"


def bridge_summary(impact: ContentImpact) -> str:
    """'of N reading SIEM API data: x work on the bridge, y need the rewrite'."""
    counts = Counter(rule.bridge for rule in impact.rules if rule.bridge)
    shares = ", ".join(f"{counts[v]} {BRIDGE_LABELS[v]}" for v in BRIDGE_VERDICTS)
    return f"of {counts.total()} reading SIEM API data: {shares}"


def summary_items(impact: ContentImpact, redacted: bool) -> list[tuple[str, str, object]]:
    """The summary's content-impact rows (section, item, value)."""
    references = Counter(ref.verdict for rule in impact.rules for ref in rule.references)
    checks = (
        "against this audit's observed values"
        if impact.values_checked
        else "against the mapping's vocabularies only (no audit values)"
    )
    rows: list[tuple[str, str, object]] = [
        (SECTION, "rules", rules_summary(impact)),
        (SECTION, "on the bridge feed", bridge_summary(impact)),
        (
            SECTION,
            "references",
            f"{references.total()} references: {_counted(references, REFERENCE_VERDICTS)}",
        ),
        (SECTION, "content files not read", len(impact.problems)),
        (SECTION, "compared values checked", checks),
    ]
    if redacted:
        rows.append((SECTION, "redaction", REDACTION_NOTE))
    return rows
