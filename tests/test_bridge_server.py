"""`serve-siem-api`: the SIEM API's GET /api/alerts contract over bridge records, via requests."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from siem2graph.bridge.query import Query, QueryError, RecordIndex, parse_duration
from siem2graph.bridge.server import SiemApiServer

NOW = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def record(n: int, processed: str, group: str = "Servers", tags: str = "", cloud: str = "") -> dict:
    return {
        "AlertId": f"da{n}",
        "LastProcessedTimeUtc": processed,
        "MachineGroup": group,
        "DeviceCreatedMachineTags": tags,
        "CloudCreatedMachineTags": cloud,
    }


RECORDS = [
    record(1, "2026-10-10T08:00:00.0000000Z", "Workstations", "VIP; Finance"),
    record(2, "2026-10-10T10:30:00.1234567Z", "Servers", "", "prod"),
    record(3, "2026-10-10T11:00:00Z", "Workstations", "Finance"),
    record(4, "2026-10-10T11:50:00Z", "Servers", "", "prod, eu"),
    record(5, "not a time"),
]


@pytest.fixture(scope="module")
def server():
    with SiemApiServer(RecordIndex(RECORDS), clock=lambda: NOW) as running:
        yield running


@pytest.fixture(scope="module")
def guarded():
    with SiemApiServer(RecordIndex(RECORDS), token="s3cret-token", clock=lambda: NOW) as running:
        yield running


def ids(answer: requests.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body, list)  # a bare array, as the SIEM API answered
    return [r["AlertId"] for r in body]


def get(server: SiemApiServer, params=None, path="/api/alerts", **kw) -> requests.Response:
    return requests.get(server.url + path, params=params, timeout=5, **kw)


def test_without_a_window_the_last_two_hours_are_served(server):
    assert ids(get(server)) == ["da2", "da3", "da4"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sinceTimeUtc": "2026-10-10T09:00:00.000"}, ["da2", "da3", "da4"]),
        (
            {"sinceTimeUtc": "2026-10-10 07:00:00", "untilTimeUtc": "2026-10-10 11:00:00"},
            ["da1", "da2", "da3"],
        ),
        ({"sinceTimeUtc": "2026-10-10T10:30:00+04:00"}, ["da1", "da2", "da3", "da4"]),
        ({"ago": "PT30M"}, ["da4"]),
        ({"ago": "PT1H30M"}, ["da2", "da3", "da4"]),
        ({"ago": "P1D", "limit": "2"}, ["da3", "da4"]),
        ({"ago": "P1D", "machinegroups": ["Workstations"]}, ["da1", "da3"]),
        (
            {"ago": "P1D", "machinegroups": ["workstations", "SERVERS"]},
            ["da1", "da2", "da3", "da4"],
        ),
        ({"ago": "P1D", "DeviceCreatedMachineTags": "finance"}, ["da1", "da3"]),
        ({"ago": "P1D", "CloudCreatedMachineTags": "eu"}, ["da4"]),
    ],
)
def test_filters_as_documented(server, params, expected):
    assert ids(get(server, params)) == expected


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"sinceTimeUtc": "yesterday"}, "sinceTimeUtc is not a date"),
        ({"ago": "10 minutes"}, "ago is not an ISO-8601 duration"),
        ({"ago": "PT"}, "ago is not an ISO-8601 duration"),
        ({"limit": "0"}, "limit must be a whole number"),
        ({"limit": "ten"}, "limit must be a whole number"),
        ({"ago": "PT1H", "sinceTimeUtc": "2026-10-10T00:00:00"}, "cannot be combined"),
        (
            {"sinceTimeUtc": "2026-10-11T00:00:00", "untilTimeUtc": "2026-10-10T00:00:00"},
            "after untilTimeUtc",
        ),
        ({"since": "2026-10-10"}, "unknown parameter"),
        ({"limit": ["1", "2"]}, "more than once"),
    ],
)
def test_bad_parameters_get_400_with_a_json_error(server, params, reason):
    answer = get(server, params)
    assert answer.status_code == 400
    assert reason in answer.json()["error"]


def test_other_paths_get_404_and_the_documented_spellings_answer(server):
    assert get(server, path="/api/other").status_code == 404
    assert ids(get(server, {"ago": "PT30M"}, path="/api/Alerts")) == ["da4"]
    assert ids(get(server, {"ago": "PT30M"}, path="/api/alert")) == ["da4"]


def test_a_configured_token_is_required(guarded):
    assert get(guarded).status_code == 401
    assert get(guarded, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert get(guarded, headers={"Authorization": "Basic s3cret-token"}).status_code == 401
    answer = get(guarded, {"ago": "PT30M"}, headers={"Authorization": "Bearer s3cret-token"})
    assert ids(answer) == ["da4"]
    assert "s3cret" not in get(guarded).text


def test_records_without_a_processing_time_are_counted():
    assert RecordIndex(RECORDS).untimed == 1


def test_durations():
    assert parse_duration("PT10M").total_seconds() == 600
    assert parse_duration("P1DT2H").total_seconds() == 93600
    with pytest.raises(QueryError):
        parse_duration("T10M")


def test_query_defaults_to_the_last_two_hours():
    query = Query.parse({}, NOW)
    assert (query.until - query.since).total_seconds() == 7200 and query.limit is None


def test_the_cli_serves_the_sample_on_localhost(tmp_path):
    sample = ROOT / "sample_data" / "graph_alerts_v2.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "siem2graph",
            "serve-siem-api",
            "--graph",
            str(sample),
            "--port",
            "0",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stderr.readline()
        assert "serving" in line and "127.0.0.1" in line and "no token required" in line
        url = line.split(" at ")[1].split()[0]
        answer = requests.get(url, params={"sinceTimeUtc": "2020-01-01T00:00:00"}, timeout=10)
        assert answer.status_code == 200 and len(answer.json()) > 1000
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_cli_refuses_an_empty_token_variable(monkeypatch, capsys):
    from siem2graph.cli import main

    monkeypatch.setenv("BRIDGE_TOKEN", "")
    sample = ROOT / "sample_data" / "graph_alerts_v2.json"
    code = main(["serve-siem-api", "--graph", str(sample), "--token-env", "BRIDGE_TOKEN"])
    assert code == 2 and "BRIDGE_TOKEN" in capsys.readouterr().err
