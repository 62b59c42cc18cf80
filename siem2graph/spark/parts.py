"""What Spark's tasks run: read one input file and cut it by partition, or audit one partition.

Plain pandas functions on rows of ``ROWS`` (no pyspark here, so they are tested without a JVM):

- a legacy export is read by the local reader and its detections cut by partition, each part an
  Arrow IPC stream; what reading found (files, problems, columns, the time columns' day/month
  witnesses) is one ``Found`` row (route -1);
- a Graph file's records each become one NDJSON line with the routing keys of its id and
  providerAlertId; records that are not alerts are counted and reported here, as the local
  reader reports them. Clean NDJSON is read by pyarrow for the ids and its alerts' lines are
  kept as written (pyarrow refuses a line that repeats a key: the one line whose record, parsed
  first-wins, reads otherwise); other batches are parsed line by line and re-serialised;
- a partition's rows become ``LegacyData`` and ``GraphData`` again and go through ``audit.run``
  with the whole input's day/month witnesses; its report is one row, and every value pair it
  found one row more, for Spark to sum (``engine``).
"""

from __future__ import annotations

import io
import pickle
import struct
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from siem2graph.audit import AuditOptions, run, time_orders
from siem2graph.errors import InputError
from siem2graph.graph.alerts import NO_ALERTS, GraphData, read_graph
from siem2graph.graph.batches import arrow_alerts, triaged
from siem2graph.graph.chunk import NotLines, Unsupported
from siem2graph.graph.columnar import SchemaHint, has_type, scalar_texts
from siem2graph.graph.records import AlertStream, Lines, Records
from siem2graph.legacy import LegacyData, read_legacy
from siem2graph.legacy.aliases import AliasSet
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.reader import with_mapped_columns
from siem2graph.mapping import Mapping
from siem2graph.memory import collector_paused
from siem2graph.pairs import PAIR_COLUMNS
from siem2graph.paths import to_text
from siem2graph.sources import FileSummary, RowProblem, Source
from siem2graph.spark.routing import Ties, routing_keys
from siem2graph.times import SlashedOrder

T = TypeVar("T")
LEGACY, GRAPH = "legacy", "graph"
FOUND = -1  # the route of a file's ``Found`` row
# every row Spark moves: a file's Found row, a legacy part, a Graph record or a partition's report
ROWS = "route int, side string, file int, number long, key string, tie string, payload binary"
ROW_COLUMNS = ["route", "side", "file", "number", "key", "tie", "payload"]
PAIR_ROW = ["siem_field", *PAIR_COLUMNS, "alerts", "example_alerts"]
# a partition's report (payload) and its value pairs (payload null), one row each
REPORTS = (
    "route int, payload binary, siem_field string, legacy_value string, graph_value string, "
    "found boolean, verdict string, alerts long, example_alerts string"
)
REPORT_COLUMNS = ["route", "payload", *PAIR_ROW]
_CODEC = pa.Codec("zstd", compression_level=1)
_LENGTH = struct.Struct("<Q")


@dataclass(frozen=True)
class Found:
    """What reading one input file found, beside its rows."""

    files: tuple[FileSummary, ...] = ()
    problems: tuple[RowProblem, ...] = ()
    columns: tuple[str, ...] = ()  # the legacy detections' columns, in order
    orders: MappingABC[str, SlashedOrder] = field(default_factory=dict)
    error: str = ""  # an input error that stops the audit


def _rows(**columns: object) -> pd.DataFrame:
    # text as Python objects: pyspark's Arrow conversion does not take pandas' Arrow strings
    frame = pd.DataFrame(columns, columns=ROW_COLUMNS)
    return frame.astype({"side": object, "key": object, "tie": object})


def _found_row(side: str, file: int, found: Found) -> pd.DataFrame:
    return _rows(
        route=[FOUND], side=side, file=file, number=0, key="", tie="", payload=[packed(found)]
    )


