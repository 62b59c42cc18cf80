"""Parsed inputs kept by content, so auditing the same Graph pull again (against another legacy
export), or the same export again (against another pull), skips that side's parse.

A Graph entry is keyed by the SHA-256 and name of every Graph file, the reader's version, the
mapping's Graph paths and the reading limits; a legacy entry by the SHA-256 and name of every
export, the reader's version, the column names the mapping and the alias sets resolve, and the
reading limits. A changed byte, another file order, a reader change or another mapping is
another entry. Entries are Arrow IPC files (memory-mapped on load) in a folder of their own,
written under a temporary name and renamed; the least recently used ones are removed once the
folder holds more than its limit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from siem2graph.graph.alerts import GraphData, read_graph
from siem2graph.legacy import LegacyData, ReadLimits, read_legacy
from siem2graph.legacy.aliases import AliasSet, alias_sets_for, base_index, load_alias_set
from siem2graph.legacy.reader import Aliases
from siem2graph.mapping import Mapping
from siem2graph.sources import FileSummary, Progress, RowProblem, Source, no_progress

log = logging.getLogger(__name__)

# Change whenever a reader gives other frames for the same bytes: older entries then miss.
READER_VERSION = "graph-reader-2"
LEGACY_READER_VERSION = "legacy-reader-1"
DEFAULT_LIMIT_BYTES = 8 << 30
# the folder the dashboard keeps parsed inputs in (none unless set: uploads stay off the disk)
INPUT_CACHE_ENV = "SIEM2GRAPH_INPUT_CACHE"
_GRAPH_TABLES = ("alerts", "values", "observed")
_LEGACY_TABLES = ("detections",)
_ALERT_OF_VALUE = "_alert"
_META = "meta.json"
T = TypeVar("T")


def _write(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read(path: Path) -> pd.DataFrame:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_pandas()


def _plain(value: object) -> object:
    """What orjson cannot write, for a key: sets sorted, read-only mappings as dicts."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, MappingABC):
        return dict(value)
    raise TypeError(type(value).__name__)


def _digest(version: str, sources: Sequence[Source], *parts: object) -> str:
    """The key of an entry: the reader's version, what it reads with and every file's hash."""
    digest = hashlib.sha256(version.encode())
    for part in parts:
        digest.update(orjson.dumps(part, default=_plain))
    digest.update(orjson.dumps([(s.name, s.sha256()) for s in sources]))
    return digest.hexdigest()


def graph_key(sources: Sequence[Source], mapping: Mapping, limits: ReadLimits) -> str:
    """The entry of these Graph files read with this mapping within ``limits`` (every file is
    hashed)."""
    paths = [p.text for p in mapping.graph_paths]
    return _digest(READER_VERSION, sources, paths, asdict(limits))


def legacy_key(
    sources: Sequence[Source],
    mapping: Mapping,
    alias_sets: Sequence[AliasSet],
    limits: ReadLimits,
) -> str:
    """The entry of these exports read with these names and limits (every file is hashed)."""
    fields = [r.siem_field for r in mapping.fields]
    return _digest(
        LEGACY_READER_VERSION, sources, fields, base_index(mapping), alias_sets, asdict(limits)
    )


def _summaries(meta: dict[str, Any]) -> tuple[FileSummary, ...]:
    return tuple(FileSummary(**f | {"columns": tuple(f["columns"])}) for f in meta["files"])


def _problems(meta: dict[str, Any]) -> tuple[RowProblem, ...]:
    return tuple(RowProblem(**p) for p in meta["problems"])


def _meta(files: Sequence[FileSummary], problems: Sequence[RowProblem]) -> dict[str, Any]:
    return {"files": [asdict(f) for f in files], "problems": [asdict(p) for p in problems]}


@dataclass(frozen=True)
class ParsedCache:
    """A folder of parsed inputs of either side, at most ``limit_bytes`` large; with
    ``shared_root``, one area of that folder (a user's), whose areas share ``limit_bytes``."""

    folder: Path
    limit_bytes: int = DEFAULT_LIMIT_BYTES
    shared_root: Path | None = None

    def area(self, name: str) -> ParsedCache:
        """The area ``name`` of this cache: its own folder, within this cache's limit."""
        return replace(self, folder=self.folder / name, shared_root=self.folder)

    def entry(
        self, key: str, names: Sequence[str]
    ) -> tuple[list[pd.DataFrame], dict[str, Any]] | None:
        """The entry's tables and metadata, or None when there is none (or it cannot be read:
        it is then removed)."""

        def tables_and_meta(entry: Path) -> tuple[list[pd.DataFrame], dict[str, Any]]:
            meta = orjson.loads((entry / _META).read_bytes())
            return [_read(entry / f"{name}.arrow") for name in names], meta

        return self.load(key, tables_and_meta)

    def load(self, key: str, read: Callable[[Path], T]) -> T | None:
        """What ``read`` makes of the entry's folder, or None when there is none (or ``read``
        finds it unreadable: OSError, ValueError (orjson's, ``read_report``'s) or ArrowInvalid;
        it is then removed)."""
        entry = self.folder / key
        if not entry.is_dir():
            return None
        try:
            found = read(entry)
        except (OSError, ValueError, pa.ArrowInvalid):
            log.warning("cache entry %s unreadable; removed", key[:12])
            shutil.rmtree(entry, ignore_errors=True)
            return None
        os.utime(entry)  # recently used: evicted last
        return found

    def keep(self, key: str, tables: MappingABC[str, pd.DataFrame], meta: dict[str, Any]) -> None:
        """Keep ``tables`` and ``meta`` as the entry ``key``, then evict down to the limit."""

        def write(building: Path) -> None:
            for name, frame in tables.items():
                _write(frame, building / f"{name}.arrow")
            (building / _META).write_bytes(orjson.dumps(meta))

        self.keep_with(key, write)

    def keep_with(self, key: str, write: Callable[[Path], object]) -> None:
        """Keep what ``write`` puts in an empty private folder as the entry ``key`` (complete or
        not at all), then evict down to the limit."""
        self.folder.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=self.folder))
        try:
            write(building)
            building.rename(self.folder / key)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
            if not (self.folder / key).is_dir():
                raise
        self._evict()

    def _evict(self) -> None:
        areas = [self.folder] if self.shared_root is None else _folders(self.shared_root)
        entries = [entry for area in areas for entry in _folders(area)]
        sizes = {entry: _size(entry) for entry in entries}
        total = sum(sizes.values())
        for entry in sorted(entries, key=_last_used):
            if total <= self.limit_bytes:
                break
            shutil.rmtree(entry, ignore_errors=True)
            total -= sizes[entry]
            log.info("parsed input cache: %s evicted", entry.name[:12])


