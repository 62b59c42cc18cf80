"""Exporters: each renders the AuditReport into files (name -> bytes) and computes nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport
from siem2graph.report import (
    csv_report,
    html_report,
    json_report,
    md_report,
    pdf_report,
    xlsx_report,
)
from siem2graph.report import redact as redaction
from siem2graph.report.options import RenderOptions

log = logging.getLogger(__name__)


class Renderer(Protocol):
    def __call__(
        self, report: AuditReport, options: RenderOptions | None = None
    ) -> dict[str, bytes]: ...


EXPORTERS: dict[str, Renderer] = {
    "json": json_report.render,
    "csv": csv_report.render,
    "md": md_report.render,
    "xlsx": xlsx_report.render,
    "html": html_report.render,
    "pdf": pdf_report.render,
}


def render_each(
    report: AuditReport,
    formats: Iterable[str],
    *,
    redact: bool = False,
    images: bool | None = None,
    content: ContentImpact | None = None,
) -> dict[str, dict[str, bytes]]:
    """Format -> its files (name -> bytes); one entry point for the CLI and the dashboard.

    ``redact`` pseudonymises users, hosts, domains and IPs first (in ``content`` too);
    ``images`` puts chart images into XLSX and PDF (None: when a Chromium is found; they
    render once); ``content`` adds a content impact's tables and ``content_impact`` to JSON.
    """
    chosen, options = _prepared(report, redact, images, content)
    return {fmt: EXPORTERS[fmt](chosen, options) for fmt in formats}


def _prepared(
    report: AuditReport, redact: bool, images: bool | None, content: ContentImpact | None
) -> tuple[AuditReport, RenderOptions]:
    """The report to render (redacted if asked) and the options of every format."""
    if redact:
        report, content = redaction.redact_run(report, content)
    return report, RenderOptions(images=images, content=content)


def audit_name(report: AuditReport) -> str:
    """'<first legacy input>-<date of the audit>': names the files one audit exports, so two
    audits' files never overwrite each other."""
    legacy = [f.name for f in report.inputs if f.side == "legacy"] or ["audit"]
    stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(legacy[0]).stem).strip("-").lower() or "audit"
    more = f"-and-{len(legacy) - 1}-more" if len(legacy) > 1 else ""
    return f"{stem[:60]}{more}-{report.generated_at[:10]}"


def write_reports(
    report: AuditReport,
    formats: Iterable[str],
    out_dir: Path,
    *,
    redact: bool = False,
    images: bool | None = None,
    content: ContentImpact | None = None,
) -> list[Path]:
    """Write the chosen formats (as ``render_each`` renders them) into ``out_dir``, one
    format at a time, report.json as it is rendered; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen, options = _prepared(report, redact, images, content)
    written = []
    for fmt in formats:
        if fmt == "json":  # its alert lists can outweigh the whole audit: never held at once
            written.append(_write(out_dir / json_report.NAME, json_report.chunks(chosen, options)))
            continue
        for name, data in EXPORTERS[fmt](chosen, options).items():
            written.append(_write(out_dir / name, [data]))
    return written


def _write(target: Path, chunks: Iterable[bytes]) -> Path:
    size = 0
    with target.open("wb") as out:
        for chunk in chunks:
            size += out.write(chunk)
    log.info("wrote %s (%s bytes)", target, f"{size:,}")
    return target
