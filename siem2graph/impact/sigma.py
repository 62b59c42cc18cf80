"""Sigma rules: detection keys are filters (``Field|modifier: value``), ``fields`` are outputs."""

from __future__ import annotations

from collections.abc import Iterator

from yaml.nodes import Node

from siem2graph.impact.datasources import OTHER
from siem2graph.impact.finder import FILTER, OUTPUT, Literal, Occurrence
from siem2graph.impact.names import NameResolver
from siem2graph.impact.source import ParsedRule
from siem2graph.impact.yamldoc import (
    MappingNode,
    ScalarNode,
    SequenceNode,
    child,
    compose,
    scalar_span,
)

_NOT_SELECTIONS = ("condition", "timeframe")
_WILDCARDS = ("*", "?")


def _selections(detection: MappingNode) -> Iterator[MappingNode]:
    for key, value in detection.value:
        if isinstance(key, ScalarNode) and key.value in _NOT_SELECTIONS:
            continue
        items = value.value if isinstance(value, SequenceNode) else [value]
        yield from (item for item in items if isinstance(item, MappingNode))


def _literals(value: Node) -> tuple[Literal, ...]:
    items = value.value if isinstance(value, SequenceNode) else [value]
    literals = []
    for item in items:
        if not isinstance(item, ScalarNode) or item.tag.endswith(":null") or not item.value:
            continue
        if any(w in item.value for w in _WILDCARDS):
            continue
        start, end = scalar_span(item)
        # YAML double quotes escape with backslashes; single quotes and plain scalars do not.
        quote = '"' if item.style == '"' else ""
        literals.append(Literal(item.value, start, end, quote))
    return tuple(literals)


def _occurrence(
    key: ScalarNode, value: Node | None, usage: str, resolver: NameResolver
) -> Occurrence | None:
    name, *modifiers = key.value.split("|")
    field = resolver.resolve(name)
    if not field:
        return None
    start = scalar_span(key)[0]
    # A modifier (contains, startswith, re...) makes the value a pattern, not a value to look up.
    literals = _literals(value) if value is not None and not modifiers else ()
    return Occurrence(field, name, start, start + len(name), usage, literals)


def parse_sigma(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """A Sigma rule named by its ``title``; the rewrite edits the whole rule file."""
    root = compose(text)
    detection = child(root, "detection")
    if not isinstance(detection, MappingNode):
        return []
    found: list[tuple[Occurrence, int]] = []
    for selection in _selections(detection):
        for key, value in selection.value:
            if isinstance(key, ScalarNode) and (hit := _occurrence(key, value, FILTER, resolver)):
                found.append((hit, key.start_mark.line + 1))
    fields = child(root, "fields")
    for item in fields.value if isinstance(fields, SequenceNode) else []:
        if isinstance(item, ScalarNode) and (hit := _occurrence(item, None, OUTPUT, resolver)):
            found.append((hit, item.start_mark.line + 1))
    title = child(root, "title")
    name = title.value if isinstance(title, ScalarNode) and title.value else file_name
    reads = resolver.sources.classify(_logsources(root))
    if reads == OTHER:
        found = []
    return [
        ParsedRule(
            name,
            "sigma",
            text,
            tuple(hit for hit, _ in found),
            tuple(line for _, line in found),
            reads,
        )
    ]


def _logsources(root: Node | None) -> list[str]:
    """The logsource's service and category (a product alone is a platform, not a source)."""
    logsource = child(root, "logsource")
    named = (child(logsource, key) for key in ("service", "category"))
    return [node.value for node in named if isinstance(node, ScalarNode) and node.value]
