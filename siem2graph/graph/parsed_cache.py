"""Parsed Graph inputs kept by content, so auditing the same Graph pull again (against another
legacy export) skips its parse.

An entry is keyed by the SHA-256 and name of every Graph file, the reader's version and the
mapping's Graph paths: a changed byte, another file order, a reader change or a mapping that
reads other paths is another entry. Entries are Arrow IPC files (memory-mapped on load) in a
folder of their own, written under a temporary name and renamed; the least recently used ones
are removed once the folder holds more than its limit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from siem2graph.graph.alerts import GraphData, read_graph
from siem2graph.legacy.limits import ReadLimits
from siem2graph.mapping import Mapping
from siem2graph.sources import FileSummary, Progress, RowProblem, Source, no_progress

log = logging.getLogger(__name__)

# Change whenever read_graph gives other frames for the same bytes: older entries then miss.
READER_VERSION = "graph-reader-2"
DEFAULT_LIMIT_BYTES = 8 << 30
# the folder the dashboard keeps parsed inputs in (none unless set: uploads stay off the disk)
INPUT_CACHE_ENV = "SIEM2GRAPH_INPUT_CACHE"
_TABLES = ("alerts", "values", "observed")
_ALERT_OF_VALUE = "_alert"
_META = "meta.json"


def _write(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read(path: Path) -> pd.DataFrame:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_pandas()


@dataclass(frozen=True)
class ParsedCache:
    """A folder of parsed Graph inputs, at most ``limit_bytes`` large."""

    folder: Path
    limit_bytes: int = DEFAULT_LIMIT_BYTES

    def key(self, sources: Sequence[Source], mapping: Mapping, limits: ReadLimits) -> str:
        """The entry of these files read with this mapping within ``limits`` (every file is
        hashed)."""
        digest = hashlib.sha256(f"{READER_VERSION} {limits!r}".encode())
        digest.update(orjson.dumps([p.text for p in mapping.graph_paths]))
        digest.update(orjson.dumps([(s.name, s.sha256()) for s in sources]))
        return digest.hexdigest()

    def load(self, key: str) -> GraphData | None:
        """The entry, or None when there is none (or it cannot be read: it is then removed)."""
        entry = self.folder / key
        if not entry.is_dir():
            return None
        try:
            meta = orjson.loads((entry / _META).read_bytes())
            alerts, values, observed = (_read(entry / f"{name}.arrow") for name in _TABLES)
        except (OSError, orjson.JSONDecodeError, pa.ArrowInvalid):
            log.warning("parsed input cache entry %s unreadable; removed", key[:12])
            shutil.rmtree(entry, ignore_errors=True)
            return None
        os.utime(entry)  # recently used: evicted last
        value_alerts = values.pop(_ALERT_OF_VALUE).to_numpy(np.int64)
        return GraphData(
            alerts,
            values,
            observed,
            tuple(FileSummary(**f | {"columns": tuple(f["columns"])}) for f in meta["files"]),
            tuple(RowProblem(**p) for p in meta["problems"]),
            value_alerts,
        )

    def store(self, key: str, data: GraphData) -> None:
        """Keep ``data`` as the entry ``key``, then evict down to the limit."""
        self.folder.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=self.folder))
        try:
            alerts_of_values = data.value_alerts
            if alerts_of_values is None:  # every reader path gives them; keyed by id otherwise
                alerts_of_values = pd.Index(data.alerts["id"]).get_indexer(data.values["id"])
            _write(data.alerts, building / "alerts.arrow")
            _write(
                data.values.assign(**{_ALERT_OF_VALUE: alerts_of_values}), building / "values.arrow"
            )
            _write(data.observed_paths, building / "observed.arrow")
            meta = {
                "files": [asdict(f) for f in data.files],
                "problems": [asdict(p) for p in data.problems],
            }
            (building / _META).write_bytes(orjson.dumps(meta))
            building.rename(self.folder / key)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
            if not (self.folder / key).is_dir():
                raise
        self._evict()

    def _evict(self) -> None:
        entries = [e for e in self.folder.iterdir() if e.is_dir() and not e.name.startswith(".")]
        sizes = {e: sum(f.stat().st_size for f in e.iterdir()) for e in entries}
        total = sum(sizes.values())
        for entry in sorted(entries, key=lambda e: e.stat().st_mtime):
            if total <= self.limit_bytes:
                break
            shutil.rmtree(entry, ignore_errors=True)
            total -= sizes[entry]
            log.info("parsed input cache: %s evicted", entry.name[:12])


def configured_cache() -> ParsedCache | None:
    """The cache ``SIEM2GRAPH_INPUT_CACHE`` names, if it names one."""
    folder = os.environ.get(INPUT_CACHE_ENV, "").strip()
    return ParsedCache(Path(folder)) if folder else None


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
    key = cache.key(sources, mapping, limits)
    data = cache.load(key)
    if data is not None:
        log.info("Graph inputs parsed before: read from the cache (%s)", key[:12])
        progress("Graph inputs read from the cache", 1.0)
        return data
    data = read_graph(sources, mapping, progress=progress, limits=limits)
    cache.store(key, data)
    return data
