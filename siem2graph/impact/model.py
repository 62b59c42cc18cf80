"""The content-impact result: frozen rows, with dict and DataFrame views for pages and exports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import pandas as pd


class ReferenceVerdict(StrEnum):
    """What one use of a SIEM field in a rule becomes against Graph alerts."""

    UNCHANGED = "unchanged"
    RENAMED = "renamed"
    UNSUPPORTED = "unsupported"
    OBSOLETE = "obsolete"
    SEMANTICS_CHANGED = "semantics_changed"
    VALUE_CHANGED = "value_changed"


class RuleVerdict(StrEnum):
    """A rule's verdict, best first; not_affected: the rule reads no SIEM API data."""

    NOT_AFFECTED = "not_affected"
    WORKS = "works"
    NEEDS_RENAMES = "needs_renames"
    CHANGES = "changes"
    LOSES_INPUTS = "loses_inputs"
    BROKEN = "broken"


class RewriteStatus(StrEnum):
    """Whether a rewrite runs as is, in the rule's own language, against Graph alerts as
    connectors land them; MANUAL says why not; NONE: the rule needs none."""

    NONE = ""
    RUNNABLE = "runnable"
    MANUAL = "manual"


class BridgeReference(StrEnum):
    """Does the bridge feed (siem2graph.bridge) give back what a reference reads?"""

    NONE = ""
    RESTORED = "restored"
    NOT_RESTORED = "not_restored"


class BridgeRule(StrEnum):
    """Does a rule run on the bridge feed as it is? NONE: a not_affected rule."""

    NONE = ""
    WORKS_ON_BRIDGE = "works_on_bridge"
    NEEDS_REWRITE = "needs_rewrite"


class ValueCheck(StrEnum):
    """What the check of a compared literal found; NONE: the reference compares no literal."""

    NONE = ""
    SAME = "unchanged"  # Graph carries the literal as written
    REPLACED = "replaced"  # one Graph value stands for exactly this literal: the replacement
    AMBIGUOUS = "ambiguous"  # several Graph values, or one shared with other legacy values
    UNSEEN = "unseen"  # the audit never saw it in Graph data
    NOT_CHECKED = "not_checked"  # no audit evidence and no vocabulary entry


REFERENCE_VERDICTS = tuple(ReferenceVerdict)
RULE_VERDICTS = tuple(RuleVerdict)
BRIDGE_VERDICTS = (BridgeRule.WORKS_ON_BRIDGE, BridgeRule.NEEDS_REWRITE)
BRIDGE_LABELS = {
    BridgeRule.WORKS_ON_BRIDGE: "work on the bridge",
    BridgeRule.NEEDS_REWRITE: "need the rewrite",
}

_REFERENCE_COLUMNS = (
    "rule",
    "file",
    "format",
    "field",
    "as_written",
    "line",
    "usage",
    "verdict",
    "replacement",
    "graph_path",
    "literal",
    "value_check",
    "bridge",
    "note",
)
_RULE_COLUMNS = (
    "rule",
    "file",
    "format",
    "verdict",
    "bridge",
    "references",
    "fields",
    "rewrite",
    "rewrite_note",
    "count_note",
    "note",
)


@dataclass(frozen=True)
class Reference:
    """One use of a SIEM field in a rule (one per compared literal when it compares several).

    ``replacement`` is the Graph path to use for a renamed field, the Graph value to use for a
    value_changed literal (empty without a 1:1 value), and a hint for a semantics_changed field.
    """

    field: str
    as_written: str
    line: int
    usage: str
    verdict: ReferenceVerdict
    replacement: str = ""
    graph_path: str = ""
    literal: str = ""
    value_check: ValueCheck = ValueCheck.NONE
    bridge: BridgeReference = BridgeReference.NONE
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RuleImpact:
    """One rule's references and overall verdict.

    ``rewrite``: RUNNABLE (``rewritten_query`` runs as is) or MANUAL (``rewrite_note`` says why).
    ``bridge``: the verdict on the bridge feed. ``count_note`` warns that the rule counts rows.
    """

    name: str
    file: str
    format: str
    verdict: RuleVerdict
    references: tuple[Reference, ...]
    query: str
    rewritten_query: str = ""
    rewrite: RewriteStatus = RewriteStatus.NONE
    rewrite_note: str = ""
    count_note: str = ""
    bridge: BridgeRule = BridgeRule.NONE
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "format": self.format,
            "verdict": self.verdict,
            "bridge": self.bridge,
            "references": [ref.to_dict() for ref in self.references],
            "query": self.query,
            "rewritten_query": self.rewritten_query,
            "rewrite": self.rewrite,
            "rewrite_note": self.rewrite_note,
            "count_note": self.count_note,
            "note": self.note,
        }


@dataclass(frozen=True)
class FileProblem:
    """A content file that could not be read or parsed."""

    file: str
    message: str


@dataclass(frozen=True)
class ContentImpact:
    """Every rule found in the uploaded content, and the files that could not be read."""

    rules: tuple[RuleImpact, ...]
    problems: tuple[FileProblem, ...] = ()
    values_checked: bool = False  # an audit's observed values were available

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": [rule.to_dict() for rule in self.rules],
            "problems": [asdict(p) for p in self.problems],
            "values_checked": self.values_checked,
        }

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """{"rules": one row per rule, "references": one row per reference}."""
        rules = [
            {
                "rule": r.name,
                "file": r.file,
                "format": r.format,
                "verdict": r.verdict,
                "bridge": r.bridge,
                "references": len(r.references),
                "fields": ", ".join(dict.fromkeys(ref.field for ref in r.references)),
                "rewrite": r.rewrite,
                "rewrite_note": r.rewrite_note,
                "count_note": r.count_note,
                "note": r.note,
            }
            for r in self.rules
        ]
        references = [
            {"rule": r.name, "file": r.file, "format": r.format, **ref.to_dict()}
            for r in self.rules
            for ref in r.references
        ]
        return {
            "rules": pd.DataFrame(rules, columns=list(_RULE_COLUMNS)),
            "references": pd.DataFrame(references, columns=list(_REFERENCE_COLUMNS)),
        }
