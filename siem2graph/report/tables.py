"""The report's tables, built once from the AuditReport (and a content impact) for all formats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport
from siem2graph.report import content_tables
from siem2graph.report.redact import RedactedReport
from siem2graph.report.specs import APPENDIX, CONTENT, FINDINGS, Table

_NOTES = "Notes"


def _summary_rows(table: Table, rows: Sequence[tuple[str, str, object]]) -> Table:
    """The summary ``table`` with (section, item, value) ``rows`` added before its notes."""
    added = pd.DataFrame(rows, columns=["section", "item", "value"], dtype=object)
    notes = table.frame["section"] == _NOTES
    parts = [table.frame[~notes], added, table.frame[notes]]
    return replace(table, frame=pd.concat(parts, ignore_index=True))


def report_tables(report: AuditReport, content: ContentImpact | None = None) -> list[Table]:
    """Every table of the report in reading order, the summary first.

    With ``content`` the summary gains its content-impact rows and the content tables follow
    the audit's findings.
    """
    findings = [spec.build(report) for spec in FINDINGS]
    appendix = [spec.build(report) for spec in APPENDIX]
    if content is None:
        return findings + appendix
    redacted = isinstance(report, RedactedReport)
    summary = _summary_rows(findings[0], content_tables.summary_items(content, redacted))
    return [summary, *findings[1:], *(spec.build(content) for spec in CONTENT), *appendix]


def add_notes(tables: list[Table], *notes: str) -> list[Table]:
    """The tables with ``notes`` added to the summary's notes (what a format did to the values)."""
    if not notes:
        return tables
    rows = [(_NOTES, "format", note) for note in notes]
    return [_summary_rows(t, rows) if t.name == "summary" else t for t in tables]
