"""The audit on small, hand-built inputs: joins, verdicts per comparator, schema diff."""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pytest

from siem2graph import views
from siem2graph.audit import audit_sources
from siem2graph.errors import InputError
from siem2graph.graph import records
from siem2graph.mapping import load_mapping
from siem2graph.model import VERDICTS
from siem2graph.readiness import readiness
from siem2graph.sources import Source
from tests.helpers import graph_example, json_source, legacy_for_example
from tests.test_sample_audit import SAMPLE

MAPPING = load_mapping()


def _audit(legacy_records, graph_alerts):
    return audit_sources(
        [json_source("legacy.json", legacy_records)],
        [json_source("graph.json", {"value": graph_alerts})],
        MAPPING,
    )


def _verdict(report, field):
    row = report.field(field)
    for verdict in VERDICTS:
        if getattr(row, verdict):
            return verdict
    return None


@pytest.fixture(scope="module")
def example_report():
    second = legacy_for_example(
        AlertTime="2021-04-27T12:30:00Z",
        FileName="other.exe",
        UserName="liz.bean",
        IocName="bad-ioc",
    )
    return _audit([legacy_for_example(), second], [graph_example()])


@pytest.mark.parametrize(
    ("field", "verdict"),
    [
        ("AlertTime", "match"),  # earliest detection within tolerance of createdDateTime
        ("ComputerDnsName", "match"),  # case-insensitive
        ("AlertTitle", "match"),  # whitespace-normalised
        ("Category", "match"),
        ("Severity", "match"),  # Low -> low through the vocabulary
        ("AlertId", "match"),
        ("LinkToWDATP", "match"),  # url tail = alert id
        ("LinkToMTP", "match"),
        ("Sha1", "match"),  # hash: case-insensitive
        ("FileName", "mismatch"),  # other.exe is in no evidence
        ("FilePath", "match"),
        ("IoaDefinitionId", "match"),
        ("UserName", "mismatch"),  # no userEvidence; processEvidence.userAccount holds SYSTEM
        ("Source", "match"),  # Antivirus -> antivirus
        ("DeviceID", "match"),
        ("MachineName", "match"),  # contained in deviceDnsName
        ("MachineGroup", "match"),
        ("DeviceCreatedMachineTags", "match"),  # set membership in deviceEvidence.tags
        ("CommandLine", "match"),
        ("ThreatCategory", "match"),  # presence only
        ("IncidentLinkToMTP", "match"),  # presence only
        ("LastProcessedTimeUtc", "match"),
        ("Description", "new_in_graph"),
        ("Actor", "both_empty"),
    ],
)
def test_verdict_per_comparator(example_report, field, verdict):
    assert _verdict(example_report, field) == verdict


def test_join_counts_detections_and_alerts(example_report):
    join = example_report.join
    assert (join.legacy_rows, join.legacy_alerts, join.graph_alerts) == (2, 1, 1)
    assert (join.matched_alerts, join.legacy_only_alerts, join.graph_only_alerts) == (1, 0, 0)
    assert join.matched_by_id == 1


def test_unsupported_fields_count_the_data_they_held(example_report):
    ioc = example_report.field("IocName")
    assert (ioc.legacy_rows_populated, ioc.legacy_alerts_populated) == (1, 1)
    assert ioc.readiness == "loses"
    assert example_report.field("Md5").legacy_rows_populated == 2
    assert example_report.field("InternalIPV4List").examples == ("10.0.0.1;127.0.0.1",)
    assert example_report.field("AlertPart").readiness == "not_applicable"


def test_schema_diff_both_ways(example_report):
    legacy = example_report.unmapped_legacy_columns.set_index("column")
    assert legacy.loc["CustomerTag", "populated_rows"] == 2
    graph = set(example_report.unmapped_graph_paths["path"])
    assert "evidence[registryKeyEvidence].registryKey" in graph
    assert "evidence[deviceEvidence].osPlatform" in graph
    assert "evidence[fileEvidence].fileDetails.sha1" not in graph  # mapped
    assert "evidence[deviceEvidence].loggedOnUsers[].accountName" not in graph


def test_mismatch_pairs_name_the_values(example_report):
    pairs = example_report.value_pairs
    row = pairs[(pairs["siem_field"] == "FileName") & ~pairs["found"]].iloc[0]
    assert row["legacy_value"] == "other.exe"
    assert row["graph_value"].startswith("MsSense.exe")
    assert row["example_alerts"] == "da637578995287051192_756343937"


def test_join_through_provider_id_and_prefix():
    alert = graph_example()
    alert["id"] = "daefa1828b-dd4e-405c-8a3b-aa28596830dd_1"
    alert["providerAlertId"] = "efa1828b-dd4e-405c-8a3b-aa28596830dd_1"
    report = _audit([legacy_for_example(AlertId="EFA1828B-dd4e-405c-8a3b-aa28596830dd_1")], [alert])
    assert report.join.matched_alerts == 1
    assert report.join.matched_by_provider_id == 1
    alert_id = report.field("AlertId")  # the join key, matched where Graph holds it
    assert (alert_id.match, alert_id.mismatch) == (1, 0)
    assert alert_id.path_shares() == (("providerAlertId", 1.0),)


