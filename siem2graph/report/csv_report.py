"""One CSV file per table, formula-neutralised."""

from __future__ import annotations

from siem2graph.model import AuditReport
from siem2graph.report.options import RenderOptions
from siem2graph.report.safety import NEUTRALISED_NOTE, neutralise_frame
from siem2graph.report.tables import add_notes, report_tables


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'<table>.csv': bytes} for every table of the report (RFC 4180 line ends)."""
    options = options or RenderOptions()
    return {
        f"{table.name}.csv": neutralise_frame(table.frame)
        .to_csv(index=False, lineterminator="\r\n")
        .encode("utf-8")
        for table in add_notes(report_tables(report, options.content), NEUTRALISED_NOTE)
    }
