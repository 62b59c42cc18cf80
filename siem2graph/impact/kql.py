"""KQL (Microsoft Sentinel / Log Analytics): ``.kql`` files and the queries of analytics rules."""

from __future__ import annotations

from types import MappingProxyType

from siem2graph.impact.finder import (
    FILTER,
    GROUPING,
    JOIN,
    MENTIONED,
    OUTPUT,
    SORT,
    Command,
    Dialect,
)
from siem2graph.impact.names import NameResolver
from siem2graph.impact.source import ParsedRule, query_rule

_OUTPUT = Command(OUTPUT)
_AGGREGATE = Command(OUTPUT, by=GROUPING)
_SORT = Command(SORT, by=SORT)
_JOIN = Command(MENTIONED, on=JOIN, nested=True)

KQL = Dialect(
    name="kql",
    commands=MappingProxyType(
        {
            "where": Command(FILTER),
            "filter": Command(FILTER),
            **dict.fromkeys(
                (
                    "project",
                    "project-keep",
                    "project-reorder",
                    "project-rename",
                    "project-away",
                    "extend",
                    "mv-expand",
                    "parse",
                ),
                _OUTPUT,
            ),
            "summarize": _AGGREGATE,
            "make-series": _AGGREGATE,
            "distinct": Command(GROUPING),
            **dict.fromkeys(("sort", "order", "top"), _SORT),
            "join": _JOIN,
            "lookup": _JOIN,
            "union": Command(MENTIONED, nested=True),
        }
    ),
    comments=r"//[^\n]*",
)


def parse_kql(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """A ``.kql`` file: one query, named by the file."""
    return [query_rule(file_name, "kql", text, KQL, resolver, 1)]
