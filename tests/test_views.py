"""The dashboard's views of a report, on the small inputs of tests/dashboard_inputs.py."""

from __future__ import annotations

import pytest

from siem2graph import views
from siem2graph.alert_filter import AlertFilter, filtered
from tests.dashboard_inputs import (
    FILE_CHANGED,
    GRAPH_ONLY,
    HOSTILE_TITLE,
    KEEPS,
    LEGACY_ONLY,
    MATCHED,
    SEVERITY_CHANGED,
    dashboard_report,
)


@pytest.fixture(scope="module")
def report():
    return dashboard_report()


def test_filter_options_list_matched_alert_values(report):
    options = views.filter_options(report)
    assert options["severity"] == ["low", "medium"]
    assert options["category"] == ["DefenseEvasion"]


def test_coverage_in_view_filters_alerts_and_field_statuses(report):
    counts, alerts = views.coverage_in_view(report)
    assert alerts == MATCHED
    assert counts.set_index("siem_field").loc["Severity", ["match", "mismatch"]].tolist() == [2, 1]
    low = filtered(report, AlertFilter((("severity", ("low",)),)))
    counts, alerts = views.coverage_in_view(low)
    assert alerts == 2
    assert counts.set_index("siem_field").loc["FileName", ["match", "mismatch"]].tolist() == [1, 1]
    counts, _ = views.coverage_in_view(report, ("derived",))
    assert len(counts) > 0
    assert (counts["siem_field"].map(views.field_statuses_of(report)) == "derived").all()


def test_coverage_in_view_counts_fields_graph_has_no_equivalent_for(report):
    counts, alerts = views.coverage_in_view(report)
    assert {f.siem_field for f in report.fields} == set(counts["siem_field"])
    rows = counts.set_index("siem_field")
    assert rows.at["Md5", "no_graph_field"] == rows.at["Md5", "lost"] == MATCHED
    assert rows.at["IocValue", "both_empty"] == MATCHED  # held no data: nothing lost
    segments = ["match", "mismatch", "missing_in_graph", "no_graph_field", "new_in_graph"]
    assert (rows[[*segments, "unreadable", "both_empty"]].sum(axis=1) == alerts).all()
    assert counts["siem_field"].iloc[:2].tolist() == ["InternalIPV4List", "Md5"]  # loss first
    counts, _ = views.coverage_in_view(report, ("unsupported",))
    assert counts.set_index("siem_field").at["Md5", "lost"] == MATCHED


def test_mismatch_summary_rates_fields_compared_on_both_sides(report):
    summary = views.mismatch_summary(report).set_index("siem_field")
    assert summary.at["Severity", "mismatch_rate"] == pytest.approx(1 / 3)
    assert summary.at["FileName", "compared_alerts"] == MATCHED
    assert "IocName" not in summary.index  # unsupported: never compared
    assert summary["mismatch_rate"].iloc[0] == summary["mismatch_rate"].max()


def test_mismatch_rate_by_severity(report):
    rates = views.mismatch_rate_by(report, "severity")
    assert rates.columns.tolist() == ["low", "medium"]
    assert rates.index[:2].tolist() == ["Severity", "FileName"]  # worst first
    assert rates.loc["Severity"].tolist() == [0.0, 1.0]
    assert rates.loc["FileName"].tolist() == [0.5, 0.0]
    assert "Actor" not in rates.index  # never held on both sides
    assert "AlertId" not in rates.index  # the same values everywhere: nothing to show
    with pytest.raises(KeyError):
        views.mismatch_rate_by(report, "title")


def test_value_pairs_for_a_field(report):
    pairs = views.value_pairs_for(report, "Severity")
    assert pairs[["legacy_value", "graph_value", "alerts"]].values.tolist() == [
        ["High", "medium", 1]
    ]
    assert len(views.value_pairs_for(report, "Severity", found=None)) == 2


def test_alerts_with_verdict_show_both_values(report):
    table, total = views.alerts_with_verdict(report, "FileName", "mismatch")
    assert total == 1
    row = table.iloc[0]
    assert row["key"] == FILE_CHANGED
    assert row["legacy_value"] == "other.exe"
    assert "MsSense.exe" in row["graph_value"]
    table, total = views.alerts_with_verdict(report, "FileName", "match", limit=1)
    assert (len(table), total) == (1, 2)


