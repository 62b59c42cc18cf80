"""One measurement in its own process: ``python -m bench.measure KIND LEGACY GRAPH``.

Prints one JSON object: wall and CPU seconds of the measured work, its parts, and the process's
peak resident memory (the high-water mark of this process alone).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import resource
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv

# Spark's binaryFile source reads a file as one value, under 2 GiB: a lake holds many files
PART_BYTES = 64 * 2**20  # 256 MB files ran a 4 GiB local driver out of heap (docs/scale.md)
FIGURES = (
    "join", "headline", "fields", "value_pairs", "legacy_only_alerts", "graph_only_alerts",
    "problems", "unmapped_legacy_columns", "unmapped_graph_paths", "timeline",
)  # fmt: skip


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds) of ``work()``."""
    wall, cpu = time.perf_counter(), _cpu()
    result = work()
    return result, time.perf_counter() - wall, _cpu() - cpu


def read_csv_text(path: Path) -> pa.Table:
    """The CSV with every column as text (as the engine reads it), values may span lines."""
    with path.open(encoding="utf-8", newline="") as stream:
        names = next(csv.reader(stream))
    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    )


def parse_csv(path: Path) -> int:
    return read_csv_text(path).num_rows


def parse_ndjson(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for line in stream:
            orjson.loads(line)
            count += 1
    return count


def floor(legacy: Path, graph: Path) -> dict[str, Any]:
    """Parsing only: pyarrow's CSV reader and orjson over the NDJSON lines."""
    rows, csv_wall, csv_cpu = timed(lambda: parse_csv(legacy))
    alerts, json_wall, json_cpu = timed(lambda: parse_ndjson(graph))
    return {
        "seconds": csv_wall + json_wall,
        "cpu_seconds": csv_cpu + json_cpu,
        "parts": {"csv": csv_wall, "ndjson": json_wall},
        "rows": rows,
        "records": alerts,
    }


def ours(legacy: Path, graph: Path) -> dict[str, Any]:
    """The whole audit through the public API, phase by phase."""
    from siem2graph.audit import audit_files

    report, wall, cpu = timed(lambda: audit_files([legacy], [graph]))
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "parts": dict(report.phase_seconds),
        "matched_alerts": report.join.matched_alerts,
        "figures_sha256": figures_digest(report.to_dict()),
    }


def cached(legacy: Path, graph: Path) -> dict[str, Any]:
    """A re-audit of the same files and settings, read back from the cache a first audit filled
    (the first one untimed but for its total); and one with other options, which reads both
    sides' parsed inputs from that cache but compares again (``parts.other_settings``)."""
    import tempfile

    from siem2graph.audit import AuditOptions, audit_files, audit_sources
    from siem2graph.graph.parsed_cache import ParsedCache
    from siem2graph.pairs import TOP_PAIRS
    from siem2graph.sources import Source

    with tempfile.TemporaryDirectory() as folder:
        cache = ParsedCache(Path(folder))
        _, first_wall, _ = timed(lambda: audit_files([legacy], [graph], cache=cache))
        report, wall, cpu = timed(lambda: audit_files([legacy], [graph], cache=cache))
        stored = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
        other = AuditOptions(top_pairs=TOP_PAIRS + 1)
        compared, other_wall, _ = timed(
            lambda: audit_sources(
                [Source.from_path(legacy)], [Source.from_path(graph)], options=other, cache=cache
            )
        )
    parts = {"first_audit": first_wall, **report.phase_seconds, "other_settings": other_wall}
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "parts": parts | {f"other_settings_{k}": v for k, v in compared.phase_seconds.items()},
        "cache_bytes": stored,
        "figures_sha256": figures_digest(report.to_dict()),
    }


def _as_json_array(csv_path: Path, out: Path) -> None:
    """The export as a JSON array of records, every value a text (as a script writes it)."""
    table = read_csv_text(csv_path)
    with out.open("wb") as stream:
        stream.write(b"[")
        first = True
        for batch in table.to_batches(max_chunksize=20_000):
            for record in batch.to_pylist():
                stream.write((b"" if first else b",") + orjson.dumps(record))
                first = False
        stream.write(b"]")


def _as_list_response(ndjson: Path, out: Path) -> None:
    """The NDJSON alerts as one Graph list response on one line (as a script saves it)."""
    with ndjson.open("rb") as lines, out.open("wb") as stream:
        stream.write(b'{"@odata.context":"bench","value":[')
        first = True
        for line in lines:
            if line.strip():
                stream.write((b"" if first else b",") + line.rstrip(b"\r\n"))
                first = False
        stream.write(b"]}")


