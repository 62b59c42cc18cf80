"""report.json: the CLI's contract, raw values (JSON needs no neutralising)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import orjson

from siem2graph.model import AuditReport, Rows, records
from siem2graph.report.audit_tables import risk_register
from siem2graph.report.options import RenderOptions
from siem2graph.report.redact import RedactedReport

NAME = "report.json"
_INDENT = orjson.OPT_INDENT_2


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.json': bytes}: the contract, the risk register and the redaction flag.

    With a content impact in ``options``, also ``content_impact`` (``ContentImpact.to_dict()``).
    """
    out = io.BytesIO()
    for chunk in chunks(report, options):
        out.write(chunk)
    return {NAME: out.getvalue()}


def chunks(report: AuditReport, options: RenderOptions | None = None) -> Iterator[bytes]:
    """``render``'s bytes in pieces, the same as one ``orjson`` dump of the whole document
    indented by two: a table's rows are turned into Python objects a chunk at a time (2M
    alerts' rows at once took 2 GB and 40 s)."""
    content = (options or RenderOptions()).content
    document = report.contract() | {
        "risk_register": orjson.loads(risk_register(report).to_json(orient="records")),
        "redacted": isinstance(report, RedactedReport),
    }
    if content is not None:
        document["content_impact"] = content.to_dict()
    yield b"{"
    for number, (name, value) in enumerate(document.items()):
        yield (b",\n  " if number else b"\n  ") + orjson.dumps(name) + b": "
        yield from _rows(value) if isinstance(value, Rows) else [_nested(value)]
    yield b"\n}"


def _nested(value: Any) -> bytes:
    """``value`` indented as a member of the document (JSON text holds no raw line break)."""
    return orjson.dumps(value, option=_INDENT).replace(b"\n", b"\n  ")


def _rows(rows: Rows) -> Iterator[bytes]:
    """A table as a JSON list, one chunk of rows at a time."""
    opened = False
    for chunk in rows.chunks():
        items = _nested(records(chunk))  # '[\n    {...},\n    {...}\n  ]'
        yield (b"," if opened else b"[") + items[1:-4]
        opened = True
    yield b"\n  ]" if opened else b"[]"
