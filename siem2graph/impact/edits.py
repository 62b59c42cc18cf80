"""Text edits of a rule: SIEM field names -> their new names, literals -> their 1:1 Graph values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from siem2graph.impact.finder import Literal, Occurrence
from siem2graph.impact.model import (
    Reference,
    ReferenceVerdict,
    ValueCheck,
)

Edit = tuple[int, int, str]
Judged = Sequence[tuple[Occurrence, Sequence[tuple[Reference, Literal | None]]]]


class ManualRewrite(ValueError):
    """The rule cannot be rewritten mechanically; the message says why."""


def _quoted(value: str, quote: str) -> str:
    if not quote:
        return value
    return value.replace("\\", "\\\\").replace(quote, "\\" + quote)


def renamed(ref: Reference) -> bool:
    """Whether the reference's name is to be replaced (by its Graph path, or what stands for it)."""
    return ref.verdict in (ReferenceVerdict.RENAMED, ReferenceVerdict.VALUE_CHANGED) or (
        ref.verdict == ReferenceVerdict.SEMANTICS_CHANGED and bool(ref.replacement)
    )


def edits_for(
    occurrence: Occurrence,
    judged: Iterable[tuple[Reference, Literal | None]],
    names: Mapping[str, str],
    literals: bool = True,
) -> list[Edit]:
    """The edits one occurrence's references call for; ``names`` gives the name written for a
    Graph path (the path itself when absent); ``literals=False`` keeps compared values."""
    edits: list[Edit] = []
    for ref, literal in judged:
        if renamed(ref) and ref.graph_path:
            new = names.get(ref.graph_path, ref.graph_path)
            edits.append((occurrence.start, occurrence.end, new))
        if literals and literal is not None and ref.value_check == ValueCheck.REPLACED:
            edits.append((literal.start, literal.end, _quoted(ref.replacement, literal.quote)))
    return edits


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with each span replaced (duplicate edits of one span count once)."""
    result = text
    for start, end, new in sorted(set(edits), reverse=True):
        result = result[:start] + new + result[end:]
    return result
