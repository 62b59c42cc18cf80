"""Run the audit: join, per-field verdicts, coverage, schema diff -> one frozen AuditReport."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingABC
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from siem2graph import __version__
from siem2graph.audit_memo import audit_key, keep_report, kept_report
from siem2graph.graph.alerts import GraphData
from siem2graph.graph.parsed_cache import (
    ParsedCache,
    graph_key,
    legacy_entry_key,
    read_graph_cached,
    read_legacy_cached,
)
from siem2graph.held import without_alert_values
from siem2graph.join import NO_GRAPH_ALERTS, join
from siem2graph.legacy import FILE_COLUMN, RECORD_COLUMN, LegacyData
from siem2graph.legacy.limits import ReadLimits
from siem2graph.legacy.reader import Aliases
from siem2graph.mapping import FieldMapping, Mapping, load_mapping
from siem2graph.memory import release_memory
from siem2graph.model import REUSE_PHASE, REUSED, VERDICTS, AuditReport, FieldResult, JoinSummary
from siem2graph.pairs import TOP_PAIRS
from siem2graph.pulls import pull_scopes
from siem2graph.readiness import headline, readiness
from siem2graph.schema import unmapped_graph_paths, unmapped_legacy_columns
from siem2graph.sources import Progress, RowProblem, Source, no_progress
from siem2graph.threads import thread_count
from siem2graph.times import SlashedOrder, slashed_order
from siem2graph.verdicts import FieldOutcome, align, evaluate_field

KEY = "key"
log = logging.getLogger(__name__)
# Shares of a whole audit's progress bar, as the phases take time at 1M detections: reading
# the Graph side, then the legacy side, then joining (a quarter of ``run``) and comparing.
_GRAPH_SPAN, _LEGACY_SPAN, _RUN_SPAN = (0.0, 0.45), (0.45, 0.6), (0.6, 1.0)
_JOINED = 0.25


@dataclass(frozen=True)
class AuditOptions:
    """Tunables of the audit."""

    risk_threshold: float = 0.01  # share of alerts that must lose/change a value to flag the field
    top_pairs: int | None = TOP_PAIRS  # value pairs kept per field and found/not (None: all)
    alert_values: bool = True  # False: the report keeps counts, not every alert's values


@dataclass
class _Clock:
    phases: dict[str, float] = field(default_factory=dict)
    last: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now


def unreadable_problem(result: FieldResult, side: str) -> RowProblem:
    """The input problem of a field with values its comparator could not read."""
    return RowProblem(
        side=side,
        file="",
        line=None,
        reason=(
            f"{_unreadable_head(result)}{result.unreadable_values} value(s), "
            f"e.g. '{result.unreadable_example}'; "
            f"{result.unreadable} alert(s) counted as unreadable, not as mismatches"
        ),
    )


def is_unreadable_problem(problem: RowProblem, result: FieldResult) -> bool:
    """Whether ``problem`` is the ``unreadable_problem`` of ``result``'s field."""
    return problem.reason.startswith(_unreadable_head(result))


def _unreadable_head(result: FieldResult) -> str:
    # what the problem is before the colon: the summaries group problems by it
    return f"values the {result.comparator} comparator cannot read: {result.siem_field}, "


def time_range(times: pd.Series) -> tuple[str, str] | None:
    """First and last valid instant as ISO text."""
    valid = times.dropna()
    return (valid.min().isoformat(), valid.max().isoformat()) if len(valid) else None


