"""The pull's local cache: alerts as NDJSON (latest version per id) plus a small pull record."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from siem2graph.errors import InputError

_OLDEST = datetime.min.replace(tzinfo=UTC)


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


class NdjsonSink:
    """Collects alerts into `path`, one JSON object per line, keeping the latest
    lastUpdateDateTime per id. Lines are spooled to disk as they arrive, so memory holds
    only the index; `finish()` writes the final file atomically.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._spool_path = path.with_name(path.name + ".spool")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._spool = self._spool_path.open("w+b")
        self._kept: dict[str, _Kept] = {}
        self.malformed = 0
        self.sha256 = ""  # of the final file, set by finish()

    def __len__(self) -> int:
        return len(self._kept)

    def add(self, alert: Any) -> None:
        """Store one alert (the newer version when its id is known); no id counts as malformed."""
        alert_id = alert.get("id") if isinstance(alert, dict) else None
        if not isinstance(alert_id, str) or not alert_id:
            self.malformed += 1
            return
        updated = parse_time(alert.get("lastUpdateDateTime")) or _OLDEST
        known = self._kept.get(alert_id)
        if known is not None and known.updated >= updated:
            return
        line = orjson.dumps(alert) + b"\n"
        offset = self._spool.seek(0, os.SEEK_END)
        self._spool.write(line)
        self._kept[alert_id] = _Kept(updated, offset, len(line))

    def finish(self) -> int:
        """Write the kept alerts to `path` (in arrival order) and drop the spool; returns count.

        `sha256` then holds the digest of the file written, for the pull record.
        """
        temporary = self.path.with_name(self.path.name + ".tmp")
        self._spool.flush()
        digest = hashlib.sha256()
        with temporary.open("wb") as out:
            for kept in sorted(self._kept.values(), key=lambda k: k.offset):
                self._spool.seek(kept.offset)
                line = self._spool.read(kept.length)
                digest.update(line)
                out.write(line)
        self.sha256 = digest.hexdigest()
        self._spool.close()
        self._spool_path.unlink(missing_ok=True)
        temporary.replace(self.path)
        return len(self._kept)


def record_path(ndjson_path: Path) -> Path:
    """Where the pull record of an NDJSON cache file lives."""
    return ndjson_path.with_name(ndjson_path.name + ".pull.json")


def write_record(ndjson_path: Path, record: dict[str, Any]) -> None:
    """Save what the pull did (tenant, window, completeness, counters, the file's sha256) next to
    the alerts. Identifiers only: a record never holds a secret or a token."""
    record_path(ndjson_path).write_bytes(orjson.dumps(record, option=orjson.OPT_INDENT_2))


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
