"""KQL (Microsoft Sentinel / Log Analytics): ``.kql`` files and the queries of analytics rules."""

from __future__ import annotations

from collections.abc import Sequence
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
from siem2graph.impact.tokens import CLOSE, OP, OPEN, WORD, Token

# Statements that start with one of these read no table by name.
_NOT_TABLES = frozenset(
    {"print", "datatable", "externaldata", "range", "evaluate", "search", "find", "set", "declare"}
)


def kql_sources(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The tables a statement reads: its first word, or the tables after ``union``."""
    if not tokens or tokens[0].kind != WORD or tokens[0].text in _NOT_TABLES:
        return ()
    if tokens[0].text != "union":
        following = tokens[1] if len(tokens) > 1 else None
        return () if following is not None and following.kind == OPEN else (tokens[0].text,)
    names, depth = [], 0
    for j, token in enumerate(tokens[1:], 1):
        depth += (token.kind == OPEN) - (token.kind == CLOSE)
        option = token.kind == OP or (j + 1 < len(tokens) and tokens[j + 1].kind == OP)
        if depth == 0 and token.kind == WORD and not option and tokens[j - 1].kind != OP:
            names.append(token.text)
    return tuple(names)


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
    sources=kql_sources,
    counters=frozenset({"count", "countif"}),
    lets=True,
)


def parse_kql(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """A ``.kql`` file: one query, named by the file."""
    return [query_rule(file_name, "kql", text, KQL, resolver, 1)]
