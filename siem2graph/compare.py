"""The comparator registry: how a legacy value is judged found among an alert's Graph values.

Every comparator works on whole columns. ``items`` holds one row per (alert key, legacy value)
and ``graph`` one row per (alert key, Graph value); ``found`` answers, for each item, whether the
alert's Graph values contain it. Equality comparators normalise both sides into candidate keys (a
legacy value may have several, e.g. an enum with a vocabulary) and join once; ``datetime`` joins on
the alert and compares within a tolerance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.text_codes import pack
from siem2graph.times import SlashedOrder, parse_times

KEY = "key"
VALUE = "value"
# the run's param holding what the whole legacy column's slashed dates say (``times``)
SLASHED_ORDER = "_slashed_order"
Normaliser = Callable[[pd.Series, Mapping[str, Any], Mapping[str, tuple[str, ...]]], pd.Series]
# Graph values at a field's paths (in path order, non-empty), the params and the legacy labels
# (Graph value in lower case -> legacy value as spelled) -> the value a SIEM API record would carry.
Inverse = Callable[[Sequence[str], Mapping[str, Any], Mapping[str, str]], str]
# (alert key, legacy value) rows -> the rows to compare
Aggregate = Callable[[pd.DataFrame, Mapping[str, Any]], pd.DataFrame]

_URL_TAIL = r"(?i)(?:[?&]alertid=(?P<param>[^&#]+))|/(?P<segment>[^/?#]+)/?(?:[?#][^/]*)?$"
_URL_TAIL_RE = re.compile(_URL_TAIL)
_DEFAULT_SEPARATORS = ";,"


def _lower(values: pd.Series, *_: Any) -> pd.Series:
    return values.str.strip().str.lower()


def _identity(values: pd.Series, *_: Any) -> pd.Series:
    return values


def _whitespace(values: pd.Series, *_: Any) -> pd.Series:
    """Runs of ASCII white space as one space, outer white space trimmed (splitting on the runs
    and joining with a space: quicker than a regex replace; docs/scale.md, choices)."""
    texts = pa.array(values, pa.large_string(), from_pandas=True)
    joined = pc.binary_join(pc.ascii_split_whitespace(texts), pa.scalar(" ", pa.large_string()))
    return pd.Series(pd.array(pc.utf8_trim_whitespace(joined), dtype="str"), index=values.index)


def _present(values: pd.Series, *_: Any) -> pd.Series:
    return pd.Series("present", index=values.index, dtype="str")


def _vocabulary(
    values: pd.Series, _params: Mapping[str, Any], vocabulary: Mapping[str, tuple[str, ...]]
) -> pd.Series:
    lowered = _lower(values)
    vocab = {k: [v.lower() for v in vs] for k, vs in vocabulary.items()}
    mapped = lowered.map(vocab)
    candidates = mapped.where(mapped.notna(), lowered.map(lambda v: [v]))
    return candidates.explode().astype("str")


def _dns_parts(values: pd.Series, *_: Any) -> pd.Series:
    lowered = _lower(values)
    parts = lowered.str.split(".", n=1, expand=True)
    pieces = [lowered, parts[0]]
    if parts.shape[1] > 1:
        pieces.append(parts[1].dropna())
    return pd.concat(pieces).astype("str")


def _non_empty(texts: pa.Array) -> pa.Array:
    return pc.fill_null(pc.greater(pc.binary_length(texts), 0), False)


def _url_tail(values: pd.Series, *_: Any) -> pd.Series:
    """The alertid parameter or the last path segment, lowered (the text itself if neither),
    without Graph's 'da' prefix: a link to 636..._67 and one to da636..._67 name one alert, as
    the join has it.

    RE2 (pyarrow) and Python's re agree on this pattern for ASCII text without line breaks
    (``$`` and case folding differ beyond); other texts go through Python's re.
    """
    texts = pa.array(values, pa.large_string(), from_pandas=True)
    found = pc.extract_regex(texts, _URL_TAIL)
    param, segment = pc.struct_field(found, [0]), pc.struct_field(found, [1])
    tail = pc.if_else(_non_empty(param), param, segment)
    tail = pc.if_else(_non_empty(tail), tail, texts)
    tail = tail.to_numpy(zero_copy_only=False)
    simple = pc.and_(pc.string_is_ascii(texts), pc.invert(pc.match_substring(texts, "\n")))
    for row in np.flatnonzero(~pc.fill_null(simple, True).to_numpy(zero_copy_only=False)):
        text = texts[row].as_py()
        match = _URL_TAIL_RE.search(text)
        tail[row] = (match.group("param") or match.group("segment")) if match else text
    return pd.Series(tail, index=values.index, dtype="str").str.lower().str.removeprefix("da")


_HASH = r"(?i)^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$"
_SCHEME = r"^[a-z][a-z0-9+.-]*://"


def _url(values: pd.Series, *_: Any) -> pd.Series:
    """Lowered, without the scheme and a trailing slash: ``down.esales360.cn`` is
    ``http://down.esales360.cn/``."""
    lowered = _lower(values).str.replace(_SCHEME, "", regex=True)
    return lowered.str.replace(r"/$", "", regex=True)


