"""Read saved or pulled Graph alerts_v2 alerts and flatten the values the mapping reads."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from siem2graph.compare import parse_times
from siem2graph.errors import InputError
from siem2graph.graph.flatten import AlertFlattener, leaf_paths, typed_evidence
from siem2graph.graph.records import AlertStream, Invalid
from siem2graph.mapping import Mapping
from siem2graph.paths import to_text
from siem2graph.sources import FileSummary, RowProblem, Source

SIDE = "graph"
# Alert properties the audit keeps per alert for filters, timelines and the explorer.
ALERT_COLUMNS = (
    "id",
    "providerAlertId",
    "title",
    "severity",
    "category",
    "status",
    "serviceSource",
    "detectionSource",
    "createdDateTime",
    "lastUpdateDateTime",
)
_FLUSH_VALUES = 1 << 20  # texts held as Python strings before they are packed into Arrow


@dataclass(frozen=True)
class GraphData:
    """Graph alerts (one row each, the latest version) and the values at every mapped path."""

    alerts: pd.DataFrame  # ALERT_COLUMNS + host, _file
    values: pd.DataFrame  # long: id, path, value (non-empty, distinct)
    observed_paths: pd.DataFrame  # path, populated_alerts (over the kept alerts)
    files: tuple[FileSummary, ...]
    problems: tuple[RowProblem, ...]
    # position in ``alerts`` of each row of ``values`` (None: derive it from the ids)
    value_alerts: np.ndarray | None = field(default=None, compare=False, repr=False)


def _alert_host(typed: list[tuple[str, Any]]) -> str:
    for kind, item in typed:
        if kind == "deviceEvidence":
            name = to_text(item.get("deviceDnsName"))
            if name:
                return name
    return ""


class _Collector:
    """Alert rows, (alert, path, value) rows and interned leaf-path sets, held compactly."""

    def __init__(self, mapping: Mapping) -> None:
        self.flattener = AlertFlattener(mapping.graph_paths)
        self.columns: dict[str, list[str]] = {c: [] for c in (*ALERT_COLUMNS, "host", "_file")}
        self.value_alert = array("q")
        self.value_path = array("h")
        self.texts: list[str] = []
        self.packed: list[pa.Array] = []
        self.leaf_sets: dict[frozenset[str], int] = {}
        self.leaf_set_of = array("q")

    def __len__(self) -> int:
        return len(self.leaf_set_of)

    def add(self, record: dict[str, Any], file: str) -> None:
        position = len(self)
        typed = typed_evidence(record)
        columns = self.columns
        for name in ALERT_COLUMNS:
            columns[name].append(to_text(record.get(name)))
        columns["host"].append(_alert_host(typed))
        columns["_file"].append(file)
        for number, text in self.flattener.values(record, typed):
            self.value_alert.append(position)
            self.value_path.append(number)
            self.texts.append(text)
        leaves = leaf_paths(record, typed)
        self.leaf_set_of.append(self.leaf_sets.setdefault(leaves, len(self.leaf_sets)))
        if len(self.texts) >= _FLUSH_VALUES:
            self._pack()

    def _pack(self) -> None:
        self.packed.append(pa.array(self.texts, pa.large_string()))
        self.texts = []

    def alerts(self) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series(v, dtype="str") for c, v in self.columns.items()})

    def values(self, alert_ids: pd.Series, paths: list[str], keep: np.ndarray) -> pd.DataFrame:
        """(id, path, value) of the kept alerts, in alert, path and document order."""
        self._pack()
        rows = np.frombuffer(self.value_alert, dtype=np.int64)
        take = np.flatnonzero(keep[rows])
        texts = pa.chunked_array(self.packed, pa.large_string()).take(take)
        ids = pa.array(alert_ids.to_numpy(), pa.large_string()).take(rows[take])
        path_texts = pa.array(paths, pa.large_string())
        path_numbers = np.frombuffer(self.value_path, dtype=np.int16)[take]
        return pd.DataFrame(
            {
                "id": pd.Series(ids, dtype="str"),
                "path": pd.Series(path_texts.take(path_numbers), dtype="str"),
                "value": pd.Series(texts, dtype="str"),
            }
        ), rows[take]

    def observed(self, latest: pd.Index) -> pd.DataFrame:
        """Populated alerts per leaf path over the kept alerts."""
        per_set = np.bincount(
            np.frombuffer(self.leaf_set_of, dtype=np.int64)[latest.to_numpy()],
            minlength=len(self.leaf_sets),
        )
        counts: dict[str, int] = {}
        for leaves, number in self.leaf_sets.items():
            if per_set[number]:
                for leaf in leaves:
                    counts[leaf] = counts.get(leaf, 0) + int(per_set[number])
        return pd.DataFrame(sorted(counts.items()), columns=["path", "populated_alerts"]).astype(
            {"path": "str"}
        )


def read_graph(sources: Iterable[Source], mapping: Mapping) -> GraphData:
    """Read Graph alert files; duplicates by id keep the latest lastUpdateDateTime."""
    collected = _Collector(mapping)
    files, problems = [], []
    for source in sources:
        read = kept = 0
        stream = AlertStream(source)
        for position, record in stream:
            read += 1
            if isinstance(record, Invalid):
                problems.append(
                    RowProblem(SIDE, source.name, position, f"invalid JSON: {record.reason}")
                )
                continue
            if not isinstance(record, dict) or not to_text(record.get("id")):
                problems.append(RowProblem(SIDE, source.name, position, "not an alert: no id"))
                continue
            kept += 1
            collected.add(record, source.name)
        files.append(FileSummary(SIDE, source.name, stream.sha256, "json", read, kept, read - kept))
    if not files:
        raise InputError("no Graph alerts file was given")
    alerts = collected.alerts()
    latest = _latest_versions(alerts)
    for position in alerts.index.difference(latest):
        problems.append(
            RowProblem(
                SIDE,
                alerts.at[position, "_file"],
                None,
                f"alert {alerts.at[position, 'id']} appears again: an older version was dropped",
            )
        )
    keep = np.zeros(len(alerts), dtype=bool)
    keep[latest.to_numpy()] = True
    values, value_rows = collected.values(alerts["id"], [p.text for p in mapping.graph_paths], keep)
    renumber = np.cumsum(keep) - 1  # position among the kept alerts
    return GraphData(
        alerts.loc[latest].reset_index(drop=True),
        values,
        collected.observed(latest),
        tuple(files),
        tuple(problems),
        renumber[value_rows],
    )


def _latest_versions(alerts: pd.DataFrame) -> pd.Index:
    """Row positions of each id's latest version (by lastUpdateDateTime, then file order)."""
    order = alerts.assign(_t=parse_times(alerts["lastUpdateDateTime"]), _pos=alerts.index)
    order = order.sort_values(["_t", "_pos"], ascending=[False, False], na_position="last")
    return pd.Index(sorted(order.drop_duplicates("id")["_pos"]))
