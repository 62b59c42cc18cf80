"""A side that gives no alerts (a quiet window) is audited, never a traceback: every alert of the
other side is one-sided with a reason, and one input problem says why."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from siem2graph.audit import audit_sources
from siem2graph.errors import Siem2GraphError
from siem2graph.report import EXPORTERS, write_reports
from siem2graph.sources import Source
from tests.helpers import GRAPH_EXAMPLE, json_source, legacy_for_example

# What a Graph pull of a window without alerts gives: the list response with an empty value
# (Graph's documented collection shape), a bare array, or an NDJSON file with no line.
EMPTY_GRAPH = {
    "list response": b'{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata'
    b'#security/alerts_v2", "value": []}',
    "array": b"[]",
    "empty ndjson": b"",
    "blank ndjson": b"\n\n",
}
NO_GRAPH = "no Graph alerts were loaded"


def _legacy() -> Source:
    second = legacy_for_example(AlertId="da637578995287051192_1")
    return json_source("legacy.json", [legacy_for_example(), second])


@pytest.mark.parametrize("content", EMPTY_GRAPH.values(), ids=EMPTY_GRAPH)
def test_no_graph_alerts_makes_every_legacy_alert_legacy_only(content):
    report = audit_sources([_legacy()], [Source.from_bytes("graph.json", content)])
    assert report.join.graph_alerts == report.join.matched_alerts == 0
    assert report.join.legacy_only_alerts == 2
    assert set(report.alerts["reason"]) == {NO_GRAPH}
    assert [p.reason for p in report.problems if p.file == ""] == [
        f"{NO_GRAPH}: all 2 legacy alerts are legacy-only"
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [("legacy.csv", b"AlertId,AlertTitle\r\n"), ("legacy.json", b"[]"),
     ("legacy.json", b'{"results": []}')],
    ids=["header only", "array", "results"],
)  # fmt: skip
def test_a_legacy_side_without_detections_makes_every_graph_alert_graph_only(name, content):
    empty = Source.from_bytes(name, content)
    report = audit_sources([empty], [Source.from_path(GRAPH_EXAMPLE)])
    assert report.join.legacy_alerts == 0 and report.join.graph_only_alerts == 1
    reasons = [p.reason for p in report.problems]
    assert "the file holds no detections" in reasons
    assert "no legacy detections were loaded: all 1 Graph alerts are graph-only" in reasons


def test_both_sides_empty_is_an_empty_audit_that_every_format_writes(tmp_path):
    header_only = Source.from_bytes("legacy.csv", b"AlertId\n")
    report = audit_sources([header_only], [Source.from_bytes("graph.json", b"[]")])
    assert len(report.alerts) == 0
    assert [p.reason for p in report.problems if p.file == ""] == [
        NO_GRAPH,
        "no legacy detections were loaded",
    ]
    written = write_reports(report, list(EXPORTERS), tmp_path, images=False)
    assert len(written) >= len(EXPORTERS)


def test_the_api_raises_only_its_own_errors_for_unreadable_graph_files():
    for content in (b"{}", b"not json", b'{"value": 3}'):
        with pytest.raises(Siem2GraphError):
            audit_sources([_legacy()], [Source.from_bytes("graph.json", content)])


@pytest.mark.parametrize("content", EMPTY_GRAPH.values(), ids=EMPTY_GRAPH)
def test_the_cli_audits_an_empty_graph_file_exit_0(tmp_path, content):
    legacy = tmp_path / "legacy.json"
    legacy.write_bytes(json.dumps([legacy_for_example()]).encode())
    graph = tmp_path / "graph.ndjson"
    graph.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "siem2graph", "audit", "--legacy", str(legacy), "--graph",
         str(graph), "--out", str(tmp_path / "out"), "--format", "json,md", "--quiet"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "matched 0 alerts; legacy-only 1, graph-only 0" in result.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["legacy_only_alerts"][0]["reason"] == NO_GRAPH
    assert any(p["reason"].startswith(NO_GRAPH) for p in report["problems"])
    assert NO_GRAPH in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
