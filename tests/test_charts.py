"""Chart builders: tested on the figures' data, not on pixels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest

from siem2graph import charts, views
from tests.dashboard_inputs import HOSTILE_TITLE, MATCHED, dashboard_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report():
    return dashboard_report()


def test_coverage_bars_show_shares_of_every_field_with_loss_on_top(report):
    counts, _ = views.coverage_in_view(report)
    figure = charts.coverage_bars(counts)
    assert figure.layout.barmode == "stack"
    names = [trace.name for trace in figure.data]
    assert names == [label for label, _ in charts.COVERAGE_SEGMENTS.values()]
    match, mismatch = figure.data[0], figure.data[1]
    severity = list(match.y).index("Severity")
    assert (match.x[severity], mismatch.x[severity]) == pytest.approx((2 / 3, 1 / 3))
    assert mismatch.customdata[severity] == "33% (1 of 3)"
    assert {"Md5", "InternalIPV4List", "IocValue"} <= set(match.y)
    assert list(match.y)[-1] == counts["siem_field"].iloc[0]  # most lost on top
    lost = figure.data[names.index("lost: no Graph field")]
    assert lost.x[list(lost.y).index("Md5")] == 1.0
    loss_colours = {
        t.marker.color for t in figure.data if t.name.startswith(("lost", "Graph lacks"))
    }
    assert loss_colours == {charts.LOSES}


def test_timeline_stacks_matched_and_one_sided_alerts_on_whole_numbers(report):
    figure = charts.timeline(report.timeline)
    assert [trace.name for trace in figure.data] == [
        "on both sides",
        "only in the legacy export",
        "only in Graph",
    ]
    assert [sum(trace.y) for trace in figure.data] == [MATCHED, 1, 1]
    assert figure.layout.yaxis.dtick == 1 and figure.layout.yaxis.tickformat == ",d"
    assert figure.data[0].marker.color != charts.LOSES  # matched alerts are not a loss


def test_figures_do_not_depend_on_the_process_default_template(report):
    """The dashboard process sets Streamlit's template as plotly's default; the reports it
    renders must look exactly like the CLI's."""
    counts, _ = views.coverage_in_view(report)
    builders = [
        lambda: charts.coverage_bars(counts),
        lambda: charts.timeline(report.timeline),
        lambda: charts.mismatch_rates(views.mismatch_summary(report)),
        lambda: charts.mismatch_heatmap(views.mismatch_rate_by(report, "severity")),
    ]
    default = pio.templates.default
    try:
        plain = [build().to_plotly_json() for build in builders]
        import streamlit.elements.plotly_chart  # noqa: F401  (sets the "streamlit" default)

        assert pio.templates.default == "streamlit"
        assert [build().to_plotly_json() for build in builders] == plain
    finally:
        pio.templates.default = default


def test_label_margin_holds_the_longest_field_name(report):
    counts, _ = views.coverage_in_view(report)
    figure = charts.coverage_bars(counts)
    longest = max(map(len, counts["siem_field"]))  # WasExecutingWhileDetected
    assert figure.layout.margin.l >= longest * 12 * 0.55
    assert figure.layout.yaxis.automargin


def test_mismatch_rates_leave_out_uncompared_fields(report):
    summary = views.mismatch_summary(report)
    figure = charts.mismatch_rates(summary)
    bars = dict(zip(figure.data[0].y, figure.data[0].text, strict=True))
    assert bars == {"Severity": "33% (1 of 3)", "FileName": "33% (1 of 3)"}  # only fields with any


def test_mismatch_heatmap_escapes_data_labels():
    rates = pd.DataFrame(
        {"low": [0.5], HOSTILE_TITLE: [1.0]}, index=pd.Index(["Category"], name="siem_field")
    )
    rates.columns.name = "category"
    figure = charts.mismatch_heatmap(rates)
    heatmap = figure.data[0]
    assert [list(row) for row in heatmap.z] == [[0.5, 1.0]]
    assert heatmap.x[1].startswith("&lt;img")
    assert "<" not in "".join(heatmap.x)
    assert figure.layout.xaxis.title.text == "category"


def test_mismatch_heatmap_numbers_every_cell(report):
    heatmap = charts.mismatch_heatmap(views.mismatch_rate_by(report, "severity")).data[0]
    rows = dict(zip(heatmap.y, heatmap.text, strict=True))
    assert list(rows["Severity"]) == ["0%", "100%"]
    assert heatmap.texttemplate == "%{text}"


def test_the_dashboard_accent_is_the_palette_blue_and_severities_sort_by_rank():
    from siem2graph.dashboard import config_flags
    from ui.filters import ordered

    flags = config_flags(ROOT)
    assert f"--theme.light.primaryColor={charts.ACCENT}" in flags
    assert f"--theme.dark.primaryColor={charts.NEW}" in flags  # lighter blue on dark
    assert charts.ACCENT != charts.LOSES
    assert ordered("severity", ["high", "low", "Medium", "informational", "odd"]) == [
        "informational", "low", "Medium", "high", "odd"
    ]  # fmt: skip
