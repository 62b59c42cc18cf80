"""An audit's frozen report on disk: its frames as Arrow IPC files, the rest as one JSON file.

Arrow IPC (Feather v2, LZ4) rather than Parquet: the frames are read back memory-mapped with
their dtypes (categoricals, arrow-backed text) as saved, without decoding pages, so reopening a
1M-detection audit costs a few percent of auditing it. Nothing here recomputes a verdict.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from siem2graph.mapping import mapping_document, parse_mapping
from siem2graph.model import AuditReport, FieldResult, Headline, JoinSummary, PullScope
from siem2graph.sources import FileSummary, RowProblem

FRAMES = (
    "alerts",
    "verdicts",
    "value_pairs",
    "unmapped_legacy_columns",
    "unmapped_graph_paths",
    "timeline",
    "detections",
    "graph_values",
)
META_FILE = "report.json"
PROBLEMS_FRAME = "problems"
FILE_MODE = 0o600


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.close(descriptor)
    feather.write_feather(table, str(path), compression="lz4")


def _tuples(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: tuple(v) if k in names else v for k, v in record.items()}


def _meta(report: AuditReport) -> dict[str, Any]:
    return {
        "tool_version": report.tool_version,
        "mapping": mapping_document(report.mapping),
        "generated_at": report.generated_at,
        "run_seconds": report.run_seconds,
        "inputs": [asdict(f) for f in report.inputs],
        "join": asdict(report.join),
        "fields": [asdict(f) for f in report.fields],
        "headline": asdict(report.headline),
        "legacy_time_range": report.legacy_time_range,
        "graph_time_range": report.graph_time_range,
        "phase_seconds": dict(report.phase_seconds),
        "pulls": [asdict(p) for p in report.pulls],
        "engine": dict(report.engine),
    }


def write_report(report: AuditReport, folder: Path) -> dict[str, int]:
    """Write ``report`` into the existing ``folder``; {file name: bytes} of what was written."""
    for name in FRAMES:
        _write_frame(getattr(report, name), folder / f"{name}.arrow")
    problems = pd.DataFrame(
        [asdict(p) for p in report.problems], columns=[f.name for f in fields(RowProblem)]
    ).astype({"line": "Int64"})
    _write_frame(problems, folder / f"{PROBLEMS_FRAME}.arrow")
    _write_private(folder / META_FILE, orjson.dumps(_meta(report)))
    names = [f"{n}.arrow" for n in (*FRAMES, PROBLEMS_FRAME)] + [META_FILE]
    return {name: (folder / name).stat().st_size for name in names}


def _read_frame(path: Path) -> pd.DataFrame:
    return feather.read_table(str(path), memory_map=True).to_pandas()


def _problems(frame: pd.DataFrame) -> tuple[RowProblem, ...]:
    return tuple(
        RowProblem(side, file, None if pd.isna(line) else int(line), reason)
        for side, file, line, reason in frame.itertuples(index=False, name=None)
    )


def _time_range(bounds: list[str] | None) -> tuple[str, str] | None:
    return (bounds[0], bounds[1]) if bounds else None


def read_report(folder: Path) -> AuditReport:
    """The report ``write_report`` saved in ``folder`` (OSError / ArrowInvalid / ValueError
    when a file is missing or damaged)."""
    meta = orjson.loads((folder / META_FILE).read_bytes())
    frames = {name: _read_frame(folder / f"{name}.arrow") for name in FRAMES}
    return AuditReport(
        tool_version=meta["tool_version"],
        mapping=parse_mapping(meta["mapping"], "saved mapping"),
        generated_at=meta["generated_at"],
        run_seconds=meta["run_seconds"],
        inputs=tuple(FileSummary(**_tuples(f, ("columns",))) for f in meta["inputs"]),
        problems=_problems(_read_frame(folder / f"{PROBLEMS_FRAME}.arrow")),
        join=JoinSummary(**meta["join"]),
        fields=tuple(
            FieldResult(**_tuples(f, ("graph_paths", "examples", "path_matches")))
            for f in meta["fields"]
        ),
        headline=Headline(**meta["headline"]),
        phase_seconds=meta["phase_seconds"],
        pulls=tuple(PullScope(**p) for p in meta["pulls"]),
        legacy_time_range=_time_range(meta["legacy_time_range"]),
        graph_time_range=_time_range(meta["graph_time_range"]),
        engine=meta.get("engine", {}),
        **frames,
    )
