"""One Graph alert as it was received: found again in its files by id, on demand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from siem2graph.graph.records import AlertStream, Lines
from siem2graph.sources import Source


def raw_alert(sources: Iterable[Source], alert_id: str) -> dict[str, Any] | None:
    """The alert ``alert_id`` as its file holds it (its latest version when it appears several
    times, as the audit keeps it), or None. Reads the files again: meant for one alert."""
    versions: list[dict[str, Any]] = []
    needle = alert_id.encode()
    for source in sources:
        for batch in AlertStream(source).batches():
            if isinstance(batch, Lines):
                if needle not in batch.text:
                    continue  # NDJSON: only the pieces that name the alert are parsed
                batch = batch.records()
            versions += [r for _, r in batch if isinstance(r, dict) and r.get("id") == alert_id]
    return max(versions, key=lambda r: str(r.get("lastUpdateDateTime", "")), default=None)
