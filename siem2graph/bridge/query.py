"""The SIEM API's query contract (`GET /api/alerts`) over bridge records.

Parameters as Microsoft documented them (pull-alerts-using-rest-api): `sinceTimeUtc` and
`untilTimeUtc` bound LastProcessedTimeUtc (omitted: the last two hours up to now), `ago` is an
ISO-8601 duration back from now, `limit` keeps the most recent records, `machinegroups` (repeatable)
keeps those device groups, `DeviceCreatedMachineTags` / `CloudCreatedMachineTags` one tag each.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from siem2graph.errors import InputError

TIME_KEY = "LastProcessedTimeUtc"
GROUP_KEY = "MachineGroup"
TAG_KEYS = ("DeviceCreatedMachineTags", "CloudCreatedMachineTags")
DEFAULT_WINDOW = timedelta(hours=2)
_KNOWN = {"sinceTimeUtc", "untilTimeUtc", "ago", "limit", "machinegroups", *TAG_KEYS}
_DURATION = re.compile(
    r"P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)
_FRACTION = re.compile(r"(\.\d{6})\d+")


class QueryError(InputError):
    """A parameter the SIEM API contract does not accept (answered with 400)."""


def parse_instant(text: str, name: str) -> datetime:
    """A SIEM API DateTime (`2016-09-12T00:00:00.000`, `2016-09-12 00:00:00`, with or without a
    zone; no zone means UTC) as an aware datetime."""
    cleaned = _FRACTION.sub(r"\1", text.strip())
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise QueryError(f"{name} is not a date and time: {text[:40]!r}") from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_duration(text: str) -> timedelta:
    """An ISO-8601 duration of days, hours, minutes and seconds (`PT10M`, `P1DT2H`)."""
    match = _DURATION.fullmatch(text.strip())
    if not match or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise QueryError(f"ago is not an ISO-8601 duration such as PT10M: {text[:40]!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return timedelta(**parts)


@dataclass(frozen=True)
class Query:
    """One request's filters, validated."""

    since: datetime
    until: datetime
    limit: int | None
    machine_groups: frozenset[str]
    tags: Mapping[str, str]

    @classmethod
    def parse(cls, params: Mapping[str, Sequence[str]], now: datetime) -> Query:
        """Validate a request's query parameters (names matched as documented)."""
        unknown = sorted(set(params) - _KNOWN)
        if unknown:
            raise QueryError(f"unknown parameter(s): {', '.join(unknown)[:120]}")
        for name, values in params.items():
            if name != "machinegroups" and len(values) > 1:
                raise QueryError(f"{name} is given more than once")
        single = {name: values[0] for name, values in params.items() if values}
        if "ago" in single and ("sinceTimeUtc" in single or "untilTimeUtc" in single):
            raise QueryError("ago cannot be combined with sinceTimeUtc or untilTimeUtc")
        until = (
            parse_instant(single["untilTimeUtc"], "untilTimeUtc")
            if "untilTimeUtc" in single
            else now
        )
        if "ago" in single:
            since = now - parse_duration(single["ago"])
        elif "sinceTimeUtc" in single:
            since = parse_instant(single["sinceTimeUtc"], "sinceTimeUtc")
        else:
            since = now - DEFAULT_WINDOW
        if since > until:
            raise QueryError("sinceTimeUtc is after untilTimeUtc")
        limit = None
        if "limit" in single:
            text = single["limit"].strip()
            if not text.isdigit() or int(text) < 1:
                raise QueryError("limit must be a whole number of at least 1")
            limit = int(text)
        groups = frozenset(g.casefold() for g in params.get("machinegroups", ()) if g)
        tags = {name: single[name].casefold() for name in TAG_KEYS if single.get(name)}
        return cls(since, until, limit, groups, tags)


def _tags(text: str) -> set[str]:
    return {t.strip().casefold() for t in re.split(r"[;,]", text) if t.strip()}


class RecordIndex:
    """Bridge records ordered by LastProcessedTimeUtc, for window queries."""

    def __init__(self, records: Sequence[dict[str, str]]) -> None:
        timed = []
        for record in records:
            try:
                moment = parse_instant(record.get(TIME_KEY, ""), TIME_KEY)
            except QueryError:
                continue  # a record without a processing time is never in a window
            timed.append((moment, record))
        timed.sort(key=lambda pair: pair[0])
        self._times = [moment for moment, _ in timed]
        self._records = [record for _, record in timed]
        self.untimed = len(records) - len(timed)

    def __len__(self) -> int:
        return len(self._records)

    def select(self, query: Query) -> list[dict[str, str]]:
        """The records in the query's window and groups/tags; the most recent `limit` of them,
        oldest first."""
        start = bisect.bisect_left(self._times, query.since)
        end = bisect.bisect_right(self._times, query.until)
        chosen = [r for r in self._records[start:end] if _wanted(r, query)]
        if query.limit is not None:
            chosen = chosen[-query.limit :]
        return chosen


def _wanted(record: dict[str, str], query: Query) -> bool:
    if query.machine_groups and record.get(GROUP_KEY, "").casefold() not in query.machine_groups:
        return False
    return all(tag in _tags(record.get(name, "")) for name, tag in query.tags.items())
