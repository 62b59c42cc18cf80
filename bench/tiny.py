"""Many tiny rows: a legacy CSV of one-detection alerts with three short columns (AlertId and
two repeating ones, ~15 bytes a row: 2M rows are ~30 MB), against a Graph file holding none of
them (``tiny``) or a minimal alert for each (``tinymatched``). Measured through the CLI, the
way the issue met it: ``siem2graph audit`` writing report.json, in its own process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from bench.data import Dataset

SHAPE = "t1"  # bump whenever the generated data changes
KINDS = {"tiny": False, "tinymatched": True}  # bench kind -> whether Graph holds the alerts
_SEVERITIES = ("Low", "Medium", "High", "Informational")
_WRITE_ROWS = 100_000


def tiny_dataset(rows: int, matched: bool, seed: int, root: Path) -> Dataset:
    """The cached tiny-row dataset of ``rows`` alerts; its Graph file matches every alert or
    none. ``seed`` only names the folder: the data is the same for every seed."""
    folder = root / f"tiny{rows}-s{seed}-{SHAPE}"
    graph = folder / ("graph.ndjson" if matched else "graph-none.json")
    data = Dataset(rows, seed, folder / "legacy.csv", graph)
    if not data.legacy.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _write_legacy(data.legacy, rows)
    if not graph.exists():
        _write_graph(graph, rows if matched else 0)
    meta = {
        "shape": SHAPE,
        "legacy_rows": rows,
        "legacy_alerts": rows,
        "graph_alerts": rows if matched else 0,
        "legacy_bytes": data.legacy.stat().st_size,
        "graph_bytes": graph.stat().st_size,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return data


def _alert_id(number: int) -> str:
    return f"a{number:06x}"


def _write_legacy(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("AlertId,Severity,AlertTitle\n")
        for start in range(0, rows, _WRITE_ROWS):
            out.writelines(
                f"{_alert_id(n)},{_SEVERITIES[n % 4]},t{n % 7}\n"
                for n in range(start, min(rows, start + _WRITE_ROWS))
            )


def _write_graph(path: Path, alerts: int) -> None:
    """NDJSON of minimal alerts_v2 records with the legacy values ('[]' for none)."""
    with path.open("wb") as out:
        if not alerts:
            out.write(b"[]")
        for number in range(alerts):
            alert = {
                "id": _alert_id(number),
                "providerAlertId": _alert_id(number),
                "serviceSource": "microsoftDefenderForEndpoint",
                "createdDateTime": "2026-11-01T10:00:00Z",
                "severity": _SEVERITIES[number % 4].lower(),
                "title": f"t{number % 7}",
            }
            out.write(orjson.dumps(alert) + b"\n")


def audit_cli(legacy: Path, graph: Path) -> dict[str, Any]:
    """``siem2graph audit`` writing report.json: its wall and CPU seconds and peak memory."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            *(sys.executable, "-m", "siem2graph", "audit", "-q", "--no-store"),
            *("--legacy", str(legacy), "--graph", str(graph), "--out", folder),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"the audit exited {done.returncode}: {done.stderr[-2000:]}")
        wall = time.perf_counter() - started
        written = (Path(folder) / "report.json").stat().st_size
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the audit is the only child
    return {
        "seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "parts": {},
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "report_bytes": written,
    }
