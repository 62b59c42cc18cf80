"""The saved tables read back as the types the audit built, straight from the mapped file: text
over the file's pages, categoricals from their saved codes, one copy of a reopened audit."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pytest

from siem2graph.store.frames import TEXT, _read_frame, _write_frame

ROWS = 200_000


def _frame() -> pd.DataFrame:
    ids = pd.Series([f"alert-{i:08d}-{'x' * 40}" for i in range(ROWS)], dtype=TEXT)
    hosts = pd.Categorical([f"host-{i % 5000}.contoso.com" if i % 7 else None for i in range(ROWS)])
    return pd.DataFrame(
        {
            "id": ids,
            "host": hosts,
            "count": np.arange(ROWS, dtype="int64"),
            "title": pd.Series([None, "a", "b", "c"] * (ROWS // 4), dtype=TEXT),
        }
    )


def test_a_frame_reads_back_with_the_types_it_was_saved_with(tmp_path: Path):
    frame = _frame()
    _write_frame(frame, tmp_path / "f.arrow")
    back = _read_frame(tmp_path / "f.arrow")
    pd.testing.assert_frame_equal(back, frame)
    assert back["host"].cat.categories.dtype == frame["host"].cat.categories.dtype
    assert (back["host"].cat.codes == -1).sum() == frame["host"].isna().sum() > 0


def test_an_indexed_and_an_empty_frame_read_back_too(tmp_path: Path):
    keyed = pd.DataFrame(
        {"a": np.array([1, 2], dtype="int8")}, index=pd.Index(["k1", "k2"], dtype=TEXT, name="key")
    )
    empty = pd.DataFrame({"side": pd.Series([], dtype=TEXT), "line": pd.Series([], dtype="Int64")})
    for name, frame in (("keyed", keyed), ("empty", empty)):
        _write_frame(frame, tmp_path / name)
        pd.testing.assert_frame_equal(_read_frame(tmp_path / name), frame)


def test_reading_holds_no_second_copy_of_the_saved_text(tmp_path: Path):
    """The text is the mapped file itself: reading allocates a small share of what it holds."""
    path = tmp_path / "f.arrow"
    _write_frame(_frame(), path)
    size = path.stat().st_size
    pooled = pa.total_allocated_bytes()
    tracemalloc.start()
    back = _read_frame(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    allocated = pa.total_allocated_bytes() - pooled
    held = int(back.memory_usage(deep=True).sum())
    assert held > 0.8 * size  # the frame does hold the file's data...
    assert peak + allocated < 0.15 * size, (peak, allocated, size)  # ...without copying it


def test_tables_saved_by_earlier_versions_still_read(tmp_path: Path):
    """Earlier stores wrote LZ4 Feather files in many batches; they reopen the same."""
    frame = _frame()
    path = tmp_path / "old.arrow"
    feather.write_feather(pa.Table.from_pandas(frame), str(path), "lz4", chunksize=30_000)
    pd.testing.assert_frame_equal(_read_frame(path), frame)


def test_a_file_with_broken_offsets_is_refused_not_read(tmp_path: Path):
    """Text over the mapped file is trusted only once checked: offsets that point outside the
    data (a damaged disk block) are an error, never a read out of bounds later."""
    path = tmp_path / "f.arrow"
    _write_frame(_frame(), path)
    with pa.memory_map(str(path)) as mapped:
        start = mapped.read_buffer(1).address
        offsets = ipc.open_file(mapped).read_all().column("id").chunk(0).buffers()[1]
        at = offsets.address - start
    data = bytearray(path.read_bytes())
    data[at + 8 * 10 : at + 8 * 11] = (2**40).to_bytes(8, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(pa.ArrowInvalid):
        _read_frame(path)
