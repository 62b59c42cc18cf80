"""The emulator itself: Graph's limits, OData errors, filters, tokens, files, behaviours."""

from __future__ import annotations

import orjson
import pytest
import requests

from siem2graph.graph.client import window_filter
from tests.graph_helpers import (
    END,
    START,
    ids,
    iso,
    make_alerts,
    tokens_for,
)
from tools.graph_emulator.__main__ import parse_behaviour
from tools.graph_emulator.store import AlertStore, compile_filter, load_alerts

pytest_plugins = ["tests.graph_fixtures"]


def get(server, params=None, token=None, **headers):
    if token is not False:
        headers["Authorization"] = f"Bearer {token or tokens_for(server).token()}"
    return requests.get(
        f"{server.url}/v1.0/security/alerts_v2",
        params=params,
        headers=headers,
        verify=str(server.ca_path),
        timeout=(5, 10),
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"$top": "1001"}, "limit is 1000"),
        ({"$top": "0"}, "limit is 1000"),
        ({"$skip": "501"}, "limit is 500"),
        ({"$filter": "title eq 'x'"}, "Invalid filter clause"),
    ],
)
def test_limits_answer_400_with_odata_error(emulator, params, message):
    response = get(emulator, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BadRequest" and message in error["message"]


def test_skip_500_is_allowed(emulator):
    response = get(emulator, {"$skip": "500", "$top": "10"})
    assert response.status_code == 200 and len(response.json()["value"]) == 10


@pytest.mark.parametrize("token", [False, "forged.token.value"])
def test_missing_or_forged_token_is_401(emulator, token):
    response = get(emulator, token=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_token_expiry_behaviour(emulator):
    emulator.configure(token_uses=1)
    token = tokens_for(emulator).token()
    assert get(emulator, token=token).status_code == 200
    second = get(emulator, token=token)
    assert second.status_code == 401 and "expired" in second.json()["error"]["message"]


def test_nextlink_count_and_pages(emulator):
    body = get(emulator, {"$top": "1000", "$count": "true"}).json()
    assert body["@odata.count"] == 2500 and len(body["value"]) == 1000
    assert "%24skip=1000" in body["@odata.nextLink"]
    emulator.configure(next_link=False, count=False)
    body = get(emulator, {"$top": "1000", "$count": "true"}).json()
    assert "@odata.nextLink" not in body and "@odata.count" not in body


def test_window_filter_is_honoured(emulator):
    alerts = make_alerts()
    lo, hi = alerts[100]["createdDateTime"], alerts[200]["createdDateTime"]
    text = f"createdDateTime ge {lo} and createdDateTime lt {hi}"
    body = get(emulator, {"$filter": text, "$top": "1000"}).json()
    assert ids(body["value"]) == ids(alerts[100:200])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("createdDateTime gt {a}", range(11, 20)),
        ("createdDateTime ge {a}", range(10, 20)),
        ("createdDateTime le {a}", range(0, 11)),
        ("createdDateTime lt {a}", range(0, 10)),
        ("createdDateTime ge '{a}' and serviceSource eq 'microsoftSentinel'", range(11, 20, 3)),
        ("lastUpdateDateTime lt {a}", range(0, 6)),
        ("", range(0, 20)),
    ],
)
def test_filter_clauses(text, expected):
    alerts = make_alerts(20)
    store = AlertStore.from_alerts(alerts)
    got = store.query(text.format(a=alerts[10]["createdDateTime"]))
    assert [a["id"] for a in got] == [alerts[i]["id"] for i in expected]


def test_unknown_filter_rejected():
    with pytest.raises(ValueError, match="Invalid filter clause"):
        compile_filter("severity eq 'high'")


def test_prefer_header_unmasks_new_enum_members(emulator):
    masked = {a["serviceSource"] for a in get(emulator, {"$top": "30"}).json()["value"]}
    assert "microsoftSentinel" not in masked and "unknownFutureValue" in masked
    response = get(emulator, {"$top": "30"}, Prefer="include-unknown-enum-members")
    assert "microsoftSentinel" in {a["serviceSource"] for a in response.json()["value"]}
    assert response.headers["Preference-Applied"] == "include-unknown-enum-members"


@pytest.mark.parametrize(
    ("behaviour", "status", "header"),
    [
        ({"throttle": 1, "retry_after": 9}, 429, "9"),
        ({"throttle": 1, "retry_after": None}, 429, None),
        ({"unavailable": 1}, 503, None),
    ],
)
def test_fault_statuses(emulator, behaviour, status, header):
    emulator.configure(**behaviour)
    token = tokens_for(emulator).token()
    response = get(emulator, token=token)
    assert response.status_code == status
    assert response.headers.get("Retry-After") == header
    assert get(emulator, token=token).status_code == 200  # the counter ran out


def test_dropped_and_truncated_answers(emulator):
    emulator.configure(drop=1, truncate=1)
    token = tokens_for(emulator).token()
    with pytest.raises(requests.ConnectionError):
        get(emulator, token=token)
    truncated = get(emulator, token=token)
    with pytest.raises(ValueError):
        orjson.loads(truncated.content)
    assert get(emulator, token=token).json()["value"]


def test_admin_endpoint_switches_behaviour(emulator):
    url = f"{emulator.url}/_emulator/behaviour"
    answer = requests.post(url, json={"next_link": False}, verify=str(emulator.ca_path), timeout=5)
    assert answer.status_code == 200 and emulator.behaviour.next_link is False
    bad = requests.post(url, json={"nope": 1}, verify=str(emulator.ca_path), timeout=5)
    assert bad.status_code == 400


def test_openid_configuration(emulator):
    config = requests.get(
        f"{emulator.url}/t1/v2.0/.well-known/openid-configuration",
        verify=str(emulator.ca_path),
        timeout=5,
    ).json()
    assert config["token_endpoint"] == f"{emulator.url}/t1/oauth2/v2.0/token"
    assert config["device_authorization_endpoint"].endswith("/t1/oauth2/v2.0/devicecode")


@pytest.mark.parametrize("shape", ["list_response", "array", "ndjson"])
def test_alert_files_in_three_shapes(tmp_path, shape):
    alerts = make_alerts(5)
    path = tmp_path / "alerts.json"
    if shape == "list_response":
        path.write_bytes(orjson.dumps({"value": alerts}))
    elif shape == "array":
        path.write_bytes(orjson.dumps(alerts))
    else:
        path.write_bytes(b"\n".join(orjson.dumps(a) for a in alerts) + b"\n")
    assert load_alerts(path) == alerts


def test_alert_file_must_hold_objects(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b"[1, 2]")
    with pytest.raises(ValueError, match="list of alert objects"):
        load_alerts(path)


def test_behaviour_presets_and_values():
    changes = parse_behaviour(["no-nextlink", "retry-after=none", "roles=A,B", "throttle=4"])
    assert changes == {"next_link": False, "retry_after": None, "roles": ("A", "B"), "throttle": 4}
    with pytest.raises(SystemExit):
        parse_behaviour(["bogus"])


def test_seven_digit_fractions_compare_exactly():
    alerts = [{"id": "x", "createdDateTime": "2025-03-01T00:00:00.0000015Z"}]
    store = AlertStore.from_alerts(alerts)
    assert store.query(window_filter(START, END)) == alerts
    assert store.query(f"createdDateTime ge {iso(START)} and createdDateTime lt {iso(START)}") == []
