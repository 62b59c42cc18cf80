"""A batch of Graph alerts into a ``Chunk``: the Arrow path, or the per-alert walk where it cannot.

NDJSON lines go to pyarrow as they are. A batch pyarrow reads differently from the line-by-line
reader (a broken line, a list response...) is parsed line by line with orjson, its problems are
reported, and the valid alerts are re-serialised for the Arrow path; a batch whose values Arrow
cannot render exactly (floats, type conflicts between alerts) is walked alert by alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from siem2graph.envelopes import arrow_depth, arrow_wraps, too_deep
from siem2graph.graph.chunk import NotLines, Outcome, Unsupported
from siem2graph.graph.columnar import SchemaHint, arrow_chunk, ids, parse
from siem2graph.graph.flatten import AlertFlattener, walk_chunk
from siem2graph.graph.records import Invalid, Lines, Records
from siem2graph.json_keys import Repeating, repeated_reason
from siem2graph.legacy.limits import ReadLimits
from siem2graph.paths import GraphPath, to_text

NO_ID = "not an alert: no id"
# a tool that renamed Graph's keys (PascalCase properties converted to JSON): say so
RENAMED_ID = (
    "not an alert: no id, but an {key!r}: Graph's JSON spells its keys in camelCase (id, title, "
    "createdDateTime); save the alerts as Graph returns them"
)


def no_id(record: Mapping[str, Any]) -> str:
    """Why ``record``, which has no id, is no alert."""
    renamed = sorted(k for k in record if k.lower() == "id" and k != "id" and to_text(record[k]))
    return RENAMED_ID.format(key=renamed[0]) if renamed else NO_ID


def read_batch(
    batch: Lines | Records,
    paths: Sequence[GraphPath],
    flattener: AlertFlattener,
    hint: SchemaHint | None,
    limits: ReadLimits,
) -> Outcome:
    """The alerts of a batch; ``hint`` None walks every alert (the reference path), else the
    Arrow path reads with the schema of the batches before. An alert nested deeper than
    ``limits`` allow is rejected."""
    if not isinstance(batch, Lines):
        return _from_records(batch, paths, flattener, hint, limits)
    if hint is not None:
        try:
            return _from_lines(batch, paths, hint, limits)
        except NotLines:
            pass
        except Unsupported:
            hint = None
    return _from_records(batch.records(), paths, flattener, hint, limits)


def alert_problem(record: object, limits: ReadLimits) -> str | None:
    """Why a Graph record is not read as an alert (not JSON, no id, nested too deep), or None."""
    if isinstance(record, Invalid):
        return record.problem
    if not isinstance(record, dict):
        return NO_ID
    if not to_text(record.get("id")):
        return no_id(record)
    return too_deep(record, limits)


def arrow_alerts(
    batch: Lines, hint: SchemaHint, limits: ReadLimits
) -> tuple[pa.StructArray, np.ndarray, tuple[tuple[int, str], ...]]:
    """A batch's lines parsed by pyarrow, whether each is an alert (has an id) and why the
    others are not; ``NotLines`` when they must be read line by line (``line_records``)."""
    if not batch.objects:
        raise NotLines("a line is not one JSON object")
    root = parse(batch.text, len(batch.numbers), hint)
    if arrow_wraps(root.type):
        raise NotLines("list responses or wrappers")
    if arrow_depth(root.type) > limits.max_json_depth:
        raise NotLines("nested deeper than the limit: each alert is measured")
    has_id = ids(root)
    missing = np.flatnonzero(~has_id)
    problems = tuple(
        (batch.numbers[int(i)], no_id(record))
        for i, record in zip(missing, _id_like(root.take(missing)), strict=True)
    )
    return root, has_id, problems


def _from_lines(
    batch: Lines, paths: Sequence[GraphPath], hint: SchemaHint, limits: ReadLimits
) -> Outcome:
    root, has_id, problems = arrow_alerts(batch, hint, limits)
    if problems:
        root = root.filter(has_id)
    return Outcome(arrow_chunk(root, paths), len(batch.numbers), problems)


def _id_like(rows: pa.StructArray) -> list[dict[str, Any]]:
    """Each row's keys spelt like id but not ``id`` (what ``no_id`` looks at)."""
    names = [n for n in rows.type.names if n.lower() == "id" and n != "id"]
    columns = {n: rows.field(n).to_pylist() for n in names}
    return [{n: columns[n][i] for n in names} for i in range(len(rows))]


def triaged(
    records: Records, limits: ReadLimits
) -> tuple[list[tuple[int, str]], list[tuple[int, dict[str, Any]]]]:
    """The problems of parsed records (why some are no alerts, which keys others repeat), and
    the alerts with their line numbers."""
    problems: list[tuple[int, str]] = []
    alerts = []
    for number, record in records:
        if problem := alert_problem(record, limits):
            problems.append((number, problem))
        elif isinstance(record, dict):  # what alert_problem accepts
            alerts.append((number, record))
        if isinstance(record, Repeating):
            problems.append((number, repeated_reason(record)))
    return problems, alerts


def _from_records(
    records: Records,
    paths: Sequence[GraphPath],
    flattener: AlertFlattener,
    hint: SchemaHint | None,
    limits: ReadLimits,
) -> Outcome:
    problems, numbered = triaged(records, limits)
    alerts = [alert for _, alert in numbered]
    chunk = None
    if hint is not None and alerts:
        try:
            root = parse(b"\n".join(map(orjson.dumps, alerts)), len(alerts), hint)
            chunk = arrow_chunk(root, paths)
        except (NotLines, Unsupported):
            pass
    if chunk is None:
        chunk = walk_chunk(alerts, flattener)
    return Outcome(chunk, len(records), tuple(problems))
