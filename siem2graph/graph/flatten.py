"""The per-alert walk: the values at the mapped paths and every populated leaf path.

The reference the Arrow path (``columnar``) is tested against, and its fallback for batches whose
shape Arrow cannot hold or render exactly. Each evidence item's type is read once; the mapped paths
are compiled into per-type lookups so the walk does not re-scan the evidence list for every path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from siem2graph.graph.chunk import ALERT_COLUMNS, HOST, Chunk, value_texts
from siem2graph.paths import (
    ODATA_TYPE,
    GraphPath,
    Step,
    evidence_type_name,
    leaf_values,
    to_text,
    walk,
)

EVIDENCE = "evidence"
Reader = Callable[[Any], Iterable[str]]


def _reader(steps: tuple[Step, ...], template: str) -> Reader:
    """A function from a node to the values ``steps`` (then ``template``) read from it."""
    if template or any(s.iterate for s in steps):
        return lambda node: walk(node, steps, template)
    names = tuple(s.name for s in steps)

    def read(node: Any) -> Iterable[str]:
        for name in names:
            if not isinstance(node, dict):
                return ()
            node = node.get(name)
        return leaf_values(node)

    return read


@dataclass(frozen=True)
class _PathReader:
    number: int
    reads_evidence: bool
    type_filter: str
    read: Reader


def _is_evidence_step(step: Step) -> bool:
    return step.name == EVIDENCE and step.iterate


class AlertFlattener:
    """Values at the mapped paths (in path order, then document order) and leaf paths."""

    def __init__(self, paths: Sequence[GraphPath]) -> None:
        self.readers = tuple(
            _PathReader(n, True, p.steps[0].type_filter, _reader(p.steps[1:], p.template))
            if _is_evidence_step(p.steps[0])
            else _PathReader(n, False, "", _reader(p.steps, p.template))
            for n, p in enumerate(paths)
        )

    def values(self, alert: dict[str, Any], typed: list[tuple[str, Any]]) -> list[tuple[int, str]]:
        """Distinct (path number, value) pairs; ``typed`` is (type, item) per evidence item."""
        out: list[tuple[int, str]] = []
        for path in self.readers:
            if not path.reads_evidence:
                out.extend((path.number, v) for v in path.read(alert))
                continue
            for kind, item in typed:
                if not path.type_filter or kind == path.type_filter:
                    out.extend((path.number, v) for v in path.read(item))
        return list(dict.fromkeys(out)) if len(out) > 1 else out


def typed_evidence(alert: dict[str, Any]) -> list[tuple[str, Any]]:
    """(evidence type, item) for every evidence item ('' for items that are not objects)."""
    items = alert.get(EVIDENCE)
    if not isinstance(items, list):
        return []
    return [(evidence_type_name(i) if isinstance(i, dict) else "", i) for i in items]


def leaf_paths(alert: dict[str, Any], typed: list[tuple[str, Any]]) -> frozenset[str]:
    """The path of every populated leaf (evidence items typed by their @odata.type)."""
    out: set[str] = set()
    for key, value in alert.items():
        if key == EVIDENCE and isinstance(value, list):
            for kind, item in typed:
                if isinstance(item, dict):
                    _dict_leaves(item, f"evidence[{kind}].", out)
                elif to_text(item):
                    out.add("evidence[]")
        elif key != ODATA_TYPE:
            _leaf(value, key, out)
    return frozenset(out)


def _leaf(value: Any, path: str, out: set[str]) -> None:
    kind = type(value)
    if kind is str:
        if value:
            out.add(path)
    elif kind is dict:
        _dict_leaves(value, path + ".", out)
    elif kind is list:
        for item in value:
            if type(item) is dict:
                _dict_leaves(item, path + "[].", out)
            elif to_text(item):
                out.add(path + "[]")
    elif value is not None:
        out.add(path)


def _dict_leaves(node: dict[str, Any], prefix: str, out: set[str]) -> None:
    for key, value in node.items():
        if key != ODATA_TYPE:
            _leaf(value, prefix + key, out)


def _alert_host(typed: list[tuple[str, Any]]) -> str:
    for kind, item in typed:
        if kind == "deviceEvidence":
            name = to_text(item.get("deviceDnsName"))
            if name:
                return name
    return ""


def walk_chunk(alerts: Sequence[dict[str, Any]], flattener: AlertFlattener) -> Chunk:
    """The ``Chunk`` of some alerts (dicts with an id), one Python pass per alert."""
    columns: dict[str, list[str]] = {c: [] for c in (*ALERT_COLUMNS, HOST)}
    value_alert: list[int] = []
    value_path: list[int] = []
    texts: list[str] = []
    leaf_sets: dict[frozenset[str], int] = {}
    leaf_set_of: list[int] = []
    for position, alert in enumerate(alerts):
        typed = typed_evidence(alert)
        for name in ALERT_COLUMNS:
            columns[name].append(to_text(alert.get(name)))
        columns[HOST].append(_alert_host(typed))
        for number, text in flattener.values(alert, typed):
            value_alert.append(position)
            value_path.append(number)
            texts.append(text)
        leaf_set_of.append(leaf_sets.setdefault(leaf_paths(alert, typed), len(leaf_sets)))
    paths = sorted(set().union(*leaf_sets))
    column = {path: number for number, path in enumerate(paths)}
    distinct = np.zeros((len(leaf_sets), len(paths)), dtype=bool)
    for number, leaves in enumerate(leaf_sets):
        distinct[number, [column[p] for p in leaves]] = True
    return Chunk(
        {name: pa.array(values, pa.string()) for name, values in columns.items()},
        np.array(value_alert, dtype=np.int64),
        np.array(value_path, dtype=np.int16),
        value_texts(pa.array(texts, pa.large_string())),
        tuple(paths),
        np.packbits(distinct[np.array(leaf_set_of, dtype=np.int64)], axis=1),
    )
