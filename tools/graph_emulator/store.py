"""The emulator's alerts: loaded from a file, filtered like alerts_v2's $filter."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "ge": operator.ge,
    "gt": operator.gt,
    "le": operator.le,
    "lt": operator.lt,
    "eq": operator.eq,
}
_TIME_CLAUSE = re.compile(
    r"^(?P<field>createdDateTime|lastUpdateDateTime)\s+(?P<op>ge|gt|le|lt|eq)\s+"
    r"'?(?P<value>\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d))'?$"
)
_SOURCE_CLAUSE = re.compile(r"^serviceSource\s+eq\s+'(?P<value>[^']*)'$")
_AND = re.compile(r"\s+and\s+")


def parse_time(text: str) -> datetime:
    """An ISO-8601 timestamp as an aware UTC datetime (fractions beyond 6 digits truncated)."""
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def load_alerts(path: Path) -> list[dict[str, Any]]:
    """Alerts from a list response ({"value": [...]}), a JSON array or NDJSON."""
    raw = path.read_bytes()
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        document = [orjson.loads(line) for line in raw.splitlines() if line.strip()]
    if isinstance(document, dict):
        document = document.get("value", [])
    if not isinstance(document, list) or not all(isinstance(a, dict) for a in document):
        raise ValueError(f"{path}: expected a list of alert objects")
    return document


TIME_FIELDS = ("createdDateTime", "lastUpdateDateTime")
Row = tuple[dict[str, Any], dict[str, datetime]]  # an alert and its parsed time fields
Predicate = Callable[[Row], bool]


def _clause(text: str) -> Predicate:
    match = _TIME_CLAUSE.match(text)
    if match:
        field, compare = match["field"], _COMPARE[match["op"]]
        bound = parse_time(match["value"])
        return lambda row: compare(row[1][field], bound)
    match = _SOURCE_CLAUSE.match(text)
    if match:
        wanted = match["value"]
        return lambda row: row[0].get("serviceSource") == wanted
    raise ValueError(f"Invalid filter clause: {text!r}")


def compile_filter(text: str | None) -> Predicate:
    """A predicate for the $filter subset the emulator knows; ValueError for anything else."""
    if not text or not text.strip():
        return lambda row: True
    clauses = [_clause(part.strip()) for part in _AND.split(text.strip())]
    return lambda row: all(clause(row) for clause in clauses)


@dataclass(frozen=True)
class AlertStore:
    """Alerts in a stable order (createdDateTime, id), as Graph's paging would see them."""

    rows: tuple[Row, ...]

    @classmethod
    def from_alerts(cls, alerts: list[dict[str, Any]]) -> AlertStore:
        """Parse the time fields once, sort and freeze a list of alerts."""
        rows = [(a, {f: parse_time(a[f]) for f in TIME_FIELDS if f in a}) for a in alerts]
        rows.sort(key=lambda row: (row[1]["createdDateTime"], str(row[0]["id"])))
        return cls(tuple(rows))

    def __len__(self) -> int:
        return len(self.rows)

    def query(self, filter_text: str | None) -> list[dict[str, Any]]:
        """The alerts matching a $filter."""
        keep = compile_filter(filter_text)
        return [row[0] for row in self.rows if keep(row)]
