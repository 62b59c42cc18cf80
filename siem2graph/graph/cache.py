"""The pull's local cache: alerts as NDJSON (latest version per id) plus a small pull record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from siem2graph.errors import InputError, PartialPull

_OLDEST = datetime.min.replace(tzinfo=UTC)
_BLOCK = 1 << 20


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 Graph timestamp (up to 7 fraction digits) as an aware datetime, else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class _Kept:
    updated: datetime
    offset: int
    length: int


def append(file: BinaryIO, data: bytes) -> None:
    """Write all of ``data`` to an unbuffered file (a short write is carried on)."""
    view = memoryview(data)
    while view:
        view = view[file.write(view) or 0 :]


def not_written(path: Path, error: OSError, kept: int) -> PartialPull:
    """A pull stopped by a failed write (a full disk): names the file, never its folder."""
    why = error.strerror or type(error).__name__
    return PartialPull(f"could not write {path.name} ({why}); the {kept:,} alerts before are kept")


class NdjsonSink:
    """Collects alerts into `path`, one JSON object per line, keeping the latest
    lastUpdateDateTime per id. Lines are spooled to disk as they arrive, so memory holds
    only the index; `finish()` drops superseded lines in place and renames the spool to
    `path`, so finishing needs no disk space (a pull that filled the disk keeps its alerts).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._spool_path = path.with_name(path.name + ".spool")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._spool = self._spool_path.open("w+b", buffering=0)
        self._size = 0
        self._kept: dict[str, _Kept] = {}
        self.malformed = 0
        self.sha256 = ""  # of the final file, set by finish()

    def __len__(self) -> int:
        return len(self._kept)

    def add(self, alert: Any) -> None:
        """Store one alert (the newer version when its id is known); no id counts as malformed.

        A failed write (no space left) raises ``PartialPull``: the line cut short is dropped,
        the alerts before it stay."""
        alert_id = alert.get("id") if isinstance(alert, dict) else None
        if not isinstance(alert_id, str) or not alert_id:
            self.malformed += 1
            return
        updated = parse_time(alert.get("lastUpdateDateTime")) or _OLDEST
        known = self._kept.get(alert_id)
        if known is not None and known.updated >= updated:
            return
        line = orjson.dumps(alert) + b"\n"
        try:
            append(self._spool, line)
        except OSError as exc:
            self._spool.truncate(self._size)
            raise not_written(self.path, exc, len(self._kept)) from None
        self._kept[alert_id] = _Kept(updated, self._size, len(line))
        self._size += len(line)

    def finish(self) -> int:
        """Keep each id's latest line (in arrival order), make the spool `path`; returns count.

        `sha256` then holds the digest of the file written, for the pull record.
        """
        digest = hashlib.sha256()
        if sum(k.length for k in self._kept.values()) == self._size:  # nothing superseded
            self._spool.seek(0)
            while block := self._spool.read(_BLOCK):
                digest.update(block)
            end = self._size
        else:
            end = self._compact(digest)
        self._spool.truncate(end)
        self._spool.close()
        self.sha256 = digest.hexdigest()
        self._spool_path.replace(self.path)
        return len(self._kept)

    def _compact(self, digest: Any) -> int:
        """Move each kept line down over the superseded ones; returns the new end."""
        end = 0
        for kept in sorted(self._kept.values(), key=lambda k: k.offset):
            self._spool.seek(kept.offset)
            line = self._spool.read(kept.length)
            if kept.offset != end:
                self._spool.seek(end)
                append(self._spool, line)
            digest.update(line)
            end += kept.length
        return end

    def abandon(self) -> None:
        """Drop the spool of a pull that failed unexpectedly."""
        self._spool.close()
        self._spool_path.unlink(missing_ok=True)


def record_path(ndjson_path: Path) -> Path:
    """Where the pull record of an NDJSON cache file lives."""
    return ndjson_path.with_name(ndjson_path.name + ".pull.json")


def write_record(ndjson_path: Path, record: dict[str, Any], reserve: int = 0) -> None:
    """Save what the pull did (tenant, window, completeness, counters, the file's sha256) next to
    the alerts. Identifiers only: a record never holds a secret or a token. ``reserve``: pad
    with blanks to that many bytes, so the final record is written over them on a full disk."""
    data = orjson.dumps(record, option=orjson.OPT_INDENT_2)
    path = record_path(ndjson_path)
    with path.open("r+b" if path.exists() else "wb", buffering=0) as file:
        append(file, data.ljust(reserve))
        file.truncate(max(len(data), reserve))


def read_record(ndjson_path: Path) -> dict[str, Any] | None:
    """The pull record of a cached file, or None when there is none."""
    path = record_path(ndjson_path)
    if not path.exists():
        return None
    try:
        record = orjson.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable pull record ({type(exc).__name__})") from None
    if not isinstance(record, dict):
        raise InputError(f"{path}: unreadable pull record (not an object)")
    return record
