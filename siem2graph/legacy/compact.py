"""Legacy text columns whose values repeat, held as categoricals.

Most SIEM fields are alert-level: every detection of an alert repeats its title, links,
description and device. Held once per distinct value, the text of a million detections takes
0.7 GB instead of 1.8 GB, and the per-field comparisons read codes instead of hashing text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.text_codes import arrow_text, categorical, dictionary_array, text_codes
from siem2graph.threads import thread_count

# A column is encoded when its sample holds at most this many distinct values per row.
REPEAT_SHARE = 0.5
_SAMPLE_ROWS = 100_000


def repeats(texts: pa.Array | pa.ChunkedArray) -> bool:
    """Whether the first rows' values repeat enough to pay for a dictionary."""
    sample = texts.slice(0, _SAMPLE_ROWS)
    return pc.count_distinct(sample).as_py() <= REPEAT_SHARE * len(sample)


def text_column(texts: pa.ChunkedArray) -> pd.Series:
    """A parsed text column as the detections hold it: categorical when the reader encoded it
    or its values repeat."""
    if pa.types.is_dictionary(texts.type) or (len(texts) and repeats(texts)):
        return pd.Series(categorical(*text_codes(texts)))
    return pd.Series(pd.array(texts, dtype="str"))


def text_columns(columns: Iterable[pa.ChunkedArray]) -> list[pd.Series]:
    """``text_column`` of each column, several at a time (Arrow's hashing releases the GIL)."""
    with ThreadPoolExecutor(thread_count()) as pool:
        return list(pool.map(text_column, columns))


def compact_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text column whose values repeat held as a categorical, including
    the categoricals that ``pd.concat`` turned into objects (their categories differed)."""
    names = [str(name) for name, column in frame.items() if column.dtype in ("str", object)]
    columns = text_columns(arrow_text(frame[name].astype("str")) for name in names)
    return frame.assign(**{name: c.array for name, c in zip(names, columns, strict=True)})


def stacked(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """``compact_text`` of the frames one under another. A column categorical in some frames
    and text or categorical over other categories in the rest is stacked through Arrow's
    dictionary unification: ``pd.concat`` would make Python objects of it (most of the time
    reading several exports took), to be encoded again."""
    if not frames:
        return pd.DataFrame()
    names = list(dict.fromkeys(str(name) for frame in frames for name in frame.columns))
    coded = [name for name in names if _unified([f.get(name) for f in frames])]
    with ThreadPoolExecutor(thread_count()) as pool:
        columns = list(pool.map(lambda name: _stacked_codes(frames, name), coded))
    rest = compact_text(pd.concat([f.drop(columns=coded) for f in frames], ignore_index=True))
    return rest.assign(**{n: c.array for n, c in zip(coded, columns, strict=True)})[names]


def _unified(parts: Sequence[pd.Series | None]) -> bool:
    """Whether a column's parts are stacked through dictionary unification: every frame has
    it, one at least as a categorical, the others as categoricals over other categories or
    as text (a file whose values did not repeat enough)."""
    kinds = [p.dtype for p in parts if p is not None]
    return (
        len(kinds) == len(parts) > 1
        and any(isinstance(k, pd.CategoricalDtype) for k in kinds)
        and all(isinstance(k, pd.CategoricalDtype) or k == "str" for k in kinds)
        and len(set(kinds)) > 1
    )


def _stacked_codes(frames: Sequence[pd.DataFrame], name: str) -> pd.Series:
    """A column ``_unified`` stacks, as ``text_column`` makes its texts one under another."""
    codes, texts = text_codes(pa.chunked_array([dictionary_array(f[name]) for f in frames]))
    if not repeats(_decoded(codes[:_SAMPLE_ROWS], texts)):
        return pd.Series(pd.array(_decoded(codes, texts), dtype="str"))
    return pd.Series(categorical(*first_seen(codes, texts)))


def _decoded(codes: np.ndarray, texts: pa.Array) -> pa.Array:
    return texts.take(pa.array(codes, mask=codes < 0))


def first_seen(codes: np.ndarray, texts: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """``codes`` (-1: none) over ``texts`` renumbered so that the texts come in order of first
    use, unused ones dropped: what encoding the texts themselves gives (``text_codes``)."""
    rows = np.flatnonzero(codes >= 0)
    first = np.full(len(texts), len(codes), dtype=np.int64)
    np.minimum.at(first, codes[rows], rows)
    used = np.count_nonzero(first < len(codes))
    order = np.argsort(first, kind="stable")[:used]
    number = np.full(len(texts), -1, dtype=np.int32)
    number[order] = np.arange(used, dtype=np.int32)
    return np.where(codes >= 0, number[codes], -1).astype(np.int32), texts.take(pa.array(order))