def test_duplicates_keep_the_latest_version():
    old, new = graph_example(), graph_example()
    old["lastUpdateDateTime"], old["severity"] = "2021-05-01T00:00:00Z", "high"
    report = _audit([legacy_for_example()], [new, old])
    assert report.join.graph_alerts == 1
    assert report.field("Severity").match == 1
    assert any("older version" in p.reason for p in report.problems)


def test_one_sided_alerts_get_reasons():
    other = graph_example()
    other["id"] = other["providerAlertId"] = "fa0000000000000000_1"
    other["serviceSource"] = "microsoftDefenderForIdentity"
    old = legacy_for_example(
        AlertId="636772341913498370_1532439962", AlertTime="2018-11-09T03:43:11Z"
    )
    report = _audit([legacy_for_example(), old], [graph_example(), other])
    alerts = report.alerts.set_index("key")
    assert alerts.loc["636772341913498370_1532439962", "reason"] == "outside the Graph time window"
    assert "not a Defender for Endpoint alert" in alerts.loc["fa0000000000000000_1", "reason"]
    # both lie beyond what the other input covers: neither is a gap of the other side
    assert views.one_sided_counts(report) == {"legacy_only": (0, 1), "graph_only": (0, 1)}


def test_a_one_sided_alert_within_the_other_sides_scope_is_a_gap():
    tuned = legacy_for_example(AlertId="da0000000000000000_1")
    ticks = legacy_for_example(AlertId="636772341913498370_1")  # pre-2019 id, but in the window
    report = _audit([legacy_for_example(), tuned, ticks], [graph_example()])
    assert views.one_sided_counts(report) == {"legacy_only": (2, 0), "graph_only": (0, 0)}
    nothing = _audit([legacy_for_example()], [])
    assert views.one_sided_counts(nothing)["legacy_only"] == (1, 0)  # no Graph alerts loaded


def test_coverage_filters_by_alert_attributes(example_report):
    everything = example_report.coverage().set_index("siem_field")
    assert everything.loc["FileName", "mismatch"] == 1
    none = example_report.coverage(severity=["high"]).set_index("siem_field")
    assert none.to_numpy().sum() == 0
    with pytest.raises(KeyError):
        example_report.coverage(title=["x"])


def test_inputs_are_not_modified():
    from siem2graph.audit import run
    from siem2graph.graph.alerts import read_graph
    from siem2graph.legacy import read_legacy

    legacy = read_legacy([json_source("l.json", [legacy_for_example()])], MAPPING)
    graph = read_graph([json_source("g.json", [graph_example()])], MAPPING)
    before = legacy.detections.copy(), graph.values.copy()
    run(legacy, graph, MAPPING)
    pd.testing.assert_frame_equal(legacy.detections, before[0])
    pd.testing.assert_frame_equal(graph.values, before[1])


def test_verdict_rows_follow_the_matched_alerts(example_report):
    matched = example_report.alerts.loc[example_report.alerts["side"] == "both", "key"]
    assert list(example_report.verdicts.index) == list(matched)


def test_progress_covers_reading_joining_and_comparing(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "BATCH_BYTES", 200_000)  # the Graph file in several batches
    alerts = orjson.loads((SAMPLE / "graph_alerts_v2.json").read_bytes())["value"]
    ndjson = tmp_path / "graph.ndjson"
    ndjson.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in alerts))
    heard: list[tuple[str, float]] = []
    audit_sources(
        [Source.from_path(SAMPLE / "legacy_siem_export.csv")],
        [Source.from_path(ndjson)],
        progress=lambda step, share: heard.append((step, share)),
    )
    shares = [share for _, share in heard]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
    steps = [step for step, _ in heard]
    assert steps[0] == "reading graph.ndjson"
    assert steps.count("reading graph.ndjson") > 3  # batch by batch
    assert "reading legacy_siem_export.csv" in steps
    assert "joining legacy and Graph alerts" in steps
    assert steps[-1].startswith("compared ")


