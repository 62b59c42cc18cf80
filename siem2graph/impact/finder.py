"""The reference finder shared by every text query language.

A language is described by a :class:`Dialect`: its pipeline commands and what each makes of the
fields it names (SPL ``table`` -> output, KQL ``summarize ... by`` -> grouping), or clause words
that switch the usage anywhere (AQL ``SELECT``/``WHERE``). The finder tokenizes the query, walks the
pipeline and reports every token that names a SIEM field, with the literals it is compared against.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from siem2graph.impact.datasources import OTHER, SIEM, UNNAMED
from siem2graph.impact.names import NameResolver
from siem2graph.impact.tokens import (
    CLOSE,
    END,
    NAME,
    NUMBER,
    OP,
    OPEN,
    PIPE,
    STRING,
    WORD,
    Token,
    tokenize,
)

FILTER = "filter"
OUTPUT = "output"
GROUPING = "grouping"
JOIN = "join"
SORT = "sort"
MENTIONED = "mentioned"
USAGES = (FILTER, OUTPUT, GROUPING, JOIN, SORT, MENTIONED)

_EQUALITY_OPS = frozenset({"=", "==", "!=", "=~", "!~", "<>", "!in", "!in~"})
_LIST_WORD_OPS = frozenset({"in", "in~"})


@dataclass(frozen=True)
class Command:
    """What a pipeline command makes of the fields it names."""

    usage: str
    by: str = ""  # usage after a 'by' keyword
    on: str = ""  # usage after an 'on' keyword
    nested: bool = False  # bracketed groups are sub-queries (join, append, union)


_UNKNOWN = Command(MENTIONED)


@dataclass(frozen=True)
class Dialect:
    """A query language as the finder sees it."""

    name: str
    commands: Mapping[str, Command] = field(default_factory=lambda: MappingProxyType({}))
    first: Command = _UNKNOWN  # the first segment of a statement when it names no command
    clauses: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    comments: str = ""
    pipes: bool = True
    quoted_names: bool = False
    bare_values: bool = False  # SPL: Severity=High compares against the word High
    wildcard: str = ""  # a literal holding it is a pattern, not a value
    literals: bool = True
    strings: bool = True  # quoted text is a string (else words inside quotes count)
    arcsight: bool = False
    # the data sources a pipeline's first segment names (None: the language names none)
    sources: Callable[[Sequence[Token]], tuple[str, ...]] | None = None
    lets: bool = False  # KQL: `let name = <pipeline>` binds a name later pipelines read from
    counters: frozenset[str] = frozenset()  # words that count rows (SPL `count`, `top`)


@dataclass(frozen=True)
class Literal:
    """A value a field is compared against; ``start``/``end`` span the value without quotes."""

    value: str
    start: int
    end: int
    quote: str = ""


@dataclass(frozen=True)
class Occurrence:
    """One token naming a SIEM field; ``start``/``end`` span the name as written."""

    field: str
    as_written: str
    start: int
    end: int
    usage: str
    literals: tuple[Literal, ...] = ()


@dataclass(frozen=True)
class Found:
    """A query's SIEM field references and what it reads (a datasources constant)."""

    occurrences: tuple[Occurrence, ...]
    reads: str
    counts: bool = False  # counts rows of SIEM data
    sources: tuple[tuple[int, int], ...] = ()  # spans of the SIEM API source names (KQL tables)


def combine_reads(reads: Sequence[str]) -> str:
    """A query's reads from its pipelines': SIEM if any reads SIEM data, OTHER over UNNAMED."""
    return next((kind for kind in (SIEM, OTHER) if kind in reads), UNNAMED)


def find_occurrences(text: str, dialect: Dialect, resolver: NameResolver) -> Found:
    """Every reference to a SIEM field in ``text``, in order, and the data it reads.

    References inside a pipeline that reads another source (a Sentinel table, a Splunk index
    that is not a SIEM API one) are not SIEM fields and are left out.
    """
    tokens = tokenize(text, dialect.comments, dialect.quoted_names, dialect.strings)
    walker = _Walker(dialect, resolver, [])
    walker.pipeline(tokens, UNNAMED)
    return Found(tuple(walker.out), combine_reads(walker.reads), walker.counts, tuple(walker.spans))


def _matching(tokens: list[Token], index: int) -> int:
    """Index of the bracket closing the one at ``index`` (the end when unbalanced)."""
    depth = 0
    for j in range(index, len(tokens)):
        if tokens[j].kind == OPEN:
            depth += 1
        elif tokens[j].kind == CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def _unescape(raw: str) -> str:
    out, escaped = [], False
    for char in raw:
        if escaped or char != "\\":
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)


