"""The alerts in view: a report narrowed to the alerts whose attributes and day pass a filter,
so every page, table and chart of the dashboard reads the same subset."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import numpy as np

from siem2graph.audit import AuditOptions, timeline
from siem2graph.held import LegacyHeld, legacy_held
from siem2graph.mapping import DROPPED_STATUSES
from siem2graph.model import FILTER_COLUMNS, VERDICTS, AuditReport, FieldResult, Verdict
from siem2graph.readiness import headline, readiness

Attributes = tuple[tuple[str, tuple[str, ...]], ...]
_BOTH_EMPTY, _NEW, _MISSING = (
    Verdict.BOTH_EMPTY.code,
    Verdict.NEW_IN_GRAPH.code,
    Verdict.MISSING_IN_GRAPH.code,
)


@dataclasses.dataclass(frozen=True)
class AlertFilter:
    """Allowed values per alert attribute (none: all; compared without case, as the two APIs
    spell them differently) and an inclusive range of UTC days (None: open)."""

    attributes: Attributes = ()
    first_day: date | None = None
    last_day: date | None = None

    def __post_init__(self) -> None:
        unknown = [name for name, _ in self.attributes if name not in FILTER_COLUMNS]
        if unknown:
            raise KeyError(f"cannot filter by {unknown[0]!r}")

    @property
    def active(self) -> bool:
        chosen = any(values for _, values in self.attributes)
        return chosen or self.first_day is not None or self.last_day is not None

    def describe(self) -> str:
        """The filter in words ("" when it lets every alert through)."""
        parts = [f"{name.replace('_', ' ')}: {', '.join(v)}" for name, v in self.attributes if v]
        if self.first_day or self.last_day:
            first = self.first_day.isoformat() if self.first_day else "the start"
            last = self.last_day.isoformat() if self.last_day else "the end"
            parts.append(f"days {first} to {last}")
        return "; ".join(parts)


def alert_mask(report: AuditReport, alert_filter: AlertFilter) -> np.ndarray:
    """Which rows of ``report.alerts`` pass ``alert_filter``. An alert's day is its legacy
    time's, else its Graph time's (UTC); an alert without a time fails any day range."""
    alerts = report.alerts
    mask = np.ones(len(alerts), dtype=bool)
    for column, allowed in alert_filter.attributes:
        if allowed:
            wanted = {v.lower() for v in allowed}
            mask &= alerts[column].astype("str").str.lower().isin(wanted).to_numpy()
    if alert_filter.first_day or alert_filter.last_day:
        days = alerts["legacy_time"].fillna(alerts["graph_time"]).dt.tz_convert("UTC").dt.date
        if alert_filter.first_day:
            mask &= (days >= alert_filter.first_day).fillna(False).to_numpy(dtype=bool)
        if alert_filter.last_day:
            mask &= (days <= alert_filter.last_day).fillna(False).to_numpy(dtype=bool)
    return mask


def _field_in_view(
    result: FieldResult,
    counts: np.ndarray | None,
    held: tuple[int, int, int],
    alerts: int,
    threshold: float,
    report: AuditReport,
) -> FieldResult:
    rows, alerts_held, matched_held = held
    if counts is None:  # no Graph field: nothing was compared, as in the whole report
        counts = np.zeros(len(VERDICTS), dtype=np.int64)
        legacy_populated, graph_populated = matched_held, 0
    else:
        legacy_populated = alerts - int(counts[_BOTH_EMPTY] + counts[_NEW])
        graph_populated = alerts - int(counts[_BOTH_EMPTY] + counts[_MISSING])
    row = report.mapping.field(result.siem_field)
    verdict_counts: dict[str, Any] = {name: int(counts[i]) for i, name in enumerate(VERDICTS)}
    return dataclasses.replace(
        result,
        legacy_rows_populated=rows,
        legacy_alerts_populated=alerts_held,
        legacy_populated=legacy_populated,
        graph_populated=graph_populated,
        **verdict_counts,
        readiness=readiness(row, rows, legacy_populated, counts, threshold),
    )


def filtered(
    report: AuditReport, alert_filter: AlertFilter, held: LegacyHeld | None = None
) -> AuditReport:
    """``report`` narrowed to the alerts passing ``alert_filter``: its alerts, verdicts, field
    counts, readiness, join figures and timeline; ``report`` itself when the filter is off.
    ``held``: ``legacy_held(report)``, when kept from an earlier filter.

    The detections, Graph values and value pairs stay the whole audit's (views look alerts up
    in them by key), and so do the shares of matches per Graph path."""
    if not alert_filter.active:
        return report
    held = held or legacy_held(report)
    mask = alert_mask(report, alert_filter)
    alerts = report.alerts[mask].reset_index(drop=True)
    side = report.alerts["side"].to_numpy()
    verdicts = report.verdicts[mask[side == "both"]]
    codes = verdicts.to_numpy()
    matched = len(verdicts)
    rows = held.rows[mask]
    on_matched = rows[side[mask] == "both"]
    counts = {
        name: (
            int(rows[:, n].sum()),
            int((rows[:, n] > 0).sum()),
            int((on_matched[:, n] > 0).sum()),
        )
        for n, name in enumerate(held.fields)
    }
    threshold = AuditOptions().risk_threshold
    fields = tuple(
        _field_in_view(
            r,
            np.bincount(codes[:, verdicts.columns.get_loc(r.siem_field)], minlength=len(VERDICTS))
            if r.status not in DROPPED_STATUSES and r.siem_field in verdicts.columns
            else None,
            counts[r.siem_field],
            matched,
            threshold,
            report,
        )
        for r in report.fields
    )
    in_view_side = alerts["side"]
    join = dataclasses.replace(
        report.join,
        legacy_rows=int(alerts["detections"].sum()),
        legacy_alerts=int((in_view_side != "graph_only").sum()),
        graph_alerts=int((in_view_side != "legacy_only").sum()),
        matched_alerts=matched,
        legacy_only_alerts=int((in_view_side == "legacy_only").sum()),
        graph_only_alerts=int((in_view_side == "graph_only").sum()),
    )
    return dataclasses.replace(
        report,
        alerts=alerts,
        verdicts=verdicts,
        fields=fields,
        join=join,
        headline=headline(fields, matched),
        timeline=timeline(alerts),
    )
