"""A saved audit as the catalog knows it: who, when, from what, and the figures History shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from siem2graph.model import READINESS, AuditReport

# Per field, the figures a comparison of two audits needs (no alert values: counts only).
FIELD_FIGURES = (
    "status",
    "readiness",
    "legacy_populated",
    "match",
    "mismatch",
    "missing_in_graph",
    "unreadable",
)


@dataclass(frozen=True)
class StoredAudit:
    """One catalog row. ``summary``: inputs, pulls, join, headline, readiness counts, fields."""

    id: str
    owner: str  # '' when nobody signs in
    name: str
    created: str  # ISO 8601, UTC
    tool_version: str
    mapping_version: str
    summary: Mapping[str, Any]
    files: Mapping[str, int]  # saved file name -> bytes
    # who else may open it ('*': every signed-in user); to others, only their own share shows
    shared_with: tuple[str, ...] = field(default=(), compare=False)
    readable: bool = field(default=True, compare=False)  # set when its files were checked

    @property
    def readiness(self) -> dict[str, int]:
        """Fields per readiness verdict."""
        return {name: int(self.summary["readiness"].get(name, 0)) for name in READINESS}

    @property
    def rows(self) -> int:
        return int(self.summary["join"]["legacy_rows"])

    @property
    def stored_bytes(self) -> int:
        return sum(self.files.values())

    def inputs_text(self) -> str:
        """The inputs in words: 'a.csv, b.json vs alerts.ndjson'."""
        sides = {
            side: ", ".join(i["name"] for i in self.summary["inputs"] if i["side"] == side)
            for side in ("legacy", "graph")
        }
        return f"{sides['legacy']} vs {sides['graph']}"


def default_name(report: AuditReport, created: datetime) -> str:
    """'legacy_export.csv vs alerts.ndjson, 2026-12-06 10:42' (UTC)."""
    names = {
        side: [f.name for f in report.inputs if f.side == side] for side in ("legacy", "graph")
    }
    parts = [
        ", ".join(files) if len(files) <= 2 else f"{len(files)} {side} files"
        for side, files in names.items()
    ]
    return f"{parts[0]} vs {parts[1]}, {created.astimezone(UTC):%Y-%m-%d %H:%M}"


def summarise(report: AuditReport, sizes: Mapping[str, int]) -> dict[str, Any]:
    """What the catalog keeps of ``report`` (``sizes``: input file name -> bytes, where known)."""
    inputs = [
        {
            "side": f.side,
            "name": f.name,
            "sha256": f.sha256,
            "bytes": sizes.get(f.name),
            "rows_read": f.rows_read,
            "rows_kept": f.rows_kept,
        }
        for f in report.inputs
    ]
    return {
        "inputs": inputs,
        "pulls": [asdict(p) for p in report.pulls],
        "join": asdict(report.join),
        "headline": asdict(report.headline),
        "readiness": dict(Counter(str(f.readiness) for f in report.fields)),
        "fields": {
            f.siem_field: {name: getattr(f, name) for name in FIELD_FIGURES}
            | {"retained_rate": f.retained_rate}
            for f in report.fields
        },
        "generated_at": report.generated_at,
        "run_seconds": report.run_seconds,
    }
