"""The readiness rules: what a field's verdict counts say of it, and the report's headline."""

from __future__ import annotations

import numpy as np

from siem2graph.mapping import DROPPED_STATUSES, FieldMapping
from siem2graph.model import AT_RISK, FieldResult, Headline, Readiness, Verdict


def readiness(
    row: FieldMapping, rows_populated: int, populated: int, counts: np.ndarray, threshold: float
) -> Readiness:
    """keeps / changes / loses / unreadable / not_applicable from a field's verdict counts.

    A field loses only when values are absent from every documented path; unreadable values
    are their own count, out of the rates' base, and never make a field change or lose."""
    if rows_populated == 0:
        return Readiness.NOT_APPLICABLE
    if not row.has_graph_equivalent:
        return Readiness.LOSES
    if populated == 0:
        return Readiness.NOT_APPLICABLE
    judged = populated - counts[Verdict.UNREADABLE.code]
    if judged == 0:
        return Readiness.UNREADABLE
    if counts[Verdict.MISSING_IN_GRAPH.code] / judged >= threshold:
        return Readiness.LOSES
    if row.comparison.meaning_changed or counts[Verdict.MISMATCH.code] / judged >= threshold:
        return Readiness.CHANGES
    return Readiness.KEEPS


def headline(results: tuple[FieldResult, ...], matched: int) -> Headline:
    """The Overview's figures from the per-field results."""
    with_data = [r for r in results if r.legacy_rows_populated]
    equivalent = [r for r in with_data if r.status not in DROPPED_STATUSES]
    held = sum(r.legacy_populated - r.unreadable for r in with_data)
    kept = sum(r.match for r in equivalent)
    readiness = {r.readiness for r in results}
    worst_first = (*AT_RISK, Readiness.UNREADABLE)
    overall = next((level for level in worst_first if level in readiness), Readiness.KEEPS)
    return Headline(
        matched_alerts=matched,
        fields_with_data=len(with_data),
        fields_with_equivalent_share=len(equivalent) / len(with_data) if with_data else None,
        information_retained_share=kept / held if held else None,
        fields_at_risk=sum(r.readiness in AT_RISK for r in results),
        overall_readiness=overall,
    )
