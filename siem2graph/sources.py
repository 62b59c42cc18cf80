"""Input sources and what reading them produced: files, row counts, problems."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Source:
    """One input file: a path on disk or bytes held in memory (an upload)."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def from_path(cls, path: Path | str) -> Source:
        path = Path(path)
        return cls(name=path.name, path=path)

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Source:
        return cls(name=name, data=data)

    def open(self) -> BinaryIO:
        """A fresh binary stream over the whole file."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open() as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


@dataclass(frozen=True)
class RowProblem:
    """A row (or a whole file) that was rejected or needs attention, and why."""

    side: str
    file: str
    line: int | None
    reason: str


@dataclass(frozen=True)
class FileSummary:
    """What reading one file gave: every row read is either kept or rejected."""

    side: str
    name: str
    sha256: str
    format: str
    rows_read: int
    rows_kept: int
    rows_rejected: int
    columns: tuple[str, ...] = ()
