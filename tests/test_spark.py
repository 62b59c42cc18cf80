"""The audit on Spark gives the local engine's report, figure by figure.

The partition functions are run in-process (``in_parts``, the Spark engine's steps without
Spark) on many partitions; then Spark itself (``local[2]``) runs the CLI and the Python API.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

from bench.measure import engine_figures as figures
from siem2graph.audit import AuditOptions, audit_files
from siem2graph.cli import main
from siem2graph.errors import InputError
from siem2graph.graph.chunk import NotLines
from siem2graph.held import held_frame
from siem2graph.mapping import load_mapping
from siem2graph.merge import summed_pairs
from siem2graph.model import AuditReport
from siem2graph.report.audit_tables import alerts_losing_data
from siem2graph.spark import engine, parts
from siem2graph.spark.combine import combine
from siem2graph.spark.engine import _orders, audit_spark
from siem2graph.spark.parts import (
    FOUND,
    PAIR_ROW,
    REPORTS,
    Found,
    audit_partition,
    graph_rows,
    legacy_rows,
    packed,
    route_graph,
    unpickled,
)
from siem2graph.spark.routing import Ties, routing_keys
from siem2graph.times import SlashedOrder, parse_times
from tests.browser import free_port

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
LEGACY, GRAPH = SAMPLE / "legacy_siem_export.csv", SAMPLE / "graph_alerts_v2.json"
REALWORLD = Path(__file__).parent / "realworld"
TIED_ID = "custom-id-not-the-provider-one"


def in_parts(
    legacy: list[Path],
    graph: list[Path],
    partitions: int,
    orders: Mapping[str, SlashedOrder] | None = None,
) -> AuditReport:
    """The Spark engine's steps in this process: files read and cut, partitions audited,
    reports combined (``orders`` replaces the whole input's day/month witnesses)."""
    mapping = load_mapping()
    read = [graph_rows(p.name, p.read_bytes(), n) for n, p in enumerate(graph)]
    graph_all = pd.concat(read, ignore_index=True)
    graph_found = [unpickled(b, Found) for b in graph_all.loc[graph_all.route == FOUND, "payload"]]
    alerts = graph_all[graph_all.route != FOUND]
    tied = alerts[(alerts.tie != "") & (alerts.key != "") & (alerts.tie != alerts.key)]
    ties = Ties(zip(tied.key, tied.tie, strict=True))
    parts = [
        legacy_rows(p.name, p.read_bytes(), n, mapping, (), ties, partitions)
        for n, p in enumerate(legacy)
    ]
    legacy_all = pd.concat(parts, ignore_index=True)
    found = [unpickled(b, Found) for b in legacy_all.loc[legacy_all.route == FOUND, "payload"]]
    rows = pd.concat(
        [legacy_all[legacy_all.route != FOUND], route_graph(alerts, ties, partitions)],
        ignore_index=True,
    )
    orders = _orders(found) if orders is None else orders
    names = [p.name for p in graph]
    audited = [
        audit_partition(part, mapping, orders, names, AuditOptions())
        for _, part in rows.groupby("route")
    ]
    reports = [unpickled(a["payload"].iloc[0], AuditReport) for a in audited]
    pairs = pd.concat([a.loc[a["payload"].isna(), PAIR_ROW] for a in audited], ignore_index=True)
    engine = {"name": "spark", "master": "in-process", "partitions": partitions}
    return combine(reports, found, graph_found, AuditOptions(), engine, pairs)


def _differences(local: dict[str, Any], other: dict[str, Any]) -> list[str]:
    return [key for key in local if local[key] != other.get(key)]


def _slashed(moment: pd.Timestamp) -> str:
    """Day-first, as Excel writes it in much of the world."""
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year} {moment:%H:%M:%S}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """The sample made harder: two CSV exports whose AlertTime is day-first where the day is
    12 or less (ambiguous) and ISO elsewhere, but for one alert that alone decides the order;
    two NDJSON Graph files that repeat alerts (the second's versions newer), a broken line, a
    record without an id, and an alert whose id and providerAlertId differ."""
    folder = tmp_path_factory.mktemp("generated")
    legacy = pd.read_csv(LEGACY, dtype="str", keep_default_na=False)
    times = parse_times(legacy["AlertTime"])
    slashed = times.dt.day <= 12
    slashed[legacy.index[times.dt.day == 13][0]] = True
    legacy["AlertTime"] = times.map(lambda t: t.isoformat()).where(~slashed, times.map(_slashed))
    legacy_files = [folder / "export-1.csv", folder / "export-2.csv"]
    legacy.iloc[::2].to_csv(legacy_files[0], index=False)
    legacy.iloc[1::2].to_csv(legacy_files[1], index=False)

    alerts = orjson.loads(GRAPH.read_bytes())["value"]
    alerts[7]["id"] = TIED_ID
    cut, overlap = len(alerts) * 6 // 10, len(alerts) // 10
    first, second = alerts[:cut], alerts[cut - overlap :]
    for alert in second[:overlap]:
        alert["lastUpdateDateTime"] = "2026-12-01T00:00:00Z"
        alert["status"] = "resolved"
    lines = [orjson.dumps(a) for a in first]
    lines[5:5] = [b"{broken", b'{"title": "no id"}']
    graph_files = [folder / "alerts-1.ndjson", folder / "alerts-2.ndjson"]
    graph_files[0].write_bytes(b"\n".join(lines) + b"\n")
    graph_files[1].write_bytes(b"\n".join(orjson.dumps(a) for a in second) + b"\n")
    return legacy_files, graph_files


