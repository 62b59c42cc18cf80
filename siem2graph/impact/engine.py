"""Content impact: which rules, dashboards and playbooks break when the SIEM API goes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath

from siem2graph.errors import InputError
from siem2graph.impact.aql import parse_aql
from siem2graph.impact.arcsight import is_arcsight, parse_arcsight
from siem2graph.impact.datasources import OTHER, UNNAMED
from siem2graph.impact.evidence import Evidence
from siem2graph.impact.kql import parse_kql
from siem2graph.impact.model import (
    ContentImpact,
    FileProblem,
    RuleImpact,
    RuleVerdict,
)
from siem2graph.impact.names import NameResolver, build_resolver
from siem2graph.impact.rewrite import Rewrite, rewrite_rule
from siem2graph.impact.sentinel import parse_arm, parse_sentinel_yaml
from siem2graph.impact.sigma import parse_sigma
from siem2graph.impact.source import ContentError, ParsedRule
from siem2graph.impact.splunk import parse_savedsearches, parse_spl
from siem2graph.impact.text import parse_text, parse_whole
from siem2graph.impact.verdict import (
    bridge_verdict,
    graph_paths_of,
    judge_occurrence,
    rule_verdict,
)
from siem2graph.mapping import FieldMapping, Mapping

Parser = Callable[[str, str, NameResolver], list[ParsedRule]]


def _first_of(*parsers: Parser) -> Parser:
    """The rules of the first parser that finds any, else the whole file as text."""

    def parse(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
        for parser in parsers:
            if rules := parser(file_name, text, resolver):
                return rules
        return parse_whole(file_name, text, resolver)

    return parse


def _arcsight_or_text(file_name: str, text: str, resolver: NameResolver) -> list[ParsedRule]:
    parser = parse_arcsight if is_arcsight(text) else parse_whole
    return parser(file_name, text, resolver)


_PARSERS: dict[str, Parser] = {
    ".conf": parse_savedsearches,
    ".spl": parse_spl,
    ".kql": parse_kql,
    ".kusto": parse_kql,
    ".csl": parse_kql,
    ".aql": parse_aql,
    ".json": _first_of(parse_arm),
    ".yaml": _first_of(parse_sigma, parse_sentinel_yaml),
    ".yml": _first_of(parse_sigma, parse_sentinel_yaml),
    ".xml": _arcsight_or_text,
}
FORMATS = ("splunk_conf", "spl", "kql", "sentinel_arm", "sentinel_yaml", "aql", "sigma", "arcsight")


def _decode(data: bytes) -> str:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise ContentError(f"not {encoding.upper()} text") from None
    if "\x00" in text:
        raise ContentError("a binary file, not text")
    return text


def _parse(file_name: str, data: bytes, resolver: NameResolver) -> list[ParsedRule]:
    parser = _PARSERS.get(PurePath(file_name).suffix.lower(), parse_text)
    try:
        return parser(file_name, _decode(data), resolver)
    except RecursionError:
        raise ContentError("nested too deeply to read") from None


_NOT_SIEM = (
    "Reads other data than the SIEM API's (its index, sourcetype, table or log source is not a "
    "SIEM API source); give the name with --siem-source if it is one."
)
_ASSUMED = "Names no data source; judged as SIEM API content because it names SIEM fields."
COUNT_NOTE = (
    "Counts rows: SIEM API rows were detections (several per alert), Graph rows are alerts, so "
    "counts and thresholds drop unless the rule counted distinct AlertIds."
)


def _judge(
    file_name: str, parsed: ParsedRule, rows: dict[str, FieldMapping], evidence: Evidence
) -> RuleImpact:
    if parsed.reads == OTHER or (parsed.reads == UNNAMED and not parsed.occurrences):
        note = _NOT_SIEM if parsed.reads == OTHER else ""
        return RuleImpact(
            parsed.name,
            file_name,
            parsed.format,
            RuleVerdict.NOT_AFFECTED,
            (),
            parsed.text,
            note=note,
        )
    judged = [
        (occurrence, judge_occurrence(occurrence, line, rows[occurrence.field], evidence))
        for occurrence, line in zip(parsed.occurrences, parsed.lines, strict=True)
    ]
    references = tuple(ref for _, refs in judged for ref, _ in refs)
    verdict = rule_verdict(references)
    rewrite = Rewrite()
    if verdict != RuleVerdict.WORKS:
        rewrite = rewrite_rule(
            parsed, judged, verdict, lambda name: graph_paths_of(rows[name], evidence)
        )
    return RuleImpact(
        parsed.name,
        file_name,
        parsed.format,
        verdict,
        references,
        parsed.text,
        rewritten_query=rewrite.query,
        rewrite=rewrite.status,
        rewrite_note=rewrite.note,
        count_note=COUNT_NOTE if parsed.counts else "",
        bridge=bridge_verdict(references),
        note=_ASSUMED if parsed.reads == UNNAMED else "",
    )


def analyse_content(
    files: Sequence[tuple[str, bytes]],
    mapping: Mapping,
    evidence: Evidence | None = None,
    siem_sources: Sequence[str] = (),
) -> ContentImpact:
    """Find every SIEM field reference in the content files and judge each rule.

    ``files`` are (file name, bytes); the name's extension picks the format. ``evidence`` is what an
    audit observed (``Evidence.from_report``, or ``evidence_from_audit`` of a report.json); its
    value pairs decide whether compared literals still hold. ``siem_sources`` adds names
    (indexes, sourcetypes, tables...) that hold SIEM API records to the shipped ones. A file that
    cannot be read becomes a problem entry; InputError only when no file can be read at all (or a
    source name is empty).
    """
    if not files:
        raise InputError("no content files given")
    resolver = build_resolver(mapping, siem_sources=siem_sources)
    evidence = evidence or Evidence()
    rows = {row.siem_field: row for row in mapping.fields}
    rules: list[RuleImpact] = []
    problems: list[FileProblem] = []
    for file_name, data in files:
        try:
            parsed = _parse(file_name, data, resolver)
        except ContentError as exc:
            problems.append(FileProblem(file_name, str(exc)))
            continue
        rules.extend(_judge(file_name, rule, rows, evidence) for rule in parsed)
    if len(problems) == len(files):
        first = problems[0]
        raise InputError(f"no content file could be read ({first.file}: {first.message})")
    return ContentImpact(tuple(rules), tuple(problems), evidence.audited)


def _walk(directory: Path) -> Iterable[Path]:
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        yield from (Path(root, n) for n in sorted(names) if not n.startswith("."))


def read_content_paths(paths: Iterable[Path | str]) -> list[tuple[str, bytes]]:
    """(name, bytes) of each file, directories walked (hidden entries skipped).

    A file inside a directory is named by its path relative to that directory.
    InputError names a path that does not exist or cannot be read.
    """
    files: list[tuple[str, bytes]] = []
    for given in map(Path, paths):
        try:
            if given.is_dir():
                files.extend(
                    (path.relative_to(given).as_posix(), path.read_bytes()) for path in _walk(given)
                )
            else:
                files.append((given.as_posix(), given.read_bytes()))
        except OSError as exc:
            raise InputError(f"cannot read {given}: {exc.strerror or exc}") from None
    return files