@dataclass
class _Walker:
    dialect: Dialect
    resolver: NameResolver
    out: list[Occurrence]
    reads: list[str] = field(default_factory=list)
    bound: dict[str, str] = field(default_factory=dict)  # KQL let names -> what they read
    counts: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)

    def pipeline(self, tokens: list[Token], inherited: str) -> None:
        first, segment, depth, reads = True, list[Token](), 0, inherited
        for token in [*tokens, Token(END, "", -1, -1)]:
            depth += token.kind == OPEN
            depth -= token.kind == CLOSE
            boundary = depth <= 0 and (
                token.kind == END or (token.kind == PIPE and self.dialect.pipes)
            )
            if not boundary:
                segment.append(token)
                continue
            if first:
                reads = self.source(segment, inherited)
            self.segment(segment, first, reads)
            # a query starting with a pipe (SPL `| tstats ...`) names its data in the next segment
            first, segment, depth = token.kind == END or (first and not segment), [], 0

    def source(self, tokens: list[Token], inherited: str) -> str:
        """What a statement or sub-query reads, from its first segment (else ``inherited``)."""
        if self.dialect.sources is None:
            return inherited
        bind = ""
        binds = self.dialect.lets and len(tokens) > 2 and tokens[0].text == "let"
        if binds and tokens[2].text == "=":
            bind, tokens = tokens[1].text, tokens[3:]
        named = {
            name: self.bound.get(name) or self.resolver.sources.classify([name])
            for name in self.dialect.sources(tokens)
        }
        kinds = list(named.values())
        self.spans.extend(
            (t.start, t.end)
            for t in tokens
            if t.kind == WORD and t.text not in self.bound and named.get(t.text) == SIEM
        )
        reads = next((kind for kind in (SIEM, OTHER) if kind in kinds), inherited)
        if bind:
            self.bound[bind] = reads
        self.reads.append(reads)
        return reads

    def segment(self, tokens: list[Token], first: bool, reads: str) -> None:
        command = self.dialect.first if first else _UNKNOWN
        if reads != OTHER and any(
            t.kind == WORD and t.text.lower() in self.dialect.counters for t in tokens
        ):
            self.counts = True
        if tokens and tokens[0].kind == WORD and tokens[0].text.lower() in self.dialect.commands:
            command = self.dialect.commands[tokens[0].text.lower()]
            tokens = tokens[1:]
        usage, i = command.usage, 0
        while i < len(tokens):
            token = tokens[i]
            word = token.text.lower() if token.kind == WORD else ""
            if token.kind == OPEN and command.nested:
                close = _matching(tokens, i)
                self.pipeline(tokens[i + 1 : close], reads)
                i = close + 1
                continue
            if word in self.dialect.clauses:
                usage = self.dialect.clauses[word]
            elif word == "by" and command.by:
                usage = command.by
            elif word == "on" and command.on:
                usage = command.on
            elif token.kind in (WORD, NAME) and (found := self._resolve(token)):
                literals, i = self.literals(tokens, i + 1, usage)
                start = token.value_start
                if reads != OTHER:
                    self.out.append(
                        Occurrence(
                            found, token.value, start, start + len(token.value), usage, literals
                        )
                    )
                continue
            i += 1

    def _resolve(self, token: Token) -> str:
        return self.resolver.resolve(token.value, arcsight=self.dialect.arcsight)

    def literals(self, tokens: list[Token], i: int, usage: str) -> tuple[tuple[Literal, ...], int]:
        """The literals compared after a field name at ``i``, and the index after them."""
        if not self.dialect.literals or i + 1 >= len(tokens):
            return (), i
        op, value = tokens[i], tokens[i + 1]
        if op.kind == OP and op.text in _EQUALITY_OPS and (op.text != "=" or usage == FILTER):
            listed = value.kind == OPEN
        elif op.kind == WORD and op.text.lower() in _LIST_WORD_OPS and value.kind == OPEN:
            listed = True
        else:
            return (), i
        lo, hi = (i + 2, _matching(tokens, i + 1)) if listed else (i + 1, i + 2)
        found = tuple(
            lit for j in range(lo, min(hi, len(tokens))) if (lit := self._literal(tokens, j))
        )
        return found, min(hi + 1 if listed else hi, len(tokens))

    def _literal(self, tokens: list[Token], j: int) -> Literal | None:
        token = tokens[j]
        kinds = (STRING, NUMBER, WORD) if self.dialect.bare_values else (STRING, NUMBER)
        if token.kind not in kinds:
            return None
        following = tokens[j + 1] if j + 1 < len(tokens) else None
        if (
            following is not None
            and following.start == token.end
            and following.kind not in (CLOSE, PIPE, END)
            and following.text != ","
        ):
            return None  # a function call or a pattern like Hi*, not a plain value
        value = _unescape(token.value) if token.kind == STRING else token.text
        if self.dialect.wildcard and self.dialect.wildcard in value:
            return None
        quote = token.text[0] if token.kind == STRING else ""
        return Literal(value, token.value_start, token.value_start + len(token.value), quote)
