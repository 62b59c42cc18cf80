"""A report without its per-alert values (``--no-alert-values``): every figure, filter, export and
stored copy is the full report's; only the drill-down to an alert's own values is empty."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from siem2graph.alert_filter import AlertFilter, filtered
from siem2graph.audit import AuditOptions, audit_files, audit_sources
from siem2graph.cli import main
from siem2graph.held import held_frame, legacy_held, without_alert_values
from siem2graph.mapping import DROPPED_STATUSES
from siem2graph.merge import merge_reports
from siem2graph.report import write_reports
from siem2graph.report.audit_tables import alerts_losing_data
from siem2graph.sources import Source
from siem2graph.store.frames import ReportUnreadable, read_report, write_report
from siem2graph.store.store import open_store
from siem2graph.views import alert_field_comparison, alerts_holding, alerts_with_verdict

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
LEGACY = SAMPLE / "legacy_siem_export.csv"
GRAPH = SAMPLE / "graph_alerts_v2.json"
LEAN = AuditOptions(alert_values=False)
PSEUDONYM = re.compile(r"\b(host|user|ip|domain)-\d+\b")
TIMES = ("generated_at", "run_seconds", "generated at", "run seconds")


@pytest.fixture(scope="module")
def full():
    return audit_files([LEGACY], [GRAPH])


@pytest.fixture(scope="module")
def lean():
    return audit_sources([Source.from_path(LEGACY)], [Source.from_path(GRAPH)], options=LEAN)


def _by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({"key": "str"}).sort_values("key").reset_index(drop=True)


def _without_times(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not any(t in line for t in TIMES))


def test_the_lean_report_holds_counts_not_values(full, lean):
    assert full.values_kept and not lean.values_kept
    assert len(lean.detections) == 0 and len(lean.graph_values) == 0
    assert list(lean.detections.columns) == list(full.detections.columns)
    assert all(
        len(lean.detections[c].cat.categories) == 0
        for c in lean.detections.columns
        if isinstance(lean.detections[c].dtype, pd.CategoricalDtype)
    )  # no distinct value kept either
    expected = held_frame(full)
    assert len(expected) == full.alerts["side"].ne("graph_only").sum()  # one row per legacy alert
    pd.testing.assert_frame_equal(_by_key(lean.held), _by_key(expected))
    assert (legacy_held(lean).rows == legacy_held(full).rows).all()


def test_every_figure_and_export_is_the_full_reports(full, lean, tmp_path):
    dropped = [r for r in full.fields if r.status in DROPPED_STATUSES and r.readiness == "loses"]
    assert dropped  # the figure below counts alerts through the held counts, not the verdicts
    assert alerts_losing_data(lean) == alerts_losing_data(full) > 0
    assert lean.to_dict() | dict.fromkeys(TIMES) == full.to_dict() | dict.fromkeys(TIMES)
    formats = ("json", "csv", "md", "html")
    written = {}
    for name, report in (("full", full), ("lean", lean)):
        write_reports(report, formats, tmp_path / name, images=False)
        written[name] = {p.name: p.read_text() for p in (tmp_path / name).iterdir()}
    assert written["full"].keys() == written["lean"].keys()
    for file, text in written["full"].items():
        assert _without_times(written["lean"][file]) == _without_times(text), file
    redacted = {}
    for name, report in (("full", full), ("lean", lean)):
        write_reports(report, ("json",), tmp_path / f"{name}-redacted", redact=True, images=False)
        redacted[name] = (tmp_path / f"{name}-redacted" / "report.json").read_text()
    # pseudonyms are numbered in the order names are met, the detections' first when kept
    numbered = [PSEUDONYM.sub(r"\1-N", _without_times(redacted[n])) for n in ("full", "lean")]
    assert numbered[0] == numbered[1]


def test_filters_and_lost_value_lists_read_the_counts(full, lean):
    choice = AlertFilter(attributes=(("severity", ("High", "Medium")),))
    narrowed_full, narrowed_lean = filtered(full, choice), filtered(lean, choice)
    assert narrowed_lean.fields == narrowed_full.fields
    assert narrowed_lean.join == narrowed_full.join
    assert alerts_losing_data(narrowed_lean) == alerts_losing_data(narrowed_full)
    md5_full, total_full = alerts_holding(full, "Md5")
    md5_lean, total_lean = alerts_holding(lean, "Md5")
    assert total_lean == total_full > 0
    assert md5_lean["key"].tolist() == md5_full["key"].tolist()
    # no column of values that would read as empty
    assert "legacy_value" in md5_full.columns and "legacy_value" not in md5_lean.columns
    changed_full, count_full = alerts_with_verdict(full, "Severity")
    changed_lean, count_lean = alerts_with_verdict(lean, "Severity")
    assert count_lean == count_full > 0
    assert changed_lean.columns.tolist() == ["key", "title", "severity", "category", "host"]
    key = changed_full["key"].iloc[0]
    compared = alert_field_comparison(lean, key)
    assert compared["verdict"].tolist() == alert_field_comparison(full, key)["verdict"].tolist()
    assert "legacy_value" not in compared.columns


def test_a_merge_of_lean_or_mixed_partitions_is_the_lean_merge(full, tmp_path):
    halves = []
    legacy = pd.read_csv(LEGACY, dtype=str, keep_default_na=False)
    graph = json.loads(GRAPH.read_text(encoding="utf-8"))
    folder = tmp_path
    for half in (0, 1):
        alerts = full.alerts.iloc[half::2]
        legacy_path, graph_path = folder / f"legacy{half}.csv", folder / f"graph{half}.json"
        legacy[legacy["AlertId"].isin(set(alerts["legacy_alert_id"].dropna()))].to_csv(
            legacy_path, index=False
        )
        ids = set(alerts["graph_id"].dropna())
        records = [a for a in graph["value"] if a["id"] in ids]
        graph_path.write_text(json.dumps({"value": records}), encoding="utf-8")
        halves.append(audit_files([legacy_path], [graph_path]))
    whole = merge_reports(halves)
    lean_halves = [without_alert_values(h) for h in halves]
    for parts in (lean_halves, [halves[0], lean_halves[1]]):
        merged = merge_reports(parts)
        assert not merged.values_kept and len(merged.detections) == 0
        pd.testing.assert_frame_equal(_by_key(merged.held), _by_key(held_frame(whole)))
        assert merged.fields == whole.fields
        assert alerts_losing_data(merged) == alerts_losing_data(whole)


def test_the_store_keeps_the_counts_and_refuses_a_lean_report_without_them(full, lean, tmp_path):
    (tmp_path / "lean").mkdir()
    (tmp_path / "full").mkdir()
    sizes = write_report(lean, tmp_path / "lean")
    assert "held.arrow" in sizes
    assert "held.arrow" not in write_report(full, tmp_path / "full")
    back = read_report(tmp_path / "lean")
    assert not back.values_kept
    pd.testing.assert_frame_equal(_by_key(back.held), _by_key(lean.held), check_dtype=False)
    assert alerts_losing_data(back) == alerts_losing_data(full)
    assert read_report(tmp_path / "full").values_kept
    (tmp_path / "lean" / "held.arrow").unlink()
    with pytest.raises(ReportUnreadable):
        read_report(tmp_path / "lean")


def test_the_cli_audits_without_alert_values_into_the_store(tmp_path, capsys):
    store = tmp_path / "store"
    common = ["audit", "--legacy", str(LEGACY), "--graph", str(GRAPH), "-q", "--store", str(store)]
    assert main([*common, "--out", str(tmp_path / "full"), "--format", "json"]) == 0
    lean = [*common, "--out", str(tmp_path / "lean"), "--format", "json", "--no-alert-values"]
    assert main(lean) == 0
    documents = [
        json.loads((tmp_path / name / "report.json").read_text()) for name in ("full", "lean")
    ]
    assert documents[0] | dict.fromkeys(TIMES) == documents[1] | dict.fromkeys(TIMES)
    saved = open_store(store)
    kept = {saved.open(a.id).values_kept for a in saved.list()}
    assert kept == {True, False}
