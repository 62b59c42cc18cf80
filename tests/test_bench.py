"""The benchmark harness runs end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.__main__ import main
from siem2graph.threads import THREADS_ENV


def test_bench_runs_at_a_tiny_size(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "1")
    data, out = tmp_path / "data", tmp_path / "results"
    kinds = "floor,ours,baseline,cached,threads"
    argv = ["300", "--kinds", kinds, "--data", str(data), "--out", str(out)]
    assert main([*argv, "--threads", "3"]) == 0
    written = json.loads(next(out.glob("RESULTS-*.json")).read_text(encoding="utf-8"))
    assert written["machine"]["threads"] == 3
    assert len(written["measurements"][0]["ours"]["figures_sha256"]) == 64
    summary = written["summary"][0]
    assert summary["detections"] > 0
    assert summary["floor_s"] and summary["ours_s"] and summary["baseline_compare_s"]
    assert summary["ours_peak_mb"] > 0
    assert summary["cached_over_floor"] > 0 and summary["cached_cpu_over_floor_cpu"] > 0
    assert summary["cached_other_settings_over_floor"] > 0
    assert summary["threads_1_s"] > 0 and summary["threads_2_speedup"] > 0
    cached = written["measurements"][0]["cached"]
    assert cached["parts"]["first_audit"] > 0 and set(cached["parts"]) > {"reuse", "other_settings"}
    assert cached["figures_sha256"] == written["measurements"][0]["ours"]["figures_sha256"]
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


def test_the_documents_kind_audits_the_data_as_json_documents(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "results"
    kinds = "ours,documents"
    assert main(["300", "--kinds", kinds, "--data", str(data), "--out", str(out)]) == 0
    written = json.loads(next(out.glob("RESULTS-*.json")).read_text(encoding="utf-8"))
    figures, measured = written["summary"][0], written["measurements"][0]
    assert figures["documents_s"] > 0 and figures["documents_over_floor"] > 0
    documents, ours = measured["documents"], measured["ours"]
    assert documents["parts"]["floor_legacy"] > 0 and documents["parts"]["floor_graph"] > 0
    # the same alerts matched as from the CSV and NDJSON files
    assert documents["matched_alerts"] == ours["matched_alerts"] > 0


def test_split_file_cuts_at_records_and_repeats_the_csv_header(tmp_path: Path) -> None:
    import csv

    from bench.measure import split_file

    legacy = tmp_path / "legacy.csv"
    rows = [["AlertId", "Description"]] + [[f"da{n}", f"line one\nline {n}"] for n in range(50)]
    with legacy.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    graph = tmp_path / "graph.ndjson"
    graph.write_text("".join(json.dumps({"id": f"da{n}"}) + "\n" for n in range(50)))
    parts = tmp_path / "parts"
    parts.mkdir()

    legacy_parts = split_file(legacy, parts, part_bytes=200)
    graph_parts = split_file(graph, parts, part_bytes=200)

    assert len(legacy_parts) > 1 and len(graph_parts) > 1
    read = []
    for part in legacy_parts:
        with part.open(encoding="utf-8", newline="") as source:
            header, *records = list(csv.reader(source))
        assert header == rows[0]
        read += records
    assert read == rows[1:]  # a value spanning lines is never cut
    lines = [line for p in graph_parts for line in p.read_text().splitlines()]
    assert [json.loads(line)["id"] for line in lines] == [f"da{n}" for n in range(50)]
    assert split_file(graph, parts, part_bytes=10**9) == [graph]
