"""The bridge feed: Graph alerts re-emitted as SIEM API records, proven by our own audit."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest

from siem2graph.audit import audit_files
from siem2graph.bridge.convert import convert, sidecar_path
from siem2graph.bridge.records import FeedSpec
from siem2graph.errors import InputError
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from tests.helpers import REALWORLD, graph_example

V1_ALERT = REALWORLD / "ibm_resilient_microsoft_security_graph" / "graph_v1_mde_alert_get.json"

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_GRAPH = ROOT / "sample_data" / "graph_alerts_v2.json"
MAPPING = load_mapping()
SPEC = FeedSpec.from_mapping(MAPPING)


def converted(tmp_path: Path, graph: Path, fmt: str = "json") -> Path:
    out = tmp_path / f"feed.{fmt}"
    convert([Source.from_path(graph)], out, fmt, MAPPING)
    return out


def assert_no_loss(report) -> None:
    """No mapped field mismatches or misses a value, and none loses data."""
    for row in report.fields:
        if MAPPING.field(row.siem_field).has_graph_equivalent:
            assert (row.mismatch, row.missing_in_graph) == (0, 0), row.siem_field
            assert row.readiness != "loses", row.siem_field


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_the_sample_round_trips_without_mismatch_or_loss(tmp_path, fmt):
    feed = converted(tmp_path, SAMPLE_GRAPH, fmt)
    report = audit_files([feed], [SAMPLE_GRAPH])
    assert report.join.legacy_only_alerts == report.join.graph_only_alerts == 0
    assert report.join.matched_alerts == report.join.graph_alerts > 1000
    assert_no_loss(report)


def test_the_real_documented_alert_round_trips(tmp_path):
    graph = tmp_path / "alert.json"
    graph.write_bytes(orjson.dumps(graph_example()))
    report = audit_files([converted(tmp_path, graph)], [graph])
    assert report.join.matched_alerts == 1
    assert_no_loss(report)
    compared = [r for r in report.fields if r.match]
    assert len(compared) >= 25  # the example fills most mapped fields


def test_records_use_the_siem_api_spellings_and_value_forms():
    alert = graph_example()
    records = SPEC.writer().records(alert)
    assert len(SPEC.columns) == 50 and all(list(r) == list(SPEC.columns) for r in records)
    for key in ("IpAddress", "Url", "ThreatFamily", "InternalIPv4List", "ReportID"):
        assert key in SPEC.columns
    assert "IPAddress" not in SPEC.columns and "ThreatFamilyName" not in SPEC.columns
    first = records[0]
    assert first["Severity"] == "Low"  # Graph 'low', SIEM case
    assert first["Source"] == "Antivirus"  # detectionSource 'antivirus'
    assert first["AlertId"] == alert["id"]
    assert first["AlertTime"] == "2021-04-27T12:19:27.7211305Z"
    assert first["MachineName"] == "tempDns" and first["MachineDomain"] == ""
    assert first["Md5"] == first["IocValue"] == first["InternalIPv4List"] == ""


def test_a_bare_host_name_takes_its_domain_from_dns_domain():
    """Graph may name a device by its bare host name (DOMAIN.md 2.6) and give its domain in
    dnsDomain (security-deviceevidence.md): MachineDomain holds that domain, not ''."""
    alert = graph_example()
    device = next(e for e in alert["evidence"] if e["@odata.type"].endswith("deviceEvidence"))
    device.update(deviceDnsName="clw555test", hostName="clw555test", dnsDomain="contoso.com")
    first = SPEC.writer().records(alert)[0]
    assert (first["MachineName"], first["MachineDomain"]) == ("clw555test", "contoso.com")
    assert first["ComputerDnsName"] == "clw555test"  # Graph's name, as it gives it
    # another device's domain is never this device's
    device.update(hostName=None, dnsDomain=None)
    other = {**device, "deviceDnsName": "srv.fabrikam.com", "hostName": "srv"}
    other["dnsDomain"] = "fabrikam.com"
    alert["evidence"].append(other)
    first = SPEC.writer().records(alert)[0]
    assert (first["MachineName"], first["MachineDomain"]) == ("clw555test", "")


def test_each_detection_kind_of_evidence_is_one_record_sharing_the_alert_id():
    alert = graph_example()
    kinds = [e["@odata.type"].rsplit(".", 1)[-1] for e in alert["evidence"]]
    detections = [k for k in kinds if k in ("fileEvidence", "processEvidence")]
    records = SPEC.writer().records(alert)
    assert len(records) == len(detections) >= 2
    assert {r["AlertId"] for r in records} == {alert["id"]}
    assert records[1]["CommandLine"] and not records[0]["CommandLine"]  # the process record
    assert all(r["DeviceID"] == records[0]["DeviceID"] != "" for r in records)  # shared context


def test_an_alert_without_detection_evidence_is_one_record():
    alert = graph_example() | {"evidence": []}
    (record,) = SPEC.writer().records(alert)
    assert record["AlertTitle"] == alert["title"] and record["Sha1"] == ""


def test_users_are_written_as_domain_backslash_user_lists():
    alert = graph_example()
    device = next(e for e in alert["evidence"] if e["@odata.type"].endswith("deviceEvidence"))
    device["loggedOnUsers"] = [
        {"accountName": "alice", "domainName": "CONTOSO"},
        {"accountName": "bob", "domainName": "CONTOSO"},
    ]
    assert SPEC.writer().records(alert)[0]["LogOnUsers"] == "CONTOSO\\alice; CONTOSO\\bob"


def test_enumerations_are_written_in_the_siem_vocabulary():
    alert = graph_example() | {
        "severity": "high",
        "detectionSource": "microsoftDefenderForEndpoint",
    }
    record = SPEC.writer().records(alert)[0]
    assert (record["Severity"], record["Source"]) == ("High", "EDR")
    unknown = graph_example() | {"detectionSource": "someFutureSource"}
    assert SPEC.writer().records(unknown)[0]["Source"] == "someFutureSource"


def test_the_sidecar_lists_what_graph_cannot_fill_with_microsofts_reason(tmp_path):
    feed = converted(tmp_path, SAMPLE_GRAPH)
    meta = orjson.loads(sidecar_path(feed).read_bytes())
    unfilled = {u["key"]: u["reason"] for u in meta["unfilled"]}
    assert unfilled["IocValue"] == "IoC fields not supported"
    assert unfilled["Md5"] == "Not supported" and "InternalIPv4List" in unfilled
    assert meta["columns"] == list(SPEC.columns)
    assert meta["alerts"] > 1000 and meta["records"] > meta["alerts"]
    assert meta["skipped"] == {"an older version of an alert": 15}
    records = orjson.loads(feed.read_bytes())
    assert len(records) == meta["records"] and all(r["IocValue"] == "" for r in records)


def test_the_latest_version_of_an_alert_is_emitted_once(tmp_path):
    old = graph_example() | {"lastUpdateDateTime": "2021-05-01T00:00:00Z", "title": "old"}
    new = graph_example() | {"lastUpdateDateTime": "2021-05-03T00:00:00Z", "title": "new"}
    graph = tmp_path / "alerts.ndjson"
    graph.write_bytes(
        b"\n".join(orjson.dumps(a) for a in (new, old, "not an alert")) + b"\nnot json\n"
    )
    feed = converted(tmp_path, graph, "ndjson")
    titles = {orjson.loads(line)["AlertTitle"] for line in feed.read_bytes().splitlines()}
    assert titles == {"new"}
    skipped = orjson.loads(sidecar_path(feed).read_bytes())["skipped"]
    assert skipped == {
        "an older version of an alert": 1,
        "not an alert (no id)": 1,
        "not JSON": 1,
    }


def test_csv_feed_has_the_documented_header_and_neutralised_formulas(tmp_path):
    alert = graph_example() | {"title": '=HYPERLINK("http://evil.test")'}
    graph = tmp_path / "alert.json"
    graph.write_bytes(orjson.dumps(alert))
    feed = converted(tmp_path, graph, "csv")
    rows = list(csv.reader(io.StringIO(feed.read_text(encoding="utf-8"))))
    assert rows[0] == list(SPEC.columns)
    title = rows[1][SPEC.columns.index("AlertTitle")]
    assert title.startswith("'=")


def test_a_failed_write_leaves_no_partial_feed(tmp_path):
    graph = tmp_path / "broken.json"
    graph.write_bytes(b"{not json")
    out = tmp_path / "feed.json"
    with pytest.raises(InputError):
        convert([Source.from_path(graph)], out, "json", MAPPING)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json"]


@pytest.mark.parametrize("shape", ["document", "ndjson"])
def test_v1_alerts_are_refused_not_converted(tmp_path, shape):
    """A v1 security/alerts payload (tests/realworld/ibm_resilient_...) is not alerts_v2: the
    feed would carry wrong values, so nothing is written."""
    v1 = orjson.loads(V1_ALERT.read_bytes())
    graph = tmp_path / f"v1.{'json' if shape == 'document' else 'ndjson'}"
    if shape == "document":
        graph.write_bytes(V1_ALERT.read_bytes())
    else:
        v1.pop("@odata.context")
        graph.write_bytes(orjson.dumps(v1) + b"\n")
    out = tmp_path / "feed.ndjson"
    with pytest.raises(InputError, match="deprecated v1 alerts API"):
        convert([Source.from_path(graph)], out, "ndjson", MAPPING)
    assert not out.exists() and not sidecar_path(out).exists()


def test_the_cli_converts_and_names_what_it_wrote(tmp_path, capsys):
    from siem2graph.cli import main

    out = tmp_path / "feed.csv"
    assert main(["convert", "--graph", str(SAMPLE_GRAPH), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "SIEM API records" in said and "(csv)" in said and "older version" in said
    assert out.read_text(encoding="utf-8").startswith("AlertTime,ComputerDnsName,")


def test_fidelity_counts_come_from_the_audit(tmp_path):
    from siem2graph.bridge.fidelity import bridge_fidelity

    report = audit_files([ROOT / "sample_data" / "legacy_siem_export.csv"], [SAMPLE_GRAPH])
    table = bridge_fidelity(report).set_index("siem_key")
    results = {r.siem_field: r for r in report.fields}
    severity = results["Severity"]
    assert table.at["Severity", "restored"] == severity.match
    assert table.at["Severity", "restored_differently"] == severity.mismatch
    assert table.at["Severity", "not_restored"] == severity.missing_in_graph
    threat = results["ThreatCategory"]  # compared by presence only: never restored as it was
    assert table.at["ThreatCategory", "restored"] == 0
    assert table.at["ThreatCategory", "restored_differently"] == threat.match + threat.mismatch
    assert table.at["Md5", "not_restored"] == results["Md5"].legacy_alerts_populated
    assert "InternalIPv4List" in table.index and "InternalIPV4List" not in table.index
    shares = table["restored_share"].to_list()
    assert shares == sorted(shares)
