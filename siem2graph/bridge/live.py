"""Records for a window pulled live from Graph, cached per hour-aligned window.

The SIEM API filtered on LastProcessedTimeUtc; Graph filters pulls on createdDateTime. An alert
processed in a window was created before its end, possibly well before its start, so the pull
reaches `lookback` further back and the records are then filtered by their processing time. A
window still open when it was pulled is pulled again once `refresh` has passed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from siem2graph.bridge.convert import ConvertResult, graph_records
from siem2graph.bridge.query import Query, RecordIndex
from siem2graph.bridge.records import FeedSpec
from siem2graph.graph.client import GraphClient, PullResult
from siem2graph.sources import Source

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Served:
    """The records a query is answered from, and why they may be incomplete ('' when not)."""

    index: RecordIndex
    partial_reason: str = ""


@dataclass
class _Pulled:
    served: Served
    pulled_at: datetime
    closed: bool  # the window had ended when it was pulled


def _floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(moment: datetime) -> datetime:
    floor = _floor_hour(moment)
    return floor if floor == moment else floor + HOUR


class LiveRecords:
    """Answers queries from pulls of the client; one pull per window, kept on disk and in memory."""

    def __init__(
        self,
        client: GraphClient,
        cache_dir: Path,
        spec: FeedSpec,
        lookback: timedelta = timedelta(days=1),
        refresh: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client, self._dir, self._spec = client, cache_dir, spec
        self._lookback, self._refresh, self._clock = lookback, refresh, clock
        self._pulled: dict[tuple[datetime, datetime], _Pulled] = {}
        self._lock = threading.Lock()
        self.pulls = 0

    def __call__(self, query: Query) -> Served:
        start = _floor_hour(query.since - self._lookback)
        end = _ceil_hour(query.until)
        with self._lock:  # one pull at a time: Graph's throttling is per app
            now = self._clock()
            known = self._pulled.get((start, end))
            if known is None or (not known.closed and now - known.pulled_at > self._refresh):
                known = self._pull(start, end, now)
                self._pulled[(start, end)] = known
            return known.served

    def _pull(self, start: datetime, end: datetime, now: datetime) -> _Pulled:
        self._dir.mkdir(parents=True, exist_ok=True)
        path = self._dir / f"bridge_{start:%Y%m%dT%H}_{end:%Y%m%dT%H}.ndjson"
        result: PullResult = self._client.pull(start, end, path)
        self.pulls += 1
        records = []
        if result.alerts:  # a window without alerts leaves an empty file: nothing to read
            sources = [Source.from_path(path)]
            records = list(graph_records(sources, self._spec, ConvertResult()))
        reason = result.reason if result.partial else ""
        return _Pulled(Served(RecordIndex(records), reason), now, closed=end <= now)