def test_routing_keys_drop_case_space_and_every_da_prefix():
    keys = routing_keys(pd.Series([" DA636_1 ", "636_1", "dada636_1", None], dtype="str"))
    assert keys.tolist() == ["636_1", "636_1", "636_1", ""]


def test_a_report_travels_compressed_and_comes_back_whole():
    """A partition's report crosses the JVM twice (to disk and back): it goes compressed."""
    report = audit_files([LEGACY], [GRAPH])
    payload = packed(report)
    assert len(payload) < len(pickle.dumps(report)) / 3
    back = unpickled(payload, AuditReport)
    assert figures(back.to_dict()) == figures(report.to_dict())
    with pytest.raises(TypeError, match="other than a Found"):
        unpickled(payload, Found)


def test_tied_keys_route_together_in_every_process():
    ties = Ties([("b", "a"), ("c", "b"), ("x", "y")])
    assert ties.group == {"a": "a", "b": "a", "c": "a", "x": "x", "y": "x"}
    routes = ties.routes(pd.Series(["a", "b", "c", "x", "y", "z"]), 7)
    assert routes.iloc[0] == routes.iloc[1] == routes.iloc[2]
    assert routes.iloc[3] == routes.iloc[4]
    assert (
        routes.tolist()
        == Ties([("x", "y"), ("b", "a"), ("c", "a")])
        .routes(pd.Series(["a", "b", "c", "x", "y", "z"]), 7)
        .tolist()
    )


@pytest.mark.parametrize("partitions", [4])
def test_partitions_give_the_local_report_on_the_sample(partitions):
    local = figures(audit_files([LEGACY], [GRAPH]).to_dict())
    assert _differences(local, figures(in_parts([LEGACY], [GRAPH], partitions).to_dict())) == []


def test_partitions_give_the_local_report_on_alerts_split_across_them(generated):
    legacy, graph = generated
    report = audit_files(legacy, graph)
    local = figures(report.to_dict())
    # the data exercise what partitions could get wrong
    assert report.join.matched_by_provider_id >= 1
    assert any("appears again" in p.reason for p in report.problems)
    assert any("invalid JSON" in p.reason for p in report.problems)
    assert report.field("AlertTime").unreadable == 0
    parted = in_parts(legacy, graph, 4)
    assert _differences(local, figures(parted.to_dict())) == []
    assert parted.engine == {"name": "spark", "master": "in-process", "partitions": 4}


def test_partitions_read_ambiguous_dates_as_the_whole_input_does(generated):
    legacy, graph = generated
    alone = in_parts(legacy, graph, 4, orders={})  # each partition decides for itself
    assert _differences(figures(audit_files(legacy, graph).to_dict()), figures(alone.to_dict()))


