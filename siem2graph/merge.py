"""Merge the reports of disjoint partitions (per tenant, per month, ...) into one report.

Additive when every alert falls in exactly one partition: join counts, per-field verdict and
populated counts, the per-alert frames (alerts, verdicts, detections, graph values), the timeline
and the populated counts of the schema diff. Not additive, and recomputed or approximated here:
readiness and the headline (recomputed from the summed counts; per-path matches and unreadable
values are summed too), field examples, the unreadable example and unmapped column examples (the
first partition's that has one), and the value pairs: summed, then cut to the top pairs of
each field; a partition that kept only its own top pairs may miss a pair below its cut from
the sum (partitions audited with ``AuditOptions(top_pairs=None)`` keep them all). Every
partition's live pulls are kept (a partial one stays flagged); partitions of different mapping
versions are refused. One partition without its alert values (``held.without_alert_values``)
makes the merge one without them: every partition's per-alert counts, stacked.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from siem2graph.audit import AuditOptions, time_range, timeline
from siem2graph.errors import MappingError
from siem2graph.held import without_alert_values
from siem2graph.legacy.compact import first_seen, stacked
from siem2graph.model import VERDICTS, AuditReport, FieldResult, JoinSummary
from siem2graph.pairs import PAIR_COLUMNS, rank_pairs
from siem2graph.readiness import headline, readiness
from siem2graph.text_codes import SortedTexts, categorical, dictionary_array, text_codes

_SUMMED = (
    "legacy_rows_populated",
    "legacy_alerts_populated",
    "legacy_populated",
    "graph_populated",
    *VERDICTS,
)


def _field(parts: Sequence[FieldResult], report: AuditReport, options: AuditOptions) -> FieldResult:
    sums = {name: sum(getattr(p, name) for p in parts) for name in _SUMMED}
    row = report.mapping.field(parts[0].siem_field)
    counts = np.array([sums[v] for v in VERDICTS])
    level = readiness(
        row,
        sums["legacy_rows_populated"],
        sums["legacy_populated"],
        counts,
        options.risk_threshold,
    )
    path_matches = tuple(int(n) for n in np.sum([p.path_matches for p in parts], axis=0))
    unreadable_values = sum(p.unreadable_values for p in parts)
    example = next((p.unreadable_example for p in parts if p.unreadable_example), "")
    return replace(
        parts[0],
        **sums,
        readiness=level,
        path_matches=path_matches,
        unreadable_values=unreadable_values,
        unreadable_example=example,
    )


def summed_pairs(
    frames: Sequence[pd.DataFrame], report: AuditReport, top: int | None
) -> pd.DataFrame:
    """Value pairs summed per pair (the example alerts of the first frame that has it); per
    field (in mapping order) and found/not, the ``top`` first as ``rank_pairs`` ranks them."""
    pairs = pd.concat(frames, ignore_index=True)
    keys = ["siem_field", *PAIR_COLUMNS]
    position = {row.siem_field: n for n, row in enumerate(report.mapping.fields)}
    summed = (
        pairs.groupby(keys, sort=False)
        .agg(alerts=("alerts", "sum"), example_alerts=("example_alerts", "first"))
        .reset_index()
    )
    summed = rank_pairs(summed).assign(_field=lambda f: f["siem_field"].map(position))
    summed = summed.sort_values("_field", kind="stable")
    if top is not None:
        summed = summed.groupby(["_field", "found"], sort=False).head(top)
    return summed.drop(columns="_field").reset_index(drop=True)


def _sum_by(frames: Sequence[pd.DataFrame], key: str, total: int | None = None) -> pd.DataFrame:
    frame = pd.concat(frames, ignore_index=True)
    counted = [c for c in frame.columns if c != key and pd.api.types.is_integer_dtype(frame[c])]
    first = [c for c in frame.columns if c not in counted and c != key]
    summed = frame.groupby(key, sort=False).agg(
        {**dict.fromkeys(counted, "sum"), **dict.fromkeys(first, "first")}
    )
    summed = summed.reset_index()[list(frame.columns)]
    rate = next((c for c in frame.columns if c.endswith("_rate")), None)
    if rate and total and counted:
        summed[rate] = summed[counted[0]] / total
    return summed


def merged_graph_values(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stacked; every column categorical, the values in text order."""
    return pd.DataFrame(
        {
            name: _one_categorical([f[name] for f in frames], name == "value")
            for name in frames[0].columns
        }
    )


