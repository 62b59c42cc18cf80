"""report.json: the CLI's contract, raw values (JSON needs no neutralising)."""

from __future__ import annotations

import orjson

from siem2graph.model import AuditReport


def render(report: AuditReport) -> dict[str, bytes]:
    """{'report.json': bytes}."""
    return {"report.json": orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2)}
