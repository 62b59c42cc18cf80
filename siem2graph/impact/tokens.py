"""One tokenizer for every query language the content analysis reads."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

WORD = "word"
STRING = "string"
NAME = "name"  # a quoted identifier (AQL "Severity")
NUMBER = "number"
OP = "op"
OPEN = "open"
CLOSE = "close"
PIPE = "pipe"
END = "end"  # a statement separator
PUNCT = "punct"
TICK = "tick"  # a backquoted name (an SPL macro)

_PATTERNS = (
    ("string", r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''),
    ("tick", r"`[^`\n]*`"),
    # $left / @timestamp; project-away, mv-expand; in~, has_any
    ("word", r"[$@]?[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*~?"),
    ("number", r"\d+(?:\.\d+)?"),
    ("op", r"==|!=|=~|!~|<>|>=|<=|!in~?|=|<|>"),
    ("open", r"[(\[{]"),
    ("close", r"[)\]}]"),
    ("pipe", r"\|"),
    ("end", r";"),
    ("punct", r"\S"),
)


@dataclass(frozen=True)
class Token:
    """A token and its character span in the query text."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def value(self) -> str:
        """The text without quotes (a string's or quoted name's content)."""
        if self.kind in (STRING, NAME):
            return self.text[1:-1]
        return self.text

    @property
    def value_start(self) -> int:
        return self.start + 1 if self.kind in (STRING, NAME) else self.start


@lru_cache(maxsize=8)
def _compile(comments: str, strings: bool) -> re.Pattern[str]:
    parts = [r"(?P<ws>\s+)"]
    if comments:
        parts.append(f"(?P<comment>{comments})")
    parts.extend(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in _PATTERNS
        if strings or kind not in ("string", "tick")
    )
    return re.compile("|".join(parts), re.DOTALL)


def tokenize(
    text: str, comments: str = "", quoted_names: bool = False, strings: bool = True
) -> list[Token]:
    """Tokens of ``text``; ``comments`` is a regex for the language's comments (dropped).

    With ``quoted_names`` a double-quoted text is an identifier (AQL), not a string; without
    ``strings`` quotes are punctuation, so words inside them count (plain text).
    """
    tokens = []
    for match in _compile(comments, strings).finditer(text):
        kind = match.lastgroup or PUNCT
        if kind in ("ws", "comment"):
            continue
        raw = match.group()
        if kind == STRING and quoted_names and raw.startswith('"'):
            kind = NAME
        tokens.append(Token(kind, raw, match.start(), match.end()))
    return tokens


class LineIndex:
    """Character offset -> 0-based line number."""

    def __init__(self, text: str) -> None:
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line(self, offset: int) -> int:
        return bisect_right(self._starts, offset) - 1


def joined_value(tokens: Sequence[Token], start: int) -> tuple[str, int]:
    """The value written at ``tokens[start]``: a string's content, or the run of tokens with no
    space between them (``mde:siem:alert``); and the index after it."""
    if start >= len(tokens):
        return "", start
    if tokens[start].kind == STRING:
        return tokens[start].value, start + 1
    end = start + 1
    while (
        end < len(tokens)
        and tokens[end].start == tokens[end - 1].end
        and tokens[end].kind not in (OPEN, CLOSE, PIPE, END, STRING)
        and tokens[end].text != ","
    ):
        end += 1
    return "".join(t.text for t in tokens[start:end]), end


def assigned_values(tokens: Sequence[Token], keys: frozenset[str]) -> list[str]:
    """Values given to ``keys`` (matched as written): ``key=value`` and ``key IN (a, b)``."""
    values = []
    for j, token in enumerate(tokens[:-1]):
        if token.kind != WORD or token.text not in keys:
            continue
        following = tokens[j + 1]
        if following.kind == OP and following.text == "=":
            values.append(joined_value(tokens, j + 2)[0])
        elif following.text.lower() == "in" and j + 2 < len(tokens) and tokens[j + 2].kind == OPEN:
            k = j + 3
            while k < len(tokens) and tokens[k].kind != CLOSE:
                if tokens[k].text == ",":
                    k += 1
                    continue
                value, k = joined_value(tokens, k)
                values.append(value)
    return [v for v in values if v]
