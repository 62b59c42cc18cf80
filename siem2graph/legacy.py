"""Read legacy SIEM API exports into one canonical Detections frame, counting every row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from siem2graph.errors import InputError
from siem2graph.mapping import Mapping
from siem2graph.paths import to_text
from siem2graph.sources import FileSummary, RowProblem, Source

SIDE = "legacy"
FILE_COLUMN = "_file"
RECORD_COLUMN = "_record"
ALERT_ID = "AlertId"


@dataclass(frozen=True)
class LegacyData:
    """The canonical detections (one row per SIEM detection) and what reading them found."""

    detections: pd.DataFrame
    files: tuple[FileSummary, ...]
    problems: tuple[RowProblem, ...]
    unmapped_columns: tuple[str, ...]


def _empty_to_na(frame: pd.DataFrame) -> pd.DataFrame:
    """Strings with text stay; '', whitespace-only and nulls become NA (all 'empty')."""
    out = {}
    for name, column in frame.items():
        text = column.astype("str")
        out[name] = text.where(text.str.strip().fillna("") != "")
    return pd.DataFrame(out, index=frame.index)


def _csv_frame(source: Source) -> pd.DataFrame:
    with source.open() as stream:
        head = stream.read(1 << 16)
    header_text = head.decode("utf-8-sig", errors="replace").splitlines()
    if not header_text or not header_text[0].strip():
        raise InputError(f"{source.name}: the file is empty")
    names = next(csv.reader([header_text[0]]))
    with source.open() as stream:
        try:
            table = pacsv.read_csv(
                stream,
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise InputError(f"{source.name}: not a readable CSV export ({exc})") from None
    return table.to_pandas()


def _json_records(source: Source) -> tuple[list[object], str]:
    with source.open() as stream:
        raw = stream.read()
    if not raw.strip():
        raise InputError(f"{source.name}: the file is empty")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _ndjson_records(source.name, raw), "ndjson"
    if isinstance(document, dict):
        for envelope in ("results", "value"):
            if isinstance(document.get(envelope), list):
                return document[envelope], f"json ({envelope})"
        return [document], "json (one record)"
    if isinstance(document, list):
        return document, "json (array)"
    raise InputError(f"{source.name}: JSON holds neither records nor a list of records")


def _ndjson_records(name: str, raw: bytes) -> list[object]:
    records: list[object] = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            if number == 1:
                raise InputError(f"{name}: neither JSON nor NDJSON ({exc})") from None
            records.append(_BadLine(number, str(exc)))
    return records


@dataclass(frozen=True)
class _BadLine:
    line: int
    reason: str


def _records_frame(
    name: str, records: Sequence[object], problems: list[RowProblem]
) -> tuple[pd.DataFrame, int]:
    rows: list[dict[str, str]] = []
    for index, record in enumerate(records, 1):
        if isinstance(record, _BadLine):
            problems.append(RowProblem(SIDE, name, record.line, f"invalid JSON: {record.reason}"))
        elif not isinstance(record, dict):
            problems.append(RowProblem(SIDE, name, index, "record is not a JSON object"))
        else:
            rows.append({str(k): to_text(v) for k, v in record.items()})
    return pd.DataFrame(rows, dtype="str"), len(records)


def _canonical(frame: pd.DataFrame, mapping: Mapping) -> tuple[pd.DataFrame, list[str]]:
    """Rename columns to SIEM field names through the aliases; merge duplicates; keep the rest."""
    index = mapping.key_index
    renamed: dict[str, pd.Series] = {}
    unmapped: list[str] = []
    for column in frame.columns:
        target = index.get(str(column).strip().casefold())
        if target is None:
            unmapped.append(str(column))
            target = str(column)
        renamed[target] = (
            renamed[target].fillna(frame[column]) if target in renamed else frame[column]
        )
    return pd.DataFrame(renamed, index=frame.index), unmapped


def read_legacy_file(
    source: Source, mapping: Mapping
) -> tuple[pd.DataFrame, FileSummary, list[RowProblem], list[str]]:
    """Read one export; rows without an AlertId are rejected and reported."""
    problems: list[RowProblem] = []
    name = source.name
    if name.lower().endswith((".json", ".ndjson", ".jsonl")):
        records, fmt = _json_records(source)
        raw, rows_read = _records_frame(name, records, problems)
    else:
        raw, fmt = _csv_frame(source), "csv"
        rows_read = len(raw)
    frame, unmapped = _canonical(_empty_to_na(raw), mapping)
    if ALERT_ID not in frame.columns:
        tried = ", ".join(mapping.field(ALERT_ID).keys)
        found = ", ".join(map(str, raw.columns[:20])) or "none"
        raise InputError(f"{name}: no AlertId column (tried {tried}; found {found})")
    record_numbers = pd.Series(range(1, len(frame) + 1), index=frame.index)
    missing_id = frame[ALERT_ID].isna()
    for number in record_numbers[missing_id]:
        problems.append(
            RowProblem(SIDE, name, int(number), "no AlertId: the detection cannot be joined")
        )
    kept = frame[~missing_id].assign(
        **{FILE_COLUMN: name, RECORD_COLUMN: record_numbers[~missing_id]}
    )
    summary = FileSummary(
        side=SIDE,
        name=name,
        sha256=source.sha256(),
        format=fmt,
        rows_read=rows_read,
        rows_kept=len(kept),
        rows_rejected=rows_read - len(kept),
        columns=tuple(map(str, raw.columns)),
    )
    return kept, summary, problems, unmapped


def read_legacy(sources: Iterable[Source], mapping: Mapping) -> LegacyData:
    """Read every legacy export into one Detections frame with the canonical SIEM field names."""
    frames, files, problems, unmapped = [], [], [], []
    for source in sources:
        frame, summary, file_problems, file_unmapped = read_legacy_file(source, mapping)
        frames.append(frame)
        files.append(summary)
        problems.extend(file_problems)
        unmapped.extend(c for c in file_unmapped if c not in unmapped)
    if not files:
        raise InputError("no legacy export was given")
    detections = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for row in mapping.fields:
        if row.siem_field not in detections.columns:
            detections[row.siem_field] = pd.Series(pd.NA, index=detections.index, dtype="str")
    return LegacyData(detections, tuple(files), tuple(problems), tuple(unmapped))
