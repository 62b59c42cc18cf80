"""`convert`: Graph alert files -> SIEM API records (JSON array, NDJSON or CSV) + a sidecar.

Two passes over the inputs, each streamed: the first keeps only every alert's id and the version
to emit (the latest lastUpdateDateTime, as the audit keeps), the second writes that version's
records. Memory holds the index, never the alerts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from siem2graph.bridge.records import FeedSpec
from siem2graph.errors import InputError
from siem2graph.graph.cache import parse_time
from siem2graph.graph.records import AlertStream, Invalid, Lines, Records, line_records
from siem2graph.mapping import Mapping
from siem2graph.report.safety import NEUTRALISED_NOTE, neutralise
from siem2graph.sources import Source

FORMATS = ("json", "ndjson", "csv")
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass
class ConvertResult:
    """What a conversion read, wrote and passed over (with why)."""

    alerts: int = 0
    records: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> how many

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _records(batch: Lines | Records) -> Iterator[object]:
    """A batch's records, NDJSON lines parsed one at a time (one alert held, not a batch)."""
    if not isinstance(batch, Lines):
        yield from (record for _, record in batch)
        return
    for number, line in zip(batch.numbers, batch.lines(), strict=True):
        yield from (record for _, record in line_records(number, line))


def _alerts(source: Source) -> Iterator[tuple[int, Any]]:
    """(position in the file, record) for every record of a Graph file."""
    position = 0
    for batch in AlertStream(source).batches():
        for record in _records(batch):
            position += 1
            yield position, record


def _alert_id(record: Any) -> str | None:
    alert_id = record.get("id") if isinstance(record, dict) else None
    return alert_id if isinstance(alert_id, str) and alert_id else None


def _latest(sources: Sequence[Source], result: ConvertResult) -> dict[str, tuple[int, int]]:
    """id -> (file number, position) of the version to emit; skipped records counted."""
    chosen: dict[str, tuple[datetime, int, int]] = {}
    for number, source in enumerate(sources):
        for position, record in _alerts(source):
            if isinstance(record, Invalid):
                result.skip("not JSON")
                continue
            alert_id = _alert_id(record)
            if alert_id is None:
                result.skip("not an alert (no id)")
                continue
            updated = parse_time(record.get("lastUpdateDateTime")) or _OLDEST
            known = chosen.get(alert_id)
            if known is not None:
                result.skip("an older version of an alert")
                if known[0] > updated:
                    continue
            chosen[alert_id] = (updated, number, position)
    return {key: (number, position) for key, (_, number, position) in chosen.items()}


def graph_records(
    sources: Sequence[Source], spec: FeedSpec, result: ConvertResult
) -> Iterator[dict[str, str]]:
    """The SIEM API records of every alert's latest version, in file order."""
    chosen = _latest(sources, result)
    builder = spec.writer()
    for number, source in enumerate(sources):
        stream_alerts = _alerts(source)
        for position, record in stream_alerts:
            alert_id = _alert_id(record)
            if alert_id is None or chosen.get(alert_id) != (number, position):
                continue
            result.alerts += 1
            for row in builder.records(record):
                result.records += 1
                yield row


class _Writer:
    """Writes records in one format to an open binary file."""

    def __init__(self, out: IO[bytes], fmt: str, columns: Sequence[str]) -> None:
        self._out, self._fmt, self._first = out, fmt, True
        self._csv: Any = None
        if fmt == "json":
            out.write(b"[")
        elif fmt == "csv":
            self._text = _TextOut(out)
            self._csv = csv.writer(self._text, lineterminator="\r\n")
            self._csv.writerow(columns)

    def write(self, row: dict[str, str]) -> None:
        if self._fmt == "csv":
            self._csv.writerow([neutralise(value) for value in row.values()])
        elif self._fmt == "ndjson":
            self._out.write(orjson.dumps(row) + b"\n")
        else:
            self._out.write((b"\n" if self._first else b",\n") + orjson.dumps(row))
        self._first = False

    def close(self) -> None:
        if self._fmt == "json":
            self._out.write(b"\n]\n" if not self._first else b"]\n")


class _TextOut:
    """csv.writer's text, encoded to UTF-8 onto a binary file."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(text.encode("utf-8"))


def feed_metadata(spec: FeedSpec, mapping: Mapping, fmt: str) -> dict[str, Any]:
    """What the feed holds and what it cannot: the sidecar's fixed part."""
    notes = [
        "One record per detection-equivalent: each file, process, IP or URL evidence item of an "
        "alert is one record; records of one alert share AlertId (a count of records is a count "
        "of detections, as with the SIEM API, not of alerts).",
        "Enumerations (Severity, Source, RemediationAction, ...) are written in the SIEM API's "
        "vocabulary through the mapping's vocabularies; those marked [inferred] in the mapping "
        "are our reading, not Microsoft's.",
    ]
    if fmt == "csv":
        notes.append(NEUTRALISED_NOTE.replace("report.json keeps", "the JSON formats keep"))
    return {
        "format": fmt,
        "mapping_version": mapping.version,
        "columns": list(spec.columns),
        "unfilled": [{"key": u.key, "status": u.status, "reason": u.reason} for u in spec.unfilled],
        "notes": notes,
    }


def sidecar_path(out: Path) -> Path:
    """Where the feed's metadata is written: beside the feed, `<name>.feed.json`."""
    return out.with_name(out.name + ".feed.json")


def convert(sources: Iterable[Source], out: Path, fmt: str, mapping: Mapping) -> ConvertResult:
    """Write every Graph alert of `sources` as SIEM API records to `out` (+ the sidecar)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown feed format {fmt!r}; choose one of {', '.join(FORMATS)}")
    sources = list(sources)
    if not sources:
        raise InputError("no Graph alerts file was given")
    spec = FeedSpec.from_mapping(mapping)
    result = ConvertResult()
    temporary = out.with_name(out.name + ".tmp")
    try:
        with temporary.open("wb") as handle:
            writer = _Writer(handle, fmt, spec.columns)
            for row in graph_records(sources, spec, result):
                writer.write(row)
            writer.close()
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write {out.name}: {exc.strerror or type(exc).__name__}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(out)
    metadata = feed_metadata(spec, mapping, fmt) | {
        "alerts": result.alerts,
        "records": result.records,
        "skipped": result.skipped,
    }
    sidecar_path(out).write_bytes(orjson.dumps(metadata, option=orjson.OPT_INDENT_2))
    return result
