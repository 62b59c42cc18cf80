"""Text columns as codes: legacy columns whose values repeat held as categoricals, the Graph
values' categorical in text order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from siem2graph.legacy import compact, read_legacy
from siem2graph.legacy.compact import compact_text
from siem2graph.legacy.limits import ReadLimits
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from siem2graph.text_codes import (
    SortedTexts,
    arrow_text,
    as_text,
    pack,
    text_codes,
    text_order,
)
from siem2graph.threads import THREADS_ENV


def _text(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")


def test_codes_number_values_first_seen_first_and_none_as_minus_one():
    codes, texts = text_codes(arrow_text(_text(["b", None, "a", "b", ""])))
    assert codes.tolist() == [0, -1, 1, 0, 2]
    assert texts.to_pylist() == ["b", "a", ""]


def test_sorted_texts_order_categories_and_keep_values():
    values = _text(["beta", "Alpha", None, "alpha", "beta", "é"])
    result = SortedTexts.of_arrow(arrow_text(values)).categorical()
    assert list(result.categories) == sorted(["beta", "Alpha", "alpha", "é"])
    assert pd.Series(result).astype("str").tolist() == values.tolist()
    assert result.codes[2] == -1


def test_sorted_texts_keep_only_the_texts_of_the_rows_taken():
    values = pa.chunked_array([pa.array(["c", "a"]), pa.array(["b", None, "a"])])
    result = SortedTexts.of_arrow(values, np.array([4, 0, 3])).categorical()
    assert list(result.categories) == ["a", "c"]
    assert result.codes.tolist() == [0, 1, -1]


def test_sorted_texts_of_a_column_keep_a_sorted_categorical_and_sort_anything_else():
    ordered = pd.Series(pd.Categorical(["b", "a", "b"], categories=["a", "b"]))
    kept = SortedTexts.of_column(ordered)
    assert kept.codes.tolist() == [1, 0, 1] and kept.texts is ordered.cat.categories
    unordered = pd.Series(pd.Categorical(["b", "a"], categories=["b", "a"]))
    for values in (unordered, _text(["b", "a"])):
        result = SortedTexts.of_column(values)
        assert result.codes.tolist() == [1, 0] and list(result.texts) == ["a", "b"]


def test_pack_gives_equal_pairs_equal_numbers_and_none_its_own():
    high, low = np.array([0, 0, 1, 1, 0]), np.array([-1, 0, -1, 0, -1])
    packed = pack(high, low)
    assert packed.dtype == np.int64
    assert len(set(packed.tolist())) == 4 and packed[0] == packed[4]
    assert pack(np.array([1]), np.array([0]), 5)[0] == pack(np.array([1]), np.array([4]))[0] - 4


def test_pack_refuses_codes_that_do_not_fit():
    with pytest.raises(OverflowError, match="int64"):
        pack(np.array([2**40]), np.array([2**30]))


def test_repeated_columns_become_categorical_and_unique_ones_stay_text():
    rows = 1_000
    frame = pd.DataFrame(
        {
            "title": _text([f"title {n % 7}" for n in range(rows)]),
            "full_id": _text([f"id {n}" for n in range(rows)]),
            "sparse": _text([None] * (rows - 1) + ["only one"]),
            "number": np.arange(rows),
        }
    )
    out = compact_text(frame)
    assert out["title"].dtype == "category"
    assert out["sparse"].dtype == "category"
    assert out["full_id"].dtype == "str"
    assert out["number"].dtype == np.int64
    for column in ("title", "full_id", "sparse"):
        pd.testing.assert_series_equal(out[column].astype("str"), frame[column])


def test_the_share_of_distinct_values_decides(monkeypatch):
    half_distinct = _text([f"v{n // 2}" for n in range(1_000)])  # 500 distinct of 1,000
    assert compact_text(pd.DataFrame({"c": half_distinct}))["c"].dtype == "category"
    monkeypatch.setattr(compact, "REPEAT_SHARE", 0.4)
    assert compact_text(pd.DataFrame({"c": half_distinct}))["c"].dtype == "str"


def test_an_empty_frame_is_left_as_it_is():
    frame = pd.DataFrame({"c": _text([])})
    assert compact_text(frame)["c"].dtype == "str"


def test_a_csv_read_in_many_blocks_encodes_repeated_columns_and_keeps_every_value():
    rows = [
        {"AlertId": f"da{n // 4:06d}", "AlertTitle": f"title {n % 5}", "FullId": f"full {n}"}
        for n in range(3_000)
    ]
    rows[7]["AlertTitle"] = ""  # blank: no value
    text = "AlertId,AlertTitle,FullId\n" + "".join(
        f"{r['AlertId']},{r['AlertTitle']},{r['FullId']}\n" for r in rows
    )
    source = Source.from_bytes("export.csv", text.encode())
    detections = read_legacy(
        [source], load_mapping(), limits=ReadLimits(max_record_bytes=4_096)
    ).detections
    assert detections["AlertId"].dtype == "category"
    assert detections["AlertTitle"].dtype == "category"
    assert detections["FullId"].dtype == "str"
    for column in ("AlertId", "AlertTitle", "FullId"):
        expected = [r[column] or None for r in rows]
        assert (
            detections[column].astype("object").where(detections[column].notna(), None).tolist()
            == expected
        )


def test_as_text_reads_a_categorical_as_its_texts_with_missing_values_kept():
    values = pd.Series(pd.Categorical(["b", None, "a", "b"]), index=[5, 6, 7, 8], name="f")
    text = as_text(values)
    assert str(text.dtype) == "str" and text.name == "f"
    assert text.index.tolist() == [5, 6, 7, 8]
    assert text.isna().tolist() == [False, True, False, False]
    assert text.dropna().tolist() == ["b", "a", "b"]
    assert text.equals(values.astype("str"))


TRICKY = ["", "a", "a\x00", "a\x00b", "ab", "b", "\x00", "é", "éa", "z" * 40, "a", "", "ba", "\x7f"]


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_text_order_in_parts_is_arrows_stable_sort(kind, threads, monkeypatch):
    """Empty and one-byte texts, NUL bytes, multi-byte letters and ties, cut in one part per
    thread at any prefix (random texts too), give the order of Arrow's own sort."""
    monkeypatch.setenv(THREADS_ENV, str(threads))
    rng = np.random.default_rng(7)
    alphabet = np.array(list("ab\x00é"))
    random = ["".join(rng.choice(alphabet, rng.integers(0, 5))) for _ in range(500)]
    for values in (TRICKY, random, ["same"] * 5, ["x", "y"]):
        texts = pa.array(["skipped", *values], kind).slice(1)  # a sliced array: offset 1
        expected = pc.array_sort_indices(texts).to_numpy()
        assert text_order(texts, split_from=0).tolist() == expected.tolist()
        assert text_order(texts).tolist() == expected.tolist()  # one sort below the threshold


