"""The summary table: scope, versions, run, headline figures and the readiness verdict."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from siem2graph.model import READINESS, AuditReport, engine_text
from siem2graph.pulls import completeness_text, tenant_text, window_text
from siem2graph.report.redact import RedactedReport

OVERALL_TEXT = {
    "keeps": "Ready: Graph keeps every field that held data.",
    "changes": "Ready with changes: some fields arrive in another form or with other values.",
    "loses": "Not ready as is: some fields that held data have no Graph value.",
    "unreadable": "Not judged in full: the values of some fields could not be read (see problems).",
}


READINESS_LABEL = {
    "keeps": "fields Graph keeps",
    "changes": "fields Graph changes",
    "loses": "fields Graph loses",
    "unreadable": "fields whose values could not be read",
    "not_applicable": "fields not applicable (no legacy data)",
}


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _range(span: tuple[str, str] | None) -> str:
    return f"{span[0]} to {span[1]}" if span else "no timestamps"


def summary_items(report: AuditReport) -> list[tuple[str, str, object]]:
    """(section, item, value) rows; never a secret (inputs are named by file and digest)."""
    join, head = report.join, report.headline
    rows: list[tuple[str, str, object]] = [
        ("Run", "tool version", report.tool_version),
        ("Run", "mapping version", report.mapping.version),
        ("Run", "generated at", report.generated_at),
        ("Run", "run seconds", round(report.run_seconds, 3)),
        ("Run", "engine", engine_text(report.engine)),
    ]
    for f in report.inputs:
        rows.append(
            (
                "Scope",
                f"{f.side} input {f.name}",
                f"{f.rows_kept} of {f.rows_read} rows kept; {f.format}; sha256 {f.sha256}",
            )
        )
    for p in report.pulls:
        rows += [
            ("Scope", f"live pull {p.file}: tenant", tenant_text(p)),
            ("Scope", f"live pull {p.file}: window", window_text(p)),
            ("Scope", f"live pull {p.file}: completeness", completeness_text(p)),
        ]
    rows += [
        ("Scope", "legacy time range", _range(report.legacy_time_range)),
        ("Scope", "Graph time range", _range(report.graph_time_range)),
        ("Headline", "legacy detections", join.legacy_rows),
        ("Headline", "legacy alerts", join.legacy_alerts),
        ("Headline", "Graph alerts", join.graph_alerts),
        ("Headline", "matched alerts", join.matched_alerts),
        ("Headline", "legacy-only alerts", join.legacy_only_alerts),
        ("Headline", "Graph-only alerts", join.graph_only_alerts),
        ("Headline", "fields with data", head.fields_with_data),
        (
            "Headline",
            "fields with data that have a Graph equivalent",
            _rate(head.fields_with_equivalent_share),
        ),
        (
            "Headline",
            "legacy information retained on matched alerts",
            _rate(head.information_retained_share),
        ),
        ("Headline", "fields at risk (lose or change data)", head.fields_at_risk),
        ("Headline", "input problems", len(report.problems)),
    ]
    counts = Counter(r.readiness for r in report.fields)
    rows += [("Readiness", READINESS_LABEL[r], counts[r]) for r in READINESS]
    rows.append(
        (
            "Readiness",
            "overall",
            f"{head.overall_readiness}: {OVERALL_TEXT.get(head.overall_readiness, '')}".rstrip(
                ": "
            ),
        )
    )
    if isinstance(report, RedactedReport):
        issued = ", ".join(f"{n} {k}" for k, n in report.pseudonyms.items())
        rows.append(
            (
                "Notes",
                "redaction",
                "User names, host names, domains and IP addresses "
                f"were replaced by stable pseudonyms (user-1, host-1, ...): {issued}.",
            )
        )
    return rows


def summary_frame(report: AuditReport) -> pd.DataFrame:
    """The summary as a section/item/value table."""
    return pd.DataFrame(summary_items(report), columns=["section", "item", "value"], dtype=object)
