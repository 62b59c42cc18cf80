"""Redaction: user names, host names, domains and IP addresses become stable pseudonyms."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial

import pandas as pd

from siem2graph.impact import ContentImpact
from siem2graph.mapping import PII_KINDS
from siem2graph.model import AuditReport

HOST, USER, IP, DOMAIN = PII_KINDS
_LIST_ITEM = re.compile(r"[^;,\s]+")
# a word of free text: names, FQDNs, DOMAIN\\user, user@domain, IPv4, paths (no trailing dot)
_WORD = re.compile(r"[\w\-\\/@$]+(?:\.[\w\-\\/@$]+)*")
_SPLIT = re.compile(r"[\\/@]")
_PART = re.compile(r"[^\\/@]+")
_IP_SHAPE = re.compile(r"[0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*")
_MIN_FREE_TEXT = 3  # shorter names are not searched for inside free text
# Identities recognised by their shape in free text, whether or not a field named them:
# a profile folder's user, user@domain (UPN or e-mail), and DOMAIN\\user (NetBIOS domain).
_PROFILE = re.compile(
    r"(?i)(?P<lead>[\\/](?:users|home|documents and settings)[\\/])(?P<user>[^\\/\s:;,'\"<>|]+)"
)
_EMAIL = re.compile(r"[\w.+'\-]+@[\w\-]+(?:\.[\w\-]+)+")
_DOMAIN_USER = re.compile(r"(?<![\w\\:.$/])[A-Za-z][\w\-]{0,14}\\[\w.\-$]+(?![\w\\])")


@dataclass(frozen=True)
class RedactedReport(AuditReport):
    """An AuditReport whose identifying values are pseudonyms; ``pseudonyms``: count per kind."""

    pseudonyms: Mapping[str, int] = field(default_factory=dict)


class _Pseudonyms:
    """Issues kind-N names by first appearance (case-insensitive) and remembers the originals."""

    def __init__(self) -> None:
        self.issued: dict[str, dict[str, str]] = {k: {} for k in (HOST, USER, IP, DOMAIN)}
        self.seen: dict[str, str] = {}

    def name(self, kind: str, original: str) -> str:
        table = self.issued[kind]
        key = original.lower()
        if key not in table:
            table[key] = f"{kind}-{len(table) + 1}"
        self.seen.setdefault(key, table[key])
        return table[key]

    def item(self, kind: str, text: str) -> str:
        """One list item of a field of ``kind``."""
        if kind == IP or _is_ip(text):
            return self.name(IP, text)
        if kind == USER and "\\" in text:
            domain, _, user = text.partition("\\")
            out = f"{self.name(DOMAIN, domain)}\\{self.name(USER, user)}"
        elif kind == USER and "@" in text:
            user, _, domain = text.partition("@")
            out = f"{self.name(USER, user)}@{self.name(DOMAIN, domain)}"
        elif kind == HOST and "." in text.strip("."):
            short, _, domain = text.partition(".")
            out = f"{self.name(HOST, short)}.{self.name(DOMAIN, domain)}"
        else:
            return self.name(kind, text)
        self.seen.setdefault(text.lower(), out)
        return out

    def value(self, kind: str, text: str) -> str:
        """A whole cell of a field of ``kind`` (lists keep their separators)."""
        return _LIST_ITEM.sub(lambda m: self.item(kind, m.group()), text)

    def identities(self, text: str) -> str:
        """``text`` with profile folders' users, user@domain and DOMAIN\\user replaced."""
        text = _PROFILE.sub(lambda m: m["lead"] + self.name(USER, m["user"]), text)
        text = _EMAIL.sub(lambda m: self.item(USER, m.group()), text)
        return _DOMAIN_USER.sub(lambda m: self.item(USER, m.group()), text)

    def free_text(self) -> Callable[[str], str]:
        """Replaces every name seen so far, any identity by its shape (``identities``) and any
        IP address, inside arbitrary text."""
        seen = {k: v for k, v in self.seen.items() if len(k) >= _MIN_FREE_TEXT}

        def word(text: str) -> str:
            hit = seen.get(text.lower())
            if hit is not None:
                return hit
            if _is_ip(text):
                return self.name(IP, text)
            if _SPLIT.search(text):  # C:\Users\name, DOMAIN\name, name@domain, //host/path
                return _PART.sub(lambda m: word(m.group()), text)
            first, dot, rest = text.partition(".")
            if dot and (first.lower() in seen or rest.lower() in seen):  # host.unknown-domain
                return f"{word(first)}.{word(rest)}"
            return text

        return lambda text: _WORD.sub(lambda m: word(m.group()), self.identities(text))


