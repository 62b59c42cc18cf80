"""The reader keeps timestamps as text; the audit's parse_times reads every SIEM form."""

from __future__ import annotations

import pandas as pd
import pytest

from siem2graph.legacy import read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from siem2graph.times import parse_times

FORMS = {
    "2020-09-30T14:09:20Z": "2020-09-30T14:09:20",
    "2020-09-30T14:09:20": "2020-09-30T14:09:20",
    "2020-09-30T14:09:20.3Z": "2020-09-30T14:09:20.3",
    "2020-09-30T14:09:20.35Z": "2020-09-30T14:09:20.35",
    "2020-09-30T14:09:20.357Z": "2020-09-30T14:09:20.357",
    "2020-09-30T14:09:20.3574Z": "2020-09-30T14:09:20.3574",
    "2020-09-30T14:09:20.35743Z": "2020-09-30T14:09:20.35743",
    "2020-09-30T14:09:20.357431Z": "2020-09-30T14:09:20.357431",
    "2020-09-30T14:09:20.3574312Z": "2020-09-30T14:09:20.357431",  # 7th digit: 100 ns
    "2020-09-30T14:09:20.3574312": "2020-09-30T14:09:20.357431",
    "2020-09-30 14:09:20": "2020-09-30T14:09:20",
    "2016-09-12 00:00:00": "2016-09-12T00:00:00",
}


@pytest.mark.parametrize(("text", "instant"), FORMS.items())
def test_parse_times_reads_every_siem_form(text, instant):
    parsed = parse_times(pd.Series([text], dtype="str"))
    assert parsed.iloc[0] == pd.Timestamp(instant, tz="UTC")


def test_reader_keeps_timestamp_text_intact():
    body = "AlertId,AlertTime\n" + "".join(f"da{i},{t}\n" for i, t in enumerate(FORMS))
    data = read_legacy([Source.from_bytes("t.csv", body.encode())], load_mapping())
    assert list(data.detections["AlertTime"]) == list(FORMS)
    assert parse_times(data.detections["AlertTime"]).notna().all()


def test_uniform_columns_parse_as_mixed_ones_do():
    """Arrow's cast (uniform columns) and the lenient parser (mixed columns) agree value by value."""
    texts = list(FORMS)
    mixed = parse_times(pd.Series([*texts, "not a time", ""], dtype="str"))
    assert mixed.iloc[-2:].isna().all()
    for position, text in enumerate(texts):
        alone = parse_times(pd.Series([text, f" {text} ", None], dtype="str"))
        assert alone.iloc[0] == alone.iloc[1] == mixed.iloc[position], text
        assert pd.isna(alone.iloc[2])
    assert str(mixed.dtype) == str(parse_times(pd.Series(texts[:1], dtype="str")).dtype)


def test_categorical_times_parse_per_category():
    texts = pd.Series(["2020-09-30T14:09:20Z", None, "2020-09-30T14:09:20Z", "bad"], dtype="str")
    parsed = parse_times(texts.astype("category"))
    pd.testing.assert_series_equal(parsed, parse_times(texts))
