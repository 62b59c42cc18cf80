"""The AuditReport: one frozen result that pages, charts, exporters and the CLI only read."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from collections.abc import Mapping as MappingABC
from dataclasses import asdict, dataclass, fields
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from siem2graph.mapping import DROPPED_STATUSES, Mapping
from siem2graph.sources import FileSummary, RowProblem

CHUNK_ROWS = 20_000  # rows a writer renders at a time


class Verdict(StrEnum):
    """What one matched alert's values of one field are; ``code`` numbers it in ``verdicts``."""

    MATCH = "match"
    MISMATCH = "mismatch"
    MISSING_IN_GRAPH = "missing_in_graph"
    NEW_IN_GRAPH = "new_in_graph"
    BOTH_EMPTY = "both_empty"
    UNREADABLE = "unreadable"

    @property
    def code(self) -> int:
        return VERDICTS.index(self.value)


class Readiness(StrEnum):
    """What a field's data does on the way to Graph."""

    KEEPS = "keeps"
    CHANGES = "changes"
    LOSES = "loses"
    UNREADABLE = "unreadable"
    NOT_APPLICABLE = "not_applicable"


AT_RISK = (Readiness.LOSES, Readiness.CHANGES)  # worst first
# the names as the report's columns and codes order them
VERDICTS = tuple(v.value for v in Verdict)
READINESS = tuple(r.value for r in Readiness)
SIDES = ("both", "legacy_only", "graph_only")
# Alert attributes the dashboard filters coverage by.
FILTER_COLUMNS = ("severity", "category", "detection_source", "status")


@dataclass(frozen=True)
class JoinSummary:
    """How the legacy detections and the Graph alerts met."""

    legacy_rows: int
    legacy_alerts: int
    graph_alerts: int
    matched_alerts: int
    legacy_only_alerts: int
    graph_only_alerts: int
    matched_by_id: int
    matched_by_provider_id: int
    matched_by_prefix: int


@dataclass(frozen=True)
class FieldResult:
    """One SIEM field's verdict counts over the matched alerts, and what the legacy side held."""

    siem_field: str
    status: str
    group: str
    comparator: str
    graph_paths: tuple[str, ...]
    microsoft_mapping: str
    microsoft_note: str
    note: str
    legacy_rows_populated: int
    legacy_alerts_populated: int
    legacy_populated: int
    graph_populated: int
    match: int
    mismatch: int
    missing_in_graph: int
    new_in_graph: int
    both_empty: int
    unreadable: int  # alerts whose values the comparator could not read on one side
    readiness: str
    examples: tuple[str, ...]
    unreadable_values: int = 0
    unreadable_example: str = ""
    path_matches: tuple[int, ...] = ()  # per graph path: matching alerts whose value was there

    @property
    def judged(self) -> int:
        """Matched alerts with a legacy value whose values could be read: the rates' base."""
        return self.legacy_populated - self.unreadable

    @property
    def retained_rate(self) -> float | None:
        """Share of judged alerts (``judged``) whose value Graph keeps."""
        return self.match / self.judged if self.judged else None

    def path_shares(self) -> tuple[tuple[str, float], ...]:
        """(path, share of the matching alerts found there) for every path that held one."""
        total = sum(self.path_matches)
        return tuple(
            (path, count / total)
            for path, count in zip(self.graph_paths, self.path_matches, strict=False)
            if count
        )


@dataclass(frozen=True)
class Headline:
    """The Overview's figures."""

    matched_alerts: int
    fields_with_data: int
    fields_with_equivalent_share: float | None
    information_retained_share: float | None
    fields_at_risk: int
    overall_readiness: str


@dataclass(frozen=True)
class PullScope:
    """A Graph input pulled live: whose alerts, from where, which window, and whether all of them.

    Identifiers only (never a secret). ``partial`` is True unless the pull record says the pull
    completed and the file read is the one the pull wrote; ``reason`` says why.
    """

    file: str
    tenant_id: str
    cloud: str
    graph_url: str
    since: str
    until: str  # excluded
    service_source: str  # "all" when the pull was not filtered
    partial: bool
    reason: str
    alerts: int


