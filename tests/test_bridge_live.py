"""serve-siem-api backed by live pulls: real msal and requests against the HTTPS emulator."""

from __future__ import annotations

import datetime as dt

import requests

from siem2graph.bridge.live import LiveRecords
from siem2graph.bridge.records import FeedSpec
from siem2graph.bridge.server import PARTIAL_HEADER, SiemApiServer
from siem2graph.mapping import load_mapping
from tests.graph_helpers import START, graph_client, iso

pytest_plugins = ["tests.graph_fixtures"]

SPEC = FeedSpec.from_mapping(load_mapping())
NOW = START + dt.timedelta(hours=6)


def processed_alerts() -> list[dict]:
    """One alert every 10 minutes over 6 hours, each last active 30 minutes after creation."""
    alerts = []
    for i in range(36):
        created = START + dt.timedelta(minutes=10 * i)
        alerts.append(
            {
                "id": f"da{i:04d}_1",
                "createdDateTime": iso(created),
                "lastUpdateDateTime": iso(created + dt.timedelta(minutes=40)),
                "lastActivityDateTime": iso(created + dt.timedelta(minutes=30)),
                "severity": "medium",
                "title": f"alert {i}",
            }
        )
    return alerts


def serve(emulator, fake_time, tmp_path, now=NOW):
    client = graph_client(emulator, fake_time, top=10)
    live = LiveRecords(client, tmp_path / "pulls", SPEC, dt.timedelta(hours=1), clock=lambda: now)
    return live, SiemApiServer(live, clock=lambda: now)


def alert_ids(answer: requests.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [r["AlertId"] for r in answer.json()]


def test_a_window_is_pulled_once_and_filtered_by_processing_time(emulator, fake_time, tmp_path):
    emulator.set_alerts(processed_alerts())
    live, server = serve(emulator, fake_time, tmp_path)
    window = {
        "sinceTimeUtc": iso(START + dt.timedelta(hours=2)),
        "untilTimeUtc": iso(START + dt.timedelta(hours=3)),
    }
    with server:
        first = alert_ids(requests.get(server.url + "/api/alerts", params=window, timeout=30))
        again = requests.get(server.url + "/api/alerts", params=window | {"limit": "2"}, timeout=30)
    # processed in [2h, 3h] = created in [1.5h, 2.5h]: alerts 9..15
    assert first == [f"da{i:04d}_1" for i in range(9, 16)]
    assert alert_ids(again) == ["da0014_1", "da0015_1"]
    assert live.pulls == 1
    assert PARTIAL_HEADER not in again.headers
    severities = {r["Severity"] for r in again.json()}
    assert severities == {"Medium"}


def test_an_open_window_is_pulled_again_after_the_refresh(emulator, fake_time, tmp_path):
    emulator.set_alerts(processed_alerts())
    moments = [NOW + dt.timedelta(minutes=30)]
    client = graph_client(emulator, fake_time, top=50)
    live = LiveRecords(client, tmp_path / "pulls", SPEC, clock=lambda: moments[-1])
    with SiemApiServer(live, clock=lambda: moments[-1]) as server:
        url = server.url + "/api/alerts"
        requests.get(url, params={"ago": "PT2H"}, timeout=30)
        moments.append(NOW + dt.timedelta(minutes=31))
        requests.get(url, params={"ago": "PT2H"}, timeout=30)
        assert live.pulls == 1  # same hour-aligned window, still fresh
        moments.append(NOW + dt.timedelta(minutes=37))
        requests.get(url, params={"ago": "PT2H"}, timeout=30)
        assert live.pulls == 2  # the open window was refreshed


def test_a_partial_pull_is_served_and_flagged(emulator, fake_time, tmp_path):
    emulator.set_alerts(processed_alerts())
    emulator.configure(throttle=50, retry_after=0)
    _, server = serve(emulator, fake_time, tmp_path)
    with server:
        answer = requests.get(server.url + "/api/alerts", params={"ago": "PT3H"}, timeout=60)
    assert answer.status_code == 200 and isinstance(answer.json(), list)
    assert "429" in answer.headers[PARTIAL_HEADER]
