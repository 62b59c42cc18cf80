"""Splunk exports of the events a SIEM API add-on indexed: Splunk's own fields (``source``,
``host``, ``_time``, ``date_*``...) never read as SIEM fields, a parsed ``_raw`` is consumed,
and two columns of one field keep the one spelled as the field (the collision is reported).

The CSV form is Splunk's own: the header and column order of a search's events exported as CSV
(`"_bkt","_cd","_indextime","_raw","_serial","_si","_sourcetype","_subsecond","_time",host,index,
linecount,source,sourcetype,"splunk_server"`, names starting with `_` quoted, `_si` holding a
line break, `_time` with a zone offset) as dev.splunk.com shows it ("How to display search
results using the Splunk SDK for Java", CSV output); the default and date_* fields as
help.splunk.com lists them ("Use default fields"; "About default fields"). See
tests/realworld/README.md. The metadata values (host, index, source names) are illustrative.
"""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from siem2graph.audit import audit_sources
from siem2graph.legacy import read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.schema import EXAMPLE_LIMIT
from siem2graph.sources import Source
from tests.helpers import GRAPH_EXAMPLE, legacy_for_example

MAPPING = load_mapping()
METADATA = {
    "host": "hf01.corp.example",
    "index": "mde",
    "linecount": "1",
    "punct": '{"":"--::._",_"":"",_"":"______",',
    "source": "wdatp_siem",
    "sourcetype": "ms:defender:atp:alerts",
    "splunk_server": "idx01",
}


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    """Splunk's CSV: names starting with '_' quoted, values quoted when they need it."""
    out = io.StringIO()
    out.write(",".join(f'"{h}"' if h.startswith("_") else h for h in header) + "\n")
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode()


def events_export() -> bytes:
    """A search's events as Splunk exports them: the SIEM record only inside ``_raw``."""
    header = [
        "_bkt", "_cd", "_indextime", "_raw", "_serial", "_si", "_sourcetype", "_subsecond",
        "_time", "host", "index", "linecount", "source", "sourcetype", "splunk_server",
    ]  # fmt: skip
    record = legacy_for_example()
    row = {
        "_bkt": "mde~26~6C4FD68A-A664-44BA-A4B1-22759F85DBE2",
        "_cd": "26:310460",
        "_indextime": "1619526000",
        "_raw": orjson.dumps(record).decode(),
        "_serial": "0",
        "_si": "idx01\nmde",
        "_sourcetype": "ms:defender:atp:alerts",
        "_subsecond": ".123",
        "_time": "2021-04-27T14:18:01.123+02:00",
        **METADATA,
    }
    return _csv(header, [row])


def table_export() -> bytes:
    """Extracted fields beside Splunk's (KV_MODE=json gives `Source`, the input gives `source`)
    and a CIM alias (`dest`) that says the same as `ComputerDnsName`, placed before it."""
    record = legacy_for_example()
    header = [
        "_time", "AlertId", "AlertTitle", "AlertTime", "dest", "ComputerDnsName", "Severity",
        "Category", "Source", "date_hour", "date_mday", "date_wday", "date_zone", "eventtype",
        *METADATA,
    ]  # fmt: skip
    first = {**record, **METADATA, "_time": "2021-04-27T14:18:01.123+02:00", "date_hour": "14",
             "date_mday": "27", "date_wday": "tuesday", "date_zone": "120",
             "eventtype": "mde_alert", "dest": "tempdns.corp.example"}  # fmt: skip
    second = {**first, "AlertId": "da637578995287051192_2", "dest": "", "ComputerDnsName": "x"}
    return _csv(header, [first, second])


def _audit(content: bytes):
    return audit_sources(
        [Source.from_bytes("splunk_export.csv", content)], [Source.from_path(GRAPH_EXAMPLE)]
    )


@pytest.mark.parametrize("content", [events_export(), table_export()], ids=["events", "table"])
def test_splunk_metadata_never_reads_as_a_siem_field(content):
    data = read_legacy([Source.from_bytes("splunk_export.csv", content)], MAPPING)
    assert data.files[0].alias_sets == "splunk"
    first = data.detections.iloc[0]
    assert first["Source"] == "Antivirus"  # not the input's name 'wdatp_siem'
    assert first["AlertTime"] == "2021-04-27T12:18:01.1234567Z"  # not Splunk's _time
    assert first["source (ignored)"] == "wdatp_siem" and first["host"] == "hf01.corp.example"


@pytest.mark.parametrize("content", [events_export(), table_export()], ids=["events", "table"])
def test_the_audit_of_a_splunk_export_matches_source(content):
    report = _audit(content)
    assert report.join.matched_alerts == 1
    source = report.field("Source")
    assert (source.match, source.mismatch, source.unreadable) == (1, 0, 0)
    unmapped = report.unmapped_legacy_columns
    assert {"host", "index", "source (ignored)", "sourcetype"} <= set(unmapped["column"])
    assert "_raw" not in set(unmapped["column"])  # parsed: consumed, not unmapped
    for examples in unmapped["examples"]:
        assert all(len(e) <= EXAMPLE_LIMIT for e in examples.split("; "))


def test_the_json_export_reads_the_same():
    """Splunk's JSON export: one {"preview", "offset", "result"} object a line (the form
    tests/legacy_corpus's splunk_export.ndjson has)."""
    result = {"_raw": orjson.dumps(legacy_for_example()).decode(), "_time": "x", **METADATA}
    line = orjson.dumps({"preview": False, "offset": 0, "result": result})
    report = _audit(line + b"\n")
    assert report.field("Source").match == 1
    assert "_raw" not in report.detections.columns


def test_the_events_export_consumes_raw():
    report = _audit(events_export())
    assert "_raw" not in report.detections.columns
    examples = report.unmapped_legacy_columns.set_index("column")["examples"]
    assert examples["CustomerTag"] == "kept-but-unmapped"  # a _raw key no field reads


def test_two_columns_of_one_field_keep_the_one_spelled_as_the_field():
    report = _audit(table_export())
    dns = report.detections.set_index("AlertId")["ComputerDnsName"]
    assert dns["da637578995287051192_756343937"] == "tempDns"  # not dest's FQDN
    assert dns["da637578995287051192_2"] == "x"
    collisions = [p.reason for p in report.problems if "both read as" in p.reason]
    assert collisions == [
        "columns 'ComputerDnsName' and 'dest' both read as ComputerDnsName: 'ComputerDnsName' "
        "is used, 'dest' only where it is empty (1 row(s) hold different values)"
    ]
    assert [p.file for p in report.problems if "both read as" in p.reason] == ["splunk_export.csv"]


def test_raw_rows_that_are_not_json_stay_unmapped_alone_their_examples_cut_short():
    syslog = "Apr 27 12:18:01 hf01 wdatp: " + "x" * 300
    rows = [
        {"_raw": orjson.dumps(legacy_for_example()).decode(), "host": "h"},
        {"_raw": syslog, "AlertId": "da637578995287051192_2", "host": "h"},
    ]
    report = _audit(_csv(["_raw", "_time", "AlertId", "host"], rows))
    assert list(report.detections["_raw"].isna()) == [True, False]
    assert any(p.reason.startswith("1 rows' _raw is not") for p in report.problems)
    example = report.unmapped_legacy_columns.set_index("column").at["_raw", "examples"]
    assert example == syslog[: EXAMPLE_LIMIT - 1] + "\u2026"
