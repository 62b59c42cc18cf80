"""Text columns as integer codes over their distinct values, through Arrow's hashing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def text_codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """The int32 code of each value (-1: none) and the distinct texts, first seen first."""
    encoded = pc.dictionary_encode(pa.chunked_array(pa.array(values.array)))
    codes = pa.chunked_array([c.indices for c in encoded.chunks], pa.int32())
    texts = encoded.chunk(0).dictionary if encoded.num_chunks else pa.array([], pa.string())
    return pc.fill_null(codes, -1).to_numpy().astype(np.int32, copy=False), texts


def categorical(codes: np.ndarray, texts: pa.Array) -> pd.Categorical:
    """A categorical of ``codes`` (valid by construction) over ``texts``."""
    categories = pd.Index(pd.array(texts, dtype="str"))
    return pd.Categorical.from_codes(codes, categories, validate=False)


def sorted_categorical(values: pd.Series) -> pd.Categorical:
    """``values`` as a categorical whose categories are in text order."""
    codes, texts = text_codes(values)
    order = pc.array_sort_indices(texts).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = -1  # code -1 (no value) stays -1
    return categorical(rank[codes], texts.take(order))