def _is_ip(text: str) -> bool:
    if not _IP_SHAPE.fullmatch(text):
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _map_text(series: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    """``fn`` over the distinct text values (first appearance first); others pass unchanged."""
    uniques = [v for v in series.unique() if isinstance(v, str)]
    lookup = {v: fn(v) for v in uniques}
    return series.map(lambda v: lookup.get(v, v) if isinstance(v, str) else v)


def _by_kind(
    frame: pd.DataFrame,
    name_col: str,
    kinds: Mapping[str, str],
    value_col: str,
    fn: Callable[[str, str], str],
) -> pd.Series:
    """``value_col`` with rows whose ``name_col`` has a kind rewritten by ``fn(kind, value)``."""
    out = frame[value_col].copy()
    for name, kind in kinds.items():
        rows = frame[name_col] == name
        if rows.any():
            out[rows] = _map_text(frame.loc[rows, value_col], partial(fn, kind))
    return out


def _text_columns(frame: pd.DataFrame, skip: set[str]) -> list[str]:
    return [
        c
        for c in frame.columns
        if c not in skip and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
    ]


def redact(report: AuditReport) -> RedactedReport:
    """A new report with user, host, domain and IP values replaced wherever they appear."""
    return redact_run(report, None)[0]


def _redact_content(impact: ContentImpact, scrub: Callable[[str], str]) -> ContentImpact:
    """The content impact with ``scrub`` applied to every text that came from the content."""
    rules = tuple(
        replace(
            rule,
            name=scrub(rule.name),
            file=scrub(rule.file),
            query=scrub(rule.query),
            rewritten_query=scrub(rule.rewritten_query),
            rewrite_note=scrub(rule.rewrite_note),
            note=scrub(rule.note),
            references=tuple(
                replace(
                    ref,
                    literal=scrub(ref.literal),
                    replacement=scrub(ref.replacement),
                    note=scrub(ref.note),
                )
                for ref in rule.references
            ),
        )
        for rule in impact.rules
    )
    problems = tuple(
        replace(p, file=scrub(p.file), message=scrub(p.message)) for p in impact.problems
    )
    return replace(impact, rules=rules, problems=problems)


def redact_run(
    report: AuditReport, content: ContentImpact | None
) -> tuple[RedactedReport, ContentImpact | None]:
    """``redact(report)``, and ``content`` with the same pseudonyms inside its rules' texts.

    Content is searched as free text: for the names the report's identifying fields held and
    for IPv4 addresses; a name that only the content holds stays.
    """
    names = _Pseudonyms()
    identifying = [row for row in report.mapping.fields if row.pii]  # the mapping's pii column
    legacy_kinds = {row.siem_field: row.pii[0] for row in identifying}
    graph_kinds = {row.siem_field: row.pii[1] for row in identifying}
    path_kinds = {p.text: row.pii[1] for row in identifying for p in row.graph_paths}
    # 1. identifying columns, in a fixed order so pseudonyms follow first appearance
    alerts = report.alerts.assign(
        host=_map_text(report.alerts["host"], lambda v: names.value(HOST, v))
    )
    detections = report.detections.copy()
    for column, kind in legacy_kinds.items():
        if column in detections:
            detections[column] = _map_text(detections[column], partial(names.value, kind))
    graph_values = report.graph_values.astype({"value": "str"})  # new texts go in below
    graph_values["value"] = _by_kind(graph_values, "path", path_kinds, "value", names.value)
    pairs = report.value_pairs.assign(
        legacy_value=_by_kind(
            report.value_pairs, "siem_field", legacy_kinds, "legacy_value", names.value
        ),
        graph_value=_by_kind(
            report.value_pairs, "siem_field", graph_kinds, "graph_value", names.value
        ),
    )
    fields = tuple(
        replace(f, examples=tuple(names.value(legacy_kinds[f.siem_field], e) for e in f.examples))
        if f.siem_field in legacy_kinds
        else f
        for f in report.fields
    )
    # 2. the same names inside free text everywhere else
    scrub = names.free_text()
    for column in _text_columns(detections, {*legacy_kinds, "key", "AlertId", "_file"}):
        detections[column] = _map_text(detections[column], scrub)
    other_paths = ~report.graph_values["path"].isin(list(path_kinds))
    graph_values.loc[other_paths, "value"] = _map_text(
        graph_values.loc[other_paths, "value"], scrub
    )
    other_fields = ~pairs["siem_field"].isin(list(legacy_kinds))
    for column in ("legacy_value", "graph_value"):
        pairs.loc[other_fields, column] = _map_text(pairs.loc[other_fields, column], scrub)
    alerts = alerts.assign(title=_map_text(alerts["title"], scrub))
    fields = tuple(
        f if f.siem_field in legacy_kinds else replace(f, examples=tuple(map(scrub, f.examples)))
        for f in fields
    )
    unmapped = report.unmapped_legacy_columns.assign(
        examples=_map_text(report.unmapped_legacy_columns["examples"], scrub)
    )
    problems = tuple(replace(p, reason=scrub(p.reason)) for p in report.problems)
    content = None if content is None else _redact_content(content, scrub)
    base = {f: getattr(report, f) for f in AuditReport.__dataclass_fields__}
    redacted = RedactedReport(
        **base
        | {
            "alerts": alerts,
            "detections": detections,
            "graph_values": graph_values,
            "value_pairs": pairs,
            "fields": fields,
            "unmapped_legacy_columns": unmapped,
            "problems": problems,
        },
        pseudonyms={k: len(v) for k, v in names.issued.items()},
    )
    return redacted, content