def unlisted_row(side: str, file: int, path: str) -> pd.DataFrame:
    """The Found row of a file the audit's listing did not hold (it landed after): an input
    error, not a file read in silence or left out."""
    error = f"{path} appeared after the files were listed: audit again once every file is there"
    return _found_row(side, file, Found(error=error))


def _ipc(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def legacy_rows(
    name: str,
    content: bytes,
    file: int,
    mapping: Mapping,
    aliases: Sequence[AliasSet],
    ties: Ties,
    partitions: int,
) -> pd.DataFrame:
    """One legacy export: its Found row and one IPC part per partition it has detections for."""
    try:
        data = read_legacy([Source.from_bytes(name, content)], mapping, aliases=aliases)
    except InputError as exc:
        return _found_row(LEGACY, file, Found(error=str(exc)))
    detections = data.detections
    found = Found(
        data.files, data.problems, tuple(detections.columns), time_orders(detections, mapping)
    )
    # plain text: a part's categories would carry the other parts' values (compact_text again)
    plain = detections.astype({c: "str" for c, t in detections.dtypes.items() if t == "category"})
    routes = ties.routes(routing_keys(detections["AlertId"]), partitions).to_numpy()
    parts = [
        _rows(route=[route], side=LEGACY, file=file, number=0, key="", tie="", payload=[_ipc(p)])
        for route, p in plain.groupby(routes, sort=True)
    ]
    return pd.concat([_found_row(LEGACY, file, found), *parts], ignore_index=True)


@dataclass
class _GraphAlerts:
    """A Graph file's alerts as rows (line number, NDJSON line, id, providerAlertId) and why
    its other records are no alerts, batch by batch."""

    limits: ReadLimits
    hint: SchemaHint = field(default_factory=SchemaHint)
    read: int = 0  # records
    problems: list[tuple[int, str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)

    def add(self, batch: Lines | Records) -> None:
        """The alerts of a batch: its lines read by pyarrow where they can be, else parsed."""
        if isinstance(batch, Lines):
            try:
                self._add_lines(batch)
                return
            except (NotLines, Unsupported):
                batch = batch.records()
        self._add_records(batch)

    def _add_lines(self, batch: Lines) -> None:
        root, has_id, problems = arrow_alerts(batch, self.hint, self.limits)
        if has_type(root.type, pa.types.is_floating):
            raise Unsupported("numbers with fractions: pyarrow reads NaN, orjson refuses it")
        kept = np.flatnonzero(has_id)
        ids = scalar_texts(root, "id").take(kept).to_pylist()
        providers = scalar_texts(root, "providerAlertId").take(kept).to_pylist()
        lines = batch.lines()
        self.read += len(batch.numbers)
        self.problems.extend(problems)
        self.numbers.extend(batch.numbers[i] for i in kept.tolist())
        # the line as it is: orjson.dumps of its record would read the same (no key repeats)
        self.lines.extend(bytes(lines[i]).rstrip(b"\r") for i in kept.tolist())
        self.ids.extend(ids)
        self.providers.extend(providers)

    def _add_records(self, records: Records) -> None:
        problems, alerts = triaged(records, self.limits)
        self.read += len(records)
        self.problems.extend(problems)
        for number, alert in alerts:
            self.numbers.append(number)
            self.lines.append(orjson.dumps(alert))
            self.ids.append(to_text(alert.get("id")))
            self.providers.append(to_text(alert.get("providerAlertId")))


@collector_paused()
def graph_rows(name: str, content: bytes, file: int) -> pd.DataFrame:
    """One Graph file: its Found row and one row per alert (an NDJSON line, route 0 until the
    ties are known) with the routing keys of its id and providerAlertId."""
    stream = AlertStream(Source.from_bytes(name, content))
    found = _GraphAlerts(stream.limits)
    try:
        for batch in stream.batches():
            found.add(batch)
    except InputError as exc:
        return _found_row(GRAPH, file, Found(error=str(exc)))
    problems = [RowProblem(GRAPH, name, number, problem) for number, problem in found.problems]
    if not found.read:
        problems.append(RowProblem(GRAPH, name, None, NO_ALERTS))
    read, kept = found.read, len(found.lines)
    summary = FileSummary(GRAPH, name, stream.sha256, "json", read, kept, read - kept)
    alerts = _rows(
        route=0,
        side=GRAPH,
        file=file,
        number=pd.Series(found.numbers, dtype="int64"),
        key=routing_keys(pd.Series(found.ids, dtype="str")),
        tie=routing_keys(pd.Series(found.providers, dtype="str")),
        payload=found.lines,
    )
    return pd.concat(
        [_found_row(GRAPH, file, Found((summary,), tuple(problems))), alerts], ignore_index=True
    )


def route_graph(rows: pd.DataFrame, ties: Ties, partitions: int) -> pd.DataFrame:
    """The Graph alerts' rows with their partitions."""
    return rows.assign(route=ties.routes(rows["key"], partitions)).astype({"key": object})


def _detections(parts: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """The partition's detections, as ``read_legacy`` gives them."""
    frames = [pa.ipc.open_stream(p).read_pandas() for p in parts["payload"]]
    return with_mapped_columns(frames, mapping)


def _graph(records: pd.DataFrame, names: Sequence[str], mapping: Mapping) -> GraphData:
    """The partition's Graph alerts, read file by file as ``read_graph`` reads them."""
    files = records["file"].to_numpy()
    sources = [
        Source.from_bytes(names[file], b"\n".join(records["payload"][files == file]))
        for file in sorted(set(files.tolist()))
    ]
    if sources:
        return read_graph(sources, mapping)
    # a partition the Graph alerts did not reach: an empty read, without the "no alerts" problem
    # (whether a file held alerts is the driver's finding, over the whole file)
    return replace(read_graph([Source.from_bytes(names[0], b"[]")], mapping), problems=())


def audit_partition(
    rows: pd.DataFrame,
    mapping: Mapping,
    orders: MappingABC[str, SlashedOrder],
    graph_names: Sequence[str],
    options: AuditOptions,
) -> pd.DataFrame:
    """One partition's report (pickled, without its value pairs), then every value pair it
    found, one row each (``REPORTS``)."""
    rows = rows.sort_values(["side", "file", "number"], kind="stable")
    side = rows["side"]
    legacy = LegacyData(_detections(rows[side == LEGACY], mapping), (), (), ())
    graph = _graph(rows[side == GRAPH], graph_names, mapping)
    report = run(legacy, graph, mapping, replace(options, top_pairs=None), None, orders)
    route = int(rows["route"].iloc[0]) if len(rows) else 0
    pairs = report.value_pairs
    head = {name: [None] for name in PAIR_ROW} | {"found": [False], "alerts": [0]}
    payload = packed(replace(report, value_pairs=pairs.iloc[:0]))
    report_row = pd.DataFrame({"route": [route], "payload": [payload], **head})
    pair_rows = pairs[PAIR_ROW].assign(route=route, payload=None)
    return pd.concat([report_row, pair_rows], ignore_index=True)[REPORT_COLUMNS]


def packed(value: object) -> bytes:
    """``value`` pickled and compressed (a partition's report holds every value pair: tens of
    MB of text that the JVM carries to disk and back), its pickle's length first."""
    pickled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(pickled)) + _CODEC.compress(pickled, asbytes=True)


def unpickled(payload: bytes, kind: type[T]) -> T:
    """What ``packed`` made of a value, in a task of the same application."""
    (length,) = _LENGTH.unpack_from(payload)
    pickled = _CODEC.decompress(memoryview(payload)[_LENGTH.size :], length, asbytes=True)
    # the driver's own tasks wrote it (Spark ships closures by pickle between them too)
    value = pickle.loads(pickled)  # noqa: S301
    if not isinstance(value, kind):
        raise TypeError(f"a task answered something other than a {kind.__name__}")
    return value
