"""Exporters' output as downloads named after the audit: one file as is, several as a zip."""

from __future__ import annotations

import io
import mimetypes
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport
from siem2graph.report import audit_name, render_each

GAP_REPORT = ("pdf", "xlsx", "html")  # for the change board: to read, to work on, to share
DATA_FILES = ("json", "csv", "md")


@dataclass(frozen=True)
class Download:
    """One file to offer for download."""

    fmt: str
    file_name: str
    data: bytes
    mime: str
    files: tuple[str, ...]  # the exporter's files inside it


def _package(stem: str, fmt: str, files: dict[str, bytes]) -> Download:
    if len(files) == 1:
        ((name, data),) = files.items()
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Download(fmt, f"{stem}{PurePath(name).suffix}", data, mime, (name,))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return Download(fmt, f"{stem}-{fmt}.zip", buffer.getvalue(), "application/zip", tuple(files))


def export_downloads(
    report: AuditReport,
    formats: Sequence[str],
    content: ContentImpact | None = None,
    redact: bool = False,
) -> tuple[Download, ...]:
    """``report`` (with ``content``'s tables, if any; pseudonymised when ``redact``) in each of
    ``formats``, rendered in one run (chart images once), named '<audit name>-<date>.<ext>'."""
    stem = audit_name(report) + ("-redacted" if redact else "")
    rendered = render_each(report, formats, redact=redact, content=content)
    return tuple(_package(stem, fmt, files) for fmt, files in rendered.items())
