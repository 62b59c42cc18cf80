"""The partitions' reports into the report the local engine gives for the whole input.

``merge_reports`` sums what is additive; what depends on the whole input is set here from what
reading the files found: the inputs, the problems in the local engine's order, the one-sided
alerts' reasons (against the time windows of all alerts) and the columns' order.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from siem2graph.audit import (
    AuditOptions,
    empty_side,
    is_unreadable_problem,
    unmapped_columns,
    unreadable_problem,
)
from siem2graph.join import explain
from siem2graph.merge import merge_reports, summed_pairs
from siem2graph.model import SIDES, AuditReport
from siem2graph.schema import unmapped_legacy_columns
from siem2graph.sources import RowProblem
from siem2graph.spark.parts import LEGACY, Found


def _by_side(alerts: pd.DataFrame) -> pd.DataFrame:
    """Matched, legacy-only, then Graph-only rows, each in partition order (the matched rows
    keep their order: the verdicts follow them)."""
    rank = alerts["side"].map({side: n for n, side in enumerate(SIDES)}).to_numpy()
    ordered = alerts.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)
    return ordered.assign(reason=explain(ordered))


def _unreadable(merged: AuditReport, reports: Sequence[AuditReport]) -> list[RowProblem]:
    """One problem per field with unreadable values; legacy when any partition's example was."""
    told = [p for r in reports for p in r.problems if not p.file]
    problems = []
    for result in merged.fields:
        if result.unreadable_values:
            sides = {p.side for p in told if is_unreadable_problem(p, result)}
            problems.append(unreadable_problem(result, LEGACY if LEGACY in sides else "graph"))
    return problems


def _unmapped_in_order(merged: AuditReport, columns: Sequence[str]) -> pd.DataFrame:
    """The legacy columns outside the mapping in the files' order, those of files with no
    detection (in no partition) included, as the local engine lists them."""
    table = merged.unmapped_legacy_columns
    seen = set(table["column"])
    absent = [c for c in unmapped_columns(columns, merged.mapping) if c not in seen]
    if absent:  # no detection carries them: the rows the local engine gives for them
        empty = unmapped_legacy_columns(pd.DataFrame(columns=absent), absent)
        table = pd.concat([table, empty], ignore_index=True)
    position = {name: n for n, name in enumerate(columns)}
    rank = table["column"].map(position).fillna(len(position)).to_numpy()
    return table.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


def combine(
    reports: Sequence[AuditReport],
    legacy: Sequence[Found],
    graph: Sequence[Found],
    options: AuditOptions,
    engine: MappingABC[str, Any],
    pairs: pd.DataFrame,
) -> AuditReport:
    """One report from the partitions' reports (without their value pairs), what reading each
    file found (in the order the files were given) and the partitions' value pairs (``PAIR_ROW``
    rows in partition order, summed or not: at least the top ones of each field)."""
    merged = merge_reports(reports, options)
    duplicates = [p for r in reports for p in r.problems if p.file]
    read = [f for found in (*legacy, *graph) for f in found.files]
    problems = [p for found in (*legacy, *graph) for p in found.problems]
    columns = list(dict.fromkeys(c for found in legacy for c in found.columns))
    return replace(
        merged,
        inputs=tuple(read),
        problems=(
            *problems,
            *duplicates,
            *empty_side(merged.join),
            *_unreadable(merged, reports),
        ),
        alerts=_by_side(merged.alerts),
        unmapped_legacy_columns=_unmapped_in_order(merged, columns),
        value_pairs=summed_pairs([pairs], merged, options.top_pairs),
        engine=dict(engine),
    )
