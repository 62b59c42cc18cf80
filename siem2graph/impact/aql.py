"""QRadar AQL: one query per file, or several separated by blank lines (``-- name`` titles them)."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from siem2graph.impact.finder import FILTER, GROUPING, MENTIONED, OUTPUT, SORT, Dialect
from siem2graph.impact.names import NameResolver
from siem2graph.impact.source import ParsedRule, block_rules
from siem2graph.impact.tokens import CLOSE, OPEN, STRING, WORD, Token

_SOURCE_FUNCTIONS = frozenset({"logsourcetypename", "logsourcename", "logsourcegroupname"})


def aql_sources(tokens: Sequence[Token]) -> tuple[str, ...]:
    """Log source (type) names compared in a query: ``LOGSOURCETYPENAME(devicetype) = '...'``."""
    names = []
    for j, token in enumerate(tokens):
        if token.kind != WORD or token.text.lower() not in _SOURCE_FUNCTIONS:
            continue
        k = j + 1
        if k < len(tokens) and tokens[k].kind == OPEN:
            while k < len(tokens) and tokens[k].kind != CLOSE:
                k += 1
            value = tokens[k + 2] if k + 2 < len(tokens) else None
            if value is not None and value.kind == STRING:
                names.append(value.value)
    return tuple(names)


AQL = Dialect(
    name="aql",
    clauses=MappingProxyType(
        {
            "select": OUTPUT,
            "from": MENTIONED,
            "where": FILTER,
            "having": FILTER,
            "group": GROUPING,
            "order": SORT,
            "last": MENTIONED,
            "start": MENTIONED,
            "stop": MENTIONED,
        }
    ),
    comments=r"--[^\n]*|/\*.*?\*/",
    pipes=False,
    quoted_names=True,  # "Severity" is a (custom) property, 'High' a string
    sources=aql_sources,
    counters=frozenset({"count"}),
)


def parse_aql(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """The AQL queries of a file."""
    return block_rules(file_name, "aql", text, "--", AQL, resolver)
