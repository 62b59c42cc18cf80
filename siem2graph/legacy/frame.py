"""From parsed text columns to the canonical Detections frame: SIEM field names, checked ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd

from siem2graph.errors import InputError, quoted
from siem2graph.legacy.aliases import ColumnResolver, normalise
from siem2graph.legacy.collect import SIDE, ParsedFile
from siem2graph.legacy.compact import text_columns
from siem2graph.legacy.json_reader import cell_text
from siem2graph.sources import RowProblem
from siem2graph.text_codes import as_text

FILE_COLUMN = "_file"
RECORD_COLUMN = "_record"
ALERT_ID = "AlertId"
RAW_JSON = "_raw"  # Splunk: the event as indexed (the SIEM API's JSON record)


@dataclass(frozen=True)
class CanonicalFile:
    """One file's kept detections and what became of the other rows."""

    detections: pd.DataFrame
    rejected: int
    problems: list[RowProblem]
    unmapped: list[str]


def _merge(columns: dict[str, pd.Series], target: str, values: pd.Series) -> None:
    """Add a column; a second column for the same field only fills the first one's gaps."""
    if target in columns:
        values = as_text(columns[target]).fillna(as_text(values))
    columns[target] = values


def _collision(
    file: str, field: str, kept: tuple[int, str], other: tuple[int, str], a: pd.Series, b: pd.Series
) -> RowProblem:
    """Two columns read as ``field``: the first (position, name) is used, the other fills gaps."""
    a, b = as_text(a), as_text(b)
    differ = int((a.notna() & b.notna() & (a != b)).sum())
    if kept[1] == other[1]:
        first, second = f"column {kept[0] + 1:,}", f"column {other[0] + 1:,}"
        both = f"{first} and {second} are both named {quoted(kept[1])}"
    else:
        first, second = quoted(kept[1]), quoted(other[1])
        both = f"columns {first} and {second} both read as {field}"
    reason = (
        f"{both}: {first} is used, {second} only where it is empty "
        f"({differ:,} row(s) hold different values)"
    )
    return RowProblem(SIDE, file, None, reason)


def _read_columns(
    file: str, parsed: ParsedFile, resolver: ColumnResolver, raw_resolver: ColumnResolver
) -> tuple[dict[str, pd.Series], list[str], list[RowProblem]]:
    """The columns under their SIEM field names (unmapped ones under their own), the unmapped
    names, and a problem per field that several columns resolve to."""
    targets = [resolver.resolve(name) for name in parsed.names]
    texts = text_columns(parsed.table.columns)
    # per field, the column spelled as the field is read first: the others only fill its gaps
    first = sorted(
        range(len(targets)),
        key=lambda i: normalise(parsed.names[i]) != normalise(targets[i] or ""),
    )
    columns: dict[str, pd.Series] = {}
    read_from: dict[str, tuple[int, str]] = {}
    unmapped: list[str] = []
    problems: list[RowProblem] = []
    for i in first:
        name, target, values = parsed.names[i], targets[i], texts[i]
        if target is None:
            name = f"{name} (ignored)" if raw_resolver.resolve(name) else name
            unmapped.append(name)
        read_as = target or name
        if read_as in read_from:  # an unmapped column given twice is said too
            problems.append(
                _collision(file, read_as, read_from[read_as], (i, name), columns[read_as], values)
            )
        read_from.setdefault(read_as, (i, name))
        _merge(columns, read_as, values)
    return columns, unmapped, problems


def _raw_column(columns: dict[str, pd.Series]) -> str | None:
    return next((c for c in columns if normalise(c).rsplit(".", 1)[-1] == RAW_JSON), None)


def _object_or_none(text: object) -> dict | None:
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        return None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _text_or_none(value: object) -> str | None:
    text = cell_text(value)
    return text if text and text.strip() else None


def _expand_raw(
    columns: dict[str, pd.Series], raw: str, resolver: ColumnResolver, file: str
) -> list[RowProblem]:
    """Fields of the JSON held in Splunk's ``_raw`` fill what the columns leave empty; the
    values read are consumed (``_raw`` keeps only the rows it could not read, or goes)."""
    objects = [_object_or_none(v) for v in columns[raw]]
    index = columns[raw].index
    keys = dict.fromkeys(str(k) for o in objects if o for k in o)
    for key in keys:
        values = [_text_or_none(o.get(key)) if o else None for o in objects]
        series = pd.Series(values, index=index, dtype="str")
        _merge(columns, resolver.resolve(key) or key, series)
    not_json = sum(o is None for o in objects) - int(columns[raw].isna().sum())
    if not not_json:
        del columns[raw]
        return []
    columns[raw] = as_text(columns[raw]).where(pd.Series([o is None for o in objects], index=index))
    reason = f"{not_json:,} rows' {raw} is not a JSON object; only their columns were read"
    return [RowProblem(SIDE, file, None, reason)]


def _no_alert_id(file: str, parsed: ParsedFile, resolver: ColumnResolver) -> InputError:
    found = ", ".join(quoted(n) for n in parsed.names[:10])
    found += f" (and {len(parsed.names) - 10:,} more)" if len(parsed.names) > 10 else ""
    return InputError(
        f"{file}: no AlertId column. Columns found: {found or 'none'}. "
        f"Spellings tried for AlertId: {', '.join(resolver.spellings(ALERT_ID))}; "
        f"{resolver.describe_sets()}. Name your AlertId column: with an alias file "
        "(--aliases) or, in the dashboard, under Your export's column names on Sources."
    )


def canonical(
    file: str, parsed: ParsedFile, resolver: ColumnResolver, raw_resolver: ColumnResolver
) -> CanonicalFile:
    """Rename to SIEM fields, read Splunk ``_raw``, reject rows without an AlertId."""
    columns, unmapped, problems = _read_columns(file, parsed, resolver, raw_resolver)
    raw = _raw_column(columns)
    if raw is not None and len(parsed.rows):
        problems += _expand_raw(columns, raw, raw_resolver, file)
        if raw not in columns:
            unmapped.remove(raw)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(parsed.rows)))
    if ALERT_ID not in frame.columns:
        if len(frame) or parsed.format == "csv":
            raise _no_alert_id(file, parsed, resolver)
        frame[ALERT_ID] = pd.Series(dtype="str")
    missing = frame[ALERT_ID].isna().to_numpy()
    all_empty = frame.isna().all(axis=1).to_numpy()
    for row, empty in zip(parsed.rows[missing], all_empty[missing], strict=True):
        reason = "empty row" if empty else "no AlertId: the detection cannot be joined"
        problems.append(RowProblem(SIDE, file, int(row), reason))
    origin: dict[str, Any] = {
        FILE_COLUMN: file,
        RECORD_COLUMN: parsed.rows[~missing].astype(np.int64),
    }
    kept = frame[~missing].assign(**origin)
    return CanonicalFile(kept, int(missing.sum()), problems, unmapped)
