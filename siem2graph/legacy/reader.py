"""Read legacy SIEM API exports into one canonical Detections frame, counting every row."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from siem2graph.errors import InputError
from siem2graph.legacy.aliases import AliasSet, alias_sets_for, resolver_for
from siem2graph.legacy.archives import Member, expand
from siem2graph.legacy.collect import SIDE, ParsedFile, too_many_rows
from siem2graph.legacy.compact import stacked
from siem2graph.legacy.csv_reader import read_csv
from siem2graph.legacy.frame import canonical
from siem2graph.legacy.json_reader import read_json
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.sniff import open_decoded
from siem2graph.mapping import Mapping
from siem2graph.sources import FileSummary, Progress, RowProblem, Source, no_progress, read_shares
from siem2graph.text_codes import categorical

log = logging.getLogger(__name__)

Aliases = Iterable[AliasSet | Path | str]


@dataclass(frozen=True)
class LegacyData:
    """The canonical detections (one row per SIEM detection) and what reading them found."""

    detections: pd.DataFrame
    files: tuple[FileSummary, ...]
    problems: tuple[RowProblem, ...]
    unmapped_columns: tuple[str, ...]


def _parse(source: Source, limits: ReadLimits) -> ParsedFile:
    decoded = open_decoded(source)
    if decoded.kind == "json":
        return read_json(source.name, decoded, limits)
    return read_csv(source, lambda replace: open_decoded(source, replace), decoded, limits)


def _read_member(
    member: Member, mapping: Mapping, alias_sets: Sequence[AliasSet], limits: ReadLimits
) -> tuple[pd.DataFrame, FileSummary, list[RowProblem], list[str]]:
    source = member.source
    with ThreadPoolExecutor(1) as pool:
        # hashed beside the parse: hashlib releases the GIL, the reader's Python work holds it
        digest = pool.submit(source.sha256)
        parsed = _parse(source, limits)
        sha256 = digest.result()
    resolver = resolver_for(parsed.names, mapping, alias_sets)
    result = canonical(source.name, parsed, resolver, resolver_for([], mapping, ()))
    fmt = f"{parsed.format}, {member.container}" if member.container else parsed.format
    summary = FileSummary(
        side=SIDE,
        name=source.name,
        sha256=sha256,
        format=fmt,
        rows_read=parsed.rows_read,
        rows_kept=len(result.detections),
        rows_rejected=parsed.rejected + result.rejected,
        columns=tuple(parsed.names),
        repeated_headers=parsed.repeated_headers,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        alias_sets=", ".join(s.name for s in resolver.active),
    )
    if not summary.rows_read:
        result.problems.append(RowProblem(SIDE, source.name, None, "the file holds no detections"))
    return result.detections, summary, parsed.problems + result.problems, result.unmapped


def read_legacy_file(
    source: Source,
    mapping: Mapping,
    aliases: Aliases = (),
    limits: ReadLimits | None = None,
) -> tuple[pd.DataFrame, FileSummary, list[RowProblem], list[str]]:
    """Read one export (a .gz is one export; a .zip needs read_legacy); rows are all counted."""
    limits = limits or ReadLimits()
    members, _skipped = expand(source, limits)
    if len(members) != 1 or members[0].container == "zip":
        raise InputError(f"{source.name}: a zip archive holds several files; use read_legacy")
    return _read_member(members[0], mapping, alias_sets_for(aliases, mapping), limits)


def read_legacy(
    sources: Iterable[Source],
    mapping: Mapping,
    aliases: Aliases = (),
    limits: ReadLimits | None = None,
    progress: Progress = no_progress,
) -> LegacyData:
    """Read every legacy export (CSV, JSON, NDJSON, .gz, .zip) into one Detections frame.

    ``aliases``: extra alias files (paths or loaded AliasSets), tried before the built-in ones;
    ``progress`` hears of each file as it starts (share of the sources' bytes read).
    """
    limits = limits or ReadLimits()
    alias_sets = alias_sets_for(aliases, mapping)
    frames: list[pd.DataFrame] = []
    files: list[FileSummary] = []
    problems: list[RowProblem] = []
    unmapped: list[str] = []
    sources = list(sources)
    share = read_shares(sources)
    for number, source in enumerate(sources):
        progress(f"reading {source.name}", share(number, 0))
        members, skipped = expand(source, limits)
        problems.extend(skipped)
        for member in members:
            frame, summary, file_problems, file_unmapped = _read_member(
                member, mapping, alias_sets, limits
            )
            log.info(
                "%s: %s rows kept, %s rejected",
                summary.name,
                summary.rows_kept,
                summary.rows_rejected,
            )
            progress(f"read {summary.name}: {summary.rows_kept:,} rows", share(number, 0))
            frames.append(frame)
            files.append(summary)
            if sum(f.rows_read for f in files) > limits.max_rows:
                raise InputError(too_many_rows("these exports", limits))
            problems.extend(file_problems)
            unmapped.extend(c for c in file_unmapped if c not in unmapped)
    if not files:
        raise InputError("no legacy export was given (or the archives held none)")
    progress("legacy exports read", 1.0)
    detections = with_mapped_columns(frames, mapping)
    return LegacyData(detections, tuple(files), tuple(problems), tuple(unmapped))


def with_mapped_columns(frames: Sequence[pd.DataFrame], mapping: Mapping) -> pd.DataFrame:
    """The files' detections as one frame with a column for every mapped field (empty where no
    file had it), repeating text held as categoricals."""
    detections = stacked(frames)
    absent = [r.siem_field for r in mapping.fields if r.siem_field not in detections.columns]
    # built empty as categoricals: as text, 2M tiny rows' 40 absent fields took 0.75 GB at once
    empty = categorical(np.full(len(detections), -1, dtype=np.int32), pa.array([], pa.string()))
    return detections.assign(**dict.fromkeys(absent, empty))
