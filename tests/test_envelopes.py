"""One envelope rule and one set of ReadLimits for both sides: a file's records are the same
whichever reader reads it, and a bound hit on either side is named, never silently dropped."""

from __future__ import annotations

import orjson
import pyarrow as pa
import pytest

from siem2graph.envelopes import arrow_depth, depth, document_records, unwrap
from siem2graph.errors import InputError
from siem2graph.graph import records
from siem2graph.graph.alerts import read_graph
from siem2graph.legacy import ReadLimits, read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from siem2graph.spark.parts import FOUND, Found, graph_rows, unpickled
from tests.test_graph_read import ALERTS, assert_same

MAPPING = load_mapping()
RECORDS = [{"id": "a1", "AlertId": "a1"}, {"id": "a2", "AlertId": "a2"}]


def _lines(*values: object) -> bytes:
    return b"".join(orjson.dumps(v) + b"\n" for v in values)


SHAPES = {
    "array": orjson.dumps(RECORDS),
    "value": orjson.dumps({"value": RECORDS}),
    "results": orjson.dumps({"results": RECORDS}),
    "pages": orjson.dumps([{"value": RECORDS[:1]}, {"value": RECORDS[1:]}]),
    "splunk lines": _lines(*({"preview": False, "result": r} for r in RECORDS)),
    "splunk array": orjson.dumps([{"preview": False, "result": r} for r in RECORDS]),
    "page lines": _lines({"value": RECORDS[:1]}, {"value": RECORDS[1:]}),
    "ndjson": _lines(*RECORDS),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_both_sides_read_the_same_records_from_every_envelope(shape):
    source = Source.from_bytes("f.json", SHAPES[shape])
    legacy = read_legacy([source], MAPPING)
    graph = read_graph([source], MAPPING)
    assert list(legacy.detections["AlertId"]) == ["a1", "a2"]
    assert list(graph.alerts["id"]) == ["a1", "a2"]
    assert legacy.files[0].rows_read == graph.files[0].rows_read == 2


def test_unwrap_takes_records_out_only_of_envelopes():
    record = {"value": "not a list", "result": {"x": 1}, "other": 1}
    assert unwrap(record) == [record]
    assert unwrap([1, 2]) == [[1, 2]]  # an NDJSON line that is an array is one (bad) record
    assert document_records([]) == []
    assert document_records([{"value": []}, {"x": 1}]) == [{"value": []}, {"x": 1}]


def test_arrow_depth_is_the_depth_of_the_records_it_holds():
    records = [{"a": {"b": [{"c": 1}]}, "d": []}, {"a": {}}]
    kind = pa.array(records).type
    assert arrow_depth(kind) == max(depth(r) for r in records) == 4


def _deep(levels: int) -> dict:
    value: dict = {"leaf": "x"}
    for _ in range(levels - 1):
        value = {"n": value}
    return value


def test_an_alert_nested_too_deep_is_rejected_on_both_paths():
    deep = dict(ALERTS[0], id="deep", extra=_deep(40))
    data = _lines(deep, *ALERTS[1:5])
    read = assert_same(lambda: [Source.from_bytes("g.ndjson", data)])
    assert "deep" not in set(read.alerts["id"])
    assert [(p.line, p.reason) for p in read.problems if p.line] == [
        (1, "nested deeper than 32 levels (ReadLimits.max_json_depth)")
    ]
    assert read.files[0].rows_rejected == 1


@pytest.mark.parametrize("pieces", [False, True])
def test_a_graph_line_over_the_limit_is_rejected_and_the_others_read(monkeypatch, pieces):
    if pieces:  # the lines after the first two arrive in pieces read whole by pyarrow
        monkeypatch.setattr(records, "BATCH_BYTES", 3_000)
    limit = max(len(orjson.dumps(a)) for a in ALERTS[:5]) + 1
    long = dict(ALERTS[1], id="long", title="x" * limit)
    data = _lines(ALERTS[0], long, *ALERTS[2:5])
    limits = ReadLimits(max_record_bytes=limit)
    for arrow in (True, False):
        source = Source.from_bytes("g.ndjson", data)
        read = read_graph([source], MAPPING, arrow=arrow, limits=limits)
        assert "long" not in set(read.alerts["id"])
        assert [(p.line, p.reason) for p in read.problems if p.line] == [
            (2, f"line longer than {limit:,} bytes (ReadLimits.max_record_bytes)")
        ]
        summary = read.files[0]
        assert (summary.rows_read, summary.rows_kept, summary.rows_rejected) == (5, 4, 1)


def test_more_records_than_the_limit_is_an_error_on_both_sides():
    source = Source.from_bytes("f.ndjson", SHAPES["ndjson"])
    limits = ReadLimits(max_rows=1)
    with pytest.raises(InputError, match=r"f\.ndjson: more than 1 Graph records.*max_rows"):
        read_graph([source], MAPPING, limits=limits)
    with pytest.raises(InputError, match=r"f\.ndjson: more than 1 legacy rows.*max_rows"):
        read_legacy([source], MAPPING, limits=limits)


def test_a_graph_line_longer_than_a_document_may_be_is_refused(monkeypatch):
    monkeypatch.setattr(records, "BATCH_BYTES", 10_000)  # the line spans pieces: held unfinished
    data = _lines(ALERTS[0], dict(ALERTS[1], title="x" * 50_000))
    limits = ReadLimits(max_json_document_bytes=20_000)
    with pytest.raises(InputError, match=r"g\.ndjson: a JSON document larger than 20,000 bytes"):
        read_graph([Source.from_bytes("g.ndjson", data)], MAPPING, limits=limits)


def test_the_spark_engine_rejects_what_the_local_reader_rejects():
    deep = dict(ALERTS[0], id="deep", extra=_deep(40))
    data = _lines(deep, *ALERTS[1:3])
    rows = graph_rows("g.ndjson", data, 0)
    (found,) = [unpickled(b, Found) for b in rows.loc[rows.route == FOUND, "payload"]]
    local = read_graph([Source.from_bytes("g.ndjson", data)], MAPPING)
    assert found.problems == tuple(p for p in local.problems if p.line)
    assert found.files == local.files
