"""The dashboard test inputs join and differ as designed."""

from __future__ import annotations

from tests.dashboard_inputs import MATCHED, dashboard_report


def test_inputs_join_as_designed():
    join = dashboard_report().join
    assert (join.legacy_rows, join.legacy_alerts, join.graph_alerts) == (5, 4, 4)
    assert (join.matched_alerts, join.legacy_only_alerts, join.graph_only_alerts) == (MATCHED, 1, 1)


def test_inputs_carry_the_designed_differences():
    report = dashboard_report()
    assert report.field("Severity").mismatch == 1
    assert report.field("FileName").mismatch == 1
    assert report.field("AlertTitle").match == MATCHED