def timeline(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts per day on each side and matched."""
    legacy_day = alerts["legacy_time"].dt.floor("D")
    graph_day = alerts["graph_time"].dt.floor("D")
    parts = {
        "legacy_alerts": legacy_day[alerts["side"] != "graph_only"],
        "graph_alerts": graph_day[alerts["side"] != "legacy_only"],
        "matched_alerts": legacy_day.fillna(graph_day)[alerts["side"] == "both"],
    }
    table = pd.DataFrame({k: v.dropna().value_counts() for k, v in parts.items()}).fillna(0)
    table = table.astype("int64").sort_index()
    table.index.name = "day"
    return table.reset_index()


def time_columns(mapping: Mapping) -> tuple[str, ...]:
    """The legacy columns read as instants: the alert's time and every datetime field."""
    compared = (r.siem_field for r in mapping.fields if r.comparator == "datetime")
    return tuple(dict.fromkeys(("AlertTime", *compared)))


def time_orders(detections: pd.DataFrame, mapping: Mapping) -> dict[str, SlashedOrder]:
    """What the slashed dates of each legacy time column say of their order."""
    columns = [c for c in time_columns(mapping) if c in detections.columns]
    return {c: slashed_order(detections[c]) for c in columns}


def _field_result(row: FieldMapping, out: FieldOutcome, threshold: float) -> FieldResult:
    """One field's row of the report from its mapping and what comparing it found."""
    counts = (
        np.bincount(out.codes, minlength=len(VERDICTS))
        if out.codes is not None
        else np.zeros(len(VERDICTS), dtype=np.int64)
    )
    return FieldResult(
        siem_field=row.siem_field,
        status=row.status,
        group=row.group,
        comparator=row.comparator,
        graph_paths=tuple(p.text for p in row.graph_paths),
        microsoft_mapping=row.microsoft_mapping,
        microsoft_note=row.microsoft_note,
        note=row.note,
        legacy_rows_populated=out.legacy_rows_populated,
        legacy_alerts_populated=out.legacy_alerts_populated,
        legacy_populated=out.legacy_populated,
        graph_populated=out.graph_populated,
        **{name: int(counts[i]) for i, name in enumerate(VERDICTS)},
        readiness=readiness(
            row, out.legacy_rows_populated, out.legacy_populated, counts, threshold
        ),
        examples=out.examples,
        unreadable_values=out.unreadable_values,
        unreadable_example=out.unreadable_example,
        path_matches=out.path_matches,
    )


def run(
    legacy: LegacyData,
    graph: GraphData,
    mapping: Mapping,
    options: AuditOptions | None = None,
    progress: Progress | None = None,
    orders: MappingABC[str, SlashedOrder] | None = None,
) -> AuditReport:
    """Audit legacy detections against Graph alerts; the inputs are not modified.

    ``orders``: what each legacy time column's slashed dates say of their order over the whole
    input, when ``legacy`` is a part of it (by default, over ``legacy`` itself)."""
    options = options or AuditOptions()
    progress = progress or no_progress
    clock = _Clock()
    started = clock.last
    progress("joining legacy and Graph alerts", 0.0)
    if orders is None:
        orders = time_orders(legacy.detections, mapping)
    joined = join(legacy.detections, graph.alerts, orders.get("AlertTime"))
    clock.lap("join")
    detections = legacy.detections.assign(**{KEY: joined.detection_keys.array})
    matched = pd.Index(joined.alerts.loc[joined.alerts["side"] == "both", KEY])
    graph_keys = graph.alerts["id"].str.strip().str.lower()
    value_keys: pd.Series | pd.Categorical
    if graph.value_alerts is None:
        value_keys = graph.values["id"].astype("str").str.strip().str.lower().astype("category")
    else:
        key_codes, key_texts = pd.factorize(graph_keys)
        value_keys = pd.Categorical.from_codes(
            key_codes[graph.value_alerts], categories=key_texts, validate=False
        )
    graph_values = graph.values.assign(**{KEY: value_keys})
    aligned = align(matched, detections[KEY], graph_values, (graph_keys, graph.value_alerts))
    release_memory()
    clock.lap("align")
    progress("comparing fields", _JOINED)
    results, codes, pairs, unreadable = [], {}, [], []
    # fields are independent and their passes run mostly in pandas/pyarrow code that releases
    # the GIL: several fields at a time use the other cores
    threads = thread_count()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = pool.map(
            lambda row: evaluate_field(
                row, detections, aligned, orders.get(row.siem_field), options.top_pairs
            ),
            mapping.fields,
        )
        for number, (row, out) in enumerate(zip(mapping.fields, outcomes, strict=True), 1):
            results.append(_field_result(row, out, options.risk_threshold))
            if out.unreadable_values:
                unreadable.append(unreadable_problem(results[-1], out.unreadable_side))
            if out.codes is not None:
                codes[row.siem_field] = out.codes
                pairs.append(out.pairs)
            done = _JOINED + (1 - _JOINED) * number / len(mapping.fields)
            progress(f"compared {row.siem_field}", done)
    clock.lap("compare")
    legacy_unmapped = unmapped_columns(detections.columns, mapping)
    schema_legacy = unmapped_legacy_columns(detections, legacy_unmapped)
    schema_graph = unmapped_graph_paths(graph.observed_paths, mapping, len(graph.alerts))
    clock.lap("schema")
    fields = tuple(results)
    value_pairs = pd.concat([_empty_pairs(), *(p for p in pairs if len(p))], ignore_index=True)
    alerts = joined.alerts
    report = AuditReport(
        tool_version=__version__,
        mapping=mapping,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        run_seconds=time.perf_counter() - started,
        inputs=legacy.files + graph.files,
        problems=legacy.problems + graph.problems + empty_side(joined.summary) + tuple(unreadable),
        join=joined.summary,
        fields=fields,
        headline=headline(fields, joined.summary.matched_alerts),
        legacy_time_range=time_range(alerts["legacy_time"]),
        graph_time_range=time_range(alerts["graph_time"]),
        alerts=alerts,
        verdicts=pd.DataFrame(codes, index=matched),
        value_pairs=value_pairs,
        unmapped_legacy_columns=schema_legacy,
        unmapped_graph_paths=schema_graph,
        timeline=timeline(alerts),
        detections=detections,
        graph_values=graph_values,
        phase_seconds=dict(clock.phases),
        engine={"name": "local", "threads": threads},
    )
    return report if options.alert_values else without_alert_values(report)


def unmapped_columns(columns: Iterable[str], mapping: Mapping) -> list[str]:
    """The detections' columns no SIEM field names (the reader's own columns aside)."""
    mapped = {r.siem_field for r in mapping.fields} | {KEY, FILE_COLUMN, RECORD_COLUMN}
    return [c for c in columns if c not in mapped]


def empty_side(summary: JoinSummary) -> tuple[RowProblem, ...]:
    """The input problem of each side that gave no alerts (a quiet window is an answer)."""
    problems = []
    if not summary.graph_alerts:
        reason = NO_GRAPH_ALERTS
        if summary.legacy_alerts:
            reason += f": all {summary.legacy_alerts:,} legacy alerts are legacy-only"
        problems.append(RowProblem("graph", "", None, reason))
    if not summary.legacy_alerts:
        reason = "no legacy detections were loaded"
        if summary.graph_alerts:
            reason += f": all {summary.graph_alerts:,} Graph alerts are graph-only"
        problems.append(RowProblem("legacy", "", None, reason))
    return tuple(problems)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "siem_field",
            "legacy_value",
            "graph_value",
            "found",
            "verdict",
            "alerts",
            "example_alerts",
        ]
    ).astype({"found": bool, "alerts": "int64"})