Readable = Callable[[pd.Series, Mapping[str, Any], Mapping[str, tuple[str, ...]]], np.ndarray]


def _any_text(values: pd.Series, *_: Any) -> np.ndarray:
    return np.ones(len(values), dtype=bool)


def _hex_hash(values: pd.Series, *_: Any) -> np.ndarray:
    """An MD5, SHA-1 or SHA-256 in hex (redacted 'xxxxxxxx' or cut hashes are not)."""
    return values.str.strip().str.fullmatch(_HASH).fillna(False).to_numpy(bool)


def _known_value(
    values: pd.Series, _params: Mapping[str, Any], vocabulary: Mapping[str, tuple[str, ...]]
) -> np.ndarray:
    """A vocabulary key or one of the Graph values it allows (case-insensitive)."""
    known = {k.lower() for k in vocabulary} | {v.lower() for vs in vocabulary.values() for v in vs}
    return _lower(values).isin(known).to_numpy(bool)


def _order(params: Mapping[str, Any]) -> SlashedOrder | None:
    order = params.get(SLASHED_ORDER)
    return order if isinstance(order, SlashedOrder) else None


def _instant(values: pd.Series, params: Mapping[str, Any], *_: Any) -> np.ndarray:
    return parse_times(values, _order(params)).notna().to_numpy(bool)


def split_items(values: pd.Series, separators: str) -> pd.Series:
    """Split multi-valued legacy strings into trimmed, non-empty items (index repeated)."""
    pattern = "[" + "".join("\\" + c if c in "\\]^-" else c for c in separators) + "]"
    items = values.str.split(pattern, regex=True).explode().str.strip()
    return items[items.fillna("") != ""].astype("str")


def _no_params(params: Mapping[str, Any]) -> None:
    if params:
        raise ValueError(f"this comparator takes no params, got {sorted(params)}")


def _separator_params(params: Mapping[str, Any]) -> None:
    if set(params) - {"separators"}:
        raise ValueError(f"only 'separators' is a param here, got {sorted(params)}")
    seps = params.get("separators", _DEFAULT_SEPARATORS)
    if not isinstance(seps, str) or not seps:
        raise ValueError("separators must be a non-empty text")


def _dns_params(params: Mapping[str, Any]) -> None:
    if set(params) - {"part"} or params.get("part", "host") not in ("host", "domain"):
        raise ValueError("contained_in takes only 'part': host or domain")


def _datetime_params(params: Mapping[str, Any]) -> None:
    if set(params) - {"tolerance_seconds", "legacy_aggregate"}:
        raise ValueError(f"unknown datetime params {sorted(params)}")
    tolerance = params.get("tolerance_seconds")
    if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
        raise ValueError("tolerance_seconds must be a number >= 0")
    if params.get("legacy_aggregate", "all") not in ("all", "min", "max"):
        raise ValueError("legacy_aggregate must be all, min or max")


def _first(values: Sequence[str], *_: Any) -> str:
    return values[0]


def _none(_values: Sequence[str], *_: Any) -> str:
    return ""


def _joined(values: Sequence[str], params: Mapping[str, Any], *_: Any) -> str:
    """Every distinct value, joined by the field's first separator and a space."""
    separator = str(params.get("separators", _DEFAULT_SEPARATORS))[0]
    return f"{separator} ".join(dict.fromkeys(values))


def _listed(values: Sequence[str], *_: Any) -> str:
    return ", ".join(dict.fromkeys(values))


def _legacy_label(
    values: Sequence[str], _params: Mapping[str, Any], labels: Mapping[str, str]
) -> str:
    """The legacy value of the first Graph value the vocabulary knows; the value itself else."""
    for value in values:
        label = labels.get(value.lower())
        if label is not None:
            return label
    return values[0]


