"""What every content parser produces: rules with the SIEM field references found in them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from siem2graph.impact.datasources import UNNAMED
from siem2graph.impact.finder import Dialect, Occurrence, find_occurrences
from siem2graph.impact.names import NameResolver
from siem2graph.impact.tokens import LineIndex

_TITLE_PREFIX = re.compile(r"^(?:name|title|rule)\s*:\s*", re.IGNORECASE)


class ContentError(ValueError):
    """A content file cannot be parsed (reported per file, never raised to the caller)."""


@dataclass(frozen=True)
class ParsedRule:
    """One rule, dashboard panel or query: its text and the references found in it.

    ``lines`` holds the 1-based file line of each occurrence. ``text`` is what a rewrite edits:
    the query (or, for Sigma, the whole rule file). ``reads`` says whether it reads SIEM API
    data (a constant of siem2graph.impact.datasources).
    """

    name: str
    format: str
    text: str
    occurrences: tuple[Occurrence, ...]
    lines: tuple[int, ...]
    reads: str = UNNAMED
    counts: bool = False  # the query counts rows
    sources: tuple[tuple[int, int], ...] = ()  # spans of SIEM API table names in ``text``


def query_rule(
    name: str,
    fmt: str,
    text: str,
    dialect: Dialect,
    resolver: NameResolver,
    first_line: int,
    one_line: bool = False,
) -> ParsedRule:
    """Find the references of a query starting at ``first_line`` of its file.

    ``one_line``: the query sits on one file line (a JSON string); every reference gets that line.
    """
    found = find_occurrences(text, dialect, resolver)
    index = LineIndex(text)
    lines = tuple(first_line + (0 if one_line else index.line(o.start)) for o in found.occurrences)
    return ParsedRule(
        name, fmt, text, found.occurrences, lines, found.reads, found.counts, found.sources
    )


def split_blocks(text: str, comment: str) -> list[tuple[str, str, int]]:
    """Blank-line separated blocks as (title, body, first body line).

    A block's leading comment lines (starting with ``comment``) are not part of the body; the first
    one, less a ``name:`` prefix, is the block's title.
    """
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    result = []
    for block in filter(None, blocks):
        lead = 0
        while lead < len(block) and block[lead][1].lstrip().startswith(comment):
            lead += 1
        if lead == len(block):
            continue
        title = ""
        if lead:
            title = _TITLE_PREFIX.sub("", block[0][1].lstrip()[len(comment) :].strip())
        body = "\n".join(line for _, line in block[lead:])
        result.append((title, body, block[lead][0]))
    return result


def block_rules(
    file_name: str, fmt: str, text: str, comment: str, dialect: Dialect, resolver: NameResolver
) -> list[ParsedRule]:
    """One rule per block; named by its title, else the file name (or 'file #n' for several)."""
    blocks = split_blocks(text, comment)
    rules = []
    for number, (title, body, first_line) in enumerate(blocks, 1):
        name = title or (file_name if len(blocks) == 1 else f"{file_name} #{number}")
        rules.append(query_rule(name, fmt, body, dialect, resolver, first_line))
    return rules
