"""Refuse payloads of the deprecated Graph ``security/alerts`` (v1) API; the markers are data
(``mapping/graph_v1.yaml``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import yaml

from siem2graph.errors import InputError, MappingError
from siem2graph.mapping import MAPPING_DIR

MARKERS_FILE = MAPPING_DIR / "graph_v1.yaml"
_KEYS = {"odata_context", "odata_type", "alert_keys", "statuses"}


def entity_set(context: str) -> str:
    """The entity set an @odata.context names, casefolded:
    "...$metadata#Security/alerts(id,title)/$entity" -> "security/alerts"."""
    named = context.rpartition("#")[2].casefold().removesuffix("/$entity")
    return named.partition("(")[0]


@dataclass(frozen=True)
class V1Markers:
    """What tells a v1 payload from an alerts_v2 one."""

    odata_context: frozenset[str]  # casefolded entity sets
    odata_types: frozenset[str]
    alert_keys: tuple[str, ...]
    statuses: frozenset[str]

    def evidence(self, record: Any) -> str | None:
        """Why ``record`` (a list response, a list of pages, an alert) is a v1 payload, or None.
        Only its first alert is looked at; the text said comes from the markers, never the file."""
        for _ in range(4):  # a list of pages, its first page, that page's list, its first alert
            if isinstance(record, list):
                record = record[0] if record else None
                continue
            if not isinstance(record, dict):
                return None
            context = record.get("@odata.context")
            named = entity_set(context) if isinstance(context, str) else ""
            if named in self.odata_context:
                return f"@odata.context names {named}"
            if not isinstance(record.get("value"), list):
                return self._alert_evidence(record)
            record = record["value"]
        return None

    def _alert_evidence(self, alert: dict) -> str | None:
        odata_type = alert.get("@odata.type")
        if isinstance(odata_type, str) and odata_type in self.odata_types:
            return f"@odata.type {odata_type}"
        key = next((k for k in self.alert_keys if k in alert), None)
        if key is not None:
            return f"its alerts have {key}"
        status = alert.get("status")
        if isinstance(status, str) and status in self.statuses:
            return f"status {status}"
        return None


def _names(document: dict, key: str) -> tuple[str, ...]:
    value = document.get(key)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise MappingError(f"{MARKERS_FILE.name}: {key!r} must be a non-empty list of names")
    return tuple(v.strip() for v in value)


def parse_markers(document: Any) -> V1Markers:
    """Validate the markers file; MappingError names the bad entry."""
    if not isinstance(document, dict) or set(document) != _KEYS:
        raise MappingError(f"{MARKERS_FILE.name}: expected exactly the keys {sorted(_KEYS)}")
    return V1Markers(
        odata_context=frozenset(c.casefold() for c in _names(document, "odata_context")),
        odata_types=frozenset(_names(document, "odata_type")),
        alert_keys=_names(document, "alert_keys"),
        statuses=frozenset(_names(document, "statuses")),
    )


@functools.cache
def v1_markers() -> V1Markers:
    """The shipped markers, read once per process."""
    return parse_markers(yaml.safe_load(MARKERS_FILE.read_text(encoding="utf-8")))


def refuse_v1(name: str, record: Any) -> None:
    """InputError when ``record`` comes from the v1 alerts API."""
    why = v1_markers().evidence(record)
    if why is not None:
        raise InputError(
            f"{name}: this is the deprecated v1 alerts API (GET /security/alerts; {why}), "
            "pull alerts_v2 instead (GET /security/alerts_v2, as siem2graph pull does)"
        )
