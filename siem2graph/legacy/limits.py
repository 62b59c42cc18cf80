"""Limits that keep hostile or broken input from exhausting memory or time."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """Bounds applied while reading legacy exports and Graph files; override any of them per
    call.

    Exceeding a file-level bound raises InputError naming the file; a row-level bound (a field
    too long, a JSON record nested too deep) rejects that row with a RowProblem.
    """

    max_field_chars: int = 100_000  # a Windows command line is at most 32,767 characters
    max_columns: int = 1_000
    max_record_bytes: int = 16 * MIB  # one CSV record or NDJSON line, also the CSV block size
    max_json_depth: int = 32  # SIEM records are flat; Splunk/Sentinel wrappers add 1-2 levels
    max_json_document_bytes: int = 1024 * MIB  # a JSON array is parsed whole; NDJSON streams
    max_expanded_bytes: int = 16 * 1024 * MIB  # per archive, after decompression
    max_expansion_ratio: float = 200.0  # expanded / compressed bytes (zip bombs)
    expansion_ratio_floor_bytes: int = 16 * MIB  # the ratio applies once this much is expanded
    max_archive_members: int = 10_000
    max_rows: int = 100_000_000  # rows of one side's files together (a server sets fewer)

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value <= 0:
                raise ValueError(f"ReadLimits.{name} must be positive, got {value}")
