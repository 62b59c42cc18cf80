"""Payloads of the deprecated Graph security/alerts (v1) API are refused with one line, and no
reason is ever printed empty.

The v1 alert is real: an MDE alert as GET /v1.0/security/alerts/{id} returned it, from
ibmresilient/resilient-community-apps fn_microsoft_security_graph/README.md (see
tests/realworld/README.md)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import orjson
import pytest

from siem2graph.audit import audit_sources
from siem2graph.errors import InputError, MappingError
from siem2graph.graph.v1 import parse_markers
from siem2graph.sources import Source
from tests.helpers import GRAPH_EXAMPLE, REALWORLD, graph_example, json_source, legacy_for_example

V1_ALERT = REALWORLD / "ibm_resilient_microsoft_security_graph" / "graph_v1_mde_alert_get.json"
REFUSED = "this is the deprecated v1 alerts API"
ADVICE = "pull alerts_v2 instead"


def _v1_alert() -> dict:
    alert = json.loads(V1_ALERT.read_text(encoding="utf-8"))
    del alert["@odata.context"]
    return alert


def _audit(graph: Source):
    return audit_sources([json_source("legacy.json", [legacy_for_example()])], [graph])


def test_the_cli_refuses_a_v1_alert_with_one_line(tmp_path):
    legacy = tmp_path / "legacy.json"
    legacy.write_bytes(orjson.dumps([legacy_for_example()]))
    result = subprocess.run(
        [sys.executable, "-m", "siem2graph", "audit", "--legacy", str(legacy), "--graph",
         str(V1_ALERT), "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert REFUSED in lines[0] and ADVICE in lines[0]
    assert "graph_v1_mde_alert_get.json" in lines[0]
    assert "@odata.context names security/alerts" in lines[0]


V1_SHAPES = {
    "list response": lambda a: orjson.dumps(
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Security/alerts",
            "value": [a],
        }
    ),
    "select list": lambda a: orjson.dumps(
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#security/alerts(id,title)",
            "value": [{"id": a["id"], "title": a["title"]}],
        }
    ),
    "array": lambda a: orjson.dumps([a, a]),
    "ndjson": lambda a: orjson.dumps(a) + b"\n" + orjson.dumps(a) + b"\n",
    "status only": lambda a: orjson.dumps(
        {"value": [{"id": a["id"], "status": "newAlert", "title": a["title"]}]}
    ),
    "odata type": lambda a: orjson.dumps([{"@odata.type": "#microsoft.graph.alert", "id": "x"}]),
    "list of pages": lambda a: orjson.dumps([{"value": [a]}, {"value": []}]),
}


@pytest.mark.parametrize("shape", V1_SHAPES.values(), ids=V1_SHAPES)
def test_every_shape_of_a_v1_payload_is_refused(shape):
    with pytest.raises(InputError, match=REFUSED) as raised:
        _audit(Source.from_bytes("v1.json", shape(_v1_alert())))
    assert ADVICE in str(raised.value)


@pytest.mark.parametrize(
    "context",
    [
        "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2",
        "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2/$entity",
        "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2(id,title)",
    ],
)
def test_alerts_v2_is_never_taken_for_v1(context):
    report = _audit(
        json_source("graph.json", {"@odata.context": context, "value": [graph_example()]})
    )
    assert report.join.matched_alerts == 1


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([], "expected exactly the keys"),
        ({"odata_context": [], "odata_type": ["x"], "alert_keys": ["x"], "statuses": ["x"]},
         "'odata_context' must be a non-empty list of names"),
        ({"odata_context": ["x"], "odata_type": ["x"], "alert_keys": [""], "statuses": ["x"]},
         "'alert_keys' must be a non-empty list of names"),
    ],
)  # fmt: skip
def test_the_markers_file_is_validated(document, fragment):
    with pytest.raises(MappingError, match=r"graph_v1\.yaml") as raised:
        parse_markers(document)
    assert fragment in str(raised.value)


@pytest.mark.parametrize(
    ("service", "said"),
    [
        ("", "no serviceSource"),
        (None, "no serviceSource"),
        ("  ", "no serviceSource"),
        ("microsoftDefenderForOffice365", "serviceSource microsoftDefenderForOffice365"),
    ],
)
def test_a_graph_only_reason_never_prints_an_empty_value(service, said):
    alert = copy.deepcopy(graph_example())
    alert["id"] = alert["providerAlertId"] = "da1"
    alert["serviceSource"] = service
    report = _audit(json_source("graph.json", {"value": [alert]}))
    reasons = report.alerts.set_index("side")["reason"]
    assert reasons["graph_only"] == (
        f"not a Defender for Endpoint alert ({said}): the SIEM API never carried it"
    )
    one_sided = report.alerts.loc[report.alerts["side"] != "both", "reason"]
    for reason in [*one_sided, *(p.reason for p in report.problems)]:
        assert reason.strip() and "( " not in reason and " )" not in reason and "()" not in reason


def test_deeply_nested_lists_are_not_taken_for_v1():
    report = _audit(Source.from_bytes("v1.json", b"[" * 500 + b"]" * 500))
    assert report.join.graph_alerts == 0  # its one record is not an alert: rejected, not v1


def test_the_graph_example_stays_readable():
    report = _audit(Source.from_path(GRAPH_EXAMPLE))
    assert report.join.matched_alerts == 1
