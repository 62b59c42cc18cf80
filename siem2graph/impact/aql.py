"""QRadar AQL: one query per file, or several separated by blank lines (``-- name`` titles them)."""

from __future__ import annotations

from types import MappingProxyType

from siem2graph.impact.finder import FILTER, GROUPING, MENTIONED, OUTPUT, SORT, Dialect
from siem2graph.impact.names import NameResolver
from siem2graph.impact.source import ParsedRule, block_rules

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
)


def parse_aql(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """The AQL queries of a file."""
    return block_rules(file_name, "aql", text, "--", AQL, resolver)
