"""The bundled sample: the audit finds exactly the differences the generator put in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from siem2graph.audit import audit_files

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
REASONS = {
    "outside_graph_window": "outside the Graph time window",
    "not_in_graph": "no Graph alert with this id",
}


@pytest.fixture(scope="module")
def report():
    files = EXPECTED["files"]
    return audit_files([SAMPLE / files["legacy"]], [SAMPLE / files["graph"]])


def test_join_counts(report):
    join = report.join
    assert join.legacy_rows == EXPECTED["legacy_rows"]
    assert join.legacy_alerts == EXPECTED["legacy_alerts"]
    assert join.graph_alerts == EXPECTED["graph_alerts"]
    assert join.matched_alerts == EXPECTED["matched_alerts"]
    assert join.legacy_only_alerts == EXPECTED["legacy_only_count"]
    assert join.graph_only_alerts == EXPECTED["graph_only_count"]
    assert join.matched_by_provider_id == len(EXPECTED["guid_style_alerts"])


@pytest.mark.parametrize("field", sorted(EXPECTED["fields"]))
def test_field_verdicts(report, field):
    row = report.field(field)
    found = {v: getattr(row, v) for v in EXPECTED["fields"][field]}
    assert found == EXPECTED["fields"][field]


@pytest.mark.parametrize("field", sorted(EXPECTED["dropped_fields"]))
def test_dropped_fields_count_what_they_held(report, field):
    row, truth = report.field(field), EXPECTED["dropped_fields"][field]
    assert (row.legacy_rows_populated, row.legacy_alerts_populated) == (
        truth["rows"],
        truth["alerts"],
    )
    assert row.legacy_populated == truth["matched_alerts"]
    assert row.readiness == ("loses" if truth["rows"] else "not_applicable")


def test_one_sided_alerts_and_reasons(report):
    alerts = report.alerts.set_index("key")
    for entry in EXPECTED["legacy_only_alerts"]:
        row = alerts.loc[entry["id"].lower()]
        assert row["side"] == "legacy_only"
        assert row["reason"].startswith(REASONS[entry["reason"]])
    graph_only = set(alerts.index[alerts["side"] == "graph_only"])
    assert graph_only == {i.lower() for i in EXPECTED["graph_only_alerts"]}


def test_older_graph_copies_are_dropped_and_reported(report):
    dropped = [p for p in report.problems if "older version was dropped" in p.reason]
    assert len(dropped) == EXPECTED["graph_duplicates"]


def test_the_deliberate_differences_surface_as_pairs(report):
    pairs = report.value_pairs[~report.value_pairs["found"]]
    severity = pairs[pairs["siem_field"] == "Severity"]
    assert severity["alerts"].sum() == EXPECTED["deliberate"]["severity_changed"]
    assert pairs[pairs["siem_field"] == "URL"].empty  # found without the scheme
    found = report.value_pairs[report.value_pairs["found"]]
    url = found[(found["siem_field"] == "URL") & ~found["legacy_value"].str.contains("://")]
    assert not url.empty
    assert all(g.startswith("http") for g in url["graph_value"])


def test_values_found_at_other_paths_are_matches_there(report):
    """Users only in processEvidence/loggedOnUsers, ids only in providerAlertId, FilePath with
    the file name: matches, each counted at the path that held it."""
    paths = {
        f: dict(zip(report.field(f).graph_paths, report.field(f).path_matches, strict=True))
        for f in ("UserName", "AlertId", "FilePath")
    }
    guid_style = len(EXPECTED["guid_style_alerts"])
    assert paths["AlertId"] == {
        "id": EXPECTED["matched_alerts"] - guid_style,
        "providerAlertId": guid_style,
    }
    moved = paths["UserName"]["evidence[processEvidence].userAccount.accountName"]
    moved += paths["UserName"]["evidence[deviceEvidence].loggedOnUsers[].accountName"]
    assert moved == EXPECTED["deliberate"]["user_evidence_dropped"]
    assert paths["FilePath"]["evidence[fileEvidence].fileDetails.{filePath}\\{fileName}"] > 0


def test_unreadable_values_are_counted_apart_with_an_example(report):
    device = report.field("DeviceID")
    assert device.unreadable == EXPECTED["deliberate"]["device_id_redacted"]
    assert device.readiness == "keeps"  # unreadable values alone never make it change or lose
    assert device.retained_rate == 1.0  # unreadable alerts are out of the rate's base
    assert device.unreadable_example == "xxxxxxxx"
    problem = next(p for p in report.problems if "cannot read: DeviceID," in p.reason)
    assert (problem.side, "'xxxxxxxx'" in problem.reason) == ("legacy", True)


def test_unmapped_columns_are_reported(report):
    columns = report.unmapped_legacy_columns.set_index("column")
    assert list(columns.index) == ["SplunkIndex", "ingest_host"]
    assert (columns["populated_rows"] == EXPECTED["legacy_rows"]).all()
