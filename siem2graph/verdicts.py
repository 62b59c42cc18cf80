"""Per field: verdicts over the matched alerts, what the legacy side held, and the value pairs.

Keys are turned into alert numbers once (``AlignedInputs``); each field then works on integer
keys, and the Graph values are split by path once instead of being filtered for every field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from siem2graph.compare import KEY, VALUE
from siem2graph.mapping import FieldMapping
from siem2graph.model import Verdict
from siem2graph.normalise import SLASHED_ORDER
from siem2graph.pairs import EXAMPLES, TOP_PAIRS, top_pairs
from siem2graph.report.safety import display_text
from siem2graph.text_codes import column_codes, pack, positions
from siem2graph.times import SlashedOrder

MATCH, MISMATCH, MISSING, NEW, BOTH_EMPTY, UNREADABLE = (v.code for v in Verdict)
UNREADABLE_EXAMPLE_LIMIT = 80


@dataclass(frozen=True)
class FieldOutcome:
    """The computed part of one field's result."""

    codes: np.ndarray | None  # verdict code per matched alert (None for dropped fields)
    legacy_rows_populated: int
    legacy_alerts_populated: int
    legacy_populated: int
    graph_populated: int
    examples: tuple[str, ...]
    pairs: pd.DataFrame
    unreadable_values: int = (
        0  # legacy and Graph values of matched alerts the comparator cannot read
    )
    unreadable_example: str = ""  # one of them, cut short, hidden characters made visible
    unreadable_side: str = ""  # the side of the example: legacy or graph
    path_matches: tuple[int, ...] = ()  # per Graph path: matching alerts whose value was there


@dataclass(frozen=True)
class AlignedInputs:
    """Both sides keyed by alert number: the position of the alert's key among ``keys``."""

    keys: np.ndarray  # distinct keys of the matched alerts
    matched_numbers: np.ndarray  # alert number of each matched alert (as listed)
    detection_numbers: np.ndarray  # per detection: its alert number, -1 when not matched
    detection_alerts: np.ndarray  # per detection: a number for its key over all keys, -1 if none
    graph_by_path: dict[str, pd.DataFrame]  # path -> distinct (alert number, value), matched only


