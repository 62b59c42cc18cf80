"""Input sources and what reading them produced: files, row counts, problems."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

Progress = Callable[[str, float], None]  # (what is being done, share of the work done)


def no_progress(_step: str, _share: float) -> None:
    """The progress callback when nobody listens."""


@dataclass(frozen=True)
class Source:
    """One input file: a path on disk, bytes held in memory (an upload) or a member of an archive.

    ``opener`` (archive members) returns a fresh stream over the member's expanded bytes.
    """

    name: str
    path: Path | None = None
    data: bytes | None = None
    opener: Callable[[], BinaryIO] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_path(cls, path: Path | str) -> Source:
        path = Path(path)
        return cls(name=path.name, path=path)

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Source:
        return cls(name=name, data=data)

    def open(self) -> BinaryIO:
        """A fresh binary stream over the whole file."""
        if self.opener is not None:
            return self.opener()
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def stored_size(self) -> int | None:
        """Bytes the file takes where it is stored (an archive: compressed); None if unknown."""
        if self.data is not None:
            return len(self.data)
        if self.path is not None:
            return self.path.stat().st_size
        return None

    def _stamp(self) -> tuple[int, int] | None:
        """What says a file on disk changed (size, modification time); None for bytes."""
        if self.path is None:
            return None
        stat = self.path.stat()
        return stat.st_size, stat.st_mtime_ns

    def known_sha256(self) -> str | None:
        """The SHA-256 ``sha256`` computed, while the file on disk is unchanged; else None."""
        known = self.__dict__.get("_sha256")
        return str(known[1]) if known is not None and known[0] == self._stamp() else None

    def sha256(self) -> str:
        """The SHA-256 of the file's bytes, computed once per source (a file on disk: again
        when its size or modification time changed)."""
        if (known := self.known_sha256()) is not None:
            return known
        stamp = self._stamp()
        digest = hashlib.sha256()
        with self.open() as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        # frozen: the hash is remembered beside the fields, not one of them
        object.__setattr__(self, "_sha256", (stamp, digest.hexdigest()))
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
    """What reading one file gave: every row read is kept, rejected or a repeated header.

    ``rows_read == rows_kept + rows_rejected + repeated_headers`` (see ``reconciles``).
    """

    side: str
    name: str
    sha256: str
    format: str
    rows_read: int
    rows_kept: int
    rows_rejected: int
    columns: tuple[str, ...] = ()
    repeated_headers: int = 0
    encoding: str = ""
    delimiter: str = ""
    alias_sets: str = ""

    @property
    def reconciles(self) -> bool:
        """Every row read is accounted for."""
        return self.rows_read == self.rows_kept + self.rows_rejected + self.repeated_headers


def read_shares(sources: Sequence[Source]) -> Callable[[int, int], float]:
    """``share(i, done)``: the share of all ``sources`` read once source ``i`` has ``done`` bytes
    read, by stored size (sources of unknown size weigh as much as the average known one)."""
    sizes = [s.stored_size() for s in sources]
    known = [z for z in sizes if z is not None]
    weights = [z if z is not None else (sum(known) // len(known) if known else 1) for z in sizes]
    weights = [max(1, w) for w in weights]
    starts = [sum(weights[:i]) for i in range(len(weights))]
    total = sum(weights) or 1

    def share(index: int, done: int) -> float:
        return min(1.0, (starts[index] + min(done, weights[index])) / total)

    return share
