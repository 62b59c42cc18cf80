"""JSON objects that repeat a key, read by one rule on both sides: the first value is used.

orjson keeps a repeated key's last value without a word (pyarrow refuses the line). Here, as for
two CSV columns of one field, the first value is used and a later one only where the first is
empty, and the keys are named. Repeats are rare, so the text is parsed again only when it holds
more key markers (a closing quote, blanks, a colon) than orjson's objects hold keys: every key
makes one marker, so equal counts prove no key was repeated.
"""

from __future__ import annotations

import json
import re
from typing import Any

from siem2graph.errors import quoted

_SPACED_MARKER = re.compile(rb'"[ \t\r\n]+:')
_SPACED = (b'" ', b'"\t', b'"\n', b'"\r')


class Repeating(dict[str, Any]):
    """An object whose text repeated the keys ``repeated`` (its own, not its children's)."""

    repeated: tuple[str, ...] = ()


def _markers(text: bytes) -> int:
    # '"::' is a value's opening quote (an IPv6 address): no key is followed by a colon
    count = text.count(b'":') - text.count(b'"::')
    if any(spaced in text for spaced in _SPACED):
        count += len(_SPACED_MARKER.findall(text))
    return count


def _keys(value: Any) -> int:
    # a loop, not recursion: a record nested thousands deep must not overflow the stack. orjson
    # builds exactly dicts and lists: type checks, ~3x quicker than isinstance over every value
    total, stack = 0, [value]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if type(node) is dict:
            total += len(node)
            node = node.values()
        for child in node:
            kind = type(child)
            if kind is dict or kind is list:
                push(child)
    return total


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    read: dict[str, Any] = {}
    repeated: dict[str, None] = {}
    for key, value in pairs:
        if key not in read:
            read[key] = value
            continue
        repeated[key] = None
        if _empty(read[key]):
            read[key] = value
    if not repeated:
        return read
    found = Repeating(read)
    found.repeated = tuple(repeated)
    return found


def first_wins(text: bytes, parsed: Any) -> tuple[Any, bool]:
    """``parsed`` (orjson's reading of ``text``) and False when ``text`` repeats no key, else
    ``text`` read by the first-wins rule (objects that repeat keys are ``Repeating``) and True."""
    if not isinstance(parsed, dict | list) or _markers(text) == _keys(parsed):
        return parsed, False
    try:
        return json.loads(text, object_pairs_hook=_first_wins), True
    except RecursionError:  # nested too deep to read again: the depth limit rejects it
        return parsed, False


def gathered(record: Any) -> Any:
    """``record`` (read by ``first_wins``) as a ``Repeating`` naming every key repeated in it,
    at any depth, when there is one: callers then look at the record only."""
    found: dict[str, None] = {}
    stack = [record]
    while stack:
        node = stack.pop()
        if isinstance(node, Repeating):
            found.update(dict.fromkeys(node.repeated))
        children = node.values() if isinstance(node, dict) else node
        stack.extend(c for c in children if isinstance(c, dict | list))
    if not found or not isinstance(record, dict):
        return record
    marked = Repeating(record)
    marked.repeated = tuple(sorted(found))
    return marked


def repeated_reason(record: Repeating) -> str:
    """The input problem of a record that repeats keys."""
    keys = record.repeated
    named = ", ".join(quoted(k) for k in keys[:5])
    more = f" (and {len(keys) - 5:,} more)" if len(keys) > 5 else ""
    return (
        f"key {named}{more} appears more than once in the record: the first value is used, "
        "a later one only where the first is empty"
    )
