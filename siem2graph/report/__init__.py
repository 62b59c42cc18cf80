"""Exporters: each renders the AuditReport into files (name -> bytes) and computes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from siem2graph.model import AuditReport
from siem2graph.report import csv_report, json_report, md_report

Renderer = Callable[[AuditReport], dict[str, bytes]]
EXPORTERS: dict[str, Renderer] = {
    "json": json_report.render,
    "csv": csv_report.render,
    "md": md_report.render,
}


def write_reports(report: AuditReport, formats: list[str], out_dir: Path) -> list[Path]:
    """Write the chosen formats into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        for name, data in EXPORTERS[fmt](report).items():
            target = out_dir / name
            target.write_bytes(data)
            written.append(target)
    return written
