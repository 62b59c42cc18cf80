"""One CSV file per table, formula-neutralised."""

from __future__ import annotations

from siem2graph.model import AuditReport
from siem2graph.report.safety import neutralise_frame


def render(report: AuditReport) -> dict[str, bytes]:
    """{'<table>.csv': bytes} for every table of the report."""
    return {
        f"{name}.csv": neutralise_frame(frame).to_csv(index=False).encode("utf-8")
        for name, frame in report.to_frames().items()
    }
