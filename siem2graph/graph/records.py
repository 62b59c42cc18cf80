"""Read the alerts of a saved Graph file in batches: a list response, a JSON array or NDJSON.

NDJSON is streamed and handed over in batches of raw lines (the file is never held whole); a batch
whose lines are all one object each is handed over as read, unsplit. The file's SHA-256 is
computed from the same reads, so a large export is read from disk once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from siem2graph.envelopes import document_records, document_too_large, line_too_long, unwrap
from siem2graph.errors import InputError
from siem2graph.graph.v1 import refuse_v1
from siem2graph.json_keys import first_wins, gathered
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.sniff import binary_kind
from siem2graph.sources import Source

BATCH_BYTES = 1 << 26  # NDJSON read and handed over at once
BATCH_RECORDS = 20_000  # records of a whole JSON document handed over at once
_NEWLINE_BYTE = b"\n"
_OPEN, _CLOSE = b"{}"
_NOT_JSON = "invalid JSON: "

Records = list[tuple[int, object]]  # (line or position, parsed record)


@dataclass(frozen=True)
class Invalid:
    """A line that is not read: not JSON, or over ``ReadLimits.max_record_bytes``."""

    problem: str


@dataclass(frozen=True)
class Lines:
    """Non-blank NDJSON lines, not parsed yet, with their line numbers."""

    numbers: Sequence[int]
    text: bytes  # the lines joined by line breaks (line-end CRs dropped): what pyarrow reads
    objects: bool  # every line of ``text`` is '{...}': pyarrow may read it
    parts: list[bytes] | None = None  # the lines as split, when ``text`` is not exactly them

    def lines(self) -> list[bytes]:
        if self.parts is not None:
            return self.parts
        lines = self.text.split(b"\n")
        return lines[:-1] if lines and not lines[-1] else lines

    def records(self) -> Records:
        """Every line parsed; list-response lines give their alerts, broken lines ``Invalid``."""
        numbered = zip(self.numbers, self.lines(), strict=True)
        return [r for number, line in numbered for r in line_records(number, line)]


def object_lines(text: bytes, max_line: int | None = None) -> int | None:
    """How many lines ``text`` has if every one is '{...}' (no blank line, no CR) of at most
    ``max_line`` bytes, else None."""
    end = len(text) - 1 if text.endswith(b"\n") else len(text)
    if not text.startswith(b"{") or text[end - 1 : end] != b"}" or b"\r" in text:
        return None
    # one memchr per line: alerts are kilobytes long, and a vectorised pass over the whole
    # piece writes (and page-faults) arrays as large as the piece
    count, start, longest = 1, 0, 0
    cut = text.find(_NEWLINE_BYTE, 0, end)
    while cut >= 0:
        if text[cut - 1] != _CLOSE or text[cut + 1] != _OPEN:
            return None
        longest = max(longest, cut - start)
        count, start = count + 1, cut + 1
        cut = text.find(_NEWLINE_BYTE, start, end)
    if max_line is not None and max(longest, end - start) > max_line:
        return None
    return count


@dataclass
class AlertStream:
    """The batches of one file; ``sha256`` is complete once the batches have been consumed."""

    source: Source
    limits: ReadLimits = field(default_factory=ReadLimits)
    digest: Any = field(default_factory=hashlib.sha256)
    bytes_read: int = 0  # of the stored file, so far
    # the source's hash when already computed (an input cache's key): not computed again
    known: str | None = field(init=False)
    size: int | None = field(init=False)  # the bytes it holds, when known before reading

    def __post_init__(self) -> None:
        self.known = self.source.known_sha256()
        self.size = self.source.stored_size() if self.source.opener is None else None

    def _next_read(self) -> int:
        """Bytes to read into the next buffer: BATCH_BYTES, or the rest of a file of known size
        and one more byte to find its end (a fresh buffer is zero-filled whole)."""
        left = -1 if self.size is None else self.size - self.bytes_read
        return min(BATCH_BYTES, left + 1) if left >= 0 else BATCH_BYTES

    @property
    def sha256(self) -> str:
        return self.known or self.digest.hexdigest()

    def batches(self) -> Iterator[Lines | Records]:
        """NDJSON as ``Lines``; a whole JSON document (or NDJSON with a broken first line) as
        parsed records."""
        # hashed beside the parse (hashlib releases the GIL); blocks are hashed in read order
        with self.source.open() as stream, ThreadPoolExecutor(1) as hashing:
            segments = self._segments(stream, hashing)
            numbers: list[int] = []
            parts: list[bytes] = []
            number = 0
            clean = None
            for segment in segments:  # until the first two lines are known
                if not parts and (clean := self._clean_start(segment)) is not None:
                    break
                number = _split(segment, number, numbers, parts)
                if len(parts) >= 2:
                    break
            if clean is not None:
                yield clean
                number = len(clean.numbers)
            else:
                if not parts:  # a quiet window pulled to NDJSON: no alerts, not an error
                    return
                first = self._first(parts[0])
                if isinstance(first, Invalid) or len(parts) < 2:
                    for segment in segments:  # one document, parsed whole: bounded
                        self._check_document_size(self.bytes_read)
                        number = _split(segment, number, numbers, parts)
                    self._check_document_size(self.bytes_read)
                    held = list(zip(numbers, parts, strict=True))
                    yield from _batched(_whole_document(self.source.name, held, first))
                    return
                yield from self._lines(numbers, parts)
            for segment in segments:
                count = object_lines(segment, self.limits.max_record_bytes)
                if count:
                    yield Lines(range(number + 1, number + count + 1), segment, True)
                    number += count
                    continue
                numbers, parts = [], []
                number = _split(segment, number, numbers, parts)
                yield from self._lines(numbers, parts)

    def _first(self, line: bytes) -> object:
        """The file's first line parsed (Invalid when it is not JSON); InputError when the file
        is binary or comes from the v1 alerts API."""
        if what := binary_kind(bytes(line[:16])):
            raise InputError(f"{self.source.name}: this is {what}, not Graph alerts JSON")
        first = _first_record(line)
        refuse_v1(self.source.name, first)
        return first

    def _clean_start(self, segment: bytes) -> Lines | None:
        """The file's first piece as lines, read whole without splitting it in Python, when it
        is two or more '{...}' lines (``object_lines``) of which the first is JSON; None
        otherwise (then the lines are split one by one: blank lines, CRs, a document)."""
        count = object_lines(segment, self.limits.max_record_bytes)
        if not count or count < 2:
            return None
        if isinstance(self._first(segment[: segment.index(b"\n")]), Invalid):
            return None
        return Lines(range(1, count + 1), segment, True)

    def _lines(self, numbers: list[int], parts: list[bytes]) -> Iterator[Lines | Records]:
        """The lines over ``max_record_bytes`` as rejected records, then the others."""
        limit = self.limits.max_record_bytes
        if any(len(p) > limit for p in parts):
            yield [
                (n, Invalid(line_too_long(self.limits)))
                for n, p in zip(numbers, parts, strict=True)
                if len(p) > limit
            ]
            kept = [(n, p) for n, p in zip(numbers, parts, strict=True) if len(p) <= limit]
            numbers, parts = [n for n, _ in kept], [p for _, p in kept]
        if parts:
            yield _split_lines(numbers, parts)

    def _check_document_size(self, held: int) -> None:
        if held > self.limits.max_json_document_bytes:
            raise InputError(document_too_large(self.source.name, self.limits))

    def _segments(self, stream: IO[bytes], hashing: ThreadPoolExecutor) -> Iterator[bytes]:
        """The file in pieces of about BATCH_BYTES that end after a line break (but the last);
        each piece is read into one buffer behind the previous one's unfinished line, and
        hashed as handed over (the pieces are the file in order)."""
        tail: bytes | bytearray = b""
        while True:
            start = len(tail)
            if isinstance(tail, bytearray):  # a line still unfinished: read on behind it
                buffer = tail  # grown in place: a long line is not copied again
                buffer += bytes(self._next_read())
            else:
                buffer = bytearray(start + self._next_read())
                buffer[:start] = tail
            size = stream.readinto(memoryview(buffer)[start:])  # type: ignore[attr-defined]
            if not size:
                del buffer[start:]  # the tail, when it is this buffer
                break
            self.bytes_read += size
            end = start + size
            cut = buffer.rfind(b"\n", start, end) + 1
            if cut:
                tail = bytes(memoryview(buffer)[cut:end])
            else:
                del buffer[end:]
                tail = buffer
            self._check_document_size(len(tail))  # an unfinished line is held whole
            if cut:
                del buffer[cut:]
                self._hash(hashing, buffer)
                yield buffer  # type: ignore[misc]  # no copy: read as bytes from here on
        if tail:
            self._hash(hashing, tail)
            yield tail  # type: ignore[misc]  # no copy: read as bytes from here on

    def _hash(self, hashing: ThreadPoolExecutor, piece: bytes | bytearray) -> None:
        if self.known is None:
            hashing.submit(self.digest.update, piece)


def _split(segment: bytes, number: int, numbers: list[int], parts: list[bytes]) -> int:
    """Append the non-blank lines of ``segment`` (numbered as ``bytes.splitlines`` numbers,
    after ``number``) to ``numbers`` and ``parts``; returns the last number."""
    *lines, tail = segment.split(b"\n")  # tail: not '' only at the end of the file
    for line in lines:
        for part in line.splitlines() if b"\r" in line[:-1] else (line,):
            number += 1
            if part and not part.isspace():
                numbers.append(number)
                parts.append(part)
    for part in tail.splitlines():
        number += 1
        if part.strip():
            numbers.append(number)
            parts.append(part)
    return number


def _split_lines(numbers: list[int], parts: list[bytes]) -> Lines:
    text = b"\n".join(p[:-1] if p.endswith(b"\r") else p for p in parts)
    return Lines(numbers, text, object_lines(text) == len(numbers), parts)


def _batched(records: Iterator[tuple[int, object]]) -> Iterator[Records]:
    batch: Records = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_RECORDS:
            yield batch
            batch = []
    if batch:
        yield batch


def _first_record(line: bytes) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Invalid(_not_json(exc))


def _not_json(exc: orjson.JSONDecodeError) -> str:
    return f"{_NOT_JSON}{exc}"


def _whole_document(
    name: str, lines: list[tuple[int, bytes]], first: object
) -> Iterator[tuple[int, object]]:
    """A file that is one JSON document, or NDJSON whose first line is broken; ``first`` is
    its first line parsed (the whole document when it is on one line: not parsed again)."""
    text = b"\n".join(line for _, line in lines)
    whole = len(lines) == 1 and not isinstance(first, Invalid)
    try:
        document, reread = first_wins(text, first if whole else orjson.loads(text))
    except orjson.JSONDecodeError:
        if isinstance(first, Invalid) and lines[0][0] == 1:
            reason = first.problem.removeprefix(_NOT_JSON)
            reason = "not UTF-8 text" if "UTF-8" in reason else reason
            raise InputError(f"{name}: neither JSON nor NDJSON ({reason})") from None
        for number, line in lines:
            yield from line_records(number, line)
        return
    refuse_v1(name, document)
    alerts = _unwrap(document, name)
    yield from enumerate(map(gathered, alerts) if reread else alerts, 1)


def line_records(number: int, line: bytes) -> Records:
    """The records of one NDJSON line: its alert, a list response's alerts, or ``Invalid``."""
    try:
        parsed, reread = first_wins(line, orjson.loads(line))
    except orjson.JSONDecodeError as exc:
        return [(number, Invalid(_not_json(exc)))]
    return [(number, gathered(a) if reread else a) for a in unwrap(parsed)]


def _unwrap(document: Any, name: str) -> list[object]:
    if not isinstance(document, dict | list):
        raise InputError(f"{name}: JSON holds no alerts")
    records = document_records(document)
    if len(records) == 1 and records[0] is document and "id" not in document:
        raise InputError(f"{name}: JSON is neither an alert, a list of alerts nor a list response")
    return records