def documents(legacy: Path, graph: Path) -> dict[str, Any]:
    """The audit of the same data as JSON documents: the export as a JSON array, the Graph
    alerts as one list response on one line (converted untimed). Its floor (``parts``) is
    orjson parsing each document whole, the collector off: no Python reader goes quicker."""
    import gc
    import tempfile

    from siem2graph.audit import audit_files

    with tempfile.TemporaryDirectory(dir=legacy.parent) as folder:
        legacy_json, graph_json = Path(folder) / "legacy.json", Path(folder) / "graph.json"
        _as_json_array(legacy, legacy_json)
        _as_list_response(graph, graph_json)
        floors = {}
        for name, path in (("floor_legacy", legacy_json), ("floor_graph", graph_json)):
            gc.disable()
            _, floors[name], _ = timed(lambda path=path: orjson.loads(path.read_bytes()))
            gc.enable()
            gc.collect()
        report, wall, cpu = timed(lambda: audit_files([legacy_json], [graph_json]))
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "parts": floors | dict(report.phase_seconds),
        "matched_alerts": report.join.matched_alerts,
        "figures_sha256": figures_digest(report.to_dict()),
    }


def threads(legacy: Path, graph: Path) -> dict[str, Any]:
    """The audit with every pool at 1 thread and at 2, alternately twice (best of each kept):
    what a second core buys. ``seconds`` is the 2-thread time."""
    from siem2graph.audit import audit_files
    from siem2graph.threads import THREADS_ENV

    best: dict[str, float] = {}
    for count in ("1", "2", "1", "2"):
        os.environ[THREADS_ENV] = count
        _, wall, _ = timed(lambda: audit_files([legacy], [graph]))
        best[f"threads_{count}"] = min(wall, best.get(f"threads_{count}", wall))
    return {"seconds": best["threads_2"], "cpu_seconds": None, "parts": best}


