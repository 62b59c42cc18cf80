"""Read saved or pulled Graph alerts_v2 alerts and flatten the values the mapping reads."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from siem2graph.errors import InputError
from siem2graph.graph.batches import read_batch
from siem2graph.graph.chunk import ALERT_COLUMNS, HOST, VALUE_TYPE, Chunk, Outcome
from siem2graph.graph.columnar import SchemaHint
from siem2graph.graph.flatten import AlertFlattener
from siem2graph.graph.records import AlertStream, Lines, Records
from siem2graph.legacy.collect import too_many_rows
from siem2graph.legacy.limits import ReadLimits
from siem2graph.mapping import Mapping
from siem2graph.memory import collector_paused
from siem2graph.sources import FileSummary, Progress, RowProblem, Source, no_progress, read_shares
from siem2graph.text_codes import SortedTexts
from siem2graph.threads import thread_count
from siem2graph.times import parse_times

log = logging.getLogger(__name__)

SIDE = "graph"
FILE = "_file"
NO_ALERTS = "the file holds no alerts"


@dataclass(frozen=True)
class GraphData:
    """Graph alerts (one row each, the latest version) and the values at every mapped path."""

    alerts: pd.DataFrame  # ALERT_COLUMNS + host, _file
    # long: id, path, value (non-empty, distinct per alert and path; categorical, the categories
    # in text order (SortedTexts): 10M values repeat 2M texts, and the pairs show them sorted)
    values: pd.DataFrame
    observed_paths: pd.DataFrame  # path, populated_alerts (over the kept alerts)
    files: tuple[FileSummary, ...]
    problems: tuple[RowProblem, ...]
    # position in ``alerts`` of each row of ``values`` (None: derive it from the ids)
    value_alerts: np.ndarray | None = field(default=None, compare=False, repr=False)


class _Collector:
    """The chunks of every file, with alert positions made global and leaf sets interned."""

    def __init__(self) -> None:
        self.chunks: list[Chunk] = []
        self.files: list[pa.Array] = []
        self.value_alert: list[np.ndarray] = []
        self.size = 0

    def add(self, chunk: Chunk, file: str) -> None:
        self.chunks.append(chunk)
        self.files.append(pa.array([file] * len(chunk), pa.string()))
        self.value_alert.append(chunk.value_alert + self.size)
        self.size += len(chunk)

    def alerts(self) -> pd.DataFrame:
        columns = {
            name: [c.alerts[name] for c in self.chunks] for name in (*ALERT_COLUMNS, HOST)
        } | {FILE: self.files}
        return pd.DataFrame(
            {
                name: pd.Series(pa.chunked_array(parts, pa.string()), dtype="str")
                for name, parts in columns.items()
            }
        )

    def values(
        self, alert_ids: pd.Series, paths: list[str], keep: np.ndarray
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """(id, path, value) of the kept alerts, in alert, path and document order, each column
        categorical."""
        rows = np.concatenate([np.zeros(0, dtype=np.int64), *self.value_alert])
        take = np.flatnonzero(keep[rows])
        texts = pa.chunked_array([c.value_text for c in self.chunks], VALUE_TYPE)
        numbers = np.concatenate(
            [np.zeros(0, dtype=np.int16), *(c.value_path for c in self.chunks)]
        )
        id_codes, ids = pd.factorize(alert_ids)
        return pd.DataFrame(
            {
                "id": pd.Categorical.from_codes(
                    id_codes[rows[take]], categories=ids, validate=False
                ),
                "path": pd.Categorical.from_codes(
                    numbers[take], categories=pd.Index(paths, dtype="str"), validate=False
                ),
                "value": SortedTexts.of_arrow(texts, take).categorical(),
            }
        ), rows[take]

    def observed(self, keep: np.ndarray) -> pd.DataFrame:
        """Populated alerts per leaf path over the kept alerts."""
        counts: dict[str, int] = {}
        start = 0
        for chunk in self.chunks:
            kept = chunk.leaves[keep[start : start + len(chunk)]]
            start += len(chunk)
            populated = np.unpackbits(kept, axis=1, count=len(chunk.leaf_paths)).sum(axis=0)
            for path, alerts in zip(chunk.leaf_paths, populated.tolist(), strict=True):
                counts[path] = counts.get(path, 0) + alerts
        rows = sorted((path, n) for path, n in counts.items() if n)
        return pd.DataFrame(rows, columns=["path", "populated_alerts"]).astype({"path": "str"})


def _outcomes(
    batches: Iterable[tuple[int, Lines | Records]], read: Callable[[Lines | Records], Outcome]
) -> Iterator[tuple[int, Outcome]]:
    """Each batch's file number and outcome, in order; the next batches are read while one is
    still being flattened (as many held as there are threads), across the files' ends too, so
    pyarrow's parse and the Python around it share the cores whatever the files' sizes."""
    in_flight = max(2, thread_count())
    with ThreadPoolExecutor(in_flight) as pool:
        pending: deque[tuple[int, Future[Outcome]]] = deque()
        for number, batch in batches:
            pending.append((number, pool.submit(read, batch)))
            if len(pending) >= in_flight:
                number, future = pending.popleft()
                yield number, future.result()
        while pending:
            number, future = pending.popleft()
            yield number, future.result()


@collector_paused()
def read_graph(
    sources: Iterable[Source],
    mapping: Mapping,
    arrow: bool = True,
    progress: Progress = no_progress,
    limits: ReadLimits | None = None,
) -> GraphData:
    """Read Graph alert files; duplicates by id keep the latest lastUpdateDateTime.

    ``arrow=False`` walks every alert in Python: the reference the Arrow path is tested against.
    ``progress`` hears of every batch read (share of the sources' bytes read). ``limits``
    bound a document parsed whole, a line, an alert's nesting and the alerts of all files.
    """
    paths = mapping.graph_paths
    flattener = AlertFlattener(paths)
    hint = SchemaHint() if arrow else None
    collected = _Collector()
    files: list[FileSummary] = []
    problems: list[RowProblem] = []
    sources = list(sources)
    share = read_shares(sources)
    limits = limits or ReadLimits()
    streams = [AlertStream(source, limits) for source in sources]
    counts = [[0, 0] for _ in streams]  # per file: records read, alerts kept

    def batches() -> Iterator[tuple[int, Lines | Records]]:
        # read ahead of the batches heard of: progress is told only as outcomes arrive, so a
        # file is never said to be read before the one before it is said to be finished
        for number, stream in enumerate(streams):
            for batch in stream.batches():
                yield number, batch

    def finish(number: int) -> None:
        """File ``number`` is read (its stream consumed, so its digest complete)."""
        stream, (read, kept) = streams[number], counts[number]
        name = stream.source.name
        files.append(FileSummary(SIDE, name, stream.sha256, "json", read, kept, read - kept))
        if not read:
            problems.append(RowProblem(SIDE, name, None, NO_ALERTS))
        log.info("%s: %s alerts kept, %s rejected", name, kept, read - kept)
        progress(f"read {name}: {kept:,} alerts", share(number, stream.bytes_read))

    def reading(batch: Lines | Records) -> Outcome:
        return read_batch(batch, paths, flattener, hint, limits)

    total = 0
    if streams:
        progress(f"reading {streams[0].source.name}", 0.0)
    for number, outcome in _outcomes(batches(), reading):
        while len(files) < number:  # the files before it are read, some perhaps empty
            finish(len(files))
        name = streams[number].source.name
        progress(f"reading {name}", share(number, streams[number].bytes_read))
        counts[number][0] += outcome.records
        total += outcome.records
        if total > limits.max_rows:
            raise InputError(too_many_rows(name, limits, "Graph records"))
        counts[number][1] += len(outcome.chunk)
        problems.extend(RowProblem(SIDE, name, n, m) for n, m in outcome.problems)
        collected.add(outcome.chunk, name)
    while len(files) < len(streams):
        finish(len(files))
    if not files:
        raise InputError("no Graph alerts file was given")
    alerts = collected.alerts()
    latest = _latest_versions(alerts)
    for position in alerts.index.difference(latest):
        problems.append(
            RowProblem(
                SIDE,
                str(alerts.at[position, FILE]),
                None,
                f"alert {alerts.at[position, 'id']!s} appears again: an older version was dropped",
            )
        )
    keep = np.zeros(len(alerts), dtype=bool)
    keep[latest.to_numpy()] = True
    values, value_rows = collected.values(alerts["id"], [p.text for p in paths], keep)
    renumber = np.cumsum(keep) - 1  # position among the kept alerts
    return GraphData(
        alerts.loc[latest].reset_index(drop=True),
        values,
        collected.observed(keep),
        tuple(files),
        tuple(problems),
        renumber[value_rows],
    )


def _latest_versions(alerts: pd.DataFrame) -> pd.Index:
    """Row positions of each id's latest version (by lastUpdateDateTime, then file order)."""
    repeated = alerts["id"].duplicated(keep=False).to_numpy()
    some = alerts[repeated]  # only the ids seen more than once need their times compared
    order = some.assign(_t=parse_times(some["lastUpdateDateTime"]), _pos=some.index)
    order = order.sort_values(["_t", "_pos"], ascending=[False, False], na_position="last")
    latest = order.drop_duplicates("id")["_pos"].to_numpy()
    return pd.Index(np.sort(np.concatenate([alerts.index[~repeated].to_numpy(), latest])))
