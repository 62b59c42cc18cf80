"""Read saved or pulled Graph alerts_v2 alerts and flatten the values the mapping reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pandas as pd

from siem2graph.compare import parse_times
from siem2graph.errors import InputError
from siem2graph.mapping import Mapping
from siem2graph.paths import GraphPath, evidence_type_name, extract, to_text
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


@dataclass(frozen=True)
class GraphData:
    """Graph alerts (one row each, the latest version) and the values at every mapped path."""

    alerts: pd.DataFrame  # ALERT_COLUMNS + host, _file
    values: pd.DataFrame  # long: id, path, value (non-empty, distinct)
    observed_paths: pd.DataFrame  # path, populated_alerts (over the kept alerts)
    files: tuple[FileSummary, ...]
    problems: tuple[RowProblem, ...]


def _iter_alerts(source: Source) -> Iterator[tuple[int, object]]:
    """(line or position, record) for every alert in a list response, array or NDJSON file."""
    with source.open() as stream:
        raw = stream.read()
    if not raw.strip():
        raise InputError(f"{source.name}: the file is empty")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        yield from _iter_ndjson(source.name, raw)
        return
    yield from enumerate(_unwrap(document, source.name), 1)


def _unwrap(document: Any, name: str) -> list[object]:
    if isinstance(document, dict):
        if isinstance(document.get("value"), list):
            return document["value"]
        if "id" in document:
            return [document]
        raise InputError(f"{name}: JSON is neither an alert, a list of alerts nor a list response")
    if isinstance(document, list):
        if document and all(
            isinstance(d, dict) and isinstance(d.get("value"), list) for d in document
        ):
            return [alert for page in document for alert in page["value"]]
        return document
    raise InputError(f"{name}: JSON holds no alerts")


def _iter_ndjson(name: str, raw: bytes) -> Iterator[tuple[int, object]]:
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            if number == 1:
                raise InputError(f"{name}: neither JSON nor NDJSON ({exc})") from None
            yield number, _Invalid(str(exc))
            continue
        if isinstance(record, dict) and isinstance(record.get("value"), list):
            for alert in record["value"]:
                yield number, alert
        else:
            yield number, record


@dataclass(frozen=True)
class _Invalid:
    reason: str


def _leaf_paths(node: Any, prefix: str, out: set[str]) -> None:
    """Add the path of every populated leaf below ``node`` (evidence typed by @odata.type)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@odata.type":
                continue
            _leaf_paths(value, f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, dict):
                if prefix == "evidence":
                    _leaf_paths(item, f"evidence[{evidence_type_name(item)}]", out)
                else:
                    _leaf_paths(item, f"{prefix}[]", out)
            elif to_text(item):
                out.add(f"{prefix}[]")
    elif to_text(node):
        out.add(prefix)


def _alert_host(alert: dict[str, Any]) -> str:
    for item in alert.get("evidence") or ():
        if isinstance(item, dict) and evidence_type_name(item) == "deviceEvidence":
            name = to_text(item.get("deviceDnsName"))
            if name:
                return name
    return ""


def read_graph(sources: Iterable[Source], mapping: Mapping) -> GraphData:
    """Read Graph alert files; duplicates by id keep the latest lastUpdateDateTime."""
    paths: tuple[GraphPath, ...] = mapping.graph_paths
    rows: list[dict[str, str]] = []
    value_rows: list[tuple[int, str, str]] = []
    leaf_sets: list[set[str]] = []
    files, problems = [], []
    for source in sources:
        read = kept = 0
        for position, record in _iter_alerts(source):
            read += 1
            if isinstance(record, _Invalid):
                problems.append(
                    RowProblem(SIDE, source.name, position, f"invalid JSON: {record.reason}")
                )
                continue
            if not isinstance(record, dict) or not to_text(record.get("id")):
                problems.append(RowProblem(SIDE, source.name, position, "not an alert: no id"))
                continue
            kept += 1
            index = len(rows)
            row = {c: to_text(record.get(c)) for c in ALERT_COLUMNS}
            row["host"] = _alert_host(record)
            row["_file"] = source.name
            rows.append(row)
            for path in paths:
                for value in extract(record, path):
                    value_rows.append((index, path.text, value))
            leaves: set[str] = set()
            _leaf_paths(record, "", leaves)
            leaf_sets.append(leaves)
        files.append(
            FileSummary(SIDE, source.name, source.sha256(), "json", read, kept, read - kept)
        )
    if not files:
        raise InputError("no Graph alerts file was given")
    alerts = pd.DataFrame(rows, columns=[*ALERT_COLUMNS, "host", "_file"], dtype="str")
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
    values = pd.DataFrame(value_rows, columns=["row", "path", "value"])
    values = values[values["row"].isin(latest)]
    values = pd.DataFrame(
        {
            "id": alerts["id"].to_numpy()[values["row"].to_numpy()],
            "path": values["path"].to_numpy(),
            "value": values["value"].to_numpy(),
        },
        dtype="str",
    ).drop_duplicates(ignore_index=True)
    counts: dict[str, int] = {}
    for position in latest:
        for leaf in leaf_sets[position]:
            counts[leaf] = counts.get(leaf, 0) + 1
    observed = pd.DataFrame(sorted(counts.items()), columns=["path", "populated_alerts"]).astype(
        {"path": "str"}
    )
    return GraphData(
        alerts.loc[latest].reset_index(drop=True), values, observed, tuple(files), tuple(problems)
    )


def _latest_versions(alerts: pd.DataFrame) -> pd.Index:
    """Row positions of each id's latest version (by lastUpdateDateTime, then file order)."""
    order = alerts.assign(_t=parse_times(alerts["lastUpdateDateTime"]), _pos=alerts.index)
    order = order.sort_values(["_t", "_pos"], ascending=[False, False], na_position="last")
    return pd.Index(sorted(order.drop_duplicates("id")["_pos"]))
