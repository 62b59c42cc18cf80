"""An audit's frozen report on disk: its frames as Arrow IPC files, the rest as one JSON file.

Each frame is one uncompressed record batch, so reading maps the file and hands its buffers to
pandas as they are: text columns become arrow-backed strings over the mapped pages, and a
categorical is its saved codes and categories (a dictionary column), never rebuilt. A reopened
audit is therefore one copy, the file's pages, which the system can page out. Parquet was
measured and rejected: it decodes every page and rebuilds dictionaries, costing about a fifth
of the audit's own time at 1M detections, twenty times this layout (docs/store.md). Nothing
here recomputes a verdict.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from siem2graph.errors import MappingError
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
HELD_FRAME = "held"  # only a report without its per-alert values has it
META_FILE = "report.json"
PROBLEMS_FRAME = "problems"
FILE_MODE = 0o600
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str"


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame).combine_chunks()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.close(descriptor)
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(table.num_rows, 1))


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
        "values_kept": report.values_kept,
    }


def write_report(report: AuditReport, folder: Path) -> dict[str, int]:
    """Write ``report`` into the existing ``folder``; {file name: bytes} of what was written."""
    frames = {name: getattr(report, name) for name in FRAMES}
    if report.held is not None:
        frames[HELD_FRAME] = report.held
    for name, frame in frames.items():
        _write_frame(frame, folder / f"{name}.arrow")
    problems = pd.DataFrame(
        [asdict(p) for p in report.problems], columns=[f.name for f in fields(RowProblem)]
    ).astype({"line": "Int64"})
    _write_frame(problems, folder / f"{PROBLEMS_FRAME}.arrow")
    _write_private(folder / META_FILE, orjson.dumps(_meta(report)))
    names = [f"{n}.arrow" for n in (*frames, PROBLEMS_FRAME)] + [META_FILE]
    return {name: (folder / name).stat().st_size for name in names}


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _text(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """Arrow-backed strings over ``values``' own buffers (no copy)."""
    # pandas' documented arrow protocol, missing from its type stubs
    return TEXT.__from_arrow__(values)  # type: ignore[attr-defined]


def _categorical(column: pa.DictionaryArray) -> pd.Categorical:
    """The saved codes over the saved categories, without hashing the categories again."""
    categories = pd.Index(_text(column.dictionary))
    # unique when saved: CategoricalDtype() would hash them all again, most of a reopen's time
    fast_dtype = pd.CategoricalDtype._from_fastpath  # type: ignore[attr-defined]
    dtype = fast_dtype(categories, column.type.ordered)
    codes = column.indices.fill_null(-1).to_numpy()
    return pd.Categorical.from_codes(codes, dtype=dtype)  # codes checked: in range


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _direct(table: pa.Table, index: set[str]) -> dict[str, Any]:
    """The columns read as they lie in the file: text, and categoricals of text."""
    direct: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if name in index:
            continue
        if pa.types.is_dictionary(kind) and _is_text(kind.value_type):
            direct[name] = _categorical(_one_array(column))
        elif _is_text(kind):
            direct[name] = _text(column)
    return direct


def _read_frame(path: Path) -> pd.DataFrame:
    with pa.memory_map(str(path)) as source:
        table = ipc.open_file(source).read_all()
    table.validate(full=True)  # a damaged file is refused here, not met as a crash later
    metadata = table.schema.pandas_metadata or {}
    index = {c for c in metadata.get("index_columns", []) if isinstance(c, str)}
    direct = _direct(table, index)
    rest = table.drop_columns(list(direct))
    frame = (
        rest.to_pandas(split_blocks=True)
        if rest.num_columns
        else pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    )
    names = [name for name in table.column_names if name not in index]
    columns = {name: direct[name] if name in direct else frame[name] for name in names}
    return pd.DataFrame(columns, index=frame.index, copy=False)


def _problems(frame: pd.DataFrame) -> tuple[RowProblem, ...]:
    return tuple(
        RowProblem(side, file, None if pd.isna(line) else int(line), reason)
        for side, file, line, reason in frame.itertuples(index=False, name=None)
    )


def _time_range(bounds: list[str] | None) -> tuple[str, str] | None:
    return (bounds[0], bounds[1]) if bounds else None


class ReportUnreadable(ValueError):
    """A saved report's files are missing, cut short or damaged."""


def read_report(folder: Path) -> AuditReport:
    """The report ``write_report`` saved in ``folder``; ReportUnreadable when a file is missing
    or damaged, whatever the damage."""
    try:
        return _report(folder)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException, MappingError) as exc:
        raise ReportUnreadable(f"{type(exc).__name__}: {exc}") from exc


def _report(folder: Path) -> AuditReport:
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
        held=None if meta.get("values_kept", True) else _read_frame(folder / f"{HELD_FRAME}.arrow"),
        **frames,
    )