def _one_categorical(parts: list[pd.Series], text_order: bool) -> pd.Categorical:
    """The parts one under another as a categorical: over their categories when they all have
    the same, else over the texts in text order or first seen first, through Arrow's dictionary
    unification (``pd.concat`` makes Python objects of categoricals over differing categories)."""
    first = parts[0].dtype
    if isinstance(first, pd.CategoricalDtype) and all(
        isinstance(p.dtype, pd.CategoricalDtype) and p.cat.categories.equals(first.categories)
        for p in parts
    ):
        codes = np.concatenate([p.cat.codes.to_numpy() for p in parts])
        return pd.Categorical.from_codes(codes, first.categories, validate=False)
    stacked = pa.chunked_array([dictionary_array(p) for p in parts])
    if text_order:
        return SortedTexts.of_arrow(stacked).categorical()
    return categorical(*first_seen(*text_codes(stacked)))


def _same_mapping(reports: Sequence[AuditReport]) -> None:
    versions = sorted({r.mapping.version for r in reports})
    if len(versions) > 1:
        raise MappingError(
            f"the partitions were audited with different mapping versions ({', '.join(versions)}): "
            "audit them all with one mapping before merging"
        )


def merge_reports(
    reports: Sequence[AuditReport], options: AuditOptions | None = None
) -> AuditReport:
    """One report over disjoint partitions audited with the same mapping."""
    if not reports:
        raise ValueError("no reports to merge")
    _same_mapping(reports)
    started = time.perf_counter()
    kept = all(r.values_kept for r in reports)
    if not kept:
        reports = [without_alert_values(r) for r in reports]
    options = options or AuditOptions()
    first = reports[0]
    join = JoinSummary(
        **{f.name: sum(getattr(r.join, f.name) for r in reports) for f in fields(JoinSummary)}
    )
    merged_fields = tuple(
        _field(parts, first, options) for parts in zip(*(r.fields for r in reports), strict=True)
    )
    alerts = pd.concat([r.alerts for r in reports], ignore_index=True)
    phases: dict[str, float] = {}
    for report in reports:
        for name, seconds in report.phase_seconds.items():
            phases[name] = phases.get(name, 0.0) + seconds
    return replace(
        first,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        run_seconds=sum(r.run_seconds for r in reports) + time.perf_counter() - started,
        inputs=tuple(f for r in reports for f in r.inputs),
        problems=tuple(p for r in reports for p in r.problems),
        pulls=tuple(p for r in reports for p in r.pulls),
        join=join,
        fields=merged_fields,
        headline=headline(merged_fields, join.matched_alerts),
        legacy_time_range=time_range(alerts["legacy_time"]),
        graph_time_range=time_range(alerts["graph_time"]),
        alerts=alerts,
        verdicts=pd.concat([r.verdicts for r in reports]),
        value_pairs=summed_pairs([r.value_pairs for r in reports], first, options.top_pairs),
        unmapped_legacy_columns=_sum_by(
            [r.unmapped_legacy_columns for r in reports], "column", join.legacy_rows
        ),
        unmapped_graph_paths=_sum_by(
            [r.unmapped_graph_paths for r in reports], "path", join.graph_alerts
        )
        .sort_values("path")
        .sort_values("populated_alerts", ascending=False, kind="stable")
        .reset_index(drop=True),
        timeline=timeline(alerts),
        detections=stacked([r.detections for r in reports]),
        graph_values=merged_graph_values([r.graph_values for r in reports]),
        phase_seconds=phases,
        held=None if kept else pd.concat([r.held for r in reports], ignore_index=True),
    )
