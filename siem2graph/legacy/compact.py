"""Legacy text columns whose values repeat, held as categoricals.

Most SIEM fields are alert-level: every detection of an alert repeats its title, links,
description and device. Held once per distinct value, the text of a million detections takes
0.7 GB instead of 1.8 GB, and the per-field comparisons read codes instead of hashing text.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from siem2graph.text_codes import arrow_text, categorical, text_codes
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
