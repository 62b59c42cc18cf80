"""The results table, its ratios and slope, and the files they are kept in."""

from __future__ import annotations

import csv
import json
import math
import os
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.tiny import KINDS as TINY
from siem2graph.threads import thread_count

RESULTS_DIR = Path(__file__).resolve().parent / "results"
STORE_FIGURES = (
    "store_save_s",
    "store_reopen_s",
    "store_mb",
    "store_reopen_over_audit",
    "store_page_rerun_max_s",
)
PACKAGES = ("pandas", "pyarrow", "numpy", "orjson", "polars", "datacompy", "streamlit")


def machine() -> dict[str, Any]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cores": os.cpu_count(),
        "threads": thread_count(),  # what every pool of the measured runs used
        "memory_gib": round(pages / 2**30, 1),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "versions": {p: version(p) for p in PACKAGES},
    }


def slope(rows: list[dict[str, Any]], kind: str) -> float | None:
    """Exponent b of seconds ~ detections^b (least squares on logs): 1.0 is linear."""
    points = [
        (math.log(r["detections"]), math.log(r[kind]["seconds"]))
        for r in rows
        if r.get(kind) and r[kind]["seconds"] > 0
    ]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def _seconds(row: dict[str, Any], kind: str) -> float | None:
    return row[kind]["seconds"] if row.get(kind) else None


def _cpu(row: dict[str, Any], kind: str) -> float | None:
    return row[kind]["cpu_seconds"] if row.get(kind) else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _documents_floor(row: dict[str, Any]) -> float | None:
    """orjson parsing both JSON documents of the ``documents`` kind."""
    parts = row["documents"]["parts"] if row.get("documents") else None
    return parts["floor_legacy"] + parts["floor_graph"] if parts else None


def summarise(row: dict[str, Any]) -> dict[str, Any]:
    """The figures of one size: seconds, ratios and peak memory."""
    ours, floor, base = (_seconds(row, k) for k in ("ours", "floor", "baseline"))
    flatten = row["baseline"]["parts"]["flatten"] if row.get("baseline") else None
    ours_compare = (
        sum(row["ours"]["parts"].get(p, 0.0) for p in ("join", "align", "compare"))
        if row.get("ours")
        else None
    )
    return {
        "detections": row["detections"],
        "graph_alerts": row["graph_alerts"],
        "floor_s": floor,
        "ours_s": ours,
        "ours_cpu_s": row["ours"]["cpu_seconds"] if row.get("ours") else None,
        "ours_compare_s": ours_compare,
        "baseline_compare_s": base,
        "baseline_with_flatten_s": base + flatten if base and flatten else None,
        "ours_over_floor": _ratio(ours, floor),
        "baseline_compare_over_ours_compare": _ratio(base, ours_compare),
        "baseline_end_to_end_over_ours": _ratio(base + flatten if base and flatten else None, ours),
        "ours_peak_mb": row["ours"]["peak_rss_mb"] if row.get("ours") else None,
        "page_rerun_max_s": _seconds(row, "pages"),
        "bridge_s": _seconds(row, "bridge"),
        "bridge_over_ndjson_floor": _ratio(
            _seconds(row, "bridge"),
            row["bridge"]["parts"]["ndjson_floor"] if row.get("bridge") else None,
        ),
        "bridge_peak_mb": row["bridge"]["peak_rss_mb"] if row.get("bridge") else None,
        "cached_s": _seconds(row, "cached"),
        "cached_over_floor": _ratio(_seconds(row, "cached"), floor),
        # CPU seconds: on a shared machine wall time waits for the other processes' work
        "cached_cpu_over_floor_cpu": _ratio(_cpu(row, "cached"), _cpu(row, "floor")),
        "cached_other_settings_over_floor": _ratio(
            row["cached"]["parts"]["other_settings"] if row.get("cached") else None, floor
        ),
        "ours_cpu_over_floor_cpu": _ratio(_cpu(row, "ours"), _cpu(row, "floor")),
        "threads_1_s": row["threads"]["parts"]["threads_1"] if row.get("threads") else None,
        "threads_2_s": _seconds(row, "threads"),
        "threads_2_speedup": _ratio(
            row["threads"]["parts"]["threads_1"] if row.get("threads") else None,
            _seconds(row, "threads"),
        ),
        "spark_s": _seconds(row, "spark"),
        "spark_over_floor": _ratio(_seconds(row, "spark"), floor),
        "spark_over_ours": _ratio(_seconds(row, "spark"), ours),
        "spark_driver_peak_mb": _figure(row, "spark", "driver_peak_mb"),
        "spark_same_figures_as_local": _figure(row, "spark", "same_figures"),
        "sparkcounts_s": _seconds(row, "sparkcounts"),
        "sparkcounts_driver_peak_mb": _figure(row, "sparkcounts", "driver_peak_mb"),
        "sparkcounts_same_figures_as_local": _figure(row, "sparkcounts", "same_figures"),
        "documents_s": _seconds(row, "documents"),
        "documents_over_floor": _ratio(_seconds(row, "documents"), _documents_floor(row)),
        **_store_figures(row.get("store")),
        **{f"{kind}_s": _figure(row, kind, "seconds") for kind in TINY},
        **{f"{kind}_peak_mb": _figure(row, kind, "peak_rss_mb") for kind in TINY},
    }


def _figure(row: dict[str, Any], kind: str, key: str) -> Any:
    return row[kind][key] if row.get(kind) else None


def _store_figures(store: dict[str, Any] | None) -> dict[str, Any]:
    """Save and reopen seconds, stored MB, reopen over audit, reruns on the reopened audit."""
    if not store:
        return dict.fromkeys(STORE_FIGURES)
    return {
        "store_save_s": store["parts"]["save"],
        "store_reopen_s": store["seconds"],
        "store_mb": store["stored_bytes"] / 2**20,
        "store_reopen_over_audit": store["reopen_over_audit"],
        "store_page_rerun_max_s": store["page_rerun_max_s"],
    }


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table of the summaries."""
    summaries = [summarise(r) for r in rows]
    if not summaries:
        return ""
    columns = list(summaries[0])
    lines = [" | ".join(columns)]
    for summary in summaries:
        lines.append(" | ".join(_cell(summary[c]) for c in columns))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def append_history(history: Path, lines: list[dict[str, Any]]) -> None:
    """Add lines to the history; a column the file lacks widens its header (old lines empty)."""
    old: list[dict[str, str]] = []
    columns: list[str] = []
    if history.exists():
        with history.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            columns = list(reader.fieldnames or [])
            old = list(reader)
    added = [c for line in lines for c in line if c not in columns]
    columns += list(dict.fromkeys(added))
    rewrite = bool(added) and bool(old)
    with history.open("w" if rewrite or not old else "a", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, columns)
        if rewrite or not old:
            writer.writeheader()
            writer.writerows(old)
        writer.writerows(lines)


def write(rows: list[dict[str, Any]], command: str, out_dir: Path = RESULTS_DIR) -> Path:
    """RESULTS-<date>.json with everything, and one line per size appended to history.csv."""
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    document = {
        "date": now.isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "slope_ours": slope(rows, "ours"),
        "slope_floor": slope(rows, "floor"),
        "summary": [summarise(r) for r in rows],
        "measurements": rows,
    }
    path = out_dir / f"RESULTS-{now:%Y-%m-%dT%H%M%S}.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    lines = [
        {"date": document["date"], "cores": os.cpu_count(), **summary}
        for summary in document["summary"]
    ]
    append_history(out_dir / "history.csv", lines)
    return path