def _within(progress: Progress, start: float, end: float) -> Progress:
    """``progress`` for one phase: its shares 0..1 land in ``start``..``end`` of the whole."""
    return lambda step, share: progress(step, start + (end - start) * share)


def _hashed_ahead(sources: Sequence[Source]) -> threading.Thread:
    """A thread hashing ``sources`` for their cache key while other work goes on; a file that
    cannot be read fails where it is read, not here."""

    def hash_all() -> None:
        with contextlib.suppress(OSError):
            for source in sources:
                source.sha256()

    thread = threading.Thread(target=hash_all, name="siem2graph-hash", daemon=True)
    thread.start()
    return thread


def audit_sources(
    legacy: Iterable[Source],
    graph: Iterable[Source],
    mapping: Mapping | None = None,
    options: AuditOptions | None = None,
    progress: Progress | None = None,
    aliases: Aliases = (),
    limits: ReadLimits | None = None,
    cache: ParsedCache | None = None,
) -> AuditReport:
    """Read both sides and run the audit, timing each phase; ``progress`` hears of every
    step with its share of the whole audit; ``limits`` bound the reading of both; ``cache``
    keeps the parsed inputs of both sides and the report of these inputs with these settings,
    which an audit of the same again reads back (``siem2graph/audit_memo.py``)."""
    mapping, options = mapping or load_mapping(), options or AuditOptions()
    progress, limits = progress or no_progress, limits or ReadLimits()
    started = time.perf_counter()
    graph, legacy, aliases = list(graph), list(legacy), tuple(aliases)
    memo = None
    if cache is not None:
        progress("checking for an audit of the same files and settings", 0.0)
        hashing = _hashed_ahead(legacy)
        graph_entry = graph_key(graph, mapping, limits)
        hashing.join()
        memo = audit_key(
            graph_entry, legacy_entry_key(legacy, mapping, aliases, limits), mapping, options
        )
        kept = kept_report(cache, memo)
        if kept is not None:
            log.info("same files and settings audited before: report reused (%s)", memo[:12])
            progress("the same files and settings were audited before: report read back", 1.0)
            return _reused(kept, graph, started)
    # Graph first: its parse leaves the most transient buffers, which the allocators hand back
    # only while no long-lived legacy text sits between them (the peak: docs/scale.md, choices)
    graph_data = read_graph_cached(graph, mapping, cache, _within(progress, *_GRAPH_SPAN), limits)
    release_memory()
    read_graph_s = time.perf_counter() - started
    legacy_data = read_legacy_cached(
        legacy, mapping, cache, aliases, limits, _within(progress, *_LEGACY_SPAN)
    )
    release_memory()
    read_legacy_s = time.perf_counter() - started - read_graph_s
    report = run(legacy_data, graph_data, mapping, options, _within(progress, *_RUN_SPAN))
    if cache is not None and memo is not None:
        progress("keeping the report for an audit of the same files and settings", 1.0)
        keep_report(cache, memo, report)
    report = replace(report, pulls=pull_scopes(graph, graph_data.files))
    phases = {"read_graph": read_graph_s, "read_legacy": read_legacy_s, **report.phase_seconds}
    return replace(report, phase_seconds=phases, run_seconds=time.perf_counter() - started)


def _reused(kept: AuditReport, graph: Sequence[Source], started: float) -> AuditReport:
    """The kept report as this audit's: its pulls read again (their records sit beside the
    files, outside the key), said to be reused, timed now."""
    seconds = time.perf_counter() - started
    return replace(
        kept,
        pulls=pull_scopes(graph, kept.inputs),
        engine={**kept.engine, REUSED: kept.generated_at},
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        run_seconds=seconds,
        phase_seconds={REUSE_PHASE: seconds},
    )


def audit_files(
    legacy: Iterable[Path | str],
    graph: Iterable[Path | str],
    mapping: Mapping | None = None,
    aliases: Aliases = (),
    cache: ParsedCache | None = None,
) -> AuditReport:
    """Audit files on disk."""
    return audit_sources(
        [Source.from_path(p) for p in legacy],
        [Source.from_path(p) for p in graph],
        mapping,
        aliases=aliases,
        cache=cache,
    )
