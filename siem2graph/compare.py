"""The comparator registry: how a legacy value is judged found among an alert's Graph values.

Every comparator works on whole columns. ``items`` holds one row per (alert key, legacy value)
and ``graph`` one row per (alert key, Graph value); ``found`` answers, for each item, whether the
alert's Graph values contain it. Equality comparators normalise both sides (``normalise``) into
candidate keys (a legacy value may have several, e.g. an enum with a vocabulary) and join once;
``datetime`` joins on the alert and compares within a tolerance. ``inverses`` holds the way back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siem2graph import inverses, normalise
from siem2graph.text_codes import pack
from siem2graph.times import SlashedOrder, parse_times

KEY = "key"
VALUE = "value"
# (alert key, legacy value) rows -> the rows to compare
Aggregate = Callable[[pd.DataFrame, Mapping[str, Any]], pd.DataFrame]


def _every_item(items: pd.DataFrame, _params: Mapping[str, Any]) -> pd.DataFrame:
    return items


def _aggregate_times(items: pd.DataFrame, params: Mapping[str, Any]) -> pd.DataFrame:
    return aggregate_times(
        items, params.get("legacy_aggregate", "all"), normalise.slashed_order(params)
    )


def aggregate_times(
    items: pd.DataFrame, how: str, column: SlashedOrder | None = None
) -> pd.DataFrame:
    """Keep only each key's earliest or latest legacy time ('all' keeps every one); times that
    cannot be read are all kept, to be counted as unreadable. ``column``: what the whole
    column's slashed dates say (``times``)."""
    if how == "all" or items.empty:
        return items
    order = parse_times(items[VALUE], column)
    ranked = items.assign(_t=order).sort_values("_t", ascending=(how == "min"), na_position="last")
    kept = ~ranked.duplicated(KEY) | ranked["_t"].isna()
    return ranked.loc[kept, [KEY, VALUE]]


@dataclass(frozen=True)
class Comparator:
    """A named way of comparing one field's legacy values with Graph values."""

    name: str
    description: str
    legacy: normalise.Normaliser = normalise.identity
    graph: normalise.Normaliser = normalise.identity
    check_params: Callable[[Mapping[str, Any]], None] = normalise.no_params
    # legacy text is a separated list whose items are checked one by one
    splits_legacy: bool = False
    within_tolerance: bool = False  # compare instants within params' tolerance, not by equality
    # the normalisation's inverse: Graph values -> a legacy value
    to_legacy: inverses.Inverse = inverses.first
    meaning_changed: bool = False  # only presence is compared: a match is not the same value
    needs_vocabulary: bool = False  # the mapping row must give the legacy -> Graph vocabulary
    compares: bool = True  # False: the field has no Graph equivalent, nothing is compared
    aggregate: Aggregate = _every_item  # which of an alert's legacy items are compared
    # the legacy values, and the Graph values, the comparator can read
    interprets: normalise.Readable = normalise.any_text
    interprets_graph: normalise.Readable = normalise.any_text

    def readable(
        self,
        values: pd.Series,
        params: Mapping[str, Any],
        vocabulary: Mapping[str, tuple[str, ...]],
        graph: bool = False,
    ) -> np.ndarray:
        """Per value (a legacy one, or a Graph one when ``graph``): can this comparator read
        it? A value not found among the Graph values is a mismatch only when the comparator can
        read it and one of the alert's Graph values; otherwise it is ``unreadable``. Distinct
        values are read once."""
        reader = self.interprets_graph if graph else self.interprets
        if reader is normalise.any_text:
            return np.ones(len(values), dtype=bool)
        codes, distinct = distinct_values(values)
        return reader(distinct, params, vocabulary)[codes]

    def legacy_items(self, values: pd.Series, params: Mapping[str, Any]) -> pd.Series:
        """The legacy values an alert must keep; multi-valued strings become several items."""
        if self.splits_legacy:
            return normalise.split_items(
                values, params.get("separators", normalise.DEFAULT_SEPARATORS)
            )
        return values

    def found(
        self,
        items: pd.DataFrame,
        graph: pd.DataFrame,
        params: Mapping[str, Any],
        vocabulary: Mapping[str, tuple[str, ...]],
    ) -> np.ndarray:
        """For each row of ``items`` (key, value): is it found among the same key's Graph values?"""
        if items.empty:
            return np.zeros(0, dtype=bool)
        if self.within_tolerance:
            return _found_in_time(items, graph, params)
        left = _candidates(items[VALUE], lambda v: self.legacy(v, params, vocabulary))
        right = _candidates(graph[VALUE], lambda v: self.graph(v, params, vocabulary))
        norms, _ = pd.factorize(pd.concat([left[1], right[1]]), use_na_sentinel=False)
        keys, _ = pd.factorize(
            pd.concat([pd.Series(items[KEY].to_numpy()), pd.Series(graph[KEY].to_numpy())])
        )
        bound = int(norms.max(initial=0)) + 1
        left_rows = _expand(left[0], len(items), left[2])
        right_rows = _expand(right[0], len(graph), right[2])
        left_keys = pack(
            keys[: len(items)][left_rows[0]], norms[: len(left[1])][left_rows[1]], bound
        )
        right_keys = pack(
            keys[len(items) :][right_rows[0]], norms[len(left[1]) :][right_rows[1]], bound
        )
        result = np.zeros(len(items), dtype=bool)
        hits = pd.Series(left_keys).isin(right_keys).to_numpy()  # hashed (np.isin sorts)
        result[left_rows[0][hits]] = True
        return result


