"""The live pull against the HTTPS emulator: real msal + requests, fake time, exact id sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from siem2graph.errors import AuthError, GraphError, InputError
from siem2graph.graph.cache import read_record
from siem2graph.graph.client import PullOptions, PullProgress, window_filter
from siem2graph.graph.transport import (
    Pacer,
    TimeoutSession,
    Transport,
    make_session,
    retry_after_seconds,
)
from tests.graph_helpers import (
    END,
    START,
    FakeTime,
    graph_client,
    ids,
    iso,
    make_alerts,
    read_ndjson,
    tokens_for,
)

pytest_plugins = ["tests.graph_fixtures"]

ALL = ids(make_alerts())


def alert_requests(server: Any) -> list[dict[str, str]]:
    """Queries of the alerts requests the emulator saw."""
    return [entry.query for entry in server.log if entry.path.endswith("alerts_v2")]


def pull(server: Any, fake: FakeTime, tmp_path: Any, **kwargs: Any) -> Any:
    source = kwargs.pop("service_source", None)
    client = graph_client(server, fake, **kwargs)
    return client.pull(START, END, tmp_path / "alerts.ndjson", source)


@pytest.mark.parametrize("next_link", [True, False])
@pytest.mark.parametrize("count", [True, False])
@pytest.mark.parametrize("top", [1000, 333])
def test_pull_gets_every_alert_with_or_without_nextlink(
    emulator, fake_time, tmp_path, next_link, count, top
):
    emulator.configure(next_link=next_link, count=count)
    result = pull(emulator, fake_time, tmp_path, top=top)
    assert not result.partial, result.reason
    assert ids(read_ndjson(tmp_path / "alerts.ndjson")) == ALL
    assert result.alerts == len(ALL)
    queries = alert_requests(emulator)
    assert result.requests == len(queries)
    assert max(int(q.get("$skip", "0")) for q in queries) <= 500
    assert {q.get("$top") for q in queries if "$filter" in q} == {str(top)}


def test_requests_carry_filter_count_and_prefer_header(emulator, fake_time, tmp_path):
    pull(emulator, fake_time, tmp_path)
    first = alert_requests(emulator)[0]
    assert first["$filter"] == window_filter(START, END)
    assert first["$count"] == "true"
    # The emulator masks microsoftSentinel unless the Prefer header is sent.
    sources = {a["serviceSource"] for a in read_ndjson(tmp_path / "alerts.ndjson")}
    assert "microsoftSentinel" in sources and "unknownFutureValue" not in sources


def test_service_source_filter(emulator, fake_time, tmp_path):
    source = "microsoftDefenderForIdentity"
    result = pull(emulator, fake_time, tmp_path, service_source=source)
    expected = {a["id"] for a in make_alerts() if a["serviceSource"] == source}
    assert ids(read_ndjson(tmp_path / "alerts.ndjson")) == expected
    assert not result.partial


def test_window_edges_are_half_open(emulator, fake_time, tmp_path):
    at_start = {"id": "edge-start", "createdDateTime": iso(START), "lastUpdateDateTime": iso(START)}
    at_end = {"id": "edge-end", "createdDateTime": iso(END), "lastUpdateDateTime": iso(END)}
    emulator.set_alerts([*make_alerts(10), at_start, at_end])
    pull(emulator, fake_time, tmp_path)
    got = ids(read_ndjson(tmp_path / "alerts.ndjson"))
    assert "edge-start" in got and "edge-end" not in got


@pytest.mark.parametrize(
    ("behaviour", "retries"),
    [({"throttle": 3, "retry_after": 7}, 3), ({"unavailable": 4}, 4), ({"drop": 3}, 3)],
)
def test_transient_failures_are_retried(emulator, fake_time, tmp_path, behaviour, retries):
    emulator.configure(**behaviour)
    result = pull(emulator, fake_time, tmp_path)
    assert not result.partial, result.reason
    assert ids(read_ndjson(tmp_path / "alerts.ndjson")) == ALL
    assert result.retries == retries


def test_truncated_bodies_are_retried(emulator, fake_time, tmp_path):
    emulator.configure(truncate=2)
    result = pull(emulator, fake_time, tmp_path)
    assert not result.partial and result.retries == 2
    assert ids(read_ndjson(tmp_path / "alerts.ndjson")) == ALL


def test_429_waits_retry_after(emulator, fake_time, tmp_path):
    emulator.configure(throttle=2, retry_after=7)
    result = pull(emulator, fake_time, tmp_path)
    assert fake_time.sleeps.count(7.0) == 2
    assert result.wait_seconds >= 14


def test_429_without_retry_after_backs_off_exponentially(emulator, fake_time, tmp_path):
    emulator.configure(throttle=3, retry_after=None)
    pull(emulator, fake_time, tmp_path)
    assert [s for s in fake_time.sleeps if s in (2.0, 4.0, 8.0)] == [2.0, 4.0, 8.0]


def test_expired_tokens_are_renewed_once_per_request(emulator, fake_time, tmp_path):
    emulator.configure(token_uses=2)
    result = pull(emulator, fake_time, tmp_path, top=200)
    assert not result.partial, result.reason
    assert ids(read_ndjson(tmp_path / "alerts.ndjson")) == ALL
    token_posts = [e for e in emulator.log if e.method == "POST" and e.path.endswith("/token")]
    assert len(token_posts) >= 3


def test_gives_up_after_bounded_retries_and_marks_partial(emulator, fake_time, tmp_path):
    emulator.configure(outage_after=2)
    result = pull(emulator, fake_time, tmp_path, top=200, max_retries=2)
    assert result.partial and "503" in result.reason and "gave up after 2 retries" in result.reason
    kept = ids(read_ndjson(tmp_path / "alerts.ndjson"))
    assert len(kept) == result.alerts == 400 and kept < ALL
    record = read_record(tmp_path / "alerts.ndjson")
    assert record is not None and record["partial"] is True and record["alerts"] == 400


def test_too_many_alerts_at_one_instant_is_partial_not_silent(emulator, fake_time, tmp_path):
    same = iso(START + dt.timedelta(hours=1))
    crowd = [{"id": f"c{i}", "createdDateTime": same, "lastUpdateDateTime": same} for i in range(5)]
    emulator.set_alerts([*make_alerts(20), *crowd])
    emulator.configure(next_link=False, count=False)
    result = pull(emulator, fake_time, tmp_path, top=3)
    assert result.partial and "could not get every alert created at" in result.reason
    got = ids(read_ndjson(tmp_path / "alerts.ndjson"))
    assert ids(make_alerts(20)) <= got and len(got & ids(crowd)) == 3


def test_duplicates_keep_the_latest_version(emulator, fake_time, tmp_path):
    alerts = make_alerts(50)
    newer = [
        {**a, "lastUpdateDateTime": iso(END + dt.timedelta(days=1)), "title": "updated"}
        for a in alerts[:10]
    ]
    older = [{**a, "lastUpdateDateTime": iso(START), "title": "stale"} for a in alerts[10:20]]
    emulator.set_alerts([*alerts, *newer, *older])
    result = pull(emulator, fake_time, tmp_path)
    lines = read_ndjson(tmp_path / "alerts.ndjson")
    assert not result.partial, result.reason
    assert len(lines) == result.alerts == 50
    titles = {a["id"]: a["title"] for a in lines}
    assert all(titles[a["id"]] == "updated" for a in alerts[:10])
    assert all(titles[a["id"]] == a["title"] for a in alerts[10:])


def test_progress_reports_pages_and_reaches_one(emulator, fake_time, tmp_path):
    events: list[PullProgress] = []
    client = graph_client(emulator, fake_time, top=500)
    client.pull(START, END, tmp_path / "a.ndjson", progress=events.append)
    assert events and events[-1].fraction == 1.0 and events[-1].alerts == len(ALL)
    assert [e.pages for e in events] == sorted(e.pages for e in events)


def test_pacer_keeps_under_150_per_minute(emulator, fake_time, tmp_path):
    stamps: list[float] = []
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    for _ in range(600):
        pacer.acquire()
        stamps.append(fake_time.now)
    for i, start in enumerate(stamps):
        in_minute = sum(1 for t in stamps[i:] if t < start + 60)
        assert in_minute < 150


def test_pull_paces_requests(emulator, fake_time, tmp_path):
    emulator.configure(next_link=False)
    result = pull(emulator, fake_time, tmp_path, top=100)
    assert result.requests > 5 and result.waits >= result.requests - 5


def test_bad_token_is_refreshed_once_then_auth_error(emulator, fake_time):
    class Bogus:
        def __init__(self) -> None:
            self.calls: list[bool] = []

        def token(self, force_refresh: bool = False) -> str:
            self.calls.append(force_refresh)
            return "not.a.token"

    bogus = Bogus()
    transport = Transport(make_session(emulator.ca_path), bogus, sleep=fake_time.sleep)
    with pytest.raises(AuthError, match="401"):
        transport.get_json(f"{emulator.url}/v1.0/security/alerts_v2")
    assert bogus.calls == [False, True] and transport.counters.requests == 2


def test_missing_role_is_an_auth_error(emulator, fake_time):
    emulator.configure(roles=("User.Read",))
    transport = Transport(make_session(emulator.ca_path), tokens_for(emulator))
    with pytest.raises(AuthError, match=r"403.*SecurityAlert\.Read\.All"):
        transport.get_json(f"{emulator.url}/v1.0/security/alerts_v2")


def test_bad_request_is_not_retried(emulator, fake_time):
    transport = Transport(make_session(emulator.ca_path), tokens_for(emulator))
    with pytest.raises(GraphError, match=r"400.*limit is 1000"):
        transport.get_json(f"{emulator.url}/v1.0/security/alerts_v2", {"$top": "5000"})
    assert transport.counters.retries == 0


def test_options_and_inputs_are_checked(emulator, fake_time, tmp_path):
    with pytest.raises(InputError):
        PullOptions(top=1001)
    client = graph_client(emulator, fake_time)
    with pytest.raises(InputError):
        client.pull(END, START, tmp_path / "x.ndjson")
    with pytest.raises(InputError):
        client.pull(START.replace(tzinfo=None), END, tmp_path / "x.ndjson")
    with pytest.raises(InputError):
        window_filter(START, END, "x' or 1 eq 1")


def test_every_call_has_a_timeout():
    seen: list[Any] = []

    class Capture(requests.adapters.HTTPAdapter):
        def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(kwargs["timeout"])
            raise requests.ConnectionError("captured")

    session = make_session(timeout=(3.0, 30.0))
    assert isinstance(session, TimeoutSession)
    session.mount("https://", Capture())
    with pytest.raises(requests.ConnectionError):
        session.get("https://example.invalid/")
    assert seen == [(3.0, 30.0)]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("10", 10.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:10 GMT", 5.0)],
)
def test_retry_after_parsing(header, expected):
    now = dt.datetime(2015, 10, 21, 7, 28, 5, tzinfo=dt.UTC).timestamp()
    assert retry_after_seconds(header, now) == expected


def test_a_next_link_to_another_host_is_never_followed(emulator, fake_time):
    """The bearer token goes wherever a next link points: a link off the Graph root ends the pull."""
    emulator.set_alerts(make_alerts(30))
    client = graph_client(emulator, fake_time, top=10)
    original = client._transport.get_json
    followed: list[str] = []

    def relinked(url: str, params: dict[str, str] | None = None) -> dict:
        body = original(url, params)
        if "@odata.nextLink" in body:
            body["@odata.nextLink"] = "https://attacker.test/v1.0/security/alerts_v2?$skip=10"
        followed.append(url)
        return body

    client._transport.get_json = relinked
    result = client.pull(START, END, emulator.ca_path.parent / "relinked.ndjson")
    assert result.partial and "another host" in result.reason
    assert not any("attacker.test" in url for url in followed)
