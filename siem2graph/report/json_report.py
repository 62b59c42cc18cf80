"""report.json: the CLI's contract, raw values (JSON needs no neutralising)."""

from __future__ import annotations

import orjson

from siem2graph.model import AuditReport
from siem2graph.report.audit_tables import risk_register
from siem2graph.report.options import RenderOptions
from siem2graph.report.redact import RedactedReport


def render(report: AuditReport, options: RenderOptions | None = None) -> dict[str, bytes]:
    """{'report.json': bytes}: the contract, the risk register and the redaction flag.

    With a content impact in ``options``, also ``content_impact`` (``ContentImpact.to_dict()``).
    """
    content = (options or RenderOptions()).content
    document = report.to_dict() | {
        "risk_register": orjson.loads(risk_register(report).to_json(orient="records")),
        "redacted": isinstance(report, RedactedReport),
    }
    if content is not None:
        document["content_impact"] = content.to_dict()
    return {"report.json": orjson.dumps(document, option=orjson.OPT_INDENT_2)}
