"""JSON exports: a document (what ``envelopes.unwrap`` reads records from) or NDJSON.

NDJSON is read line by line, each line unwrapped; a JSON document is parsed whole (up to
``ReadLimits.max_json_document_bytes``). Nested values become JSON text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from siem2graph.envelopes import (
    document_records,
    document_too_large,
    line_too_long,
    list_key,
    too_deep,
    unwrap,
)
from siem2graph.errors import InputError
from siem2graph.json_keys import Repeating, first_wins, gathered, repeated_reason
from siem2graph.legacy.collect import ParsedFile, RowCollector
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.sniff import Decoded
from siem2graph.legacy.streams import ReplayStream
from siem2graph.memory import collector_paused
from siem2graph.paths import to_text

_BATCH_RECORDS = 20_000


def cell_text(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold; null stays null."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return to_text(value)


def _cells(values: Sequence[Any]) -> pa.Array:
    """A column's values as ``cell_text`` gives them: texts and nulls go to Arrow as they are
    (Arrow refuses anything else), a column holding other values is converted value by value."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([cell_text(v) for v in values], pa.string())


class _Batcher:
    """Turns records into string-column batches for the collector."""

    def __init__(self, collector: RowCollector) -> None:
        self.collector = collector
        self.records: list[dict[str, Any]] = []
        self.numbers: list[int] = []

    def take(self, number: int, record: Any, reread: bool = False) -> None:
        """Take record ``number``; ``reread``: read by ``first_wins`` (it may repeat keys)."""
        if reread and isinstance(record := gathered(record), Repeating):
            self.collector.note(repeated_reason(record), number)
        if not isinstance(record, dict):
            self.collector.reject(number, f"a JSON {type(record).__name__}, not an object")
        elif problem := too_deep(record, self.collector.limits):
            self.collector.reject(number, problem)
        else:
            self.records.append(record)
            self.numbers.append(number)
            if len(self.records) >= _BATCH_RECORDS:
                self.flush()

    def flush(self) -> None:
        if not self.records:
            return
        first = tuple(self.records[0])
        # an export's records hold the same keys in the same order: their values are the columns
        alike = all(tuple(r) == first for r in self.records)
        keys = list(first if alike else dict.fromkeys(k for r in self.records for k in r))
        if len(keys) > self.collector.limits.max_columns:
            raise InputError(
                f"{self.collector.file}: records hold {len(keys):,} different keys, more than "
                f"{self.collector.limits.max_columns:,} (ReadLimits.max_columns)"
            )
        values = (
            zip(*(r.values() for r in self.records), strict=True)
            if alike
            else ([r.get(k) for r in self.records] for k in keys)
        )
        table = pa.table([_cells(v) for v in values], names=keys)
        self.collector.add(table, np.array(self.numbers, dtype=np.int64), keys)
        self.records.clear()
        self.numbers.clear()


def _lines(stream: io.BufferedIOBase, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; None for a line longer than ``limit`` bytes (skipped)."""
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(limit + 1)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _read_ndjson(stream: io.BufferedIOBase, batcher: _Batcher) -> None:
    limit = batcher.collector.limits.max_record_bytes
    for number, line in _lines(stream, limit):
        if line is None:
            batcher.collector.reject(number, line_too_long(batcher.collector.limits))
            continue
        if not line.strip():
            continue
        try:
            value, reread = first_wins(line, orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            batcher.collector.reject(number, f"invalid JSON: {exc}")
            continue
        for record in unwrap(value):
            batcher.take(number, record, reread)


def _document_kind(document: Any) -> str:
    if isinstance(document, list):
        return "json (array)"
    if isinstance(document, dict):
        key = list_key(document)
        return f"json ({key})" if key else "json (one record)"
    raise InputError("JSON holds neither records nor a list of records")


def _is_ndjson(first_line: bytes) -> bool:
    if not first_line.lstrip().startswith(b"{"):
        return False
    try:
        return isinstance(orjson.loads(first_line), dict)
    except orjson.JSONDecodeError:
        return False


def _more_lines_are_objects(data: bytes) -> bool:
    """A document that fails to parse as a whole, but whose later lines are JSON objects."""
    lines = [line for line in data.splitlines()[1:] if line.strip()]
    return bool(lines) and _is_ndjson(lines[0])


@collector_paused()
def read_json(name: str, decoded: Decoded, limits: ReadLimits) -> ParsedFile:
    """Read a JSON or NDJSON export."""
    collector = RowCollector(name, limits)
    batcher = _Batcher(collector)
    with decoded.stream as stream:
        first = stream.readline(limits.max_record_bytes + 1)
        second = b""
        while not second.strip() and (line := stream.readline(limits.max_record_bytes + 1)):
            second += line
        if _is_ndjson(first) and second.strip():
            _read_ndjson(io.BufferedReader(ReplayStream(first + second, stream)), batcher)
            fmt = "ndjson"
        else:
            head = first + second
            data = head + stream.read(max(limits.max_json_document_bytes + 1 - len(head), 0))
            if len(data) > limits.max_json_document_bytes:
                raise InputError(document_too_large(name, limits))
            fmt = _read_document(name, data, batcher)
    batcher.flush()
    return collector.finish(None, fmt, decoded.encoding)


def _read_document(name: str, data: bytes, batcher: _Batcher) -> str:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if _more_lines_are_objects(data):
            _read_ndjson(io.BufferedReader(io.BytesIO(data)), batcher)
            return "ndjson"
        raise InputError(f"{name}: not valid JSON or NDJSON ({exc})") from None
    document, reread = first_wins(data, document)
    try:
        fmt = _document_kind(document)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    for number, record in enumerate(document_records(document), 1):
        batcher.take(number, record, reread)
    return fmt