@pytest.mark.parametrize(
    ("query", "sides", "keys"),
    [
        ("", (), {KEEPS, SEVERITY_CHANGED, FILE_CHANGED, LEGACY_ONLY, GRAPH_ONLY}),
        ("DA600000000000000002", (), {SEVERITY_CHANGED}),  # id, case-insensitive
        ("<img", (), {FILE_CHANGED}),  # title, literal text (no regex)
        ("tempdns", ("legacy_only",), {LEGACY_ONLY}),  # host, one side
        ("", ("graph_only",), {GRAPH_ONLY}),
    ],
)
def test_find_alerts(report, query, sides, keys):
    found, total = views.find_alerts(report, query, sides)
    assert set(found["key"]) == keys
    assert total == len(keys)


def test_find_alerts_is_bounded(report):
    found, total = views.find_alerts(report, "", (), limit=2)
    assert (len(found), total) == (2, 5)


def test_alert_field_comparison_gives_every_field_a_verdict(report):
    table = views.alert_field_comparison(report, FILE_CHANGED).set_index("siem_field")
    assert len(table) == len(report.fields)
    assert table.at["FileName", "verdict"] == "mismatch"
    assert table.at["FileName", "legacy_value"] == "other.exe"
    assert table.at["AlertTitle", "legacy_value"] == HOSTILE_TITLE
    assert table.at["Severity", "verdict"] == "match"
    assert table.at["IocName", "verdict"] == views.NOT_COMPARED


def test_alert_field_comparison_of_a_legacy_only_alert(report):
    table = views.alert_field_comparison(report, LEGACY_ONLY)
    assert (table["verdict"] == views.NOT_COMPARED).all()
    assert (table["graph_value"] == "").all()


def test_alert_detections_one_column_per_detection(report):
    table = views.alert_detections(report, KEEPS).set_index("field")
    assert list(table.columns) == ["detection 1", "detection 2"]
    assert table.at["FileName", "detection 1"] == "MsSense.exe"
    assert views.alert_detections(report, GRAPH_ONLY).empty


def test_alert_graph_values_and_summary(report):
    values = views.alert_graph_values(report, KEEPS)
    assert ("title", "Suspicious execution of hidden file") in set(
        values.itertuples(index=False, name=None)
    )
    assert views.alert_graph_values(report, LEGACY_ONLY).empty
    assert views.alert_summary(report, GRAPH_ONLY)["side"] == "graph_only"
    with pytest.raises(KeyError):
        views.alert_summary(report, "nope")


def test_unmatched_alerts_and_reasons(report):
    shown, total = views.unmatched_alerts(report, "legacy_only")
    assert shown["key"].tolist() == [LEGACY_ONLY] and total == 1
    shown, total = views.unmatched_alerts(report, "legacy_only", limit=0)
    assert shown.empty and total == 1  # a cut: the cached view never holds every alert
    reasons = views.reason_counts(report)
    assert reasons["alerts"].sum() == 2
    assert reasons["reason"].str.contains("not a Defender for Endpoint alert").any()


def test_unsupported_fields(report):
    table = views.unsupported_fields(report).set_index("siem_field")
    assert set(table["status"]) <= {"unsupported", "obsolete"}
    assert table.at["Md5", "detections_with_value"] == 5
    assert table.at["Md5", "alerts_with_value"] == 4
    assert "95000560239032bc68b4c2fdfcdef913" in table.at["Md5", "examples"]


def test_inputs_and_problems(report):
    inputs = views.inputs_frame(report)
    assert inputs[["side", "rows_read", "rows_kept"]].values.tolist() == [
        ["legacy", 5, 5],
        ["graph", 4, 4],
    ]
    assert views.problems_frame(report, 10).empty
    assert views.problem_counts(report).empty


def test_problems_group_by_kind_and_mark_newer_versions_as_expected(report):
    from dataclasses import replace

    from siem2graph.sources import RowProblem

    again = "alert da{} appears again: an older version was dropped"
    problems = [RowProblem("graph", "g.json", None, again.format(n)) for n in range(3)]
    problems.append(RowProblem("legacy", "l.csv", 7, "bad time: 'soon'"))
    counts = views.problem_counts(replace(report, problems=tuple(problems)))
    assert counts[["reason", "rows", "expected"]].values.tolist() == [
        ["bad time", 1, False],
        ["alert … appears again", 3, True],
    ]


def test_values_no_comparator_can_read_group_by_comparator_not_by_field():
    from pathlib import Path

    from siem2graph.audit import audit_files

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    audited = audit_files([sample / "legacy_siem_export.csv"], [sample / "graph_alerts_v2.json"])
    counts = views.problem_counts(audited)
    # the sample's redacted DeviceIDs ('xxxxxxxx'): named by what went wrong, not "DeviceID"
    assert "values the hash comparator cannot read" in counts["reason"].tolist()
    assert "DeviceID" not in counts["reason"].tolist()
