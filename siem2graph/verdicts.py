"""Per field: verdicts over the matched alerts, what the legacy side held, and the value pairs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from siem2graph.compare import COMPARATORS, KEY, VALUE, aggregate_times
from siem2graph.mapping import FieldMapping
from siem2graph.model import VERDICTS

MATCH, MISMATCH, MISSING, NEW, BOTH_EMPTY = range(len(VERDICTS))
TOP_PAIRS = 50
EXAMPLES = 3


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


def _examples(values: pd.Series) -> tuple[str, ...]:
    return tuple(values.value_counts().index[:EXAMPLES].astype(str))


def _graph_display(graph: pd.DataFrame) -> pd.Series:
    """One display text per key: the first value, with a count of the others."""
    ordered = graph.sort_values([KEY, VALUE])
    grouped = ordered.groupby(KEY, sort=False)[VALUE]
    first, size = grouped.first(), grouped.size()
    more = (" (+" + (size - 1).astype("str") + " more)").where(size > 1, "")
    return first.astype("str") + more


def _pairs(
    row: FieldMapping,
    items: pd.DataFrame,
    found: np.ndarray,
    codes: np.ndarray,
    matched: pd.Index,
    graph: pd.DataFrame,
) -> pd.DataFrame:
    """The most frequent (legacy value -> Graph value) pairs, found and not found."""
    display = _graph_display(graph)
    frame = pd.DataFrame(
        {
            KEY: items[KEY].to_numpy(),
            "legacy_value": items[VALUE].to_numpy(),
            "graph_value": display.reindex(items[KEY]).fillna("").to_numpy(),
            "found": found,
            "verdict": np.asarray(VERDICTS)[codes[matched.get_indexer(items[KEY])]],
        }
    )
    cols = ["legacy_value", "graph_value", "found", "verdict"]
    counts = frame.groupby(cols, sort=False).size().rename("alerts").reset_index()
    top = (
        counts.sort_values(["found", "alerts"], ascending=[True, False])
        .groupby("found", sort=False)
        .head(TOP_PAIRS)
    )
    examples = (
        frame.merge(top[cols], on=cols)
        .groupby(cols, sort=False)[KEY]
        .agg(lambda keys: "; ".join(keys.iloc[:EXAMPLES]))
    )
    top = top.merge(examples.rename("example_alerts").reset_index(), on=cols)
    return top.assign(siem_field=row.siem_field)[["siem_field", *cols, "alerts", "example_alerts"]]


def evaluate_field(
    row: FieldMapping, detections: pd.DataFrame, matched: pd.Index, graph_values: pd.DataFrame
) -> FieldOutcome:
    """Compare one field's legacy values with the Graph values at its paths."""
    column = detections[row.siem_field]
    present = column.notna()
    legacy = pd.DataFrame({KEY: detections.loc[present, KEY], VALUE: column[present]})
    legacy = legacy.drop_duplicates()
    on_matched = legacy[legacy[KEY].isin(matched)]
    common = {
        "legacy_rows_populated": int(present.sum()),
        "legacy_alerts_populated": int(legacy[KEY].nunique()),
        "examples": _examples(column[present]),
    }
    if not row.has_graph_equivalent:
        return FieldOutcome(
            None,
            legacy_populated=int(on_matched[KEY].nunique()),
            graph_populated=0,
            pairs=pd.DataFrame(),
            **common,
        )
    comparator = COMPARATORS[row.comparator]
    split = comparator.legacy_items(on_matched[VALUE], row.params)
    items = pd.DataFrame(
        {KEY: on_matched[KEY].loc[split.index].to_numpy(), VALUE: split.to_numpy()}
    )
    items = aggregate_times(items.drop_duplicates(), row.params.get("legacy_aggregate", "all"))
    paths = [p.text for p in row.graph_paths]
    graph = graph_values.loc[
        graph_values["path"].isin(paths) & graph_values[KEY].isin(matched), [KEY, VALUE]
    ].drop_duplicates()
    found = comparator.found(items, graph, row.params, row.vocabulary)
    all_found = pd.Series(found, index=items[KEY].to_numpy()).groupby(level=0).all()
    legacy_has = matched.isin(items[KEY])
    graph_has = matched.isin(graph[KEY])
    ok = all_found.reindex(matched, fill_value=False).to_numpy()
    codes = np.full(len(matched), BOTH_EMPTY, dtype=np.int8)
    codes[graph_has & ~legacy_has] = NEW
    codes[legacy_has & ~graph_has] = MISSING
    codes[legacy_has & graph_has & ok] = MATCH
    codes[legacy_has & graph_has & ~ok] = MISMATCH
    pairs = _pairs(row, items, found, codes, matched, graph) if len(items) else pd.DataFrame()
    return FieldOutcome(
        codes,
        legacy_populated=int(legacy_has.sum()),
        graph_populated=int(graph_has.sum()),
        pairs=pairs,
        **common,
    )
