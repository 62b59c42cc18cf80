"""The most frequent (legacy value -> Graph value) pairs of one field, with example alerts.

Pairs are counted on integer codes; texts are only built for the pairs that are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.compare import KEY, VALUE, distinct_values
from siem2graph.model import VERDICTS
from siem2graph.text_codes import SortedTexts, arrow_text, pack

TOP_PAIRS = 50
EXAMPLES = 3
PAIR_COLUMNS = ["legacy_value", "graph_value", "found", "verdict"]
_MORE = " more)"  # the end of the '(+n more)' shown after a value with others beside it


def ranking(
    found: np.ndarray,
    alerts: np.ndarray,
    legacy: np.ndarray,
    graph: np.ndarray,
    verdict: np.ndarray,
) -> np.ndarray:
    """The order of pairs: not found before found, then the most frequent; as frequent, by
    legacy text, then Graph text as shown ('(+n more)' included), then verdict (texts as
    ranks in text order); then as given."""
    return np.lexsort((np.arange(len(found)), verdict, graph, legacy, -alerts, found))


def _text_rank(texts: pd.Series | pa.Array) -> np.ndarray:
    """Each text's rank in text order, equal texts equal (merged pairs may come as objects)."""
    if isinstance(texts, pd.Series):
        texts = arrow_text(texts.astype("str"))
    return pc.rank(texts, "ascending", tiebreaker="min").to_numpy()


def rank_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs ranked as ``top_pairs`` ranks them, from their texts."""
    order = ranking(
        pairs["found"].to_numpy(bool),
        pairs["alerts"].to_numpy(np.int64),
        _text_rank(pairs["legacy_value"]),
        _text_rank(pairs["graph_value"]),
        pairs["verdict"].map(VERDICTS.index).to_numpy(np.int64),
    )
    return pairs.iloc[order]


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


def _shown(first: np.ndarray, size: np.ndarray, texts: pd.Index) -> pa.Array:
    """The Graph value shown for an alert: its first value, with '(+n more)' when it has
    more ('' for none)."""
    shown = first >= 0
    # only the texts shown: ``texts`` holds every Graph value's text, millions at 1M
    taken = arrow_text(texts.take(first[shown])).combine_chunks().cast(pa.string())
    pick = np.full(len(first), len(taken))
    pick[shown] = np.arange(len(taken))
    values = pa.concat_arrays([taken, pa.array([""])]).take(pick)
    more = pa.array(size - 1)
    suffix = pc.binary_join_element_wise(" (+", more.cast(pa.string()), _MORE, "")
    suffix = pc.if_else(pc.greater(more, 0), suffix, "")
    return pc.binary_join_element_wise(values, suffix, "")


def _shown_rank(first: np.ndarray, size: np.ndarray, texts: pd.Index) -> np.ndarray:
    """The text order of the values shown (``_shown``): the first values' codes, already in
    text order, while no alert shows more than one."""
    if (size <= 1).all():
        return first
    return _text_rank(_shown(first, size, texts))


def _displays(first: np.ndarray, size: np.ndarray, texts: pd.Index) -> np.ndarray:
    """Per item a code of the Graph value it shows, equal codes for equal texts shown: a value
    that itself ends in _MORE can show as an alert with other values beside it does, and a
    merge, which holds only the texts, sums the two as one pair."""
    codes, _ = pd.factorize(pack(size, first))
    # each display's first item: codes are numbered in order of appearance
    firsts = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)
    shown_first = first[firsts]
    used = arrow_text(texts.take(shown_first[shown_first >= 0]))
    if (size[firsts] <= 1).all() or not pc.any(pc.ends_with(used, _MORE)).as_py():
        return codes  # '(+n more)' follows a text that does not end so: texts are distinct
    merged = pc.dictionary_encode(_shown(shown_first, size[firsts], texts)).indices
    return merged.to_numpy(zero_copy_only=False)[codes]


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
    legacy_codes, legacy_texts = distinct_values(items[VALUE])
    display_codes = _displays(item_first, item_size, texts)
    shown = pack(pack(legacy_codes, display_codes), found.astype(np.int8), 2)
    group, _ = pd.factorize(pack(shown, verdicts, len(VERDICTS)))
    # groups are numbered in order of appearance: a group starts where the running maximum grows
    first_row = np.flatnonzero(np.diff(np.maximum.accumulate(group), prepend=-1) > 0)
    # text order of the legacy values; the Graph values' codes are in text order already
    legacy_rank = _text_rank(legacy_texts)
    alerts = np.bincount(group)
    ranked = ranking(
        found[first_row],
        alerts,
        legacy_rank[legacy_codes[first_row]],
        _shown_rank(item_first[first_row], item_size[first_row], texts),
        verdicts[first_row],
    )
    top = ranked if limit is None else _first_of_each_found(ranked, found[first_row], limit)
    kept = first_row[top]
    examples = _examples(group, top, key_text, item_keys)
    return pd.DataFrame(
        {
            "siem_field": siem_field,
            "legacy_value": legacy_texts.take(legacy_codes[kept]).reset_index(drop=True),
            "graph_value": pd.Series(
                pd.array(_shown(item_first[kept], item_size[kept], texts), dtype="str")
            ),
            "found": found[kept],
            "verdict": np.asarray(VERDICTS)[verdicts[kept]],
            "alerts": alerts[top],
            "example_alerts": examples,
        }
    )


def _first_of_each_found(ranked: np.ndarray, found: np.ndarray, limit: int) -> np.ndarray:
    """The first ``limit`` of ``ranked`` (group numbers, not found before found) per value
    of ``found``."""
    split = int(np.searchsorted(found[ranked], True))
    return np.concatenate([ranked[:split][:limit], ranked[split:][:limit]])


def _examples(
    group: np.ndarray, top: np.ndarray, key_text: np.ndarray, item_keys: np.ndarray
) -> list[str]:
    """Per group of ``top``: the keys of its first EXAMPLES items (``group`` and ``item_keys``:
    each item's group and alert number), in item order, joined."""
    shown = np.zeros(len(group) and int(group.max()) + 1, dtype=bool)
    shown[top] = True
    items = np.flatnonzero(shown[group])
    items = items[np.argsort(group[items], kind="stable")]
    groups = group[items]
    starts = np.flatnonzero(np.diff(groups, prepend=-1))
    within = np.arange(len(items)) - np.repeat(starts, np.diff(np.append(starts, len(items))))
    items, groups = items[within < EXAMPLES], groups[within < EXAMPLES]
    joined: dict[int, list[str]] = {}
    for number, key in zip(groups.tolist(), key_text[item_keys[items]].tolist(), strict=True):
        joined.setdefault(number, []).append(key)
    return ["; ".join(joined[number]) for number in top.tolist()]