def _written_lines(repeat: bool) -> list[bytes]:
    """The sample's alerts as NDJSON another tool wrote (spaced, non-ASCII escaped), with a
    line without id, one whose keys were renamed (``Id``) and, if ``repeat``, one repeating a
    key."""
    alerts = orjson.loads(GRAPH.read_bytes())["value"]
    lines = [json.dumps(a, separators=(", ", " : ")).encode() for a in alerts]
    lines[3] = b'{"title": "no id"}'
    lines[5] = json.dumps({k[0].upper() + k[1:]: v for k, v in alerts[5].items()}).encode()
    if repeat:
        lines[7] = lines[7][:-1] + b', "title" : "again"}'
    return lines


def _parsed_line_by_line(*_args: object) -> None:
    raise NotLines("the per-line path")


@pytest.mark.parametrize("end", [b"\n", b"\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("repeat", [False, True], ids=["clean", "a key repeated"])
def test_graph_lines_read_by_arrow_give_the_rows_of_the_per_line_path(
    repeat, end, monkeypatch, tmp_path
):
    lines = _written_lines(repeat)
    content = end.join(lines) + end
    fast = graph_rows("g.ndjson", content, 0)
    with monkeypatch.context() as patched:
        patched.setattr(parts, "arrow_alerts", _parsed_line_by_line)
        parsed = graph_rows("g.ndjson", content, 0)
    found = unpickled(fast["payload"].iloc[0], Found)
    assert found == unpickled(parsed["payload"].iloc[0], Found)
    assert [p.line for p in found.problems] == ([4, 6, 8] if repeat else [4, 6])
    columns = ["route", "side", "file", "number", "key", "tie"]
    pd.testing.assert_frame_equal(fast[columns], parsed[columns])
    payloads = [fast["payload"][1:], parsed["payload"][1:]]
    assert [orjson.loads(p) for p in payloads[0]] == [orjson.loads(p) for p in payloads[1]]
    # Arrow read the clean batch and kept its lines as written; the other was parsed
    assert (payloads[0].iloc[0] == lines[0]) is not repeat
    graph = tmp_path / "g.ndjson"
    graph.write_bytes(content)
    local = figures(audit_files([LEGACY], [graph]).to_dict())
    assert _differences(local, figures(in_parts([LEGACY], [graph], 3).to_dict())) == []


def test_a_broken_line_ending_in_cr_is_reported_as_locally(tmp_path):
    lines = _written_lines(repeat=False)
    lines[2] = b'{"id": "broken", "title": 1'  # orjson's message counts the CR
    graph = tmp_path / "g.ndjson"
    graph.write_bytes(b"\r\n".join(lines) + b"\r\n")
    local = audit_files([LEGACY], [graph])
    assert "column 29" in next(p.reason for p in local.problems if p.line == 3)
    assert (
        _differences(figures(local.to_dict()), figures(in_parts([LEGACY], [graph], 3).to_dict()))
        == []
    )


@pytest.fixture(scope="module")
def spark():
    from siem2graph.spark.session import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def test_cli_audit_on_spark_writes_the_local_report(spark, tmp_path, capsys):
    local, on_spark = tmp_path / "local", tmp_path / "spark"
    common = ["--graph", str(GRAPH), "-q"]
    assert main(["audit", "--legacy", str(LEGACY), *common, "--out", str(local)]) == 0
    # a URI as a lake holds the files (file:// here): its '//' reaches Spark unfolded
    uri = f"file://{LEGACY}"
    spark_run = ["audit", "--legacy", uri, *common, "--out", str(on_spark), "--spark", "local[2]"]
    assert main(spark_run) == 0
    expected = json.loads((local / "report.json").read_text())
    written = json.loads((on_spark / "report.json").read_text())
    assert _differences(figures(expected), figures(written)) == []
    assert written["engine"] == {"name": "spark", "master": "local[2]", "partitions": 2}
    assert expected["engine"]["name"] == "local"


@pytest.mark.parametrize(
    ("given", "read", "uri"),
    [
        ("s3a://bucket/exports/legacy.csv", "s3a://bucket/exports/legacy.csv", True),
        ("abfss://lake@account.dfs.core.windows.net/graph/", None, True),
        ("dbfs:/mnt/exports/legacy.csv", None, True),
        ("file:/tmp/legacy.csv", None, True),
        ("sample_data/legacy_siem_export.csv", str(LEGACY), False),  # here, in the repository
        ("Files/exports/legacy.csv", None, False),  # not here: Spark's default file system's
        ("/data/legacy.csv", None, False),
        ("C:/exports/legacy.csv", None, False),  # a drive, no scheme
        (Path("s3a://bucket/legacy.csv"), "s3a:/bucket/legacy.csv", False),  # folded already
    ],
)
def test_uris_reach_spark_as_given_and_local_paths_absolute(given, read, uri, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert engine._location(given) == (read or given)
    assert engine.is_uri(given) is uri


def test_the_local_engine_refuses_a_uri_and_names_spark(tmp_path, capsys):
    code = main(["audit", "--legacy", "s3a://bucket/x.csv", "--graph", str(GRAPH),
                 "--out", str(tmp_path), "-q"])  # fmt: skip
    assert code == 2
    assert "s3a://bucket/x.csv is a URI" in capsys.readouterr().err


def test_a_side_with_no_alerts_gives_the_local_problems_in_parts(tmp_path):
    empty = tmp_path / "alerts.json"
    empty.write_text("[]")
    report = audit_files([LEGACY], [empty])
    problems = [p.reason for p in report.problems]
    assert "the file holds no alerts" in problems
    assert any(p.startswith("no Graph alerts were loaded: all ") for p in problems)
    assert (
        _differences(figures(report.to_dict()), figures(in_parts([LEGACY], [empty], 3).to_dict()))
        == []
    )


def test_spark_audits_inputs_without_any_alert_as_the_local_engine_does(spark, tmp_path):
    legacy, graph = tmp_path / "export.csv", tmp_path / "alerts.json"
    legacy.write_text(LEGACY.read_text().splitlines()[0] + "\n")  # the header alone
    graph.write_text("[]")
    local = audit_files([legacy], [graph])
    assert len(local.problems) == 4  # each file empty, and each side without alerts
    on_spark = audit_spark([legacy], [graph], spark=spark, partitions=2)
    assert _differences(figures(local.to_dict()), figures(on_spark.to_dict())) == []


def test_spark_session_audits_split_alerts_and_real_payloads(spark, generated, monkeypatch):
    legacy, graph = generated
    report = audit_spark(legacy, graph, spark=spark, partitions=5)
    local = figures(audit_files(legacy, graph).to_dict())
    assert _differences(local, figures(report.to_dict())) == []
    # by default, one partition per PARTITION_BYTES of input: many where the input is large
    size = sum(Path(p).stat().st_size for p in [*legacy, *graph])
    monkeypatch.setattr(engine, "PARTITION_BYTES", size // 7 + 1)
    by_size = audit_spark(legacy, graph, spark=spark)
    assert by_size.engine["partitions"] == 7
    assert _differences(local, figures(by_size.to_dict())) == []
    real_legacy = sorted((REALWORLD / "rapid7_insightconnect_microsoft_atp").glob("*.json"))
    real_graph = [REALWORLD / "microsoft_docs" / "graph_alerts_v2_example_get.json"]
    real = audit_spark(real_legacy, real_graph, spark=spark)
    expected = figures(audit_files(real_legacy, real_graph).to_dict())
    assert _differences(expected, figures(real.to_dict())) == []


def test_spark_audits_without_alert_values_keeping_the_local_counts(spark, generated):
    legacy, graph = generated
    options = AuditOptions(alert_values=False)
    report = audit_spark(legacy, graph, spark=spark, options=options, partitions=3)
    local = audit_files(legacy, graph)
    assert not report.values_kept
    assert len(report.detections) == 0 and len(report.graph_values) == 0
    assert _differences(figures(local.to_dict()), figures(report.to_dict())) == []
    by_key = ["key"]
    expected = held_frame(local).sort_values(by_key, ignore_index=True)
    pd.testing.assert_frame_equal(
        report.held.sort_values(by_key, ignore_index=True), expected, check_dtype=False
    )
    assert alerts_losing_data(report) == alerts_losing_data(local) > 0


def test_folders_are_read_file_by_file_as_a_lake_holds_them(
    spark, generated, tmp_path, monkeypatch
):
    """A folder (a lake's table of part files) is its files, each its own input by name, in
    path order, as if each had been given."""
    legacy, graph = generated
    folders = {"legacy": tmp_path / "legacy", "graph": tmp_path / "graph"}
    for side, files in (("legacy", legacy), ("graph", graph)):
        folders[side].mkdir()
        for file in reversed(files):  # written in the other order: read by path
            (folders[side] / file.name).write_bytes(file.read_bytes())
        (folders[side] / "_SUCCESS").write_bytes(b"")  # hidden, as the local reader hides it
    local = audit_files(legacy, graph)
    on_spark = audit_spark([str(folders["legacy"])], [folders["graph"]], spark=spark)
    assert on_spark.inputs == local.inputs
    assert [f.name for f in on_spark.inputs] == [p.name for p in (*legacy, *graph)]
    assert _differences(figures(local.to_dict()), figures(on_spark.to_dict())) == []
    twice = [legacy[0], legacy[0]]  # one file, given twice
    local_twice = audit_files(twice, graph)
    on_spark_twice = audit_spark(twice, graph, spark=spark)
    assert on_spark_twice.inputs == local_twice.inputs
    assert on_spark_twice.join.legacy_rows == 2 * local_twice.inputs[0].rows_kept
    assert _differences(figures(local_twice.to_dict()), figures(on_spark_twice.to_dict())) == []
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty holds no file to read"):
        audit_spark([tmp_path / "empty"], graph, spark=spark)
    with pytest.raises(InputError, match=r"Spark cannot read .*missing\.csv: .*does not exist"):
        audit_spark([tmp_path / "missing.csv"], graph, spark=spark)
    size = graph[0].stat().st_size
    with monkeypatch.context() as patched:
        patched.setattr(engine, "FILE_BYTES_MAX", size - 1)
        with pytest.raises(InputError, match=rf"alerts-1.ndjson holds {size:,} bytes: .* split -C"):
            audit_spark([folders["legacy"]], [folders["graph"]], spark=spark)


def test_a_file_that_lands_after_the_listing_stops_the_audit_by_name(
    spark, generated, monkeypatch, tmp_path
):
    """Spark lists a folder, then reads it: a file that landed in between is an input error,
    neither read in silence nor left out."""
    legacy, graph = generated
    folder = tmp_path / "graph"
    folder.mkdir()
    for file in graph:
        (folder / file.name).write_bytes(file.read_bytes())
    listed = engine._listing

    def before_the_last_landed(session, given):  # the folder as it was listed
        held = listed(session, given)
        if given != [folder]:
            return held
        return engine._Listing(held.paths[:1], held.given[:1], held.names[:1], held.size)

    monkeypatch.setattr(engine, "_listing", before_the_last_landed)
    with pytest.raises(InputError, match=r"alerts-2\.ndjson appeared after the files were listed"):
        audit_spark(legacy, [folder], spark=spark)


def test_each_partition_is_audited_once(spark, generated, monkeypatch, tmp_path):
    """The partitions' audits run once each: orderBy's sampling once ran every one of them
    before its sort ran them again."""
    calls = tmp_path / "calls"
    calls.mkdir()

    def counted(rows: pd.DataFrame, *args: Any) -> pd.DataFrame:
        answer = audit_partition(rows, *args)
        (calls / f"{os.getpid()}-{len(list(calls.iterdir()))}-{answer.route[0]}").touch()
        return answer

    monkeypatch.setattr(engine, "audit_partition", counted)  # shipped to the workers by value
    legacy, graph = generated
    report = audit_spark(legacy, graph, spark=spark, partitions=5)
    routes = sorted(int(name.name.rsplit("-", 1)[1]) for name in calls.iterdir())
    assert routes == sorted(set(routes)) and 1 < len(routes) <= 5
    assert report.join == audit_files(legacy, graph).join


def test_spark_keeps_the_top_pairs_the_driver_ranks_first(spark):
    """Spark sums the partitions' value pairs and cuts each field's list as ``summed_pairs``
    ranks it: by count, then the texts in byte order (case, accents), then the verdict; the
    example alerts are the first partition's."""
    report = audit_files([LEGACY], [GRAPH])
    rows = pd.DataFrame(
        [  # route, then PAIR_ROW
            (0, "Severity", "High", "medium", False, "mismatch", 2, "a0"),
            (1, "Severity", "High", "medium", False, "mismatch", 1, "a1"),
            (1, "Severity", "Low", "high", False, "mismatch", 3, "b1"),
            (0, "Severity", "Low", "h\u00efgh", False, "mismatch", 3, "c0"),
            (2, "Severity", "Low", "Zed", False, "mismatch", 3, "d2"),
            (0, "Severity", "Low", "Zed", False, "missing_in_graph", 3, "e0"),
            (0, "Category", "Malware", "Execution", True, "match", 1, "f0"),
        ],
        columns=["route", *PAIR_ROW],
    )
    schema = "route int, " + REPORTS.split(", ", 2)[2]
    for given, top in [(rows, 1), (rows, 2), (rows, 3), (rows, None), (rows.iloc[:0], 2)]:
        expected = summed_pairs([given[PAIR_ROW]], report, top)
        kept = summed_pairs(
            [engine._top_pairs(spark.createDataFrame(given, schema), top)], report, top
        )
        assert kept.to_dict("records") == expected.to_dict("records")
        counts = ["found", "alerts"]  # typed when empty too: the report's tables filter on them
        assert kept[counts].dtypes.to_dict() == expected[counts].dtypes.to_dict()
    two = summed_pairs([rows[PAIR_ROW]], report, 2)
    assert two[["graph_value", "alerts", "example_alerts"]].values.tolist() == [
        ["Execution", 1, "f0"],  # Category comes first in the mapping
        ["medium", 3, "a0"],
        ["Zed", 3, "d2"],  # 'Z' sorts before 'h'; a mismatch before a missing value
    ]


def test_spark_without_pyspark_exits_2_with_the_install_command(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    args = ["audit", "--legacy", str(LEGACY), "--graph", str(GRAPH), "--out", str(tmp_path)]
    assert main([*args, "--spark", "local[2]"]) == 2
    assert "pip install 'siem2graph[spark]'" in capsys.readouterr().err
    with pytest.raises(InputError, match=re.escape("pip install 'siem2graph[spark]'")):
        audit_spark([LEGACY], [GRAPH], master="local[2]")  # the Python API says the same


def test_a_local_driver_gets_half_the_memory_and_at_least_four_gib(monkeypatch):
    from siem2graph.spark import session

    page, pages = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_PHYS_PAGES")
    assert session.local_driver_memory() == f"{max(4, page * pages // 2 >> 30)}g"
    monkeypatch.setattr(
        session.os, "sysconf", lambda name: 4096 if name == "SC_PAGE_SIZE" else 2**18
    )
    assert session.local_driver_memory() == "4g"  # a 1 GiB machine: the floor


def test_the_engine_shipped_to_the_workers_is_removed_when_the_process_ends(tmp_path):
    script = (
        "from siem2graph.spark.session import shipped, spark_session\n"
        "spark = spark_session('local[1]')\n"
        "shipped(spark)\n"
        "import glob, tempfile\n"
        "print(*glob.glob(tempfile.gettempdir() + '/siem2graph-spark-*/siem2graph.zip'))\n"
        "spark.stop()\n"
    )
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1].endswith("siem2graph.zip")  # it was there while running
    assert not list(tmp_path.glob("siem2graph-spark-*"))


def test_the_cli_names_a_path_spark_cannot_read_without_javas_trace(tmp_path):
    missing = tmp_path / "missing.csv"
    done = subprocess.run(
        [sys.executable, "-m", "siem2graph", "audit", "--legacy", str(missing), "--graph",
         str(GRAPH), "--out", str(tmp_path), "--no-store", "--spark", "local[1]"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"siem2graph: error: Spark cannot read {missing}: [PATH_NOT_FOUND]" in done.stderr
    assert "FileNotFoundException" not in done.stderr  # Spark's warning, with its Java trace


@pytest.fixture
def standalone(tmp_path):
    """A Spark standalone master and one worker (their own JVMs, as on a cluster's machines):
    executors run in the worker's folder, where the engine is importable only from the zip the
    driver ships."""
    from pyspark.find_spark_home import _find_spark_home

    spark_class = Path(_find_spark_home()) / "bin" / "spark-class"
    port, ui = free_port(), free_port()
    master = f"spark://127.0.0.1:{port}"
    started = []
    commands = [
        ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
         "--webui-port", str(ui)],
        ["org.apache.spark.deploy.worker.Worker", master, "--host", "127.0.0.1", "--cores", "2",
         "--memory", "2g", "--work-dir", str(tmp_path / "work"), "--webui-port", str(free_port())],
    ]  # fmt: skip
    for number, command in enumerate(commands):
        log = (tmp_path / f"daemon-{number}.log").open("w")
        started.append(subprocess.Popen([str(spark_class), *command], stdout=log, stderr=log))
    logs = [tmp_path / f"daemon-{n}.log" for n in range(len(commands))]
    deadline = time.monotonic() + 90
    while "Successfully registered with master" not in logs[1].read_text():
        assert time.monotonic() < deadline, logs[1].read_text()[-2000:]
        assert all(p.poll() is None for p in started), [log.read_text()[-2000:] for log in logs]
        time.sleep(0.5)
    yield master, tmp_path / "work"
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def _audit_on(
    master: str, out: Path, python: Path | str, graph: Path = GRAPH, *settings: str
) -> subprocess.CompletedProcess[str]:
    """The CLI's audit of the sample on ``master``, its executors running ``python``."""
    return subprocess.run(
        [sys.executable, "-m", "siem2graph", "audit", "--legacy", str(LEGACY), "--graph",
         str(graph), "--out", str(out), "--no-store", "--format", "json", "--spark", master,
         *settings],
        cwd=ROOT, env={**os.environ, "PYSPARK_PYTHON": str(python)}, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip


def test_a_standalone_cluster_audits_with_the_engine_it_was_shipped(standalone, tmp_path):
    master, work = standalone
    bare = tmp_path / "bare"  # a Python without the engine's dependencies, as a new node has
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    refused = _audit_on(master, tmp_path / "refused", bare / "bin" / "python")
    assert refused.returncode == 2, refused.stderr[-3000:]
    assert "siem2graph: error: Spark's executors cannot import " in refused.stderr
    assert "pip install 'siem2graph[spark]' on every node" in refused.stderr
    assert "Traceback" not in refused.stderr
    out = tmp_path / "out"
    done = _audit_on(master, out, sys.executable)  # a cluster's Python with the dependencies
    assert done.returncode == 0, done.stderr[-3000:]
    written = json.loads((out / "report.json").read_text())
    assert written["engine"]["master"] == master
    expected = figures(audit_files([LEGACY], [GRAPH]).to_dict())
    assert _differences(expected, figures(written)) == []
    # the executors ran in the worker's folder, and read the mapping's files from the zip
    assert list(work.glob("app-*/*/siem2graph.zip"))
    assert list(work.glob("app-*/*/siem2graph-mapping-*/graph_v1.yaml"))
    # a 64 MB file on executors of Spark's least memory: the advice, not a Java trace
    large = tmp_path / "large.ndjson"
    lines = b"\n".join(orjson.dumps(a) for a in orjson.loads(GRAPH.read_bytes())["value"])
    large.write_bytes((lines + b"\n") * (-(-(64 << 20) // (len(lines) + 1))))
    small = ("--spark-conf", "spark.executor.memory=512m")
    starved = _audit_on(master, tmp_path / "starved", sys.executable, large, *small)
    assert starved.returncode == 2, starved.stderr[-3000:]
    assert "siem2graph: error: Spark's executors ran out of memory" in starved.stderr
    assert "--spark-conf spark.executor.memory=4g" in starved.stderr


def test_spark_settings_need_spark_and_a_key(capsys):
    common = ["audit", "--legacy", str(LEGACY), "--graph", str(GRAPH), "--out", "unused"]
    assert main([*common, "--spark-conf", "spark.executor.memory=4g"]) == 2
    assert "--spark-conf need --spark MASTER" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main([*common, "--spark", "local[1]", "--spark-conf", "spark.executor.memory"])
    assert exited.value.code == 2
    assert "expected KEY=VALUE, got 'spark.executor.memory'" in capsys.readouterr().err
