"""ReadLimits: every bound gives a clear message naming the file (or rejects just the row)."""

from __future__ import annotations

import gzip
import io
import re
import zipfile

import orjson
import pytest

from siem2graph.errors import InputError
from siem2graph.legacy import ReadLimits, read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source

MAPPING = load_mapping()


def _read(name, data, **limits):
    return read_legacy([Source.from_bytes(name, data)], MAPPING, limits=ReadLimits(**limits))


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_limits_are_validated():
    with pytest.raises(ValueError, match="max_columns must be positive"):
        ReadLimits(max_columns=0)


def test_field_length_rejects_the_row():
    data = _read("a.csv", b"AlertId,CommandLine\nda1,short\nda2,0123456789\n", max_field_chars=5)
    assert data.files[0].rows_rejected == 1
    assert data.problems[0].line == 2
    assert "'CommandLine' is longer than 5 characters" in data.problems[0].reason


def test_field_length_counts_characters_not_bytes():
    data = _read("a.csv", "AlertId,Title\nda1,ééééé\n".encode(), max_field_chars=5)
    assert data.files[0].rows_kept == 1


def test_column_count():
    with pytest.raises(InputError, match=re.escape("a.csv: 3 columns, more than 2")):
        _read("a.csv", b"AlertId,B,C\nda1,2,3\n", max_columns=2)


def test_json_key_count():
    records = [{"AlertId": "da1", **{f"k{i}": "v" for i in range(5)}}]
    with pytest.raises(InputError, match=re.escape("a.json: records hold 6 different keys")):
        _read("a.json", orjson.dumps(records), max_columns=5)


def test_json_depth_rejects_the_record():
    records = [{"AlertId": "da1"}, {"AlertId": "da2", "x": {"y": {"z": 1}}}]
    data = _read("a.json", orjson.dumps(records), max_json_depth=2)
    assert (data.files[0].rows_kept, data.files[0].rows_rejected) == (1, 1)
    assert data.problems[0].line == 2


def test_json_document_size():
    with pytest.raises(InputError, match="convert it to NDJSON"):
        _read("a.json", orjson.dumps([{"AlertId": "da1"}] * 50), max_json_document_bytes=100)


def test_ndjson_line_length_rejects_the_line():
    lines = (
        b'{"AlertId": "da1"}\n{"AlertId": "da2", "x": "' + b"y" * 200 + b'"}\n{"AlertId": "da3"}\n'
    )
    data = _read("a.ndjson", lines, max_record_bytes=100)
    assert [f.rows_kept for f in data.files] == [2]
    assert data.problems[0].line == 2
    assert "longer than 100 bytes" in data.problems[0].reason


def test_expanded_size_of_gzip():
    data = gzip.compress(b"AlertId\n" + b"da1\n" * 100_000)
    with pytest.raises(
        InputError, match=re.escape("a.csv.gz!a.csv: expands to more than 1,000 bytes")
    ):
        _read("a.csv.gz", data, max_expanded_bytes=1000)


def test_expansion_ratio_of_gzip():
    data = gzip.compress(b"AlertId\n" + b"da1\n" * 100_000)
    with pytest.raises(InputError, match="is it a zip bomb"):
        _read("a.csv.gz", data, max_expansion_ratio=10, expansion_ratio_floor_bytes=1000)


def test_declared_size_of_zip():
    data = _zip({"a.csv": b"AlertId\n" + b"da1\n" * 1000})
    with pytest.raises(InputError, match=re.escape("a.zip: declares 4,008 expanded bytes")):
        _read("a.zip", data, max_expanded_bytes=1000)


def test_zip_member_count():
    data = _zip({f"{i}.csv": b"AlertId\nda1\n" for i in range(3)})
    with pytest.raises(InputError, match=re.escape("a.zip: 3 members, more than 2")):
        _read("a.zip", data, max_archive_members=2)


def test_truncated_gzip():
    data = gzip.compress(b"AlertId\n" + b"da1\n" * 10_000)
    with pytest.raises(
        InputError, match=re.escape("a.csv.gz!a.csv: the archive is corrupt or truncated")
    ):
        _read("a.csv.gz", data[: len(data) // 2])


def test_nested_archive_is_reported_not_read():
    data = _zip({"a.csv": b"AlertId\nda1\n", "inner.zip": b"PK"})
    result = _read("a.zip", data)
    assert [f.name for f in result.files] == ["a.zip!a.csv"]
    assert "an archive inside an archive" in result.problems[0].reason