def _first_pairs(keys: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Positions of the first of each distinct (key, code), in order."""
    return np.flatnonzero(~pd.Series(pack(keys, codes)).duplicated().to_numpy())


def distinct_pairs(keys: np.ndarray, values: pd.api.extensions.ExtensionArray) -> pd.DataFrame:
    """Distinct (key, value) rows in first-occurrence order (``drop_duplicates`` on codes)."""
    codes, _ = pd.factorize(values, use_na_sentinel=False)  # type: ignore[call-overload]
    first = _first_pairs(keys, codes)
    return pd.DataFrame({KEY: keys[first], VALUE: values.take(first)})


def align(
    matched: pd.Index,
    detection_keys: pd.Series,
    graph_values: pd.DataFrame,
    graph_alerts: tuple[pd.Series, np.ndarray | None],
) -> AlignedInputs:
    """Number the alerts. ``graph_alerts``: the key of every Graph alert and the alert of every
    row of ``graph_values`` (None: use the rows' own keys). The values are categorical with
    their categories in text order (``GraphData.values``, ``SortedTexts``)."""
    distinct = pd.Index(matched.unique())
    values = graph_values[VALUE].array
    alert_keys, value_alerts = graph_alerts
    if value_alerts is None:
        graph_numbers = distinct.get_indexer(graph_values[KEY])
    else:
        graph_numbers = distinct.get_indexer(alert_keys)[value_alerts]
    paths, names = pd.factorize(graph_values["path"])
    # the narrowest integer type: numpy sorts it by radix (docs/scale.md, choices)
    order = np.argsort(paths.astype(np.min_scalar_type(len(names))), kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(paths, minlength=len(names)))])
    by_path = {}
    for number, name in enumerate(names):
        rows = order[bounds[number] : bounds[number + 1]]
        rows = rows[graph_numbers[rows] >= 0]
        by_path[name] = distinct_pairs(graph_numbers[rows], values.take(rows))
    # per distinct key, not per detection: 250k lookups instead of 1M at 1M detections
    codes, texts = column_codes(detection_keys)
    codes = codes.astype(np.intp)
    key_numbers = np.append(positions(texts, distinct), -1)  # code -1: -1
    return AlignedInputs(
        keys=distinct.to_numpy(),
        matched_numbers=distinct.get_indexer(matched),
        detection_numbers=key_numbers[codes],
        detection_alerts=codes,
        graph_by_path=by_path,
    )


def _examples(codes: np.ndarray, texts: pd.Index) -> tuple[str, ...]:
    """The most frequent values (ties: first seen first), as ``value_counts`` orders them."""
    counts = np.bincount(codes[codes >= 0], minlength=len(texts))
    return tuple(str(texts[i]) for i in np.argsort(-counts, kind="stable")[:EXAMPLES])


def _values(codes: np.ndarray, column: pd.Series, texts: pd.Index) -> pd.Categorical[Any]:
    """The values of ``codes`` (over ``texts``) as a categorical: over a categorical column's
    own dtype (pandas would check its categories again for every new dtype), else over the
    texts used only (AlertId's 2M distinct texts: 0.15 GB to check a new dtype)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(codes, dtype=column.dtype, validate=False)
    used, inverse = np.unique(codes, return_inverse=True)
    return pd.Categorical.from_codes(inverse, texts[used], validate=False)


def _count_distinct(numbers: np.ndarray) -> int:
    return int(np.count_nonzero(np.bincount(numbers))) if len(numbers) else 0


def _graph_parts(row: FieldMapping, aligned: AlignedInputs) -> list[pd.DataFrame]:
    """Distinct (alert number, value) at each of the field's paths, in the mapping's order."""
    return [aligned.graph_by_path.get(p.text, _NO_VALUES) for p in row.graph_paths]


_NO_VALUES = pd.DataFrame({KEY: np.zeros(0, dtype=np.intp), VALUE: pd.Series([], dtype="str")})


def _graph_values(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Distinct (alert number, value) over all paths. Every path's values share one
    categorical dtype (``align``): several paths are joined on codes (``pd.concat`` would
    hash the categories of each part to compare their dtypes)."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return _NO_VALUES
    if len(parts) == 1:
        return parts[0]
    keys = np.concatenate([part[KEY].to_numpy() for part in parts])
    codes = np.concatenate([part[VALUE].cat.codes.to_numpy() for part in parts])
    dtype = cast(pd.CategoricalDtype, parts[0][VALUE].dtype)
    values = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
    return distinct_pairs(keys, values)


def _found_at(
    row: FieldMapping, params: dict, items: pd.DataFrame, parts: list[pd.DataFrame]
) -> np.ndarray:
    """Per item: the first path (mapping order) whose values of the same alert hold it; -1 when
    none does. Later paths only see the items earlier ones missed."""
    comparator = row.comparison
    at = np.full(len(items), -1, dtype=np.int16)
    todo = np.arange(len(items))
    for number, part in enumerate(parts):
        if not len(todo):
            break
        if not len(part):
            continue
        hit = comparator.found(items.iloc[todo], part, params, row.vocabulary)
        at[todo[hit]] = number
        todo = todo[~hit]
    return at


def _unreadable_example(
    items: pd.DataFrame, legacy: np.ndarray, graph: pd.DataFrame, graph_side: np.ndarray
) -> tuple[str, str]:
    """(side, value) of the first value that could not be read (``legacy`` and ``graph_side``
    mark them), the legacy side first."""
    for side, values, unreadable in (
        ("legacy", items[VALUE], legacy),
        ("graph", graph[VALUE], graph_side),
    ):
        if unreadable.any():
            text = values.iloc[int(np.argmax(unreadable))]
            return side, display_text(text, UNREADABLE_EXAMPLE_LIMIT)
    return "", ""


def evaluate_field(
    row: FieldMapping,
    detections: pd.DataFrame,
    aligned: AlignedInputs,
    order: SlashedOrder | None = None,
    top: int | None = TOP_PAIRS,
) -> FieldOutcome:
    """Compare one field's legacy values with the Graph values at its paths. ``order``: what
    the whole column's slashed dates say (``times``), when ``detections`` are a part of it;
    ``top``: the pairs kept per found/not found (None: all of them)."""
    column = detections[row.siem_field]
    params = {**row.params, SLASHED_ORDER: order} if order else dict(row.params)
    value_codes, texts = column_codes(column)
    present = value_codes >= 0
    alerts = aligned.detection_alerts[present]
    on_matched = present & (aligned.detection_numbers >= 0)
    keys, matched_codes = aligned.detection_numbers[on_matched], value_codes[on_matched]
    common: dict[str, Any] = {
        "legacy_rows_populated": int(present.sum()),
        "legacy_alerts_populated": _count_distinct(alerts[alerts >= 0]),
        "examples": _examples(value_codes, texts),
    }
    if not row.has_graph_equivalent:
        return FieldOutcome(
            None,
            legacy_populated=_count_distinct(keys),
            graph_populated=0,
            pairs=pd.DataFrame(),
            **common,
        )
    # categorical on the column's codes: the comparators and the pairs factorize it for free
    first = _first_pairs(keys, matched_codes)
    values = _values(matched_codes[first], column, texts)
    legacy = pd.DataFrame({KEY: keys[first], VALUE: values})
    comparator = row.comparison
    items = legacy  # distinct (alert, value) already, unless split into list items
    if comparator.splits_legacy:
        split = comparator.legacy_items(legacy[VALUE], row.params)
        items = distinct_pairs(legacy[KEY].to_numpy()[split.index], split.array)
    items = comparator.aggregate(items, params)
    readable = comparator.readable(items[VALUE], params, row.vocabulary)
    parts = _graph_parts(row, aligned)
    graph = _graph_values(parts)
    graph_readable = comparator.readable(graph[VALUE], row.params, row.vocabulary, graph=True)
    at = _found_at(row, params, items, parts)
    found = at >= 0
    n = len(aligned.keys)
    item_keys = items[KEY].to_numpy()
    graph_keys = graph[KEY].to_numpy()

    def has(selected: np.ndarray) -> np.ndarray:
        return np.bincount(selected, minlength=n) > 0

    legacy_has, graph_has = has(item_keys), has(graph_keys)
    # a value not found differs only when both it and some Graph value could be read
    differs = ~found & readable & has(graph_keys[graph_readable])[item_keys]
    both = legacy_has & graph_has
    mismatched = both & has(item_keys[differs])
    codes = np.full(n, BOTH_EMPTY, dtype=np.int8)
    codes[graph_has & ~legacy_has] = NEW
    codes[legacy_has & ~graph_has] = MISSING
    codes[both & ~mismatched] = UNREADABLE
    codes[both & ~mismatched & has(item_keys[found])] = MATCH
    codes[mismatched] = MISMATCH
    item_codes = codes[item_keys]
    # values that could not be judged are no pair: they are counted apart, with an example
    shown = found | differs | (item_codes == MISSING)
    pairs = (
        top_pairs(
            row.siem_field,
            items[shown],
            found[shown],
            item_codes[shown],
            graph,
            aligned.keys,
            top,
        )
        if shown.any()
        else pd.DataFrame()
    )
    matched_codes = codes[aligned.matched_numbers]
    legacy_unreadable = ~readable & ~found
    graph_unreadable = ~graph_readable & legacy_has[graph_keys]
    example = _unreadable_example(items, legacy_unreadable, graph, graph_unreadable)
    return FieldOutcome(
        matched_codes,
        legacy_populated=int(legacy_has[aligned.matched_numbers].sum()),
        graph_populated=int(graph_has[aligned.matched_numbers].sum()),
        pairs=pairs,
        unreadable_values=int(legacy_unreadable.sum() + graph_unreadable.sum()),
        unreadable_side=example[0],
        unreadable_example=example[1],
        path_matches=tuple(
            int((has(item_keys[at == number]) & (codes == MATCH))[aligned.matched_numbers].sum())
            for number in range(len(row.graph_paths))
        ),
        **common,
    )
