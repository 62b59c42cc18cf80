"""What the legacy detections held, per alert and SIEM field: what a filter and the "alerts
losing data" figure read instead of every detection, and all that a report without its
per-alert values keeps of them (an audit too large for its driver to hold every value)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from siem2graph.model import AuditReport
from siem2graph.text_codes import positions

KEY = "key"


@dataclass(frozen=True)
class LegacyHeld:
    """Per alert (rows of ``report.alerts``) and SIEM field: how many detections had a value.
    Built once per report, so a filter change reads ``alerts x fields`` numbers instead of
    every detection."""

    fields: tuple[str, ...]
    rows: np.ndarray  # (alerts, fields): detections with a value


def held_frame(report: AuditReport, names: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per alert key of the detections, and per SIEM field (``names``, else all) how
    many of its detections hold a value: the ``held`` frame of a report without its values."""
    names = list(names) if names is not None else [r.siem_field for r in report.fields]
    if report.held is not None:
        return report.held[[KEY, *names]]
    keys = report.detections[KEY].astype("category")  # already so after a local audit
    codes, categories = keys.cat.codes.to_numpy(), keys.cat.categories
    has_key = codes >= 0
    columns: dict[str, object] = {KEY: categories.astype("str").array}
    for name in names:
        column = report.detections.get(name)
        present = has_key & (column.notna().to_numpy() if column is not None else False)
        counts = np.bincount(codes[present], minlength=len(categories))
        columns[name] = counts.astype(np.min_scalar_type(int(counts.max(initial=0))))
    return pd.DataFrame(columns)


def legacy_held(report: AuditReport, names: Sequence[str] | None = None) -> LegacyHeld:
    """The per-alert counts of ``report``'s detections with a value, field by field."""
    frame = held_frame(report, names)
    fields = tuple(frame.columns[1:])
    slot = positions(pd.Index(report.alerts[KEY]), pd.Index(frame[KEY]))
    found = slot >= 0
    rows = np.zeros((len(report.alerts), len(fields)), dtype=np.int32)
    for number, name in enumerate(fields):
        rows[found, number] = frame[name].to_numpy()[slot[found]]
    return LegacyHeld(fields, rows)


def _no_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s columns and types without rows, nor a categorical's categories."""
    empty = frame.iloc[:0]
    return empty.assign(
        **{
            name: empty[name].cat.remove_unused_categories()
            for name in empty.columns
            if isinstance(empty[name].dtype, pd.CategoricalDtype)
        }
    )


def without_alert_values(report: AuditReport) -> AuditReport:
    """``report`` without its detections' and Graph values' rows, keeping what every figure,
    filter and export reads of them (``held``); the alert-level drill-down has nothing to show."""
    if not report.values_kept:
        return report
    return replace(
        report,
        held=held_frame(report),
        detections=_no_rows(report.detections),
        graph_values=_no_rows(report.graph_values),
    )
