"""ArcSight-style filter exports: ``<Filter name="...">`` elements holding a ``<Condition>`` in
ArcSight's expression syntax (``deviceSeverity = "High" And ...``) and optional ``<Fields>``.

Read with regular expressions, not an XML parser: only these elements matter, and no entity or
DTD is ever expanded. ArcSight (CEF) names resolve through mapping/content_aliases/arcsight.yaml.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace

from siem2graph.impact.datasources import OTHER
from siem2graph.impact.finder import (
    FILTER,
    OUTPUT,
    Command,
    Dialect,
    Occurrence,
    combine_reads,
    find_occurrences,
)
from siem2graph.impact.names import NameResolver
from siem2graph.impact.source import ParsedRule
from siem2graph.impact.tokens import LineIndex, Token, assigned_values

_FILTER_ELEMENT = re.compile(
    r"<Filter\b(?P<attrs>[^>]*)>(?P<body>.*?)</Filter\s*>", re.DOTALL | re.IGNORECASE
)
_NAME_ATTR = re.compile(r"""\bname\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.IGNORECASE)
_SECTION = re.compile(
    r"<(?P<tag>Condition|Fields)\b[^>]*>(?P<text>.*?)</(?P=tag)\s*>", re.DOTALL | re.IGNORECASE
)

_PRODUCT = frozenset({"deviceProduct"})


def arcsight_sources(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The products a condition names (deviceVendor "Microsoft" alone names no source)."""
    return tuple(assigned_values(tokens, _PRODUCT))


CONDITION = Dialect(
    name="arcsight", first=Command(FILTER), pipes=False, arcsight=True, sources=arcsight_sources
)
FIELDS = Dialect(name="arcsight", first=Command(OUTPUT), pipes=False, literals=False, arcsight=True)


def is_arcsight(text: str) -> bool:
    """Whether a file holds ArcSight filter elements."""
    return _FILTER_ELEMENT.search(text) is not None


def _shift(occurrence: Occurrence, offset: int) -> Occurrence:
    literals = tuple(
        replace(lit, start=lit.start + offset, end=lit.end + offset) for lit in occurrence.literals
    )
    return replace(
        occurrence,
        start=occurrence.start + offset,
        end=occurrence.end + offset,
        literals=literals,
    )


def parse_arcsight(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    """One rule per filter, over its condition and field list; the rewrite edits the element body.

    XML entities are left as written (a condition is expected to quote with plain quotes).
    """
    index = LineIndex(text)
    rules = []
    for number, element in enumerate(_FILTER_ELEMENT.finditer(text), 1):
        attr = _NAME_ATTR.search(element.group("attrs"))
        name = html.unescape((attr.group("dq") or attr.group("sq") or "") if attr else "")
        body = element.group("body")
        found: list[Occurrence] = []
        reads = []
        for section in _SECTION.finditer(body):
            dialect = CONDITION if section.group("tag").lower() == "condition" else FIELDS
            offset = section.start("text")
            hits = find_occurrences(section.group("text"), dialect, resolver)
            found.extend(_shift(hit, offset) for hit in hits.occurrences)
            reads.append(hits.reads)
        read = combine_reads(reads)
        if read == OTHER:
            found = []
        lines = tuple(index.line(element.start("body") + o.start) + 1 for o in found)
        title = name or f"{file_name} #{number}"
        rules.append(ParsedRule(title, "arcsight", body, tuple(found), lines, read))
    return rules
