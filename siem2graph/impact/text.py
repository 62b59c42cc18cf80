"""Plain text, the fallback: whole-word matching of field names, every reference 'mentioned'."""

from __future__ import annotations

from siem2graph.impact.finder import Dialect
from siem2graph.impact.names import NameResolver
from siem2graph.impact.source import ParsedRule, block_rules, query_rule

PLAIN = Dialect(name="text", pipes=False, literals=False, strings=False)


def parse_text(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """One rule per blank-line separated block (a leading ``#`` line names it)."""
    return block_rules(file_name, "text", text, "#", PLAIN, resolver)


def parse_whole(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """A whole file as one text rule (JSON or YAML that holds no rule we know)."""
    return [query_rule(file_name, "text", text, PLAIN, resolver, 1)]
