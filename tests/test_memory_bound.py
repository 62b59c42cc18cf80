"""What keeps many tiny rows within memory: nothing per row built as Python objects or text."""

from __future__ import annotations

import pandas as pd
import pytest

from siem2graph.join import detection_keys
from siem2graph.legacy import compact
from siem2graph.legacy.reader import with_mapped_columns
from siem2graph.mapping import load_mapping


@pytest.mark.parametrize("dtype", ["str", "category"])
def test_detection_keys_map_every_id_to_its_alert_key(dtype: str) -> None:
    ids = pd.Series(["DA2", "da1 ", "da3", "DA2", None, "da1 "], dtype=dtype)
    keys = pd.Series(["da2", "da1", "graph-3"], index=pd.Index(["DA2", "da1 ", "da3"], dtype="str"))
    got = detection_keys(ids, keys)
    assert list(got.codes) == [1, 0, 2, 1, -1, 0]
    assert list(got.categories) == ["da1", "da2", "graph-3"]  # text order


def test_detection_keys_of_two_ids_with_one_key() -> None:
    ids = pd.Series(["DA1", "da1"], dtype="str")
    keys = pd.Series(["da1", "da1"], index=pd.Index(["DA1", "da1"], dtype="str"))
    got = detection_keys(ids, keys)
    assert list(got.astype(object)) == ["da1", "da1"]
    assert list(got.categories) == ["da1"]


def test_fields_no_file_had_are_empty_categoricals_never_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compacted: list[str] = []

    def spy(frame: pd.DataFrame) -> pd.DataFrame:
        compacted.extend(str(c) for c in frame.columns)
        return compact.compact_text(frame)

    monkeypatch.setattr("siem2graph.legacy.reader.compact_text", spy)
    frame = pd.DataFrame({"AlertId": pd.array(["a", "b", "c"], dtype="str")})
    detections = with_mapped_columns([frame], load_mapping())
    assert compacted == ["AlertId"]  # as text, 2M rows' 40 absent fields took 0.75 GB at once
    title = detections["AlertTitle"]
    assert isinstance(title.dtype, pd.CategoricalDtype)
    assert title.cat.codes.dtype.itemsize == 1  # one byte a row, not a text column
    assert title.isna().all() and len(title.cat.categories) == 0
    assert detections.columns[0] == "AlertId"
