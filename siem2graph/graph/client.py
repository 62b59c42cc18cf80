"""Pull alerts_v2 for a createdDateTime window: nextLink when Graph gives one, else bisect.

Graph documents ``@odata.nextLink`` paging, yet alerts_v2 has been seen returning none, and
``$skip`` above 500 is refused. So a window whose results are not all in hand (a full page and
no usable nextLink, or fewer ids than ``@odata.count``) is split in two and each half pulled
again, down to one microsecond. Nothing is presented as complete that was not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from siem2graph.errors import GraphError, InputError
from siem2graph.graph.cache import NdjsonSink, not_written, record_path, write_record
from siem2graph.graph.clouds import origin
from siem2graph.graph.transport import Transport

ALERTS_PATH = "/v1.0/security/alerts_v2"
MAX_TOP = 1000


@dataclass(frozen=True)
class PullOptions:
    """Paging knobs; the defaults are the documented Graph security API limits."""

    top: int = MAX_TOP
    max_skip: int = 500
    count: bool = True  # ask for @odata.count and reconcile each window with it
    min_window: timedelta = timedelta(microseconds=1)

    def __post_init__(self) -> None:
        if not 1 <= self.top <= MAX_TOP:
            raise InputError(f"$top must be between 1 and {MAX_TOP}, got {self.top}")


@dataclass(frozen=True)
class PullProgress:
    """A progress event: counters so far and the share of the time range finished (0..1)."""

    pages: int
    alerts: int
    requests: int
    waits: int
    fraction: float
    message: str = ""


@dataclass(frozen=True)
class PullResult:
    """What a pull got. `partial` is True whenever any part of the range is missing."""

    alerts: int
    partial: bool
    reason: str
    requests: int
    pages: int
    retries: int
    waits: int
    wait_seconds: float
    windows: int
    malformed: int
    out_path: Path | None = None
    sha256: str = ""  # of the NDJSON file written

    def summary(self) -> str:
        """One line for people."""
        state = f"PARTIAL ({self.reason})" if self.partial else "complete"
        return (
            f"{state}: {self.alerts} alerts, {self.requests} requests, {self.pages} pages, "
            f"{self.retries} retries, {self.waits} waits ({self.wait_seconds:.1f} s), "
            f"{self.windows} windows"
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready record."""
        record = asdict(self)
        record["out_path"] = str(self.out_path) if self.out_path else None
        return record


def odata_time(moment: datetime) -> str:
    """A UTC OData DateTimeOffset literal, microsecond precision."""
    moment = moment.astimezone(UTC)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def window_filter(start: datetime, end: datetime, service_source: str | None = None) -> str:
    """The $filter for createdDateTime in [start, end), optionally one serviceSource."""
    text = f"createdDateTime ge {odata_time(start)} and createdDateTime lt {odata_time(end)}"
    if service_source:
        if "'" in service_source:
            raise InputError("a service source name cannot contain a quote")
        text += f" and serviceSource eq '{service_source}'"
    return text


UNFINISHED = "the pull did not finish"
RECORD_BYTES = 4096  # held for the pull record from the start: a filled disk cannot refuse it


@dataclass(frozen=True)
class Tenant:
    """Whose alerts a pull reads, for its record: identifiers only, never a credential."""

    tenant_id: str
    cloud: str


@dataclass
class _Run:
    sink: NdjsonSink
    total: float
    progress: Callable[[PullProgress], None] | None
    pages: int = 0
    windows: int = 0
    done: float = 0.0
    problems: list[str] = field(default_factory=list)


