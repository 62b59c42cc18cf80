"""Iterate the alerts of a saved Graph file: a list response, a JSON array or NDJSON.

NDJSON is streamed line by line (the file is never held whole), and the file's SHA-256 is
computed from the same reads, so a large export is read from disk once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from siem2graph.errors import InputError
from siem2graph.sources import Source

_BLOCK = 1 << 23


@dataclass(frozen=True)
class Invalid:
    """A line that is not JSON."""

    reason: str


@dataclass
class AlertStream:
    """The records of one file with their line (NDJSON) or position (JSON); ``sha256`` is
    complete once the records have been consumed."""

    source: Source
    digest: Any = field(default_factory=hashlib.sha256)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def __iter__(self) -> Iterator[tuple[int, object]]:
        with self.source.open() as stream:
            lines = self._lines(stream)
            first = _first_record(lines)
            if first is None:
                raise InputError(f"{self.source.name}: the file is empty")
            number, line, record = first
            second = next(lines, None)
            if isinstance(record, Invalid) or second is None:
                held = [(number, line), *([second] if second else []), *lines]
                yield from _whole_document(self.source.name, held, record)
                return
            yield from _records(self.source.name, number, line, record)
            yield from _records(self.source.name, *second)
            for number, line in lines:
                yield from _records(self.source.name, number, line)

    def _lines(self, stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
        """(number, line) for every non-blank line, numbered as ``bytes.splitlines`` numbers."""
        number, tail = 0, b""
        while block := stream.read(_BLOCK):
            self.digest.update(block)
            *lines, tail = (tail + block).split(b"\n")
            for line in lines:
                for part in line.splitlines() if b"\r" in line[:-1] else (line,):
                    number += 1
                    if part.strip():
                        yield number, part
        for part in tail.splitlines():
            number += 1
            if part.strip():
                yield number, part


def _first_record(
    lines: Iterator[tuple[int, bytes]],
) -> tuple[int, bytes, object] | None:
    for number, line in lines:
        try:
            return number, line, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            return number, line, Invalid(str(exc))
    return None


def _whole_document(
    name: str, lines: list[tuple[int, bytes]], first: object
) -> Iterator[tuple[int, object]]:
    """A file that is one JSON document, or NDJSON whose first line is broken."""
    try:
        document = orjson.loads(b"\n".join(line for _, line in lines))
    except orjson.JSONDecodeError:
        if isinstance(first, Invalid) and lines[0][0] == 1:
            raise InputError(f"{name}: neither JSON nor NDJSON ({first.reason})") from None
        for number, line in lines:
            yield from _records(name, number, line)
        return
    yield from enumerate(_unwrap(document, name), 1)


def _records(
    name: str, number: int, line: bytes, parsed: object = None
) -> Iterator[tuple[int, object]]:
    if parsed is None:
        try:
            parsed = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, Invalid(str(exc))
            return
    if isinstance(parsed, dict) and isinstance(parsed.get("value"), list):
        for alert in parsed["value"]:
            yield number, alert
    else:
        yield number, parsed


def _unwrap(document: Any, name: str) -> list[object]:
    if isinstance(document, dict):
        if isinstance(document.get("value"), list):
            return document["value"]
        if "id" in document:
            return [document]
        raise InputError(f"{name}: JSON is neither an alert, a list of alerts nor a list response")
    if isinstance(document, list):
        if document and all(
            isinstance(d, dict) and isinstance(d.get("value"), list) for d in document
        ):
            return [alert for page in document for alert in page["value"]]
        return document
    raise InputError(f"{name}: JSON holds no alerts")