@dataclass(frozen=True)
class AuditReport:
    """Everything the audit found. Frames are read-only by convention: nobody downstream writes.

    ``verdicts`` has one row per matched alert, in the order of the matched rows of ``alerts``.
    """

    tool_version: str
    mapping: Mapping
    generated_at: str
    run_seconds: float
    inputs: tuple[FileSummary, ...]
    problems: tuple[RowProblem, ...]
    join: JoinSummary
    fields: tuple[FieldResult, ...]
    headline: Headline
    legacy_time_range: tuple[str, str] | None
    graph_time_range: tuple[str, str] | None
    alerts: pd.DataFrame
    verdicts: pd.DataFrame
    value_pairs: pd.DataFrame
    unmapped_legacy_columns: pd.DataFrame
    unmapped_graph_paths: pd.DataFrame
    timeline: pd.DataFrame
    # text columns whose values repeat are categorical (legacy.compact), and so is the key
    detections: pd.DataFrame
    graph_values: pd.DataFrame  # id, path, value, key: categorical, values in text order
    phase_seconds: MappingABC[str, float]
    pulls: tuple[PullScope, ...] = ()  # the Graph inputs that came from a live pull
    # where it ran: {"name": "local", "threads": N} or {"name": "spark", "master", "partitions"}
    engine: MappingABC[str, Any] = dataclass_field(default_factory=dict)
    # set only when the per-alert values were left out (``held.without_alert_values``; then
    # detections and graph_values have no rows): key, and per SIEM field the detections with a value
    held: pd.DataFrame | None = None

    @property
    def values_kept(self) -> bool:
        """Whether the report holds every alert's values (its detections and Graph values)."""
        return self.held is None

    def field(self, siem_field: str) -> FieldResult:
        for row in self.fields:
            if row.siem_field == siem_field:
                return row
        raise KeyError(siem_field)

    def coverage(self, **filters: Collection[str]) -> pd.DataFrame:
        """Verdict counts per field over the matched alerts whose attributes are in ``filters``."""
        matched = self.alerts["side"].to_numpy() == "both"
        mask = np.ones(int(matched.sum()), dtype=bool)
        for column, allowed in filters.items():
            if column not in FILTER_COLUMNS:
                raise KeyError(f"cannot filter by {column!r}")
            if allowed:
                mask &= self.alerts[column].isin(list(allowed)).to_numpy()[matched]
        # verdicts' rows follow the matched rows of alerts in order, so a position mask selects.
        codes = self.verdicts.to_numpy()[mask]
        counts = {
            name: np.bincount(codes[:, i], minlength=len(VERDICTS))
            for i, name in enumerate(self.verdicts.columns)
        }
        table = pd.DataFrame.from_dict(counts, orient="index", columns=list(VERDICTS))
        table.index.name = "siem_field"
        return table.reset_index()

    def fields_frame(self) -> pd.DataFrame:
        """One row per SIEM field with its counts, rates and readiness."""
        rows = []
        for row in self.fields:
            record = asdict(row)
            record["graph_paths"] = "; ".join(row.graph_paths)
            record["examples"] = "; ".join(row.examples)
            record["path_matches"] = path_matches_text(row)
            record["retained_rate"] = row.retained_rate
            rows.append(record)
        return pd.DataFrame(rows)

    def dropped_fields_frame(self) -> pd.DataFrame:
        """``fields_frame`` of the fields Graph has no equivalent for."""
        frame = self.fields_frame()
        return frame[frame["status"].isin(DROPPED_STATUSES)].reset_index(drop=True)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table of the report, named as the exports name them."""
        side = self.alerts["side"]
        alert_columns = [c for c in self.alerts.columns if c != "key"]
        return {
            "summary": pd.DataFrame(
                [{"item": k, "value": v} for k, v in _summary_items(self).items()]
            ),
            "inputs": pd.DataFrame([asdict(f) for f in self.inputs]).drop(
                columns=["columns"], errors="ignore"
            ),
            "fields": self.fields_frame(),
            "unsupported_fields": self.dropped_fields_frame(),
            "mismatch_pairs": self.value_pairs[~self.value_pairs["found"]].reset_index(drop=True),
            "legacy_only_alerts": self.alerts.loc[side == "legacy_only", alert_columns],
            "graph_only_alerts": self.alerts.loc[side == "graph_only", alert_columns],
            "unmapped_legacy_columns": self.unmapped_legacy_columns,
            "unmapped_graph_paths": self.unmapped_graph_paths,
            "problems": pd.DataFrame(
                [asdict(p) for p in self.problems], columns=["side", "file", "line", "reason"]
            ),
            "timeline": self.timeline,
            "mapping": mapping_frame(self.mapping),
            "pulls": pd.DataFrame(
                [asdict(p) for p in self.pulls], columns=[f.name for f in fields(PullScope)]
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``report.json`` (see README: CLI)."""
        return {
            name: value.records() if isinstance(value, Rows) else value
            for name, value in self.contract().items()
        }

    def contract(self) -> dict[str, Any]:
        """``to_dict`` with its tables as ``Rows``: a writer can render millions of alerts a
        chunk at a time, never holding them all as Python objects."""
        side = self.alerts["side"]  # compared as Arrow text: no Python string per alert
        alert_columns = [c for c in self.alerts.columns if c != "key"]
        return {
            "tool_version": self.tool_version,
            "mapping_version": self.mapping.version,
            "generated_at": self.generated_at,
            "run_seconds": round(self.run_seconds, 3),
            "engine": dict(self.engine),
            "inputs": [asdict(f) | {"columns": list(f.columns)} for f in self.inputs],
            "pulls": [asdict(p) for p in self.pulls],
            "legacy_time_range": list(self.legacy_time_range or []),
            "graph_time_range": list(self.graph_time_range or []),
            "join": asdict(self.join),
            "headline": asdict(self.headline),
            "fields": [
                asdict(f)
                | {
                    "graph_paths": list(f.graph_paths),
                    "examples": list(f.examples),
                    "path_matches": list(f.path_matches),
                }
                for f in self.fields
            ],
            "value_pairs": Rows(self.value_pairs),
            "legacy_only_alerts": Rows(self.alerts[alert_columns], _is(side, "legacy_only")),
            "graph_only_alerts": Rows(self.alerts[alert_columns], _is(side, "graph_only")),
            "problems": [asdict(p) for p in self.problems],
            "unmapped_legacy_columns": Rows(self.unmapped_legacy_columns),
            "unmapped_graph_paths": Rows(self.unmapped_graph_paths),
            "timeline": Rows(self.timeline),
        }


