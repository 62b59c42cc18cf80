"""Splunk: SPL queries, from ``savedsearches.conf`` stanzas or ``.spl`` files."""

from __future__ import annotations

import re
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
from siem2graph.impact.tokens import TICK, Token, assigned_values

# Splunk's own fields naming where events come from (lower case: `Source` is the SIEM field)
_SOURCE_KEYS = frozenset({"index", "sourcetype", "source", "eventtype"})
_MACRO = re.compile(r"^`\s*(?P<name>[^`(\s]+)")


def spl_sources(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The indexes, sourcetypes, sources, eventtypes and macros a search names."""
    macros = [m.group("name") for t in tokens if t.kind == TICK and (m := _MACRO.match(t.text))]
    return (*assigned_values(tokens, _SOURCE_KEYS), *macros)


_FILTER = Command(FILTER)
_OUTPUT = Command(OUTPUT)
_AGGREGATE = Command(OUTPUT, by=GROUPING)
_GROUP = Command(GROUPING, by=GROUPING)
_SUBSEARCH = Command(MENTIONED, nested=True)

SPL = Dialect(
    name="spl",
    commands=MappingProxyType(
        {
            **dict.fromkeys(("search", "where", "regex"), _FILTER),
            **dict.fromkeys(
                ("table", "fields", "rename", "eval", "rex", "iplocation", "fillnull", "mvexpand"),
                _OUTPUT,
            ),
            **dict.fromkeys(
                ("stats", "eventstats", "streamstats", "chart", "timechart", "tstats"), _AGGREGATE
            ),
            **dict.fromkeys(("top", "rare", "dedup", "transaction"), _GROUP),
            "sort": Command(SORT),
            "join": Command(JOIN, nested=True),
            "lookup": Command(JOIN),
            **dict.fromkeys(("append", "appendcols", "union"), _SUBSEARCH),
        }
    ),
    first=_FILTER,  # a query starts with an implicit `search`
    comments=r"```.*?```",
    bare_values=True,
    wildcard="*",
    sources=spl_sources,
    counters=frozenset({"count", "top", "rare"}),
)

_STANZA = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")
_SEARCH_KEY = re.compile(r"^search\s*=\s*")


def parse_spl(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """A ``.spl`` file: one query, named by the file."""
    return [query_rule(file_name, "spl", text, SPL, resolver, 1)]


def parse_savedsearches(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """``savedsearches.conf``: a rule per stanza with a ``search`` key (``\\`` continues a line)."""
    lines = text.splitlines()
    rules, stanza, i = [], "", 0
    while i < len(lines):
        header = _STANZA.match(lines[i])
        key = _SEARCH_KEY.match(lines[i])
        if header:
            stanza = header.group("name").strip()
        elif key and stanza:
            first_line, parts = i + 1, [lines[i][key.end() :]]
            while parts[-1].endswith("\\") and i + 1 < len(lines):
                parts[-1] = parts[-1][:-1]
                i += 1
                parts.append(lines[i])
            query = "\n".join(parts)
            if query.strip():
                rules.append(query_rule(stanza, "splunk_conf", query, SPL, resolver, first_line))
        i += 1
    return rules
