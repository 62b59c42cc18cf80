"""report.json: the CLI's contract, raw values (JSON needs no neutralising)."""

from __future__ import annotations

import orjson

from siem2graph.model import AuditReport
from siem2graph.report.options import RenderOptions
from siem2graph.report.redact import RedactedReport
from siem2graph.report.tables import risk_register


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.json': bytes}: the contract plus the risk register and the redaction flag."""
    document = report.to_dict() | {
        "risk_register": orjson.loads(risk_register(report).to_json(orient="records")),
        "redacted": isinstance(report, RedactedReport),
    }
    return {"report.json": orjson.dumps(document, option=orjson.OPT_INDENT_2)}
