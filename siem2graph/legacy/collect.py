"""Collect parsed rows batch by batch: drop repeated headers, reject over-long fields, count."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.errors import InputError, quoted
from siem2graph.legacy.compact import repeats
from siem2graph.legacy.limits import ReadLimits
from siem2graph.sources import RowProblem

SIDE = "legacy"
_NULL = pa.scalar(None, pa.string())


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """'' and whitespace-only values become null: every kind of empty is one NA."""
    blank = pc.or_(pc.equal(pc.binary_length(column), 0), pc.utf8_is_space(column))
    if not pc.any(blank).as_py():
        return column
    return pc.if_else(blank, _NULL, column)


@dataclass
class ParsedFile:
    """One file's rows as text columns, before column names are resolved to SIEM fields.

    ``rows`` holds each kept row's number: the record number (header excluded) for CSV, the line for
    NDJSON, the position in the array for JSON. ``rows_read`` counts every record in the file.
    """

    table: pa.Table
    names: list[str]  # the file's own column names, one per table column
    rows: np.ndarray
    rows_read: int
    rejected: int
    repeated_headers: int
    problems: list[RowProblem]
    format: str
    encoding: str = ""
    delimiter: str = ""


def too_many_rows(file: str, limits: ReadLimits, what: str = "legacy rows") -> str:
    """The message of a file (or a set of files) over ``ReadLimits.max_rows``."""
    return f"{file}: more than {limits.max_rows:,} {what}, the limit (ReadLimits.max_rows)"


@dataclass
class RowCollector:
    """Accumulates batches of string columns; every row seen is kept, rejected or a header."""

    file: str
    limits: ReadLimits
    header: list[str] | None = None  # CSV: a row equal to it is a repeated header
    seen: int = 0
    rejected: int = 0
    repeated_headers: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    _tables: list[pa.Table] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _encoded: dict[str, bool] = field(default_factory=dict)  # column -> held as a dictionary

    def reject(self, row: int, reason: str) -> None:
        """Count one rejected row and say why."""
        self.seen += 1
        self.rejected += 1
        self.problems.append(RowProblem(SIDE, self.file, row, reason))

    def note(self, reason: str, row: int | None = None) -> None:
        """A remark on the file (or on row ``row``) that rejects nothing."""
        self.problems.append(RowProblem(SIDE, self.file, row, reason))

    def _repeated_header(self, table: pa.Table) -> np.ndarray:
        """Rows equal to the header; the first named column screens before the others."""
        assert self.header is not None
        mask = np.zeros(table.num_rows, dtype=bool)
        named = [(c, n) for c, n in zip(table.columns, self.header, strict=True) if n]
        for number, (column, name) in enumerate(named):
            candidates = column if number == 0 else column.filter(pa.array(mask))
            same = pc.equal(pc.utf8_trim(candidates, characters=" \t\ufeff"), name)
            same_np = same.fill_null(False).to_numpy(zero_copy_only=False)
            if number == 0:
                mask = same_np
            else:
                mask[mask] = same_np
            if not mask.any():
                break
        return mask

    def _too_long(self, table: pa.Table, rows: np.ndarray, names: list[str]) -> np.ndarray:
        mask = np.zeros(table.num_rows, dtype=bool)
        limit = self.limits.max_field_chars
        for column, name in zip(table.columns, names, strict=True):
            if (pc.max(pc.binary_length(column)).as_py() or 0) <= limit:
                continue  # no value has more bytes than the limit allows characters
            over = pc.greater(pc.utf8_length(column), limit).fill_null(False)
            over_np = over.to_numpy(zero_copy_only=False) & ~mask
            for row in rows[over_np]:
                self.problems.append(
                    RowProblem(
                        SIDE,
                        self.file,
                        int(row),
                        f"field {quoted(name)} is longer than {limit:,} characters "
                        "(ReadLimits.max_field_chars)",
                    )
                )
            mask |= over_np
        return mask

    def add(self, table: pa.Table, rows: np.ndarray, names: list[str]) -> None:
        """Take one batch (string columns named ``names``) whose rows have numbers ``rows``."""
        self.seen += table.num_rows
        if self.seen > self.limits.max_rows:
            raise InputError(too_many_rows(self.file, self.limits))
        keep = np.ones(table.num_rows, dtype=bool)
        if self.header is not None:
            repeated = self._repeated_header(table)
            self.repeated_headers += int(repeated.sum())
            keep &= ~repeated
        too_long = self._too_long(table, rows, names) & keep
        self.rejected += int(too_long.sum())
        keep &= ~too_long
        if not keep.all():
            table, rows = table.filter(pa.array(keep)), rows[keep]
        columns = [
            self._held(name, _blank_to_null(column))
            for name, column in zip(table.column_names, table.columns, strict=True)
        ]
        self._tables.append(pa.table(columns, names=table.column_names))
        self._rows.append(rows)

    def _held(self, name: str, column: pa.ChunkedArray) -> pa.ChunkedArray:
        """``column`` dictionary-encoded when its values repeat (decided on its first batch):
        alert-level fields never hold a file's worth of text at once."""
        if name not in self._encoded:
            self._encoded[name] = repeats(column)
        return pc.dictionary_encode(column) if self._encoded[name] else column

    def finish(
        self, names: list[str] | None, fmt: str, encoding: str, delimiter: str = ""
    ) -> ParsedFile:
        """The collected rows; ``names`` None takes the column names of the batches (JSON)."""
        if self._tables:
            table = pa.concat_tables(self._tables, promote_options="default")
            rows = np.concatenate(self._rows)
        else:
            empty = {str(i): pa.array([], pa.string()) for i in range(len(names or []))}
            table, rows = pa.table(empty), np.zeros(0, dtype=np.int64)
        return ParsedFile(
            table=table,
            names=list(table.column_names) if names is None else names,
            rows=rows,
            rows_read=self.seen,
            rejected=self.rejected,
            repeated_headers=self.repeated_headers,
            problems=self.problems,
            format=fmt,
            encoding=encoding,
            delimiter=delimiter,
        )
