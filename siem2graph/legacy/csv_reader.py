"""CSV exports: pyarrow's streaming reader first; Python's csv module when rows are malformed.

The fast path reads UTF-8 (other encodings re-encoded while streaming) in blocks with no Python
per-row work. A row pyarrow cannot take (wrong field count, unterminated quote, a record larger
than a block) sends the whole file to the careful path, which reports each bad row by number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from siem2graph.errors import InputError
from siem2graph.legacy.collect import ParsedFile, RowCollector
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.sniff import Decoded, detect_delimiter, first_record
from siem2graph.sources import Source

FIRST_RECORD = 1  # records are numbered from 1 after the header (embedded newlines do not count)
_SLOW_BATCH_ROWS = 50_000
_QUOTE_SCAN = 1 << 24
_QUOTE = ord('"')
_INVALID_UTF8 = "invalid UTF8"


def _header(name: str, decoded: Decoded, limits: ReadLimits) -> tuple[list[str], str]:
    delimiter = detect_delimiter(decoded.head)
    header = [h.strip() for h in first_record(decoded.head, delimiter)]
    if not any(header):
        raise InputError(f"{name}: the first line is not a header row of column names")
    if len(header) > limits.max_columns:
        raise InputError(
            f"{name}: {len(header):,} columns, more than {limits.max_columns:,} "
            "(ReadLimits.max_columns)"
        )
    return header, delimiter


def _fast(decoded: Decoded, header: list[str], delimiter: str, collector: RowCollector) -> None:
    # a record larger than a block makes pyarrow fail: the careful path then reads the file
    block = collector.limits.max_record_bytes
    positions = [str(i) for i in range(len(header))]
    # no invalid_row_handler: pyarrow raises on a bad row by itself, and a handler is given
    # the row as text, which fails (unraisably) when the row holds invalid UTF-8
    reader = pacsv.open_csv(
        str(decoded.native) if decoded.native else decoded.stream,
        read_options=pacsv.ReadOptions(column_names=positions, skip_rows=1, block_size=block),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(positions, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    next_row = FIRST_RECORD
    # each batch is collected in a thread while pyarrow parses the next one (both release the
    # GIL); one batch at a time, in order
    with ThreadPoolExecutor(1) as pool:
        adding: Future[None] | None = None
        for batch in reader:
            rows = np.arange(next_row, next_row + batch.num_rows, dtype=np.int64)
            if adding is not None:
                adding.result()
            adding = pool.submit(collector.add, pa.Table.from_batches([batch]), rows, header)
            next_row += batch.num_rows
        if adding is not None:
            adding.result()


def _records(decoded: Decoded, delimiter: str) -> Iterator[list[str] | csv.Error]:
    text = io.TextIOWrapper(decoded.stream, encoding="utf-8", errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    while True:
        try:
            yield next(reader)
        except csv.Error as exc:
            yield exc
        except StopIteration:
            return


def _careful(decoded: Decoded, header: list[str], delimiter: str, collector: RowCollector) -> None:
    width = len(header)
    pending: list[list[str]] = []
    numbers: list[int] = []

    positions = [str(i) for i in range(width)]

    def flush() -> None:
        if pending:
            columns = [pa.array(c, pa.string()) for c in zip(*pending, strict=True)]
            table = pa.table(columns, names=positions)
            collector.add(table, np.array(numbers, dtype=np.int64), header)
        pending.clear()
        numbers.clear()

    records = _records(decoded, delimiter)
    next(records, None)  # the header
    row = FIRST_RECORD - 1
    for record in records:
        if record == []:
            continue  # a blank line is not a row (the fast path skips them too)
        row += 1
        if isinstance(record, csv.Error):
            collector.reject(row, f"bad quoting: {record}")
            continue
        if len(record) > width and not any(v.strip() for v in record[width:]):
            record = record[:width]  # trailing empty fields past the header (Excel)
        if len(record) != width:
            collector.reject(row, f"{len(record)} fields where the header has {width}")
            continue
        pending.append(record)
        numbers.append(row)
        if len(pending) >= _SLOW_BATCH_ROWS:
            flush()
    flush()


def _name_columns(header: list[str], parsed: ParsedFile) -> ParsedFile:
    """Unnamed columns (trailing delimiters) are dropped when empty, else named by position."""
    keep, names = [], []
    for index, name in enumerate(header):
        column = parsed.table.column(index)
        if name or column.null_count < len(column):
            keep.append(index)
            names.append(name or f"column_{index + 1}")
    parsed.table = parsed.table.select(keep)
    parsed.names = names
    return parsed


Reader = Callable[[Decoded, list[str], str, RowCollector], None]


def _run(
    read: Reader, decoded: Decoded, header: list[str], delimiter: str, name: str, limits: ReadLimits
) -> RowCollector:
    collector = RowCollector(name, limits, header)
    with decoded.stream:
        read(decoded, header, delimiter, collector)
    return collector


def _odd_quote_count(decoded: Decoded) -> bool:
    """An odd number of quote characters: a quote left open, which pyarrow would swallow."""
    count = 0
    with decoded.stream as stream:
        while chunk := stream.read(_QUOTE_SCAN):
            count += int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == _QUOTE))
    return count % 2 == 1


def read_csv(
    source: Source, opener: Callable[[bool], Decoded], decoded: Decoded, limits: ReadLimits
) -> ParsedFile:
    """Read a CSV export; ``opener(replace)`` reopens it (``replace``: invalid UTF-8 -> U+FFFD)."""
    header, delimiter = _header(source.name, decoded, limits)
    replaced = False
    # the quotes are counted in a thread beside pyarrow's parse (numpy releases the GIL)
    with ThreadPoolExecutor(1) as scan:
        open_quote = scan.submit(_odd_quote_count, decoded)
        try:
            collector = _run(_fast, opener(False), header, delimiter, source.name, limits)
            if open_quote.result():
                raise pa.ArrowInvalid("a quote is left open")
        except pa.ArrowInvalid as exc:
            replaced = _INVALID_UTF8 in str(exc) and not open_quote.result()
            try:
                if not replaced:
                    raise
                collector = _run(_fast, opener(True), header, delimiter, source.name, limits)
            except pa.ArrowInvalid:
                collector = _run(_careful, opener(replaced), header, delimiter, source.name, limits)
    if replaced:
        collector.note("invalid UTF-8 byte sequences were replaced by U+FFFD")
    parsed = collector.finish(header, "csv", decoded.encoding, delimiter)
    return _name_columns(header, parsed)
