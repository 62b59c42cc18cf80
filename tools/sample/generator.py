"""Stream a legacy SIEM CSV export and the matching Graph alerts_v2 file to disk."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from tools.sample.alerts import DETECTION_WEIGHTS, AlertFactory, Built, Scenario
from tools.sample.catalog import CSV_COLUMNS, DETECTION_TYPES
from tools.sample.entities import UNITS, FastRandom, Pools
from tools.sample.others import other_product_alert
from tools.sample.truth import NOT_IN_GRAPH, OUTSIDE_WINDOW, Truth

DEFAULT_SEED = 20261001
DEFAULT_START = datetime(2026, 10, 1, tzinfo=UTC)
DEFAULT_DAYS = 14
ODATA_CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2"
_DAY = 86_400 * UNITS

# Rare scenarios hit every n-th alert (alert index % period == offset), so counts are stable.
_LEGACY_ONLY = (137, 5)
_GUID_STYLE = (151, 17)
_SEVERITY_CHANGED = (89, 7)
_DROP_USER = (43, 4)
_DUPLICATE = (97, 3)
_GRAPH_ONLY = (71, 9)
_PORTAL_TIME = (9, 2)
_FULL_PATH = (7, 3)
_REDACTED_DEVICE = (113, 8)
_OUTSIDE_WINDOW_SHARE = 250  # one legacy-only alert before the Graph window per 250 alerts


def _hit(index: int, rule: tuple[int, int]) -> bool:
    return index % rule[0] == rule[1]


def _csv_field(value: str) -> str:
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


class _CsvWriter:
    """Writes CSV rows (RFC 4180 quoting, as csv.writer) about twice as fast as csv.writer: the
    alert-level values its rows share are quoted once per alert."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        stream.write(",".join(CSV_COLUMNS) + "\n")

    def write_alert(self, rows: list[dict[str, str]]) -> None:
        quoted: dict[str, str] = {}
        for row in rows:
            fields = []
            for column in CSV_COLUMNS:
                value = row.get(column, "")
                text = quoted.get(value)
                if text is None:
                    text = quoted[value] = _csv_field(value)
                fields.append(text)
            self.stream.write(",".join(fields) + "\n")


class _GraphWriter:
    """Writes Graph records as one list response (json) or one alert per line (ndjson)."""

    def __init__(self, stream: IO[bytes], graph_format: str) -> None:
        if graph_format not in ("json", "ndjson"):
            raise ValueError(f"graph_format must be json or ndjson, not {graph_format!r}")
        self.stream, self.json, self.first = stream, graph_format == "json", True
        if self.json:
            head = orjson.dumps({"@odata.context": ODATA_CONTEXT})[:-1]
            stream.write(head + b',"value":[\n')

    def write(self, record: dict[str, Any]) -> None:
        if self.json and not self.first:
            self.stream.write(b",\n")
        self.first = False
        self.stream.write(orjson.dumps(record))
        if not self.json:
            self.stream.write(b"\n")

    def close(self) -> None:
        if self.json:
            self.stream.write(b"\n]}\n")


@contextmanager
def _outputs(
    path_csv: Path, path_graph: Path, graph_format: str
) -> Iterator[tuple[_CsvWriter, _GraphWriter]]:
    with (
        open(path_csv, "w", encoding="utf-8", newline="", buffering=1 << 20) as legacy_file,
        open(path_graph, "wb", buffering=1 << 20) as graph_file,
    ):
        rows = _CsvWriter(legacy_file)
        graph = _GraphWriter(graph_file, graph_format)
        yield rows, graph
        graph.close()


