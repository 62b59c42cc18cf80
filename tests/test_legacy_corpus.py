"""Every file of tests/legacy_corpus/ gives exactly the outcome expected.yaml states."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from siem2graph.errors import InputError
from siem2graph.legacy import ReadLimits, read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from tests.helpers import RAPID7

CORPUS = Path(__file__).resolve().parent / "legacy_corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
MAPPING = load_mapping()


def test_corpus_is_complete():
    on_disk = {p.name for p in (CORPUS / "files").iterdir()}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name):
    expected = EXPECTED[name]
    source = Source.from_path(CORPUS / "files" / name)
    if "error" in expected:
        with pytest.raises(InputError) as raised:
            read_legacy([source], MAPPING)
        assert expected["error"] in str(raised.value)
        assert name in str(raised.value)
        return
    data = read_legacy([source], MAPPING)
    counts = [
        [f.name, f.rows_read, f.rows_kept, f.rows_rejected, f.repeated_headers] for f in data.files
    ]
    assert counts == expected["files"]
    assert all(f.reconciles for f in data.files)
    first = data.files[0]
    for key in ("format", "encoding", "delimiter", "alias_sets"):
        if key in expected:
            assert getattr(first, key) == expected[key], key
    if "columns" in expected:
        assert list(first.columns) == expected["columns"]
    reasons = [p.reason for p in data.problems]
    for fragment in expected.get("problems", []):
        assert any(fragment in r for r in reasons), (fragment, reasons)
    if "problem_lines" in expected:
        assert [p.line for p in data.problems if p.line is not None] == expected["problem_lines"]
    rejected = sum(f.rows_rejected for f in data.files)
    assert sum(p.line is not None for p in data.problems) == rejected
    for field, values in expected.get("values", {}).items():
        column = data.detections[field]
        assert [None if pd.isna(v) else v for v in column] == values, field
    assert len(data.detections) == sum(f.rows_kept for f in data.files)


def test_real_siem_records_map_every_key():
    """The public SIEM API samples (2018) read with no unmapped key."""
    data = read_legacy([Source.from_path(p) for p in sorted(RAPID7.glob("*.json"))], MAPPING)
    assert [f.rows_kept for f in data.files] == [1, 1]
    assert data.unmapped_columns == ()
    row = data.detections.set_index("AlertId").loc["636772341913498370_1532439962"]
    assert pd.isna(row["DeviceCreatedMachineTags"])
    assert row["InternalIPV4List"] == "10.4.18.162;127.0.0.1"
    assert pd.isna(row["RemediationIsSuccess"])


def test_concatenated_csv_exports_feed_the_audit():
    """A CSV read through the new reader gives the audit engine what it expects."""
    from siem2graph.audit import run
    from siem2graph.graph.alerts import read_graph
    from tests.helpers import graph_example, json_source, legacy_for_example

    record = legacy_for_example(Description="two\r\nlines")
    header = ",".join(record)
    line = ",".join(f'"{v}"' for v in record.values())
    body = f"\ufeff{header}\r\n{line}\r\n{header}\r\n{line}\r\n".encode()
    legacy = read_legacy([Source.from_bytes("weekly.csv", body)], MAPPING)
    assert (legacy.files[0].rows_kept, legacy.files[0].repeated_headers) == (2, 1)
    graph = read_graph([json_source("g.json", [graph_example()])], MAPPING)
    report = run(legacy, graph, MAPPING)
    assert report.join.matched_alerts == 1
    assert report.field("Description").legacy_rows_populated == 2


def test_blank_values_are_missing_in_encoded_and_plain_columns():
    """'' and white-space-only values are NA whether a column is held as a dictionary (values
    repeat: Title) or as text (unique: Sha1), in every block of a file read in small blocks."""
    titles = ["x", "  ", "", "y", "\t", "x"] * 40
    lines = ["AlertId,Title,Sha1"] + [
        f"da{n},{t},{' ' if n % 7 == 0 else f'sha{n}'}" for n, t in enumerate(titles)
    ]
    data = read_legacy(
        [Source.from_bytes("blanks.csv", "\n".join(lines).encode())],
        MAPPING,
        limits=ReadLimits(max_record_bytes=1024),
    )
    detections = data.detections
    assert isinstance(detections["Title"].dtype, pd.CategoricalDtype)
    assert sorted(detections["Title"].cat.categories) == ["x", "y"]
    assert [None if pd.isna(v) else v for v in detections["Title"]] == [
        None if not t.strip() else t for t in titles
    ]
    assert detections["Sha1"].isna().tolist() == [n % 7 == 0 for n in range(len(titles))]