def test_an_error_of_either_side_names_its_file_the_graph_side_first():
    legacy = Source.from_path(SAMPLE / "legacy_siem_export.csv")
    graph = Source.from_path(SAMPLE / "graph_alerts_v2.json")
    broken = Source.from_bytes("broken.json", b"not json")
    with pytest.raises(InputError, match=r"broken\.json: neither JSON nor NDJSON"):
        audit_sources([legacy], [broken])
    with pytest.raises(InputError, match="no legacy export was given"):
        audit_sources([], [graph])
    with pytest.raises(InputError, match=r"broken\.json: neither JSON nor NDJSON"):
        audit_sources([], [broken])  # both wrong: the Graph side's error


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("chart.json", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "this is a PNG image, not Graph"),
        ("latin.json", b'[{"id": "caf\xe9"', "neither JSON nor NDJSON (not UTF-8 text)"),
    ],
)
def test_a_graph_file_that_is_not_text_gets_a_plain_reason(name, data, message):
    legacy = Source.from_path(SAMPLE / "legacy_siem_export.csv")
    with pytest.raises(InputError) as error:
        audit_sources([legacy], [Source.from_bytes(name, data)])
    assert str(error.value).startswith(f"{name}: {message}")
    assert "surrogates" not in str(error.value)


def test_values_the_comparator_cannot_read_are_unreadable_never_mismatches():
    """A time in no known form, a redacted hash and a source outside the vocabulary: counted
    apart per field with an example (cut short, hidden characters shown), out of the rates."""
    hidden = "\u202esoon" + "x" * 200
    legacy = legacy_for_example(
        LastProcessedTimeUtc=hidden, DeviceID="xxxxxxxx", Source="wdatp_siem", Sha1="not-a-hash"
    )
    report = _audit([legacy], [graph_example()])
    for field in ("LastProcessedTimeUtc", "DeviceID", "Source", "Sha1"):
        row = report.field(field)
        assert (row.unreadable, row.mismatch, row.match) == (1, 0, 0), field
        assert row.readiness == "unreadable"  # nothing could be read: not keeps, changes, loses
        assert row.retained_rate is None
    problem = next(p for p in report.problems if "cannot read: LastProcessedTimeUtc," in p.reason)
    assert problem.side == "legacy"
    assert "\\u202esoon" in problem.reason and "\u202e" not in problem.reason
    example = report.field("LastProcessedTimeUtc").unreadable_example
    assert len(example) == 80 and example.endswith("…")
    assert report.headline.overall_readiness == "loses"  # the IoC and obsolete fields still lose


def test_an_unknown_value_found_in_graph_is_a_match_and_unreadable_graph_values_count():
    legacy = legacy_for_example(Source="antivirus")  # a Graph value, not a SIEM label: found
    alert = graph_example()
    alert["lastActivityDateTime"] = "the day after"
    report = _audit([legacy], [alert])
    assert report.field("Source").match == 1
    activity = report.field("LastProcessedTimeUtc")
    assert (activity.unreadable, activity.mismatch) == (1, 0)
    assert activity.unreadable_example == "the day after"
    problem = next(p for p in report.problems if "cannot read: LastProcessedTimeUtc," in p.reason)
    assert problem.side == "graph"


def test_readable_values_are_judged_beside_unreadable_ones():
    """Two detections: one time unreadable, one far from Graph's: the alert is a mismatch; with
    the readable one close, a match (the unreadable one is left out)."""
    far = legacy_for_example(LastProcessedTimeUtc="2021-06-01T00:00:00Z")
    odd = legacy_for_example(LastProcessedTimeUtc="whenever")
    assert _audit([far, odd], [graph_example()]).field("LastProcessedTimeUtc").mismatch == 1
    close = legacy_for_example()
    row = _audit([close, odd], [graph_example()]).field("LastProcessedTimeUtc")
    assert (row.match, row.unreadable, row.unreadable_values) == (1, 0, 1)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # match, mismatch, missing, new, both_empty, unreadable over 100 alerts with a value
        ((0, 0, 0, 0, 0, 100), "unreadable"),
        ((50, 0, 0, 0, 0, 50), "keeps"),  # half unreadable: never changes or loses on its own
        ((98, 1, 0, 0, 0, 1), "changes"),  # 1 of 99 judged
        ((98, 0, 1, 0, 0, 1), "loses"),
        ((90, 0, 0, 0, 0, 10), "keeps"),
    ],
)
def test_readiness_rule(counts, expected):
    row = MAPPING.field("DeviceID")
    assert readiness(row, 100, 100, np.array(counts), 0.01) == expected


def test_verdict_codes_number_the_report_columns_in_order(example_report):
    from siem2graph.model import VERDICTS, Verdict

    assert [v.code for v in Verdict] == list(range(len(VERDICTS)))
    assert list(example_report.fields_frame()[list(VERDICTS)].columns) == [v.value for v in Verdict]


def test_one_builder_lists_the_dropped_fields_for_every_table(example_report):
    from siem2graph import views
    from siem2graph.report.audit_tables import unsupported_fields

    dropped = set(example_report.dropped_fields_frame()["siem_field"])
    assert dropped == set(unsupported_fields(example_report)["siem_field"])
    assert dropped == set(views.unsupported_fields(example_report)["siem_field"])
    assert dropped == set(example_report.to_frames()["unsupported_fields"]["siem_field"])
    rows = example_report.mapping.fields
    assert dropped == {row.siem_field for row in rows if not row.has_graph_equivalent} != set()