class GraphClient:
    """Pulls alerts_v2 through a Transport (which owns session, token, pacing and retries)."""

    def __init__(
        self,
        transport: Transport,
        graph_url: str,
        options: PullOptions | None = None,
        tenant: Tenant | None = None,
    ):
        self._transport = transport
        self._root = graph_url.rstrip("/")
        self._url = self._root + ALERTS_PATH
        self._options = options or PullOptions()
        self._tenant = tenant

    def pull(
        self,
        since: datetime,
        until: datetime,
        out_path: Path,
        service_source: str | None = None,
        progress: Callable[[PullProgress], None] | None = None,
    ) -> PullResult:
        """Pull every alert created in [since, until) into `out_path` (NDJSON) and say how it went.

        Errors that retries cannot fix end the pull: what was pulled is kept, marked partial.
        """
        if since.tzinfo is None or until.tzinfo is None:
            raise InputError("since and until must carry a time zone")
        if since >= until:
            raise InputError("since must be before until")
        run = _Run(NdjsonSink(out_path), (until - since).total_seconds(), progress)
        scope = self._scope(since, until, service_source)
        try:  # a pull that never finishes (killed, the disk full) leaves a record saying so
            write_record(out_path, {"partial": True, "reason": UNFINISHED} | scope, RECORD_BYTES)
        except OSError as exc:
            run.problems.append(str(not_written(record_path(out_path), exc, 0)))
        pending = [] if run.problems else [(since, until)]
        try:
            while pending:
                start, end = pending.pop()
                if self._pull_window(run, start, end, service_source):
                    run.done += (end - start).total_seconds()
                    self._report(run, "")
                elif end - start <= self._options.min_window:
                    run.problems.append(f"could not get every alert created at {odata_time(start)}")
                else:
                    middle = start + (end - start) / 2  # timedelta division rounds to 1 µs
                    pending += [(middle, end), (start, middle)]
                    self._report(run, f"splitting {odata_time(start)} .. {odata_time(end)}")
        except GraphError as exc:
            run.problems.append(str(exc))
        except KeyboardInterrupt:
            run.problems.append("interrupted")
        except BaseException:
            run.sink.abandon()
            raise
        return self._finish(run, out_path, scope)

    def _pull_window(self, run: _Run, start: datetime, end: datetime, source: str | None) -> bool:
        """Pull one window; True when all of it is known to be in hand."""
        run.windows += 1
        top = self._options.top
        params = {"$filter": window_filter(start, end, source), "$top": str(top)}
        if self._options.count:
            params["$count"] = "true"
        body = self._transport.get_json(self._url, params)
        expected = body.get("@odata.count")
        received = 0
        while True:
            page = body.get("value")
            if not isinstance(page, list):
                raise GraphError("Graph answered without a 'value' list")
            run.pages += 1
            received += len(page)
            for alert in page:
                run.sink.add(alert)
            self._report(run, "")
            link = body.get("@odata.nextLink")
            if not isinstance(link, str) or not self._followable(link):
                break
            body = self._transport.get_json(link)
        if isinstance(expected, int):
            return received >= expected
        return link is None and len(page) < top

    def _followable(self, link: str) -> bool:
        if origin(link) != origin(self._root):
            # the bearer token goes wherever the link points: only ever to the Graph root
            raise GraphError("Graph answered with a next link to another host; the pull stops")
        skip = parse_qs(urlsplit(link).query).get("$skip", ["0"])[0]
        return not skip.isdigit() or int(skip) <= self._options.max_skip

    def _report(self, run: _Run, message: str) -> None:
        if run.progress is None:
            return
        counters = self._transport.counters
        fraction = min(1.0, run.done / run.total) if run.total else 1.0
        run.progress(
            PullProgress(
                run.pages, len(run.sink), counters.requests, counters.waits, fraction, message
            )
        )

    def _scope(self, since: datetime, until: datetime, source: str | None) -> dict[str, object]:
        return {
            "tenant_id": self._tenant.tenant_id if self._tenant else None,
            "cloud": self._tenant.cloud if self._tenant else None,
            "graph_url": self._root,
            "since": odata_time(since),
            "until": odata_time(until),
            "serviceSource": source,
        }

    def _finish(self, run: _Run, out_path: Path, scope: dict[str, object]) -> PullResult:
        alerts = run.sink.finish()
        try:
            write_record(out_path, self._result(run, alerts).to_dict() | scope)
        except OSError as exc:
            run.problems.append(str(not_written(record_path(out_path), exc, alerts)))
        return self._result(run, alerts)

    def _result(self, run: _Run, alerts: int) -> PullResult:
        counters = self._transport.counters
        return PullResult(
            alerts=alerts,
            partial=bool(run.problems),
            reason="; ".join(dict.fromkeys(run.problems)),
            requests=counters.requests,
            pages=run.pages,
            retries=counters.retries,
            waits=counters.waits,
            wait_seconds=round(counters.wait_seconds, 3),
            windows=run.windows,
            malformed=run.sink.malformed,
            out_path=run.sink.path,
            sha256=run.sink.sha256,
        )
