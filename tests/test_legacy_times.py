"""The reader keeps timestamps as text; the audit's parse_times reads every SIEM form."""

from __future__ import annotations

import pandas as pd
import pytest

from siem2graph.legacy import read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from siem2graph.times import SlashedOrder, parse_times, slashed_order

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


def test_categorical_times_are_read_by_the_categories_in_use():
    # the Graph values share their categories with every path's: only this field's values
    # may decide the order of its slashed dates, and the others are not parsed
    texts = pd.Series(["4/5/2021 10:00", None, "4/5/2021 10:00"], dtype="str")
    shared = pd.Categorical(texts, categories=["13/5/2021 10:00", "4/5/2021 10:00", "C:\\x.exe"])
    parsed = parse_times(pd.Series(shared))
    pd.testing.assert_series_equal(parsed, parse_times(texts))
    assert parsed.isna().all()  # ambiguous on their own: unreadable, not day-first
    nothing = pd.Series(pd.Categorical([None, None], categories=pd.Index([], dtype="str")))
    assert parse_times(nothing).isna().all()


# The forms real exports write (docs/legacy-inputs.md#timestamps says where each is seen).
REAL_FORMS = {
    # Log Analytics / Sentinel portal "Export to CSV" (header "AlertTime [UTC]")
    "4/27/2021, 12:19:27.721 PM": "2021-04-27T12:19:27.721",
    "4/27/2021, 12:19:27 AM": "2021-04-27T00:19:27",
    "4/27/2021, 1:05:00.5 PM": "2021-04-27T13:05:00.5",
    # Excel re-saving a CSV: day-first with minutes only, or the ISO date with a space
    "27/04/2021 12:19": "2021-04-27T12:19:00",
    "2021-04-27 12:19:27": "2021-04-27T12:19:27",
    # Splunk _time with the zone offset (%:z and %z)
    "2021-04-27T12:19:27.721+02:00": "2021-04-27T10:19:27.721",
    "2021-04-27 12:19:27.721 +0200": "2021-04-27T10:19:27.721",
    "2021-04-27T07:19:27-0500": "2021-04-27T12:19:27",
    # epoch seconds (Splunk %s, with its fraction) and milliseconds
    "1619525967": "2021-04-27T12:19:27",
    "1619525967.721": "2021-04-27T12:19:27.721",
    "1619525967721": "2021-04-27T12:19:27.721",
}


@pytest.mark.parametrize(("text", "instant"), REAL_FORMS.items())
def test_parse_times_reads_the_forms_real_exports_write(text, instant):
    parsed = parse_times(pd.Series([text, "2021-04-27T00:00:00Z"], dtype="str"))
    assert abs(parsed.iloc[0] - pd.Timestamp(instant, tz="UTC")) < pd.Timedelta(milliseconds=1)


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # month-first decided by 4/27: the ambiguous 4/5 is April 5th
        (["4/27/2021, 1:00:00 PM", "4/5/2021, 1:00:00 PM"], ["2021-04-27T13:00", "2021-04-05T13:00"]),
        # day-first decided by 27/04: the ambiguous 04/05 is 4 May
        (["27/04/2021 12:19", "04/05/2021 12:19"], ["2021-04-27T12:19", "2021-05-04T12:19"]),
        # nothing decides: ambiguous values are unreadable, equal day and month are not
        (["4/5/2021 10:00", "5/5/2021 10:00"], [None, "2021-05-05T10:00"]),
        # the column disagrees with itself: unambiguous values still read, ambiguous ones not
        (["27/04/2021 10:00", "4/28/2021 10:00", "4/5/2021 10:00"],
         ["2021-04-27T10:00", "2021-04-28T10:00", None]),
    ],
)  # fmt: skip
def test_day_or_month_first_is_decided_per_column(column, expected):
    parsed = parse_times(pd.Series(column, dtype="str"))
    wanted = [pd.NaT if e is None else pd.Timestamp(e, tz="UTC") for e in expected]
    assert parsed.tolist() == wanted
    categorical = parse_times(pd.Series(column, dtype="str").astype("category"))
    assert categorical.tolist() == wanted


def test_every_part_of_a_column_reads_as_the_whole_column_does():
    column = pd.Series(
        ["27/04/2021 12:19", "04/05/2021 12:19", "2021-04-05T00:00:00Z", "03/02/2021 08:00"],
        dtype="str",
    )
    whole = parse_times(column)
    order = slashed_order(column)
    assert order == SlashedOrder(day_first=True, month_first=False)
    for part in (column.iloc[[1]], column.iloc[[1, 3]], column.iloc[[2, 3]]):
        assert parse_times(part, order).tolist() == whole[part.index].tolist()
    # alone, the part has nothing to decide its ambiguous value
    assert parse_times(column.iloc[[1]]).isna().all()
    both = order | SlashedOrder(month_first=True)
    assert parse_times(column.iloc[[1]], both).isna().all()


@pytest.mark.parametrize(
    "text",
    ["Apr 27 2021 12:19", "27/04/21 12:19", "12:19:27", "44313.51", "13/13/2021 10:00",
     "4/27/2021, 13:00:00 PM", "2021-04-31T10:00:00Z", "2021-04-27 12:19:27 PDT"],
)  # fmt: skip
def test_forms_not_read_are_unreadable(text):
    assert parse_times(pd.Series([text, "2021-04-27T00:00:00Z"], dtype="str")).isna().iloc[0]


def test_mostly_iso_columns_keep_the_fast_path_for_their_iso_values():
    """A few portal times among ISO ones: each value reads as it would alone."""
    texts = ["2021-04-27T12:19:27.7211305Z", "4/27/2021, 12:19:27.721 PM", "2021-04-27 12:19:27"]
    mixed = parse_times(pd.Series(texts, dtype="str"))
    alone = [parse_times(pd.Series([t], dtype="str")).iloc[0] for t in texts]
    assert mixed.tolist() == alone
