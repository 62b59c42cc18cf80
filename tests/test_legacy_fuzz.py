"""Property tests: no input makes the CSV or JSON reader crash, and every row is accounted for.

Only Siem2GraphError subclasses may escape; when reading succeeds, every file reconciles.
"""

from __future__ import annotations

import json
import sys

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siem2graph.errors import Siem2GraphError
from siem2graph.legacy import ReadLimits, json_reader, read_legacy
from siem2graph.legacy.sniff import HEAD_BYTES
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source

MAPPING = load_mapping()
LIMITS = ReadLimits(max_field_chars=50, max_columns=20, max_json_depth=4)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cell = st.text(alphabet='ab,;\t"\r\n \x00é€{}[]', max_size=12) | st.sampled_from(["AlertId", "da1"])
row = st.lists(cell, min_size=0, max_size=5)
csv_text = st.lists(row, min_size=0, max_size=6).map(
    lambda rows: "\r\n".join(",".join(r) for r in [["AlertId", "Severity"], *rows])
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
json_scalar = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["AlertId", "x", "result", "value", "_raw"]), inner, max_size=3),
    max_leaves=12,
)  # fmt: skip


def _read_counts(name: str, data: bytes) -> None:
    try:
        result = read_legacy([Source.from_bytes(name, data)], MAPPING, limits=LIMITS)
    except Siem2GraphError:
        return
    for summary in result.files:
        assert summary.reconciles, summary
    assert len(result.detections) == sum(f.rows_kept for f in result.files)
    assert result.detections["AlertId"].notna().all()


@SETTINGS
@given(csv_text, encodings)
def test_csv_reader_never_crashes(text, encoding):
    _read_counts("f.csv", text.encode(encoding, errors="replace"))


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_never_crash(data):
    _read_counts("f.csv", data)


@SETTINGS
@given(st.lists(json_value, max_size=5), st.booleans())
def test_json_reader_never_crashes(values, as_lines):
    if as_lines:
        data = "\n".join(json.dumps(v) for v in values).encode()
    else:
        data = json.dumps(values).encode()
    _read_counts("f.json", data)


@SETTINGS
@given(st.binary(max_size=200))
def test_broken_json_never_crashes(tail):
    _read_counts("f.json", b'[{"AlertId": "da1"},' + tail)
    _read_counts("f.ndjson", b'{"AlertId": "da1"}\n' + tail)


def test_a_bad_row_with_broken_utf8_is_read_carefully_without_an_unraisable_error(monkeypatch):
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    rows = b"".join(b"da%d,High\n" % n for n in range(HEAD_BYTES // 8))  # UTF-8 beyond the head
    data = b"AlertId,Severity\n" + rows + b"da0,Low,extra\xe2\x82"
    result = read_legacy([Source.from_bytes("f.csv", data)], MAPPING, limits=LIMITS)
    assert unraisable == []
    assert result.files[0].rows_rejected == 1
    assert result.files[0].rows_kept == HEAD_BYTES // 8


def test_a_short_file_ending_in_a_latin1_letter_is_read_as_cp1252():
    data = "AlertId,Severity\nda1,Elevé".encode("latin-1")  # only the last byte is not ASCII
    result = read_legacy([Source.from_bytes("f.csv", data)], MAPPING, limits=LIMITS)
    assert result.files[0].encoding == "cp1252"
    assert result.detections["Severity"].tolist() == ["Elevé"]


@SETTINGS
@given(st.lists(json_value, max_size=8))
def test_a_json_column_holds_each_value_as_cell_text(values):
    try:  # the values as the reader has them: what orjson parses
        parsed = orjson.loads(json.dumps(values))
    except orjson.JSONDecodeError:  # integers beyond 64 bits: refused with the whole file
        return
    # a column is handed to Arrow whole when it holds only texts and nulls: the same cells
    assert json_reader._cells(parsed).to_pylist() == [json_reader.cell_text(v) for v in parsed]


alike_or_not = st.lists(
    st.permutations(["AlertId", "Severity", "x"]).flatmap(
        lambda keys: st.tuples(*(st.text(alphabet="abc", min_size=1) for _ in keys)).map(
            lambda values: dict(zip(keys, values, strict=True))
        )
    ),
    min_size=1,
    max_size=6,
)


@SETTINGS
@given(alike_or_not, st.booleans())
def test_each_json_record_keeps_its_own_values_whatever_its_key_order(records, same_order):
    if same_order:  # the records as an export writes them: one key order
        records = [{k: r[k] for k in ("AlertId", "Severity", "x")} for r in records]
    data = json.dumps(records).encode()
    read = read_legacy([Source.from_bytes("f.json", data)], MAPPING).detections
    assert read[["AlertId", "Severity", "x"]].astype(str).to_dict("records") == records
