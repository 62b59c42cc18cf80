"""Microsoft Sentinel analytics rules: ARM / REST JSON exports and YAML rule files (KQL queries)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from siem2graph.impact.kql import KQL
from siem2graph.impact.names import NameResolver
from siem2graph.impact.source import ContentError, ParsedRule, query_rule
from siem2graph.impact.yamldoc import ScalarNode, child, compose

_QUERY_KEY = re.compile(r'"query"\s*:')


def _json_queries(node: Any) -> Iterator[tuple[str, str]]:
    """(name, query) of every object holding a query: ARM resources, REST rules, workbook items."""
    if isinstance(node, list):
        for item in node:
            yield from _json_queries(item)
    elif isinstance(node, dict):
        props = node.get("properties")
        holder = props if isinstance(props, dict) and isinstance(props.get("query"), str) else node
        if isinstance(holder.get("query"), str):
            name = holder.get("displayName") or node.get("name") or holder.get("title") or ""
            yield str(name), holder["query"]
            return
        for value in node.values():
            yield from _json_queries(value)


def parse_arm(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """The queries of a JSON export; each reference gets the file line of its query string."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentError(f"malformed JSON: {exc}") from None
    key_lines = [text.count("\n", 0, m.start()) + 1 for m in _QUERY_KEY.finditer(text)]
    rules = []
    for number, (name, query) in enumerate(_json_queries(document)):
        line = key_lines[number] if number < len(key_lines) else 1
        title = name or f"{file_name} #{number + 1}"
        rules.append(query_rule(title, "sentinel_arm", query, KQL, resolver, line, one_line=True))
    return rules


def parse_sentinel_yaml(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """A Sentinel YAML rule (``name`` and ``query``); [] when the document has no query."""
    root = compose(text)
    query = child(root, "query")
    if not isinstance(query, ScalarNode):
        return []
    name = child(root, "name") or child(root, "displayName")
    title = name.value if isinstance(name, ScalarNode) and name.value else file_name
    if query.style == "|":  # a literal block keeps the file's lines, from the line after '|'
        return [
            query_rule(
                title, "sentinel_yaml", query.value, KQL, resolver, query.start_mark.line + 2
            )
        ]
    first_line = query.start_mark.line + 1 + (query.style == ">")
    return [
        query_rule(title, "sentinel_yaml", query.value, KQL, resolver, first_line, one_line=True)
    ]
