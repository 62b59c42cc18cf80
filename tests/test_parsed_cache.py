"""Parsed Graph inputs kept by content: a second audit of the same files skips their parse,
and a changed file or mapping misses."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from siem2graph.audit import audit_files
from siem2graph.cli import main
from siem2graph.graph import parsed_cache
from siem2graph.graph.alerts import read_graph
from siem2graph.graph.parsed_cache import ParsedCache, read_graph_cached
from siem2graph.legacy.limits import ReadLimits
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
LEGACY, GRAPH = SAMPLE / "legacy_siem_export.csv", SAMPLE / "graph_alerts_v2.json"


def _reading_fewer_paths(mapping):
    """The mapping without its last field read at a path no other field reads."""
    for row in reversed(mapping.fields):
        fewer = dataclasses.replace(
            mapping, fields=tuple(f for f in mapping.fields if f is not row)
        )
        if fewer.graph_paths != mapping.graph_paths:
            return fewer
    raise AssertionError("every path is read by two fields")


@pytest.fixture
def parses(monkeypatch):
    """How many times the Graph reader ran."""
    calls = []
    real = parsed_cache.read_graph

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(parsed_cache, "read_graph", counted)
    return calls


def test_a_cached_read_is_the_read(tmp_path, parses):
    cache, mapping = ParsedCache(tmp_path / "cache"), load_mapping()
    sources = [Source.from_path(GRAPH)]
    first = read_graph_cached(sources, mapping, cache)
    again = read_graph_cached(sources, mapping, cache)
    assert len(parses) == 1
    fresh = read_graph(sources, mapping)
    for name in ("alerts", "values", "observed_paths"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(fresh, name))
    assert again.values["value"].cat.categories.is_monotonic_increasing
    assert (again.value_alerts == fresh.value_alerts).all()
    assert again.files == fresh.files == first.files
    assert again.problems == fresh.problems


def test_reaudit_against_another_export_skips_the_graph_parse(tmp_path, parses):
    cache = ParsedCache(tmp_path / "cache")
    half = tmp_path / "half.csv"
    pd.read_csv(LEGACY, dtype="str").iloc[::2].to_csv(half, index=False)
    audit_files([LEGACY], [GRAPH], cache=cache)
    other = audit_files([half], [GRAPH], cache=cache)
    assert len(parses) == 1
    expected = audit_files([half], [GRAPH]).to_dict()
    for key in ("join", "fields", "headline", "inputs", "problems", "unmapped_graph_paths"):
        assert other.to_dict()[key] == expected[key], key


def test_a_changed_file_or_mapping_misses(tmp_path, parses):
    cache, mapping = ParsedCache(tmp_path / "cache"), load_mapping()
    copy = tmp_path / GRAPH.name
    copy.write_bytes(GRAPH.read_bytes())
    read_graph_cached([Source.from_path(copy)], mapping, cache)
    copy.write_bytes(GRAPH.read_bytes().replace(b'"severity":"high"', b'"severity":"low"', 1))
    changed = read_graph_cached([Source.from_path(copy)], mapping, cache)
    assert len(parses) == 2
    assert changed.files[0].sha256 != read_graph([Source.from_path(GRAPH)], mapping).files[0].sha256
    fewer = _reading_fewer_paths(mapping)
    read_graph_cached([Source.from_path(copy)], fewer, cache)
    assert len(parses) == 3
    read_graph_cached([Source.from_path(copy)], fewer, cache)
    assert len(parses) == 3


def test_another_reader_version_misses(tmp_path, parses, monkeypatch):
    cache, mapping, sources = (
        ParsedCache(tmp_path / "cache"),
        load_mapping(),
        [Source.from_path(GRAPH)],
    )
    read_graph_cached(sources, mapping, cache)
    monkeypatch.setattr(parsed_cache, "READER_VERSION", "another reader")
    read_graph_cached(sources, mapping, cache)
    assert len(parses) == 2


def test_the_least_recently_used_entries_go_past_the_limit(tmp_path):
    mapping = load_mapping()
    cache = ParsedCache(tmp_path / "cache")
    read_graph_cached([Source.from_path(GRAPH)], mapping, cache)
    size = sum(f.stat().st_size for f in next(cache.folder.iterdir()).iterdir())
    small = ParsedCache(cache.folder, limit_bytes=size + 1)
    fewer = _reading_fewer_paths(mapping)
    read_graph_cached([Source.from_path(GRAPH)], fewer, small)
    entries = [e.name for e in cache.folder.iterdir()]
    assert entries == [small.key([Source.from_path(GRAPH)], fewer, ReadLimits())]


def test_an_unreadable_entry_is_parsed_again(tmp_path, parses):
    cache, mapping = ParsedCache(tmp_path / "cache"), load_mapping()
    sources = [Source.from_path(GRAPH)]
    read_graph_cached(sources, mapping, cache)
    (cache.folder / cache.key(sources, mapping, ReadLimits()) / "values.arrow").write_bytes(
        b"not arrow"
    )
    again = read_graph_cached(sources, mapping, cache)
    assert len(again.alerts) == len(read_graph(sources, mapping).alerts)
    assert len(parses) == 2


def test_cli_input_cache(tmp_path):
    args = ["audit", "--legacy", str(LEGACY), "--graph", str(GRAPH), "-q"]
    cache = ["--input-cache", str(tmp_path / "cache")]
    assert main([*args, "--out", str(tmp_path / "a"), *cache]) == 0
    assert main([*args, "--out", str(tmp_path / "b"), *cache]) == 0
    first, second = (json.loads((tmp_path / d / "report.json").read_text()) for d in "ab")
    assert first["fields"] == second["fields"] and first["join"] == second["join"]
    assert len(list((tmp_path / "cache").iterdir())) == 1