def _peak_mb(pid: int) -> float | None:
    """A process's peak resident memory (Linux' VmHWM), None where it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
    return int(line.split()[1]) / 1024 if line else None


def split_file(path: Path, folder: Path, part_bytes: int = PART_BYTES) -> list[Path]:
    """``path`` cut at record boundaries into files of about ``part_bytes`` each in ``folder``
    (a CSV's header starts each part; NDJSON is cut between lines). The file itself when it is
    no larger."""
    if path.stat().st_size <= part_bytes:
        return [path]
    parts: list[Path] = []
    is_csv = path.suffix.lower() == ".csv"
    with path.open(encoding="utf-8", newline="") as source:
        records = csv.reader(source) if is_csv else iter(source)
        header = next(records) if is_csv else None
        out, writer = None, None
        for record in records:
            if out is None or out.tell() >= part_bytes:
                if out is not None:
                    out.close()
                parts.append(folder / f"{path.stem}-{len(parts):03d}{path.suffix}")
                out = parts[-1].open("w", encoding="utf-8", newline="")
                writer = csv.writer(out, lineterminator="\r\n") if is_csv else None
                if writer is not None:
                    writer.writerow(header)
            if writer is not None:
                writer.writerow(record)
            else:
                out.write(record)
        if out is not None:
            out.close()
    return parts


def spark(legacy: Path, graph: Path, alert_values: bool = True) -> dict[str, Any]:
    """The audit on Spark local[2] (the session's start timed apart); the driver's peak (this
    Python process, read before the local audit runs in it) and the JVM's (the gateway process;
    its Python workers not counted). Files
    larger than PART_BYTES are cut into parts first (untimed), as a lake holds them; the local
    engine then audits the same parts, and ``same_figures`` says whether both reports agree on
    every figure (``engine_figures``: examples and row order aside; ``parts.local`` its time).
    ``alert_values``: False audits as ``--no-alert-values`` does (the local audit keeps them)."""
    import tempfile

    from siem2graph.audit import AuditOptions, audit_files
    from siem2graph.spark.engine import audit_spark
    from siem2graph.spark.session import spark_session

    with tempfile.TemporaryDirectory(dir=legacy.parent) as folder:
        legacy_parts = split_file(legacy, Path(folder))
        graph_parts = split_file(graph, Path(folder))
        session, start_wall, _ = timed(lambda: spark_session("local[2]"))
        options = AuditOptions(alert_values=alert_values)
        report, wall, cpu = timed(
            lambda: audit_spark(legacy_parts, graph_parts, spark=session, options=options)
        )
        driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        jvm = _peak_mb(session.sparkContext._gateway.proc.pid)  # pyspark offers no handle
        session.stop()
        figures = figures_digest(report.to_dict())
        comparable = engine_figures(report.to_dict())
        report_phases, matched = dict(report.phase_seconds), report.join.matched_alerts
        engine = dict(report.engine)
        del report
        local, local_wall, _ = timed(lambda: audit_files(legacy_parts, graph_parts))
        same = engine_figures(local.to_dict()) == comparable
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "parts": {"session_start": start_wall, "local": local_wall, **report_phases},
        "matched_alerts": matched,
        "driver_peak_mb": driver,
        "jvm_peak_mb": jvm,
        "engine": engine,
        "files": {"legacy": len(legacy_parts), "graph": len(graph_parts)},
        "figures_sha256": figures,
        "same_figures": same,
    }


def bridge(_legacy: Path, graph: Path) -> dict[str, Any]:
    """The bridge feed: the Graph file converted to SIEM API records (NDJSON), beside the
    NDJSON parse floor of the same file."""
    import tempfile

    from siem2graph.bridge.convert import convert
    from siem2graph.mapping import load_mapping
    from siem2graph.sources import Source

    _, floor_wall, _ = timed(lambda: parse_ndjson(graph))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "feed.ndjson"
        result, wall, cpu = timed(
            lambda: convert([Source.from_path(graph)], out, "ndjson", load_mapping())
        )
        written = out.stat().st_size
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "parts": {"ndjson_floor": floor_wall},
        "alerts": result.alerts,
        "records": result.records,
        "bytes_written": written,
    }


def _audit_and_save(legacy: Path, graph: Path, folder: str) -> tuple[Any, float, float]:
    """(catalog row, audit seconds, save seconds); the audited report is gone on return."""
    from siem2graph.audit import audit_files
    from siem2graph.store import open_store

    report, audit_wall, _ = timed(lambda: audit_files([legacy], [graph]))
    saved, save_wall, _ = timed(lambda: open_store(folder).save(report))
    return saved, audit_wall, save_wall


def store(legacy: Path, graph: Path) -> dict[str, Any]:
    """The audit store: save the audit, reopen it in a fresh store (no cache), and page reruns
    on the reopened report. ``seconds`` is the reopen time."""
    import tempfile

    from bench.pages import time_report_pages
    from siem2graph.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        saved, audit_wall, save_wall = _audit_and_save(legacy, graph, folder)
        reopened, reopen_wall, reopen_cpu = timed(lambda: open_store(folder).open(saved.id))
        pages = time_report_pages(reopened)
    return {
        "seconds": reopen_wall,
        "cpu_seconds": reopen_cpu,
        "parts": {"audit": audit_wall, "save": save_wall, "reopen": reopen_wall},
        "stored_bytes": saved.stored_bytes,
        "reopen_over_audit": reopen_wall / audit_wall,
        "page_rerun_max_s": pages["seconds"],
        "pages": pages["parts"],
    }


_EXAMPLE = re.compile(r"e\.g\. '.*?'; ")  # an unreadable value's example, in its problem


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def engine_figures(report: dict[str, Any]) -> dict[str, Any]:
    """report.json without times, the engine and examples (which value or alert is shown
    first depends on the order alerts are met); rows of one-sided alerts, pairs and problems
    in one order: what two engines auditing the same files must agree on exactly."""
    out = {k: v for k, v in report.items() if k not in ("generated_at", "run_seconds", "engine")}
    out["fields"] = [
        {k: v for k, v in f.items() if k not in ("examples", "unreadable_example")}
        for f in report["fields"]
    ]
    out["value_pairs"] = _sorted(
        [{k: v for k, v in p.items() if k != "example_alerts"} for p in report["value_pairs"]]
    )
    out["unmapped_legacy_columns"] = [
        {k: v for k, v in c.items() if k != "examples"} for c in report["unmapped_legacy_columns"]
    ]
    for key in ("legacy_only_alerts", "graph_only_alerts", "problems"):
        out[key] = _sorted(report[key])
    out["problems"] = [p | {"reason": _EXAMPLE.sub("", p["reason"])} for p in out["problems"]]
    return out


def figures_digest(document: dict[str, Any]) -> str:
    """A digest of the report's figures (join, headline, fields, pairs, gaps, schema diff), not of
    its times: two runs that agree on every figure have the same digest."""
    figures = {key: document[key] for key in FIGURES}
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


def baseline(legacy: Path, graph: Path) -> dict[str, Any]:
    from bench.baseline import run_datacompy

    return run_datacompy(legacy, graph)


def pages(legacy: Path, graph: Path) -> dict[str, Any]:
    from bench.pages import time_pages

    return time_pages(legacy, graph)


def tiny(legacy: Path, graph: Path) -> dict[str, Any]:
    """The CLI on many tiny rows (``bench.tiny``; the Graph file says which kind)."""
    from bench.tiny import audit_cli

    return audit_cli(legacy, graph)


def server(legacy: Path, graph: Path) -> dict[str, Any]:
    from bench.server import SESSIONS, serve_sessions

    return serve_sessions(legacy, graph, int(os.environ.get("BENCH_SESSIONS", SESSIONS)))


KINDS = {
    "floor": floor,
    "ours": ours,
    "baseline": baseline,
    "pages": pages,
    "bridge": bridge,
    "server": server,
    "tiny": tiny,
    "tinymatched": tiny,
    "store": store,
    "cached": cached,
    "spark": spark,
    "sparkcounts": partial(spark, alert_values=False),
    "threads": threads,
    "documents": documents,
}


def main(argv: list[str]) -> None:
    kind, legacy, graph = argv
    result = KINDS[kind](Path(legacy), Path(graph))
    result.setdefault("peak_rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
