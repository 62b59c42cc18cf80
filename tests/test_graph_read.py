"""The Arrow read of Graph alerts gives exactly what the per-alert walk gives, on the sample and on
irregular files (mixed types, nulls, odd evidence, broken lines), batch by batch."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest

from siem2graph.errors import InputError
from siem2graph.graph import batches, records
from siem2graph.graph.alerts import GraphData, read_graph
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source

MAPPING = load_mapping()
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "graph_alerts_v2.json"
ALERTS: list[dict[str, Any]] = orjson.loads(SAMPLE.read_bytes())["value"][:60]
DEVICE = "#microsoft.graph.security.deviceEvidence"


def _read(sources: Callable[[], list[Source]], arrow: bool) -> GraphData:
    return read_graph(sources(), MAPPING, arrow=arrow)


def assert_same(sources: Callable[[], list[Source]]) -> GraphData:
    """Read with both paths and compare every part; returns the Arrow read."""
    fast, walked = _read(sources, True), _read(sources, False)
    pd.testing.assert_frame_equal(fast.alerts, walked.alerts)
    pd.testing.assert_frame_equal(fast.values, walked.values)
    pd.testing.assert_frame_equal(fast.observed_paths, walked.observed_paths)
    assert fast.files == walked.files
    assert fast.problems == walked.problems
    assert np.array_equal(fast.value_alerts, walked.value_alerts)
    return fast


def ndjson(name: str, rows: list[Any] | list[bytes], end: bytes = b"\n") -> Callable[[], list]:
    lines = [r if isinstance(r, bytes) else orjson.dumps(r) for r in rows]
    data = end.join(lines) + end
    return lambda: [Source.from_bytes(name, data)]


def alerts(change: Callable[[int, dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    out = copy.deepcopy(ALERTS)
    for number, alert in enumerate(out):
        if change:
            change(number, alert)
    return out


@pytest.fixture(params=[records.BATCH_BYTES, 20_000], ids=["one batch", "small batches"])
def batch_bytes(request, monkeypatch):
    monkeypatch.setattr(records, "BATCH_BYTES", request.param)
    monkeypatch.setattr(records, "BATCH_RECORDS", 7 if request.param < 1 << 20 else 20_000)


def test_sample_is_read_identically(batch_bytes):
    graph = assert_same(lambda: [Source.from_path(SAMPLE)])
    assert len(graph.alerts) > 1000 and len(graph.values) > 10 * len(graph.alerts)


def test_a_document_on_one_line_is_read_whole_across_many_pieces(monkeypatch):
    text = orjson.dumps(orjson.loads(SAMPLE.read_bytes()))  # the sample as a script saves it
    assert b"\n" not in text and len(text) > 40 * 50_000
    whole = read_graph([Source.from_bytes("g.json", text)], MAPPING)
    monkeypatch.setattr(records, "BATCH_BYTES", 50_000)  # the one line grows over 40 pieces
    pieces = assert_same(lambda: [Source.from_bytes("g.json", text)])
    assert pieces.files == whole.files
    assert pieces.files[0].sha256 == hashlib.sha256(text).hexdigest()
    pd.testing.assert_frame_equal(pieces.alerts, whole.alerts)
    pd.testing.assert_frame_equal(pieces.values, whole.values)


def _numbers(number: int, alert: dict[str, Any]) -> None:
    alert["detectorId"] = 22424 + number  # ints stay "22424", never "22424.0"
    alert["threatFamilyName"] = number % 2 == 0  # bools are "true" / "false"
    alert["createdDateTime"] = "2026-10-01T00:00:00Z"  # pyarrow would infer a timestamp
    alert["lastActivityDateTime"] = "2026-10-01"


def _nulls(number: int, alert: dict[str, Any]) -> None:
    if number % 3 == 0:
        alert["evidence"] = None
    elif number % 3 == 1:
        alert.pop("evidence", None)
        alert["title"] = None
    else:
        alert["evidence"] = []
        alert["mitreTechniques"] = None


def _odd_evidence(number: int, alert: dict[str, Any]) -> None:
    alert["evidence"] = [
        *alert.get("evidence", []),
        {"@odata.type": "#microsoft.graph.security.unknownEvidence", "remediationStatus": "x"},
        {"remediationStatus": "untyped", "deep": {"a": [{"b": [1, 2]}], "c": {}}},
        None,
        {"@odata.type": DEVICE, "deviceDnsName": "", "loggedOnUsers": [{"x": None}, None]},
        {"@odata.type": "#other.vendor.deviceEvidence", "deviceDnsName": f"h{number}.corp"},
        {"@odata.type": DEVICE, "loggedOnUsers": [{"domainName": "D"}, {"accountName": ""}]},
        {"@odata.type": DEVICE, "tags": ["", " "], "mdeDeviceId": "  "},
    ]


def _template_ints(number: int, alert: dict[str, Any]) -> None:
    users = [{"accountName": number, "domainName": None}, {"accountName": 0, "domainName": True}]
    alert["evidence"] = [{"@odata.type": DEVICE, "loggedOnUsers": users}]


def _nested(number: int, alert: dict[str, Any]) -> None:
    alert["mitreTechniques"] = [["T1", "T2"], [], None] if number % 2 else None
    alert["comments"] = [{"text": "x", "more": [{"y": None}]}]
    alert["@odata.etag"] = "W/1"


@pytest.mark.parametrize("change", [None, _numbers, _nulls, _odd_evidence, _template_ints, _nested])
def test_irregular_shapes_read_identically(batch_bytes, change, monkeypatch):
    def no_walk(*_args: Any) -> None:
        raise AssertionError("the per-alert walk ran")

    expected = assert_same(ndjson("g.ndjson", alerts(change)))
    monkeypatch.setattr(batches, "walk_chunk", no_walk)  # these shapes are Arrow's
    pd.testing.assert_frame_equal(
        read_graph(ndjson("g.ndjson", alerts(change))(), MAPPING).values, expected.values
    )


def test_ints_render_as_python_does():
    graph = assert_same(ndjson("g.ndjson", alerts(_numbers)))
    detectors = graph.values.loc[graph.values["path"] == "detectorId", "value"]
    assert "22424" in set(detectors)
    assert set(graph.alerts["createdDateTime"]) == {"2026-10-01T00:00:00Z"}


def _conflict(number: int, alert: dict[str, Any]) -> None:
    if number == 5:
        alert["severity"] = 3  # string elsewhere: pyarrow cannot infer one type
    if number == 9:
        alert["detectorId"] = 1.5  # a double: 2.0 and 2 would render alike
    if number == 11:
        alert["evidence"] = ["not an object", 4]
    if number == 13:
        alert["evidence"][0]["@odata.type"] = 5


def test_type_conflicts_fall_back_identically(batch_bytes):
    assert_same(ndjson("g.ndjson", alerts(_conflict)))


def test_an_invalid_arrow_table_falls_back():
    # pyarrow 26's JSON reader builds an invalid array (offsets past the values) from a list
    # whose first item is null and a later one an object
    rows = [{"id": "odd", "evidence": [{"loggedOnUsers": [None, {"x": 1}]}]}, *alerts()[:3]]
    assert_same(ndjson("g.ndjson", rows))


def test_broken_lines_are_reported_with_their_numbers(batch_bytes):
    rows: list[Any] = [orjson.dumps(a) for a in alerts()]
    rows[3] = b'{"id": "broken", '
    rows[6] = b'{"id": "nan", "severity": NaN}'
    rows[8] = rows[8] + b" " + rows[9]  # two objects on one line
    rows[10] = b"5"
    rows[12] = b'{"title": "no id"}'
    rows[14] = b'{"id": "", "title": "empty id"}'
    rows[16] = b"   "
    rows[18] = orjson.dumps({"value": alerts()[:3]})  # a list response as one line
    rows[20] = b'  {"id": "padded"}  '
    graph = assert_same(ndjson("g.ndjson", rows))
    reasons = {p.line: p.reason for p in graph.problems if p.line is not None}
    assert reasons[4].startswith("invalid JSON")
    assert reasons[7].startswith("invalid JSON") and reasons[9].startswith("invalid JSON")
    assert reasons[11] == reasons[13] == reasons[15] == "not an alert: no id"
    assert any("appears again" in p.reason for p in graph.problems)


def test_bytes_that_are_not_utf8_and_wrapped_lines_among_alerts(batch_bytes):
    """pyarrow reads bytes that are not UTF-8 into its strings, and a Splunk wrapper line has
    keys the others do not: the Arrow path reads them line by line, as the walk does."""
    rows: list[Any] = alerts()
    rows[2] = b'{"id": "latin-1", "title": "caf\xe9"}'
    rows[4] = {"result": alerts()[4]}
    graph = assert_same(ndjson("g.ndjson", rows))
    reasons = {p.line: p.reason for p in graph.problems if p.line is not None}
    assert list(reasons) == [3] and reasons[3].startswith("invalid JSON: str is not valid UTF-8")
    assert alerts()[4]["id"] in set(graph.alerts["id"])


def test_an_alert_whose_keys_were_renamed_is_said_to_be_so(batch_bytes):
    """Graph's keys in PascalCase (``Id``) are another tool's renaming: the problem says so, on
    the Arrow path and the per-alert walk alike; an alert with no id at all is just that."""
    rows: list[Any] = alerts()
    rows[1] = {key[0].upper() + key[1:]: value for key, value in rows[1].items()}
    rows[3] = {"ID": "", "title": "an empty ID"}
    graph = assert_same(ndjson("g.ndjson", rows))
    reasons = {p.line: p.reason for p in graph.problems if p.line is not None}
    assert reasons[2].startswith("not an alert: no id, but an 'Id': Graph's JSON spells its keys")
    assert reasons[4] == "not an alert: no id"


@pytest.mark.parametrize("end", [b"\r\n", b"\n\n"])
def test_line_ends_and_blank_lines(batch_bytes, end):
    rows: list[Any] = alerts()
    rows[2] = b'{"id": '
    graph = assert_same(ndjson("g.ndjson", rows, end))
    assert [p.line for p in graph.problems if p.reason.startswith("invalid")] == [
        3 if end == b"\r\n" else 5
    ]


def test_duplicates_keep_the_latest_across_files():
    older = alerts(lambda n, a: a.update(lastUpdateDateTime="2020-01-01T00:00:00Z", title="old"))
    first, second = ndjson("a.ndjson", older), ndjson("b.ndjson", alerts())
    graph = assert_same(lambda: first() + second())
    assert "old" not in set(graph.alerts["title"])


@pytest.mark.parametrize("shape", ["array", "list response", "pages"])
def test_json_documents(batch_bytes, shape):
    items: list[Any] = [*alerts(_odd_evidence), 7, {"title": "no id"}]
    document: Any = {
        "array": items,
        "list response": {"value": items},
        "pages": [{"value": items[:20]}, {"value": items[20:]}],
    }[shape]
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    graph = assert_same(lambda: [Source.from_bytes("g.json", data)])
    assert len(graph.problems) >= 2


def test_a_schema_hint_reads_later_batches_as_inference_does():
    from siem2graph.graph.columnar import SchemaHint

    first = b'{"id":"1","n":null,"x":1.5,"e":[{"t":"a","k":1}]}\n'
    later = [
        b'{"id":"2","n":"text","x":2,"e":[{"t":"b","k":2,"new":"v"}],"more":{"z":true}}\n',
        b'{"id":"3","e":[{"t":"c","k":"now text"}]}\n',  # conflicts with the hint: inferred
        b'{"id":"4","created":"2026-10-01T10:00:00Z"}\n',  # ISO text stays text
    ]
    hint = SchemaHint()
    hint.read(first)
    for buffer in later:
        hinted = hint.read(buffer).to_pylist()
        inferred = SchemaHint().read(buffer).to_pylist()
        assert [{k: v for k, v in r.items() if v is not None} for r in hinted] == [
            {k: v for k, v in r.items() if v is not None} for r in inferred
        ]
    assert hint.read(later[2]).column("created").to_pylist() == ["2026-10-01T10:00:00Z"]


@pytest.mark.parametrize("end", [b"\n", b""])
def test_the_file_hash_covers_every_batch(batch_bytes, end):
    import hashlib

    data = b"\n".join(orjson.dumps(a) for a in alerts()) + end
    read = read_graph([Source.from_bytes("g.ndjson", data)], MAPPING)
    assert read.files[0].sha256 == hashlib.sha256(data).hexdigest()
    assert read.files[0].rows_read == len(ALERTS)


def test_a_json_document_over_the_limit_is_refused_and_ndjson_is_not(monkeypatch):
    from siem2graph.errors import InputError
    from siem2graph.legacy.limits import ReadLimits

    monkeypatch.setattr(records, "BATCH_BYTES", 20_000)  # read in pieces: refused before the end
    document = orjson.dumps({"value": ALERTS})
    limits = ReadLimits(max_json_document_bytes=len(document) // 2)
    with pytest.raises(InputError, match=r"graph\.json: a JSON document larger than .*NDJSON"):
        read_graph([Source.from_bytes("graph.json", document)], MAPPING, limits=limits)
    lines = ndjson("graph.ndjson", ALERTS)()
    assert len(read_graph(lines, MAPPING, limits=limits).alerts) == len({a["id"] for a in ALERTS})


def test_many_files_read_as_one_with_each_files_own_summary(batch_bytes):
    """Files read through one pipeline (batches of the next file parsed while the last ones of
    the previous are flattened): an empty file between and after others keeps its place, every
    file its own counts, digest and problems, and the alerts are those of one file of all."""
    parts = [ALERTS[:25], [], ALERTS[25:40], ALERTS[40:], []]
    names = [f"part{n}.ndjson" for n in range(len(parts))]
    data = [b"".join(orjson.dumps(a) + b"\n" for a in rows) for rows in parts]
    many = assert_same(lambda: [Source.from_bytes(n, d) for n, d in zip(names, data, strict=True)])
    one = read_graph([Source.from_bytes("all.ndjson", b"".join(data))], MAPPING)
    assert [f.name for f in many.files] == names
    assert [f.rows_read for f in many.files] == [len(rows) for rows in parts]
    assert [f.sha256 for f in many.files] == [
        Source.from_bytes(n, d).sha256() for n, d in zip(names, data, strict=True)
    ]
    empty = [p.file for p in many.problems if p.reason == "the file holds no alerts"]
    assert empty == ["part1.ndjson", "part4.ndjson"]
    pd.testing.assert_frame_equal(many.values, one.values)
    pd.testing.assert_frame_equal(
        many.alerts.drop(columns="_file"), one.alerts.drop(columns="_file")
    )


@pytest.mark.parametrize("first", [b'{"value": []}', orjson.dumps({"value": ALERTS[:2]})])
def test_a_file_starting_with_a_list_response_line(batch_bytes, first):
    """The first line decides how a file is read: a list response is one line of its alerts,
    the rest of the file as ever."""
    graph = assert_same(ndjson("g.ndjson", [first, *alerts()[2:]]))
    assert graph.files[0].rows_read == len(alerts()) - 2 + len(orjson.loads(first)["value"])


def test_a_file_starting_with_a_broken_line_is_read_as_one_document(batch_bytes):
    """Only its first line tells NDJSON from a document: a broken one makes the file a
    document, refused as neither when it is not one either (as it always was)."""
    data = b'{"id": "broken", }\n' + b"".join(orjson.dumps(a) + b"\n" for a in ALERTS[2:])
    with pytest.raises(InputError, match="neither JSON nor NDJSON"):
        read_graph([Source.from_bytes("g.ndjson", data)], MAPPING)


def test_progress_names_each_file_only_after_the_one_before_is_finished(monkeypatch):
    # small pieces: the next file is read ahead while the first one's batches are still parsed
    monkeypatch.setattr(records, "BATCH_BYTES", 20_000)
    lines = b"".join(orjson.dumps(a) + b"\n" for a in ALERTS)
    names = ["a.ndjson", "b.ndjson", "c.ndjson"]
    heard: list[tuple[str, float]] = []
    read_graph(
        [Source.from_bytes(n, lines) for n in names],
        MAPPING,
        progress=lambda step, share: heard.append((step, share)),
    )
    steps = [step for step, _ in heard]
    shares = [share for _, share in heard]
    assert shares == sorted(shares)
    for before, after in pairwise(names):
        finished = steps.index(f"read {before}: {len(ALERTS)} alerts")
        assert f"reading {before}" in steps[:finished]
        assert f"reading {after}" not in steps[:finished]
        assert f"reading {after}" in steps[finished:]


def test_a_file_hashed_before_is_not_hashed_again_while_unchanged(tmp_path):
    path = tmp_path / "alerts.ndjson"
    path.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in ALERTS))
    source = Source.from_path(path)
    expected = source.sha256()  # as an input cache's key does
    stream = records.AlertStream(source)
    assert sum(len(b.numbers) for b in stream.batches()) == len(ALERTS)
    assert stream.sha256 == expected
    assert stream.digest.hexdigest() == hashlib.sha256().hexdigest()  # nothing hashed twice
    path.write_bytes(path.read_bytes()[: -len(orjson.dumps(ALERTS[-1])) - 1])  # changed since
    changed = records.AlertStream(source)
    list(changed.batches())
    assert changed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != expected


@pytest.mark.parametrize("grown", [0, 1, 5_000], ids=["as stated", "a byte more", "an alert more"])
def test_a_file_is_read_into_buffers_of_its_size_and_whole_if_it_grew(tmp_path, grown):
    path = tmp_path / "alerts.ndjson"
    data = b"".join(orjson.dumps(a) + b"\n" for a in ALERTS[:5])
    path.write_bytes(data)
    stream = records.AlertStream(Source.from_path(path))
    assert stream._next_read() == len(data) + 1  # not BATCH_BYTES, zero-filled for a few lines
    added = b"".join(orjson.dumps(a) + b"\n" for a in ALERTS[5:])[:grown]
    path.write_bytes(data + added)  # after its size was taken
    with path.open("rb") as file, ThreadPoolExecutor(1) as hashing:
        pieces = [bytes(p) for p in stream._segments(file, hashing)]
    assert b"".join(pieces) == data + added
