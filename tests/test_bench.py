"""The benchmark harness runs end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.__main__ import main
from siem2graph.threads import THREADS_ENV


def test_bench_runs_at_a_tiny_size(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "1")
    data, out = tmp_path / "data", tmp_path / "results"
    argv = ["300", "--kinds", "floor,ours,baseline,cached", "--data", str(data), "--out", str(out)]
    assert main([*argv, "--threads", "3"]) == 0
    written = json.loads(next(out.glob("RESULTS-*.json")).read_text(encoding="utf-8"))
    assert written["machine"]["threads"] == 3
    assert len(written["measurements"][0]["ours"]["figures_sha256"]) == 64
    summary = written["summary"][0]
    assert summary["detections"] > 0
    assert summary["floor_s"] and summary["ours_s"] and summary["baseline_compare_s"]
    assert summary["ours_peak_mb"] > 0
    assert summary["cached_over_floor"] > 0
    assert written["measurements"][0]["cached"]["parts"]["first_audit"] > 0
    assert (out / "history.csv").read_text(encoding="utf-8").count("\n") == 2


def test_a_new_column_widens_the_history_without_shifting_old_lines(tmp_path):
    from bench.results import append_history

    history = tmp_path / "history.csv"
    append_history(history, [{"date": "d1", "ours_s": 1.5}])
    append_history(history, [{"date": "d2", "ours_s": 2.5, "bridge_s": 0.7}])
    append_history(history, [{"date": "d3", "ours_s": 3.5}])
    lines = history.read_text(encoding="utf-8").splitlines()
    assert lines == ["date,ours_s,bridge_s", "d1,1.5,", "d2,2.5,0.7", "d3,3.5,"]


def test_the_store_kind_saves_reopens_and_reruns_pages(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "results"
    assert main(["300", "--kinds", "store", "--data", str(data), "--out", str(out)]) == 0
    summary = json.loads(next(out.glob("RESULTS-*.json")).read_text(encoding="utf-8"))["summary"]
    figures = summary[0]
    assert figures["store_save_s"] > 0 and figures["store_reopen_s"] > 0
    assert figures["store_mb"] > 0 and figures["store_reopen_over_audit"] > 0
    assert figures["store_page_rerun_max_s"] > 0


def test_the_tiny_kinds_audit_tiny_rows_through_the_cli(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "results"
    assert main(["500", "--kinds", "tiny,tinymatched", "--data", str(data), "--out", str(out)]) == 0
    written = json.loads(next(out.glob("RESULTS-*.json")).read_text(encoding="utf-8"))
    figures, measured = written["summary"][0], written["measurements"][0]
    assert figures["detections"] == 500
    assert figures["tiny_s"] > 0 and figures["tinymatched_s"] > 0
    assert figures["tiny_peak_mb"] > 0 and figures["tinymatched_peak_mb"] > 0
    # the CLI's report: every alert legacy-only without Graph alerts, far smaller when matched
    assert measured["tiny"]["report_bytes"] > 2 * measured["tinymatched"]["report_bytes"]
    (folder,) = data.iterdir()
    assert (folder / "legacy.csv").read_text(encoding="utf-8").count("\n") == 501
    assert (folder / "graph.ndjson").read_bytes().count(b"\n") == 500
