"""Text columns as integer codes over their distinct values, through Arrow's hashing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.threads import thread_count

Texts: TypeAlias = "pa.Array | pa.ChunkedArray"
# below this many texts one sort is as quick as two halves in two threads
_SPLIT_FROM = 100_000


def arrow_text(values: pd.Series | pd.Index) -> pa.ChunkedArray:
    """Text values' Arrow data (no copy for Arrow-backed text)."""
    return pa.chunked_array(pa.array(values.array))


def text_codes(texts: Texts) -> tuple[np.ndarray, pa.Array]:
    """The int32 code of each value (-1: none) and the distinct texts, first seen first;
    dictionary-encoded texts have their chunks' dictionaries unified."""
    texts = pa.chunked_array(texts)
    if pa.types.is_dictionary(texts.type):
        encoded = texts.unify_dictionaries()
    else:
        encoded = pc.dictionary_encode(texts)
    codes = pa.chunked_array([c.indices for c in encoded.chunks], pa.int32())
    distinct = encoded.chunk(0).dictionary if encoded.num_chunks else pa.array([], pa.string())
    return pc.fill_null(codes, -1).to_numpy().astype(np.int32, copy=False), distinct


def dictionary_array(column: pd.Series) -> pa.DictionaryArray:
    """A text column as Arrow dictionary data: a categorical's codes over its categories
    (no Python strings), other text dictionary-encoded."""
    values = column.array
    if isinstance(values, pd.Categorical):
        codes = values.codes.astype(np.int32)
        texts = pa.array(values.categories.array, pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), texts)
    return pc.dictionary_encode(pa.array(values, pa.string()))


def column_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """The code of each value (-1: none) and the distinct texts the codes stand for."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), column.cat.categories
    codes, texts = text_codes(arrow_text(column))
    return codes, pd.Index(pd.array(texts, dtype="str"))


def positions(texts: pd.Index, among: pd.Index) -> np.ndarray:
    """``among.get_indexer(texts)`` through Arrow's hashing (pandas makes every text a Python
    string: 0.3 GB for 2M keys)."""
    values = pa.array(texts.astype("str").array)
    found = pc.index_in(values, value_set=pa.array(among.astype("str").array, values.type))
    return pc.fill_null(found, -1).to_numpy().astype(np.intp)


def as_text(values: pd.Series) -> pd.Series:
    """``values`` as plain text; a categorical's codes are looked up through Arrow
    (``astype("str")`` goes through Python objects; docs/scale.md, choices)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype("str")
    codes = values.cat.codes.to_numpy()
    texts = pa.array(values.cat.categories.array).take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(texts, dtype="str"), index=values.index, name=values.name)


def categorical(codes: np.ndarray, texts: pa.Array) -> pd.Categorical:
    """A categorical of ``codes`` (valid by construction) over ``texts``."""
    categories = pd.Index(pd.array(texts, dtype="str"))
    return pd.Categorical.from_codes(codes, categories, validate=False)


@dataclass(frozen=True)
class SortedTexts:
    """Text values as codes over their distinct texts in text order, -1 meaning none: comparing
    two codes compares their texts (an alert's first value is its smallest code). Build it with
    ``of_arrow`` or ``of_column``, which establish the order."""

    codes: np.ndarray  # per value
    texts: pd.Index  # distinct, ascending

    @classmethod
    def of_arrow(cls, texts: Texts, rows: np.ndarray | None = None) -> SortedTexts:
        """The values at ``rows`` (all when None), over the distinct values among them."""
        codes, distinct = text_codes(texts)
        if rows is not None:
            codes = codes[rows]
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(distinct)))
        used_texts = distinct.take(used)
        order = text_order(used_texts)
        rank = np.full(len(distinct) + 1, -1, dtype=np.int32)  # the last one: code -1 stays -1
        rank[used[order]] = np.arange(len(order), dtype=np.int32)
        return cls(rank[codes], pd.Index(pd.array(used_texts.take(order), dtype="str")))

    @classmethod
    def of_column(cls, values: pd.Series) -> SortedTexts:
        """A categorical column's own codes when its categories are in text order (pandas keeps
        that answer on the categories, which columns share); else the texts factorized."""
        if isinstance(values.dtype, pd.CategoricalDtype):
            if values.cat.categories.is_monotonic_increasing:
                return cls(values.cat.codes.to_numpy(), values.cat.categories)
            values = as_text(values)  # factorize would keep the categories' order
        codes, texts = pd.factorize(values, sort=True)
        return cls(codes, pd.Index(texts))

    def categorical(self) -> pd.Categorical:
        """The values as a categorical (valid by construction)."""
        return pd.Categorical.from_codes(self.codes, self.texts, validate=False)


def pack(high: np.ndarray, low: np.ndarray, low_bound: int | None = None) -> np.ndarray:
    """Each (high, low) pair of codes as one int64, equal pairs to equal numbers. ``high`` is
    at least 0, ``low`` at least -1 (none) and below ``low_bound`` (default: its maximum + 1).
    Raises OverflowError when the numbers would not fit in an int64."""
    width = (int(low.max(initial=0)) + 1 if low_bound is None else low_bound) + 1
    top = int(high.max(initial=0))
    if top >= np.iinfo(np.int64).max // width:
        raise OverflowError(f"codes up to {top} by {width} do not fit in an int64")
    return high.astype(np.int64) * width + (low.astype(np.int64) + 1)


def text_order(texts: pa.Array, split_from: int = _SPLIT_FROM) -> np.ndarray:
    """The positions that put ``texts`` (no nulls) in text order, as Arrow's stable sort does.
    From ``split_from`` texts on, they are cut into one part per thread at two-byte prefixes
    (every text of a part sorts before every text of the next) and the parts sorted at once."""
    parts = thread_count()
    if len(texts) < split_from or parts == 1:
        return pc.array_sort_indices(texts).to_numpy()
    prefixes = _leading_bytes(texts)
    running = np.cumsum(np.bincount(prefixes, minlength=1 << 16))
    last_prefixes = np.searchsorted(running, len(texts) * np.arange(1, parts) // parts)
    part = np.searchsorted(last_prefixes, prefixes)  # a text's part: how many parts end before
    rows = np.argsort(part, kind="stable")
    groups = np.split(rows, np.cumsum(np.bincount(part, minlength=parts))[:-1])

    def order(rows: np.ndarray) -> np.ndarray:
        return rows[pc.array_sort_indices(texts.take(rows)).to_numpy()]

    with ThreadPoolExecutor(parts) as pool:
        return np.concatenate(list(pool.map(order, groups)))


def _leading_bytes(texts: pa.Array) -> np.ndarray:
    """Each text's first two bytes as one big-endian number (a byte past the end counts 0:
    the numbers are in the texts' order, ties aside)."""
    texts = texts.cast(pa.large_binary())
    _, offsets, data = texts.buffers()
    bounds = np.frombuffer(offsets, np.int64)[texts.offset : texts.offset + len(texts) + 1]
    if data is None or bounds[-1] == bounds[0]:
        return np.zeros(len(texts), dtype=np.int64)
    content = np.frombuffer(data, np.uint8)
    starts, lengths = bounds[:-1], np.diff(bounds)

    def byte(k: int) -> np.ndarray:
        at = np.minimum(starts + k, len(content) - 1)
        return np.where(lengths > k, content[at], 0).astype(np.int64)

    return byte(0) << 8 | byte(1)