def _is(column: pd.Series, value: str) -> np.ndarray:
    return (column == value).to_numpy(dtype=bool)


# the engine entry of a report read back from an audit of the same inputs: that audit's time
REUSED = "reused_from"
REUSE_PHASE = "reuse"  # the one phase of such a report: reading it back


def engine_text(engine: MappingABC[str, Any]) -> str:
    """Where a report was computed, in words."""
    if engine.get("name") == "spark":
        return f"Spark {engine.get('master', '')}, {engine.get('partitions', '?')} partitions"
    if engine.get("name") == "local":
        text = f"this machine, {engine.get('threads', '?')} threads"
        if engine.get(REUSED):
            text += f"; the same files and settings audited at {engine[REUSED]}, report read back"
        return text
    return "unknown"


def path_matches_text(row: FieldResult) -> str:
    """Where Graph held the matching values: 'path: share (alerts)' per path that held some;
    '' for a field with one path."""
    if len(row.graph_paths) < 2:
        return ""
    counts = dict(zip(row.graph_paths, row.path_matches, strict=False))
    return "; ".join(f"{path}: {share:.0%} ({counts[path]})" for path, share in row.path_shares())


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy to Python, timestamps to ISO text, missing to None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Rows:
    """The rows of ``frame`` that ``chosen`` picks (all when None), read a chunk at a time: a
    copy of 2M alerts' rows is 0.3 GB, their cells as Python objects 2 GB."""

    frame: pd.DataFrame
    chosen: np.ndarray | None = None

    def chunks(self) -> Iterator[pd.DataFrame]:
        chosen = np.arange(len(self.frame)) if self.chosen is None else np.flatnonzero(self.chosen)
        for start in range(0, len(chosen), CHUNK_ROWS):
            yield self.frame.iloc[chosen[start : start + CHUNK_ROWS]]

    def records(self) -> list[dict[str, Any]]:
        """All the rows as ``records`` makes them."""
        return [row for chunk in self.chunks() for row in records(chunk)]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts (missing values as None), converted a column at a
    time."""
    names = [str(name) for name in frame.columns]
    columns = [_plain_column(column) for _, column in frame.items()]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _plain_column(column: pd.Series) -> list[Any]:
    """A column's values as ``_plain`` makes them, text and whole numbers without a call per
    value."""
    if column.dtype == "str" or (
        isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.dtype == "str"
    ):
        return pa.array(column.array).to_pylist()
    if column.dtype.kind in "biu":
        return list(column.to_numpy().tolist())
    if column.dtype.kind == "M":
        return [None if value is pd.NaT else value.isoformat() for value in column]
    return [_plain(value) for value in column.tolist()]


def _summary_items(report: AuditReport) -> dict[str, Any]:
    items: dict[str, Any] = {
        "tool_version": report.tool_version,
        "mapping_version": report.mapping.version,
        "generated_at": report.generated_at,
    }
    items |= {f"join.{f.name}": getattr(report.join, f.name) for f in fields(report.join)}
    items |= {
        f"headline.{f.name}": getattr(report.headline, f.name) for f in fields(report.headline)
    }
    return items


def mapping_frame(mapping: Mapping) -> pd.DataFrame:
    """The mapping table as one row per SIEM field."""
    return pd.DataFrame(
        [
            {
                "siem_field": row.siem_field,
                "aliases": "; ".join(row.aliases),
                "status": row.status,
                "group": row.group,
                "graph_paths": "; ".join(p.text for p in row.graph_paths),
                "comparator": row.comparator,
                "microsoft_mapping": row.microsoft_mapping,
                "microsoft_note": row.microsoft_note,
                "note": row.note,
            }
            for row in mapping.fields
        ]
    )