def _folders(folder: Path) -> list[Path]:
    """The folders in ``folder`` but those being built (hidden), none when it does not exist."""
    try:
        return [f for f in folder.iterdir() if f.is_dir() and not f.name.startswith(".")]
    except FileNotFoundError:
        return []


def _size(entry: Path) -> int:
    """The bytes of an entry's files; 0 for one another audit removed meanwhile."""
    try:
        return sum(f.stat().st_size for f in entry.iterdir())
    except FileNotFoundError:
        return 0


def _last_used(entry: Path) -> float:
    try:
        return entry.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def configured_cache() -> ParsedCache | None:
    """The cache ``SIEM2GRAPH_INPUT_CACHE`` names, if it names one."""
    folder = os.environ.get(INPUT_CACHE_ENV, "").strip()
    return ParsedCache(Path(folder)) if folder else None


def _graph_tables(data: GraphData) -> dict[str, pd.DataFrame]:
    alerts_of_values = data.value_alerts
    if alerts_of_values is None:  # every reader path gives them; keyed by id otherwise
        alerts_of_values = pd.Index(data.alerts["id"]).get_indexer(data.values["id"])
    values = data.values.assign(**{_ALERT_OF_VALUE: alerts_of_values})
    return dict(zip(_GRAPH_TABLES, (data.alerts, values, data.observed_paths), strict=True))


def read_graph_cached(
    sources: Sequence[Source],
    mapping: Mapping,
    cache: ParsedCache | None,
    progress: Progress = no_progress,
    limits: ReadLimits | None = None,
) -> GraphData:
    """``read_graph``, through ``cache`` when one is given."""
    limits = limits or ReadLimits()
    if cache is None:
        return read_graph(sources, mapping, progress=progress, limits=limits)
    key = graph_key(sources, mapping, limits)
    found = cache.entry(key, _GRAPH_TABLES)
    if found is not None:
        log.info("Graph inputs parsed before: read from the cache (%s)", key[:12])
        progress("Graph inputs read from the cache", 1.0)
        (alerts, values, observed), meta = found
        value_alerts = values.pop(_ALERT_OF_VALUE).to_numpy(np.int64)
        return GraphData(alerts, values, observed, _summaries(meta), _problems(meta), value_alerts)
    data = read_graph(sources, mapping, progress=progress, limits=limits)
    cache.keep(key, _graph_tables(data), _meta(data.files, data.problems))
    return data


def _user_sets(aliases: Aliases, mapping: Mapping) -> tuple[AliasSet, ...]:
    return tuple(a if isinstance(a, AliasSet) else load_alias_set(a, mapping) for a in aliases)


def legacy_entry_key(
    sources: Sequence[Source], mapping: Mapping, aliases: Aliases, limits: ReadLimits
) -> str:
    """``legacy_key`` of these exports read with the user's ``aliases`` (sets or their files)
    besides the built-in ones."""
    sets = alias_sets_for(_user_sets(aliases, mapping), mapping)
    return legacy_key(sources, mapping, sets, limits)


def read_legacy_cached(
    sources: Sequence[Source],
    mapping: Mapping,
    cache: ParsedCache | None,
    aliases: Aliases = (),
    limits: ReadLimits | None = None,
    progress: Progress = no_progress,
) -> LegacyData:
    """``read_legacy``, through ``cache`` when one is given."""
    limits = limits or ReadLimits()
    if cache is None:
        return read_legacy(sources, mapping, aliases, limits, progress=progress)
    user_sets = _user_sets(aliases, mapping)
    key = legacy_entry_key(sources, mapping, user_sets, limits)
    found = cache.entry(key, _LEGACY_TABLES)
    if found is not None:
        log.info("legacy exports parsed before: read from the cache (%s)", key[:12])
        progress("legacy exports read from the cache", 1.0)
        (detections,), meta = found
        unmapped = tuple(meta["unmapped_columns"])
        return LegacyData(detections, _summaries(meta), _problems(meta), unmapped)
    data = read_legacy(sources, mapping, user_sets, limits, progress=progress)
    meta = _meta(data.files, data.problems) | {"unmapped_columns": list(data.unmapped_columns)}
    cache.keep(key, dict(zip(_LEGACY_TABLES, (data.detections,), strict=True)), meta)
    return data
