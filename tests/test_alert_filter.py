"""A report narrowed to the alerts in view: every figure recomputed over those alerts only."""

from __future__ import annotations

from datetime import date

import pytest

from siem2graph import views
from siem2graph.alert_filter import AlertFilter, filtered
from siem2graph.held import legacy_held
from siem2graph.report.audit_tables import risk_register
from tests.dashboard_inputs import LEGACY_ONLY, MATCHED, dashboard_report

DAY = date(2021, 4, 27)  # the day every alert of the dashboard inputs falls on


@pytest.fixture(scope="module")
def report():
    return dashboard_report()


def test_no_filter_is_the_whole_report(report):
    assert not AlertFilter().active
    assert filtered(report, AlertFilter((("severity", ()),))) is report


def test_a_filter_letting_every_alert_through_recomputes_the_same_figures(report):
    whole_days = filtered(report, AlertFilter(first_day=DAY, last_day=DAY))
    assert whole_days is not report
    assert whole_days.fields == report.fields
    assert whole_days.join == report.join
    assert whole_days.headline == report.headline
    assert whole_days.timeline.equals(report.timeline)


def test_severity_narrows_every_figure_without_case(report):
    low = filtered(report, AlertFilter((("severity", ("low",)),)))
    assert low.join.matched_alerts == len(low.verdicts) == 2
    assert LEGACY_ONLY in set(low.alerts["key"])  # the legacy side spells it "Low"
    assert low.join.legacy_only_alerts == 1
    severity = low.field("Severity")
    assert (severity.match, severity.mismatch) == (2, 0)
    assert low.field("Md5").legacy_populated == 2  # lost on the two low alerts only
    assert low.field("Severity").readiness == "keeps"  # the changed severity is medium
    register = risk_register(low).set_index("siem_field")
    assert "Severity" not in register.index
    assert register.at["Md5", "touched"] == "2 of 2 (100%)"
    counts, alerts = views.coverage_in_view(low)
    assert alerts == 2
    assert (counts.set_index("siem_field").at["Md5", "no_graph_field"]) == 2


def test_the_legacy_counts_kept_from_an_earlier_filter_give_the_same_view(report):
    held = legacy_held(report)
    assert held.rows.shape == (len(report.alerts), len(report.fields))
    low = AlertFilter((("severity", ("low",)),))
    assert filtered(report, low, held).fields == filtered(report, low).fields


def test_a_day_range_outside_the_alerts_leaves_none(report):
    later = filtered(report, AlertFilter(first_day=date(2021, 4, 28)))
    assert later.join.matched_alerts == later.join.legacy_alerts == 0
    assert all(f.match == f.legacy_populated == 0 for f in later.fields)
    assert views.coverage_in_view(later)[1] == 0
    assert filtered(report, AlertFilter(last_day=DAY)).join.matched_alerts == MATCHED


def test_the_filter_in_words_and_unknown_attributes(report):
    text = AlertFilter((("severity", ("low", "high")),), first_day=DAY).describe()
    assert text == "severity: low, high; days 2021-04-27 to the end"
    with pytest.raises(KeyError, match="title"):
        AlertFilter((("title", ("x",)),))
    assert views.day_bounds(report) == (DAY, DAY)