def _candidates(
    values: pd.Series, normalise: Callable[[pd.Series], pd.Series]
) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Normalise each distinct value once: (code of each value, the candidates, the distinct
    value each candidate comes from)."""
    codes, distinct = distinct_values(values)
    candidates = normalise(distinct)
    return codes, candidates, candidates.index.to_numpy()


def distinct_values(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code of each value, the distinct values as text); a categorical's codes are renumbered
    over the categories in use instead of being hashed again."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        if len(codes) and codes.min() >= 0:
            categories = values.cat.categories
            used = np.flatnonzero(np.bincount(codes, minlength=len(categories)))
            number = np.zeros(len(categories), dtype=np.intp)
            number[used] = np.arange(len(used))
            return number[codes], pd.Series(categories.take(used), dtype="str")
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(distinct, dtype="str")


def _expand(codes: np.ndarray, rows: int, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, candidate position) for every candidate of every row, in row order."""
    order = np.argsort(owners, kind="stable")
    counts = np.bincount(owners, minlength=int(codes.max(initial=-1)) + 1)
    starts = np.cumsum(counts) - counts
    per_row = counts[codes]
    total = int(per_row.sum())
    within = np.arange(total) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return np.repeat(np.arange(rows), per_row), order[np.repeat(starts[codes], per_row) + within]


def _found_in_time(
    items: pd.DataFrame, graph: pd.DataFrame, params: Mapping[str, Any]
) -> np.ndarray:
    left = items.reset_index(drop=True).assign(
        t=lambda f: parse_times(f[VALUE], normalise.slashed_order(params)), row=lambda f: f.index
    )
    right = graph.assign(g=parse_times(graph[VALUE]))[[KEY, "g"]].dropna()
    pairs = left[[KEY, "t", "row"]].merge(right, on=KEY, how="inner")
    tolerance = pd.Timedelta(seconds=float(params["tolerance_seconds"]))
    close = (pairs["t"] - pairs["g"]).abs() <= tolerance
    result = np.zeros(len(left), dtype=bool)
    result[pairs.loc[close, "row"].unique()] = True
    return result


COMPARATORS: dict[str, Comparator] = {
    c.name: c
    for c in (
        Comparator("exact", "the same text"),
        Comparator(
            "casefold",
            "the same text, ignoring case and outer spaces",
            normalise.lower,
            normalise.lower,
        ),
        Comparator(
            "text",
            "the same text, ignoring runs of white space",
            normalise.whitespace,
            normalise.whitespace,
        ),
        Comparator(
            "hash",
            "the same hash, ignoring case",
            normalise.lower,
            normalise.lower,
            interprets=normalise.hex_hash,
            interprets_graph=normalise.hex_hash,
        ),
        Comparator(
            "ip",
            "the same IP address, in any of its text forms",
            normalise.ip,
            normalise.ip,
            interprets=normalise.ip_address,
            interprets_graph=normalise.ip_address,
        ),
        Comparator(
            "datetime",
            "the same instant within a tolerance",
            check_params=normalise.datetime_params,
            within_tolerance=True,
            to_legacy=inverses.utc_text,
            aggregate=_aggregate_times,
            interprets=normalise.instant,
            interprets_graph=normalise.instant,
        ),
        Comparator(
            "enum",
            "a Graph value the vocabulary allows for the legacy value",
            normalise.vocabulary,
            normalise.lower,
            to_legacy=inverses.legacy_label,
            interprets=normalise.known_value,
            interprets_graph=normalise.unmasked,
            needs_vocabulary=True,
        ),
        Comparator(
            "set",
            "every item of a separated legacy list among the Graph values",
            normalise.lower,
            normalise.lower,
            normalise.separator_params,
            splits_legacy=True,
            to_legacy=inverses.joined,
        ),
        Comparator(
            "accounts",
            "every DOMAIN\\user of a separated legacy list among the Graph accounts (one "
            "without its domain by its user name)",
            normalise.lower,
            normalise.accounts,
            normalise.separator_params,
            splits_legacy=True,
            to_legacy=inverses.joined,
        ),
        Comparator(
            "contained_in",
            "the host or domain part of a Graph DNS name",
            normalise.lower,
            normalise.dns_parts,
            normalise.dns_params,
            to_legacy=inverses.dns_part,
        ),
        Comparator(
            "url_tail",
            "the same alert id at the end of the link, with or without 'da'",
            normalise.url_tail,
            normalise.url_tail,
        ),
        Comparator(
            "url",
            "the same URL, ignoring case, scheme and a final slash",
            normalise.url,
            normalise.url,
        ),
        Comparator(
            "presence",
            "only presence: the meaning changed",
            normalise.present,
            normalise.present,
            to_legacy=inverses.listed,
            meaning_changed=True,
        ),
        Comparator(
            "none",
            "not compared: no Graph equivalent",
            check_params=normalise.separator_params,
            to_legacy=inverses.nothing,
            compares=False,
        ),
    )
}
