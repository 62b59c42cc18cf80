"""Package an exporter's output as one download: a single file as is, several as a zip."""

from __future__ import annotations

import io
import mimetypes
import zipfile
from dataclasses import dataclass

from siem2graph.impact import ContentImpact
from siem2graph.model import AuditReport
from siem2graph.report import render_all

ZIP_STEM = "siem2graph-report"


@dataclass(frozen=True)
class Download:
    """One file to offer for download."""

    file_name: str
    data: bytes
    mime: str
    files: tuple[str, ...]  # the exporter's files inside it


def export_download(
    report: AuditReport, fmt: str, content: ContentImpact | None = None
) -> Download:
    """Render ``report`` (with ``content``'s tables, if any) in ``fmt`` as one downloadable file."""
    files = render_all(report, [fmt], content=content)
    if len(files) == 1:
        ((name, data),) = files.items()
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Download(name, data, mime, (name,))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return Download(f"{ZIP_STEM}-{fmt}.zip", buffer.getvalue(), "application/zip", tuple(files))