def _dns_part(values: Sequence[str], params: Mapping[str, Any], *_: Any) -> str:
    host, _dot, domain = values[0].partition(".")
    return domain if params.get("part", "host") == "domain" else host


def _utc_text(values: Sequence[str], *_: Any) -> str:
    """An instant as the SIEM API wrote it: ISO-8601 in UTC with a Z."""
    text = values[0].strip()
    if text.endswith(("Z", "z")):
        return text[:-1] + "Z"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.replace(tzinfo=None).isoformat() + "Z"


def _every_item(items: pd.DataFrame, _params: Mapping[str, Any]) -> pd.DataFrame:
    return items


def _aggregate_times(items: pd.DataFrame, params: Mapping[str, Any]) -> pd.DataFrame:
    return aggregate_times(items, params.get("legacy_aggregate", "all"), _order(params))


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
    legacy: Normaliser = _identity
    graph: Normaliser = _identity
    check_params: Callable[[Mapping[str, Any]], None] = _no_params
    splits_legacy: bool = (
        False  # legacy text is a separated list whose items are checked one by one
    )
    within_tolerance: bool = False  # compare instants within params' tolerance, not by equality
    to_legacy: Inverse = _first  # the normalisation's inverse: Graph values -> a legacy value
    meaning_changed: bool = False  # only presence is compared: a match is not the same value
    needs_vocabulary: bool = False  # the mapping row must give the legacy -> Graph vocabulary
    compares: bool = True  # False: the field has no Graph equivalent, nothing is compared
    aggregate: Aggregate = _every_item  # which of an alert's legacy items are compared
    interprets: Readable = _any_text  # the legacy values the comparator can read
    interprets_graph: Readable = _any_text  # the Graph values it can read

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
        if reader is _any_text:
            return np.ones(len(values), dtype=bool)
        codes, distinct = _distinct(values)
        return reader(distinct, params, vocabulary)[codes]

    def legacy_items(self, values: pd.Series, params: Mapping[str, Any]) -> pd.Series:
        """The legacy values an alert must keep; multi-valued strings become several items."""
        if self.splits_legacy:
            return split_items(values, params.get("separators", _DEFAULT_SEPARATORS))
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
    codes, distinct = _distinct(values)
    candidates = normalise(distinct)
    return codes, candidates, candidates.index.to_numpy()


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
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
        t=lambda f: parse_times(f[VALUE], _order(params)), row=lambda f: f.index
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
        Comparator("casefold", "the same text, ignoring case and outer spaces", _lower, _lower),
        Comparator("text", "the same text, ignoring runs of white space", _whitespace, _whitespace),
        Comparator(
            "hash",
            "the same hash, ignoring case",
            _lower,
            _lower,
            interprets=_hex_hash,
            interprets_graph=_hex_hash,
        ),
        Comparator(
            "datetime",
            "the same instant within a tolerance",
            check_params=_datetime_params,
            within_tolerance=True,
            to_legacy=_utc_text,
            aggregate=_aggregate_times,
            interprets=_instant,
            interprets_graph=_instant,
        ),
        Comparator(
            "enum",
            "a Graph value the vocabulary allows for the legacy value",
            _vocabulary,
            _lower,
            to_legacy=_legacy_label,
            interprets=_known_value,
            needs_vocabulary=True,
        ),
        Comparator(
            "set",
            "every item of a separated legacy list among the Graph values",
            _lower,
            _lower,
            _separator_params,
            splits_legacy=True,
            to_legacy=_joined,
        ),
        Comparator(
            "contained_in",
            "the host or domain part of a Graph DNS name",
            _lower,
            _dns_parts,
            _dns_params,
            to_legacy=_dns_part,
        ),
        Comparator(
            "url_tail",
            "the same alert id at the end of the link, with or without 'da'",
            _url_tail,
            _url_tail,
        ),
        Comparator("url", "the same URL, ignoring case, scheme and a final slash", _url, _url),
        Comparator(
            "presence",
            "only presence: the meaning changed",
            _present,
            _present,
            to_legacy=_listed,
            meaning_changed=True,
        ),
        Comparator(
            "none",
            "not compared: no Graph equivalent",
            check_params=_separator_params,
            to_legacy=_none,
            compares=False,
        ),
    )
}
