"""The most frequent (legacy value -> Graph value) pairs of one field, with example alerts.

Pairs are counted on integer codes; texts are only built for the pairs that are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from siem2graph.compare import KEY, VALUE
from siem2graph.model import VERDICTS
from siem2graph.text_codes import SortedTexts, arrow_text, pack

TOP_PAIRS = 50
EXAMPLES = 3
PAIR_COLUMNS = ["legacy_value", "graph_value", "found", "verdict"]
# found first, then the most frequent; as frequent: by legacy text, Graph text, verdict
_RANKING = ["found", "alerts", "_legacy", "_graph", "_more", "verdict"]
_ASCENDING = [True, False, True, True, True, True]


def rank_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs with their texts ranked as ``top_pairs`` ranks them (a Graph value shown with
    '(+n more)' ranks by its text)."""
    ranks = pairs.assign(
        _legacy=pairs["legacy_value"],
        _graph=pairs["graph_value"],
        _more=0,
        verdict=pairs["verdict"].map(VERDICTS.index),
    )
    order = ranks.sort_values(_RANKING, ascending=_ASCENDING, kind="stable").index
    return pairs.loc[order]


def _graph_display(graph: pd.DataFrame, alerts: int) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Per alert number: the code of its first Graph value in text order (-1: none), how many
    values it has, and the texts the codes stand for. Values come categorical with sorted
    categories (``verdicts.align``): their codes are already in text order."""
    values = SortedTexts.of_column(graph[VALUE])
    codes, texts = values.codes, values.texts
    keys = graph[KEY].to_numpy()
    if (np.diff(keys) < 0).any():
        order = np.argsort(keys, kind="stable")
        keys, codes = keys[order], codes[order]
    starts = np.flatnonzero(np.diff(keys, prepend=-1))  # one run of rows per alert
    first = np.full(alerts, -1, dtype=np.int64)
    if len(starts):
        first[keys[starts]] = np.minimum.reduceat(codes, starts)
    return first, np.bincount(keys, minlength=alerts), texts


def _display_text(first: np.ndarray, size: np.ndarray, texts: pd.Index) -> list[str]:
    shown = texts.take(first[first >= 0]).tolist()[::-1]
    return [
        "" if f < 0 else shown.pop() + (f" (+{s - 1} more)" if s > 1 else "")
        for f, s in zip(first, size, strict=True)
    ]


def top_pairs(
    siem_field: str,
    items: pd.DataFrame,
    found: np.ndarray,
    verdicts: np.ndarray,
    graph: pd.DataFrame,
    key_text: np.ndarray,
    limit: int | None = TOP_PAIRS,
) -> pd.DataFrame:
    """Per found/not found, the ``limit`` most frequent pairs (None: all) and the first EXAMPLES
    alerts of each (``items`` and ``graph`` carry alert numbers, ``key_text`` turns them into
    keys). Pairs as frequent are ranked by their texts (``rank_pairs``), so any part of the
    alerts ranks its pairs as the whole does."""
    item_keys = items[KEY].to_numpy()
    first, size, texts = _graph_display(graph, len(key_text))
    item_first, item_size = first[item_keys], size[item_keys]
    legacy_codes, legacy_texts = pd.factorize(items[VALUE])
    display_codes, _ = pd.factorize(pack(item_size, item_first))
    shown = pack(pack(legacy_codes, display_codes), found.astype(np.int8), 2)
    group, _ = pd.factorize(pack(shown, verdicts, len(VERDICTS)))
    # groups are numbered in order of appearance: a group starts where the running maximum grows
    first_row = np.flatnonzero(np.diff(np.maximum.accumulate(group), prepend=-1) > 0)
    # text order of the legacy values; the Graph values' codes are in text order already
    plain = pd.Series(np.asarray(legacy_texts), dtype="str")
    legacy_rank = pc.rank(arrow_text(plain), "ascending").to_numpy()
    counts = pd.DataFrame(
        {
            "found": found[first_row],
            "alerts": np.bincount(group),
            "_legacy": legacy_rank[legacy_codes[first_row]],
            "_graph": item_first[first_row],
            "_more": item_size[first_row],
            "verdict": verdicts[first_row],
            "_group": np.arange(len(first_row)),
        }
    )
    ranked = counts.sort_values(_RANKING, ascending=_ASCENDING, kind="stable")
    top = ranked if limit is None else ranked.groupby("found", sort=False).head(limit)
    kept = first_row[top["_group"].to_numpy()]
    rows = np.flatnonzero(np.isin(group, top["_group"].to_numpy()))
    examples = (
        pd.Series(key_text[item_keys[rows]], index=group[rows])
        .groupby(level=0, sort=False)
        .head(EXAMPLES)
        .groupby(level=0, sort=False)
        .agg("; ".join)
    )
    return pd.DataFrame(
        {
            "siem_field": siem_field,
            "legacy_value": pd.Series(
                np.asarray(legacy_texts.take(legacy_codes[kept])), dtype="str"
            ),
            "graph_value": pd.Series(
                _display_text(item_first[kept], item_size[kept], texts), dtype="str"
            ),
            "found": found[kept],
            "verdict": np.asarray(VERDICTS)[verdicts[kept]],
            "alerts": top["alerts"].to_numpy(),
            "example_alerts": examples.reindex(top["_group"]).to_numpy(),
        }
    )
