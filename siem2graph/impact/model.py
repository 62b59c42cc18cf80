"""The content-impact result: frozen rows, with dict and DataFrame views for pages and exports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

# Reference verdicts
UNCHANGED = "unchanged"
RENAMED = "renamed"
UNSUPPORTED = "unsupported"
OBSOLETE = "obsolete"
SEMANTICS_CHANGED = "semantics_changed"
VALUE_CHANGED = "value_changed"
REFERENCE_VERDICTS = (UNCHANGED, RENAMED, UNSUPPORTED, OBSOLETE, SEMANTICS_CHANGED, VALUE_CHANGED)

# Rule verdicts, best first
WORKS = "works"
NEEDS_RENAMES = "needs_renames"
LOSES_INPUTS = "loses_inputs"
BROKEN = "broken"
RULE_VERDICTS = (WORKS, NEEDS_RENAMES, LOSES_INPUTS, BROKEN)

# What the check of a compared literal found ("" when the reference compares no literal)
VALUE_SAME = "unchanged"  # Graph carries the literal as written
VALUE_REPLACED = "replaced"  # one Graph value stands for exactly this literal: the replacement
VALUE_AMBIGUOUS = "ambiguous"  # several Graph values, or one shared with other legacy values
VALUE_UNSEEN = "unseen"  # the audit never saw it in Graph data
VALUE_NOT_CHECKED = "not_checked"  # no audit evidence and no vocabulary entry

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
    "note",
)
_RULE_COLUMNS = ("rule", "file", "format", "verdict", "references", "fields", "rewritten")


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
    verdict: str
    replacement: str = ""
    graph_path: str = ""
    literal: str = ""
    value_check: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RuleImpact:
    """One rule's references and overall verdict; ``rewritten_query`` only for needs_renames."""

    name: str
    file: str
    format: str
    verdict: str
    references: tuple[Reference, ...]
    query: str
    rewritten_query: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "format": self.format,
            "verdict": self.verdict,
            "references": [ref.to_dict() for ref in self.references],
            "query": self.query,
            "rewritten_query": self.rewritten_query,
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
                "references": len(r.references),
                "fields": ", ".join(dict.fromkeys(ref.field for ref in r.references)),
                "rewritten": bool(r.rewritten_query),
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
