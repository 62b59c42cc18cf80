"""Chart builders: tested on the figures' data, not on pixels."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from siem2graph import charts, views
from tests.dashboard_inputs import HOSTILE_TITLE, MATCHED, dashboard_report


@pytest.fixture(scope="module")
def report():
    return dashboard_report()


def test_coverage_bars_stack_the_verdicts_per_field(report):
    counts, _ = views.coverage_in_view(report)
    figure = charts.coverage_bars(counts)
    assert isinstance(figure, go.Figure)
    assert figure.layout.barmode == "stack"
    assert [trace.name for trace in figure.data] == [
        "match",
        "mismatch",
        "missing in Graph",
        "new in Graph",
        "unreadable",
    ]
    match, mismatch = figure.data[0], figure.data[1]
    severity = list(match.y).index("Severity")
    assert (match.x[severity], mismatch.x[severity]) == (2, 1)
    assert list(match.y)[-1] == counts["siem_field"].iloc[0]  # first field on top


def test_timeline_has_one_series_per_side(report):
    figure = charts.timeline(report.timeline)
    assert [trace.name for trace in figure.data] == [
        "legacy alerts",
        "Graph alerts",
        "matched alerts",
    ]
    assert sum(figure.data[2].y) == MATCHED


def test_mapping_sankey_links_every_field_to_its_paths(report):
    figure = charts.mapping_sankey(report)
    sankey = figure.data[0]
    labels = list(sankey.node.label)
    links = list(zip(sankey.link.source, sankey.link.target, sankey.link.label, strict=True))
    by_field = {}
    for source, target, status in links:
        by_field.setdefault(labels[source], []).append((labels[target], status))
    assert by_field["Severity"] == [("severity", "mapped")]
    assert by_field["Md5"] == [(charts.NOT_IN_GRAPH, "unsupported")]
    assert set(by_field) == {f.siem_field for f in report.fields}
    node_colours = dict(zip(labels, sankey.node.color, strict=True))
    assert node_colours["Md5"] == charts.STATUS_COLOURS["unsupported"]
    assert node_colours["severity"] == charts.PATH_COLOUR
    link_colours = dict(zip(sankey.link.label, sankey.link.color, strict=True))
    assert link_colours["unsupported"] == "rgba(198, 40, 40, 0.45)"


def test_mismatch_rates_leave_out_uncompared_fields(report):
    summary = views.mismatch_summary(report)
    figure = charts.mismatch_rates(summary)
    bars = dict(zip(figure.data[0].y, figure.data[0].x, strict=True))
    assert bars["Severity"] == pytest.approx(1 / 3)
    assert len(bars) == summary["mismatch_rate"].notna().sum()


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
