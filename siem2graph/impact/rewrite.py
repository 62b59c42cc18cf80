"""Rewrite a rule's text: SIEM field names -> Graph paths, literals -> their 1:1 Graph values."""

from __future__ import annotations

from collections.abc import Iterable

from siem2graph.impact.finder import Literal, Occurrence
from siem2graph.impact.model import RENAMED, VALUE_CHANGED, VALUE_REPLACED, Reference

Edit = tuple[int, int, str]


def _quoted(value: str, quote: str) -> str:
    if not quote:
        return value
    return value.replace("\\", "\\\\").replace(quote, "\\" + quote)


def edits_for(
    occurrence: Occurrence, judged: Iterable[tuple[Reference, Literal | None]]
) -> list[Edit]:
    """The edits one occurrence's references call for."""
    edits: list[Edit] = []
    for ref, literal in judged:
        if ref.verdict in (RENAMED, VALUE_CHANGED) and ref.graph_path:
            edits.append((occurrence.start, occurrence.end, ref.graph_path))
        if literal is not None and ref.value_check == VALUE_REPLACED:
            edits.append((literal.start, literal.end, _quoted(ref.replacement, literal.quote)))
    return edits


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with each span replaced (duplicate edits of one span count once)."""
    result = text
    for start, end, new in sorted(set(edits), reverse=True):
        result = result[:start] + new + result[end:]
    return result