def generate(
    path_csv: Path | str,
    path_graph: Path | str,
    n_alerts: int,
    seed: int = DEFAULT_SEED,
    graph_format: str = "json",
    start: datetime = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    detection_weights: Sequence[int] = DETECTION_WEIGHTS,
) -> dict[str, Any]:
    """Write ``n_alerts`` legacy alerts and their Graph alerts; return the expected audit outcome
    (the content of expected.json).

    An MDE alert has 1, 2, ... detections with the relative integer ``detection_weights``
    (``mean_detections(detection_weights)`` on average, 2.32 by default).

    About 1 in 137 legacy alerts is missing from Graph, 1 in 250 precedes the Graph window, and
    about 1 Graph-only alert is added per 71 legacy alerts. Output is byte-identical for a seed.
    """
    if n_alerts < 1:
        raise ValueError("n_alerts must be positive")
    if min(detection_weights) < 0 or sum(detection_weights) < 1:
        raise ValueError("detection_weights must be non-negative with a positive sum")
    rng = FastRandom(seed)
    t_start = int(start.timestamp()) * UNITS
    pools = Pools(rng, n_devices=max(40, n_alerts // 6), start=t_start)
    factory = AlertFactory(pools, detection_weights)
    cum_weights = list(itertools.accumulate(t.weight for t in DETECTION_TYPES))
    n_outside = max(2, n_alerts // _OUTSIDE_WINDOW_SHARE)
    n_inside = n_alerts - n_outside
    step = days * _DAY / max(1, n_inside)
    truth = Truth()
    incidents: dict[int, tuple[str, int]] = {}
    next_incident = [10_000]

    def incident_for(device_index: int, t0: int) -> str:
        last = incidents.get(device_index)
        if last and t0 - last[1] < 4 * 3600 * UNITS:
            return last[0]
        next_incident[0] += rng.randrange(1, 4)
        incidents[device_index] = (str(next_incident[0]), t0)
        return str(next_incident[0])

    def emit(built: Built, reason: str = NOT_IN_GRAPH) -> None:
        rows.write_alert(built.rows)
        for record in built.records:
            graph.write(record)
        truth.add(built, reason)

    def mde(t0: int, scenario: Scenario) -> Built:
        dtype = rng.choices(DETECTION_TYPES, cum_weights=cum_weights)[0]
        device_index = int(len(pools.devices) * rng.random() ** 2)
        incident = incident_for(device_index, t0)
        return factory.mde(dtype, pools.devices[device_index], t0, incident, scenario)

    with _outputs(Path(path_csv), Path(path_graph), graph_format) as (rows, graph):
        for k in range(n_outside):
            t0 = t_start - 3 * _DAY + int(k * _DAY / n_outside) + rng.randrange(3600 * UNITS)
            emit(mde(t0, Scenario(graph=False)), OUTSIDE_WINDOW)
        for i in range(n_inside):
            t0 = t_start + int((i + rng.random()) * step)
            scenario = Scenario(
                graph=not _hit(i, _LEGACY_ONLY),
                guid_style=_hit(i, _GUID_STYLE),
                severity_changed=_hit(i, _SEVERITY_CHANGED),
                drop_user=_hit(i, _DROP_USER),
                duplicate=_hit(i, _DUPLICATE),
                portal_time=_hit(i, _PORTAL_TIME),
                full_path=_hit(i, _FULL_PATH),
                redacted_device=_hit(i, _REDACTED_DEVICE),
                older_first=(i // _DUPLICATE[0]) % 2 == 0,
            )
            emit(mde(t0, scenario))
            if _hit(i, _GRAPH_ONLY):
                which = (i // _GRAPH_ONLY[0]) % 3
                t1 = t0 + rng.randrange(60 * UNITS)
                if which == 2:
                    emit(mde(t1, Scenario(legacy=False)))
                else:
                    emit(other_product_alert(factory, which, t1, incident_for(-1 - which, t1)))
    meta = {
        "seed": seed,
        "n_alerts": n_alerts,
        "graph_format": graph_format,
        "window": {"start": start.isoformat(), "days": days},
        "files": {"legacy": Path(path_csv).name, "graph": Path(path_graph).name},
    }
    return truth.to_dict(meta)