def _categorical(values: list[str | None], categories: list[str]) -> pd.Series:
    return pd.Series(pd.Categorical(values, categories=categories))


def test_stacked_frames_are_what_encoding_their_concatenation_gives(monkeypatch):
    """Several exports' frames: categoricals over differing categories (unused ones, another
    order, missing values), one over the same categories, one categorical in a frame and text in
    the other, a column one frame lacks, a column
    whose stacked values do not repeat, plain text; equal to ``compact_text(pd.concat(...))``
    to the order of every categorical's categories."""
    monkeypatch.setattr(compact, "_SAMPLE_ROWS", 4)
    first = pd.DataFrame(
        {
            "Severity": _categorical(["High", None, "Low", "High"], ["Unused", "Low", "High"]),
            "Same": _categorical(["a", "b", "a", "b"], ["a", "b"]),
            "Title": ["t1", "t2", "t1", "t2"],
            "Unique": _categorical(["u1", "u2", "u3", "u4"], ["u4", "u3", "u2", "u1"]),
            "OnlyHere": _categorical(["x", "x", "y", "x"], ["x", "y"]),
            "Sha1": _categorical(["h2", "h2", None, "h1"], ["h1", "h2"]),
        }
    )
    second = pd.DataFrame(
        {
            "Severity": _categorical(["Medium", "High", None, "Medium"], ["High", "Medium"]),
            "Same": _categorical(["b", "b", "a", "a"], ["a", "b"]),
            "Title": ["t3", "t1", "t3", "t3"],
            "Unique": _categorical(["u5", "u6", "u7", "u8"], ["u5", "u6", "u7", "u8"]),
            # a file whose hashes did not repeat enough to be encoded
            "Sha1": pd.Series(["h3", None, "h1", "h4"], dtype="str"),
        }
    )
    assert compact._unified([first["Sha1"], second["Sha1"]])  # not through pd.concat
    expected = compact_text(pd.concat([first, second], ignore_index=True))
    got = compact.stacked([first, second])
    pd.testing.assert_frame_equal(got, expected)
    for name in ("Severity", "Same", "Sha1"):
        assert list(got[name].cat.categories) == list(expected[name].cat.categories), name
    assert list(got["Severity"].cat.categories) == ["High", "Low", "Medium"]  # first seen first
    assert got["Unique"].dtype == "str"  # 8 distinct of 8: not encoded, as compact_text decides
    pd.testing.assert_frame_equal(compact.stacked([first]), compact_text(first))
