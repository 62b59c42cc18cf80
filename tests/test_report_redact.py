"""Redaction: stable pseudonyms for users, hosts, domains and IPs, everywhere they appear."""

from __future__ import annotations

import json

import pytest

from siem2graph.report.redact import RedactedReport, redact
from tests.report_inputs import example_report, render_all

ORIGINALS = ("tempdns", "liz.bean", "contoso", "10.0.0.1", "203.0.113.7")


@pytest.fixture(scope="module")
def redacted():
    return redact(example_report())


def test_returns_a_new_frozen_report_and_leaves_the_original(redacted):
    assert isinstance(redacted, RedactedReport)
    assert example_report().alerts["host"].iloc[0] == "tempDns"
    assert redacted.join == example_report().join and redacted.fields[0].match >= 0


def test_pseudonyms_are_stable_across_tables(redacted):
    host = redacted.alerts["host"].iloc[0]
    assert host == "host-1"
    detections = redacted.detections
    assert set(detections["ComputerDnsName"]) == {host}
    assert set(detections["MachineName"]) == {host}  # case-insensitive: tempdns == tempDns
    graph = redacted.graph_values
    assert set(graph.loc[graph["path"] == "evidence[deviceEvidence].deviceDnsName", "value"]) == {
        host
    }
    assert detections["LogOnUsers"].dropna().tolist() == ["domain-1\\user-1"]
    assert detections["UserName"].dropna().tolist() == ["user-1"]
    assert set(detections["InternalIPV4List"]) == {"ip-2;ip-3"}  # ip-1 is IPAddress, scanned first
    assert redacted.field("InternalIPV4List").examples == ("ip-2;ip-3",)
    pairs = redacted.value_pairs.set_index("siem_field")
    assert pairs.loc["UserName", "legacy_value"] == "user-1"
    assert pairs.loc["ComputerDnsName", "graph_value"] == host


def test_names_inside_free_text_are_replaced():
    from tests.helpers import graph_example, legacy_for_example
    from tests.report_inputs import audit

    report = audit(
        [
            legacy_for_example(
                UserName="liz.bean", CommandLine="run C:\\Users\\liz.bean\\x 10.1.2.3"
            )
        ],
        [graph_example()],
    )
    detections = redact(report).detections
    assert detections.loc[0, "CommandLine"] == "run C:\\Users\\user-1\\x ip-3"


def test_no_original_reaches_any_format(redacted):
    files = render_all(example_report(), ["json", "csv", "md", "html"], redact=True, images=False)
    for name, data in files.items():
        text = data.decode().lower()
        assert not [o for o in ORIGINALS if o in text], name
    assert json.loads(files["report.json"])["redacted"] is True
    assert "stable pseudonyms" in files["summary.csv"].decode()


def test_identities_only_free_text_holds_are_replaced_in_every_format():
    from tests.helpers import graph_example, legacy_for_example
    from tests.report_inputs import audit

    text = (
        "C:\\Users\\jdoe\\Downloads\\x.exe from /home/kowalski/bin by CORP\\mallory, "
        "eve.adams@fabrikam.example and bob+sec@mail.fabrikam.example; "
        "C:\\Windows\\System32\\cmd.exe stays"
    )
    graph = graph_example()
    graph["description"] = text
    legacy = legacy_for_example(CommandLine=text)
    files = render_all(
        audit([legacy], [graph]), ["json", "csv", "md", "html"], redact=True, images=False
    )
    for name, data in files.items():
        lowered = data.decode().lower()
        for original in ("jdoe", "kowalski", "mallory", "eve.adams", "bob+sec", "fabrikam"):
            assert original not in lowered, (name, original)
    detections = redact(audit([legacy], [graph])).detections
    shown = detections.loc[0, "CommandLine"]
    assert "\\Users\\user-" in shown and "C:\\Windows\\System32\\cmd.exe" in shown
    assert "\\\\" not in shown and "@domain-" in shown


def test_the_mappings_pii_column_decides_what_is_pseudonymised():
    from dataclasses import replace

    report = example_report()
    users = {"UserName", "LogOnUsers"}
    rows = tuple(replace(r, pii=()) if r.siem_field in users else r
                 for r in report.mapping.fields)  # fmt: skip
    unmarked = replace(report, mapping=replace(report.mapping, fields=rows))
    assert redact(report).detections["UserName"].dropna().tolist() == ["user-1"]
    assert redact(unmarked).detections["UserName"].dropna().tolist() == ["liz.bean"]


def test_a_bad_pii_kind_names_the_row():
    from siem2graph.errors import MappingError
    from siem2graph.mapping import _pii

    assert _pii({"pii": {"legacy": "domain", "graph": "host"}}, "row") == ("domain", "host")
    with pytest.raises(MappingError, match="row 3: pii must be one of host, user, ip, domain"):
        _pii({"pii": "email"}, "row 3")
