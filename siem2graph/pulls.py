"""Live pulls in the audit: the pull record next to a Graph input, as a PullScope, and its words.

A pull is complete only when its record says so and the file read is the one the pull wrote
(same sha256); anything else (no verdict, an unreadable record, an edited file) is partial.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from siem2graph.errors import InputError
from siem2graph.graph.cache import read_record
from siem2graph.model import PullScope
from siem2graph.sources import FileSummary, Source

UNREADABLE = "the pull record cannot be read"
NO_VERDICT = "the pull record does not say the pull completed"
OTHER_FILE = "the file read is not the one the pull wrote"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def scope_from_record(name: str, record: Mapping[str, Any], sha256: str | None) -> PullScope:
    """The scope of the pulled file `name` from its record; `sha256` (the digest of the file
    read) is checked against the record's unless it is None."""
    problems = []
    if record.get("partial") is not False:
        problems.append(_text(record.get("reason")) or NO_VERDICT)
    if sha256 is not None and record.get("sha256") != sha256:
        problems.append(OTHER_FILE)
    alerts = record.get("alerts")
    return PullScope(
        file=name,
        tenant_id=_text(record.get("tenant_id")),
        cloud=_text(record.get("cloud")),
        graph_url=_text(record.get("graph_url")),
        since=_text(record.get("since")),
        until=_text(record.get("until")),
        service_source=_text(record.get("serviceSource")) or "all",
        partial=bool(problems),
        reason="; ".join(problems),
        alerts=alerts if isinstance(alerts, int) and not isinstance(alerts, bool) else 0,
    )


def pull_scopes(sources: Iterable[Source], files: Iterable[FileSummary]) -> tuple[PullScope, ...]:
    """The scope of every Graph source on disk that has a pull record (uploads have none).

    `sources` must be the ones read (a list, not a spent iterator); `files` what reading gave.
    """
    digests = {f.name: f.sha256 for f in files if f.side == "graph"}
    sources = tuple(sources)
    if digests and not sources:
        raise ValueError("pull_scopes needs the Graph sources that were read, not a spent iterator")
    scopes = []
    for source in sources:
        if source.path is None or source.opener is not None:
            continue
        try:
            record = read_record(source.path)
        except InputError:
            record = {"reason": UNREADABLE}
        if record is not None:
            scopes.append(scope_from_record(source.name, record, digests.get(source.name, "")))
    return tuple(scopes)


def tenant_text(pull: PullScope) -> str:
    """Whose alerts: tenant, cloud and Graph root."""
    return f"{pull.tenant_id or 'unknown'} ({pull.cloud or 'unknown'} cloud, {pull.graph_url})"


def window_text(pull: PullScope) -> str:
    """Which alerts were asked for."""
    return f"created {pull.since} to {pull.until} (excluded); service source {pull.service_source}"


def completeness_text(pull: PullScope) -> str:
    """Complete or PARTIAL, with the alert count and why."""
    if pull.partial:
        return f"PARTIAL: {pull.alerts:,} alerts pulled, others are missing ({pull.reason})"
    return f"complete: {pull.alerts:,} alerts"


def describe(pull: PullScope) -> str:
    """One line about a pull."""
    return (
        f"Live pull {pull.file}: tenant {tenant_text(pull)}, {window_text(pull)}; "
        f"{completeness_text(pull)}"
    )


def partial_warning(pulls: Iterable[PullScope]) -> str | None:
    """What to tell people when part of the Graph side came from a partial pull, else None."""
    partial = [p.file for p in pulls if p.partial]
    if not partial:
        return None
    return (
        f"The Graph side comes from a partial live pull ({', '.join(partial)}): alerts Graph "
        "holds are missing, so legacy-only alerts and fields Graph loses are overstated. "
        "Pull again before relying on these figures."
    )
