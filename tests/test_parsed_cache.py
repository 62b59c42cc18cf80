"""Parsed inputs kept by content: a second audit of the same files skips their parse, and a
changed file, mapping, alias set or limit misses."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from bench.measure import FIGURES
from siem2graph.audit import audit_files
from siem2graph.cli import main
from siem2graph.graph import parsed_cache
from siem2graph.graph.alerts import read_graph
from siem2graph.graph.parsed_cache import (
    ParsedCache,
    graph_key,
    read_graph_cached,
    read_legacy_cached,
)
from siem2graph.legacy import ReadLimits, load_alias_set, read_legacy
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


def _counted(monkeypatch, name):
    calls = []
    real = getattr(parsed_cache, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(parsed_cache, name, counted)
    return calls


@pytest.fixture
def parses(monkeypatch):
    """How many times the Graph reader ran."""
    return _counted(monkeypatch, "read_graph")


@pytest.fixture
def legacy_parses(monkeypatch):
    """How many times the legacy reader ran."""
    return _counted(monkeypatch, "read_legacy")


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


def test_a_reaudit_parses_only_the_side_that_changed(tmp_path, parses, legacy_parses):
    half, other = tmp_path / "half.csv", tmp_path / "other.json"
    pd.read_csv(LEGACY, dtype="str").iloc[::2].to_csv(half, index=False)
    other.write_bytes(GRAPH.read_bytes() + b"\n")
    pairs = ((half, GRAPH), (LEGACY, other))
    expected = [audit_files([legacy], [graph]).to_dict() for legacy, graph in pairs]
    cache = ParsedCache(tmp_path / "cache")
    audit_files([LEGACY], [GRAPH], cache=cache)
    parses.clear(), legacy_parses.clear()
    for (legacy, graph), wanted in zip(pairs, expected, strict=True):
        again = audit_files([legacy], [graph], cache=cache).to_dict()
        for key in FIGURES:
            assert again[key] == wanted[key], key
    assert (len(parses), len(legacy_parses)) == (1, 1)  # other.json, half.csv


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
    assert entries == [graph_key([Source.from_path(GRAPH)], fewer, ReadLimits())]


def test_the_users_areas_share_the_servers_limit(tmp_path):
    """Each signed-in user has an area of the cache, but not the whole limit each: the least
    recently used entries go, whoever kept them, so the disk does not grow with the users."""
    mapping, sources = load_mapping(), [Source.from_path(GRAPH)]
    server = ParsedCache(tmp_path / "cache")
    read_graph_cached(sources, mapping, server.area("alice"))
    (entry,) = (server.folder / "alice").iterdir()
    size = sum(f.stat().st_size for f in entry.iterdir())
    os.utime(entry, (1, 1))  # Alice's entry used long ago
    small = ParsedCache(server.folder, limit_bytes=size + 1)
    read_graph_cached(sources, mapping, small.area("bob"))
    assert not any((server.folder / "alice").iterdir())
    assert [e.name for e in (server.folder / "bob").iterdir()] == [entry.name]


def test_an_unreadable_entry_is_parsed_again(tmp_path, parses):
    cache, mapping = ParsedCache(tmp_path / "cache"), load_mapping()
    sources = [Source.from_path(GRAPH)]
    read_graph_cached(sources, mapping, cache)
    (cache.folder / graph_key(sources, mapping, ReadLimits()) / "values.arrow").write_bytes(
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
    entries = list((tmp_path / "cache").iterdir())
    assert len(entries) == 3  # one per side, and the report of both
    assert second["engine"]["reused_from"] == first["generated_at"]


def test_a_cached_legacy_read_is_the_read(tmp_path, legacy_parses):
    cache, mapping = ParsedCache(tmp_path / "cache"), load_mapping()
    sources = [Source.from_path(LEGACY)]
    first = read_legacy_cached(sources, mapping, cache)
    again = read_legacy_cached(sources, mapping, cache)
    assert len(legacy_parses) == 1
    fresh = read_legacy(sources, mapping)
    pd.testing.assert_frame_equal(again.detections, fresh.detections)
    assert again.files == fresh.files == first.files
    assert (again.problems, again.unmapped_columns) == (fresh.problems, fresh.unmapped_columns)


def test_a_changed_export_alias_set_or_limit_misses(tmp_path, legacy_parses):
    cache, mapping = ParsedCache(tmp_path / "cache"), load_mapping()
    copy = tmp_path / LEGACY.name
    copy.write_bytes(LEGACY.read_bytes())
    sources = [Source.from_path(copy)]
    read_legacy_cached(sources, mapping, cache)
    copy.write_bytes(LEGACY.read_bytes().replace(b"High", b"Low", 1))
    changed = read_legacy_cached(sources, mapping, cache)
    assert len(legacy_parses) == 2
    assert (
        changed.detections["Severity"].tolist()
        != read_legacy([Source.from_path(LEGACY)], mapping).detections["Severity"].tolist()
    )
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("name: ours\ncolumns:\n  Sev: Severity\n")
    read_legacy_cached(sources, mapping, cache, [load_alias_set(aliases, mapping)])
    read_legacy_cached(sources, mapping, cache, [aliases])  # the same set, given as a path
    assert len(legacy_parses) == 3
    read_legacy_cached(sources, mapping, cache, limits=ReadLimits(max_field_chars=50_000))
    assert len(legacy_parses) == 4


def test_a_source_is_hashed_once_and_again_once_its_file_changed(tmp_path, monkeypatch):
    import hashlib
    import os

    copy = tmp_path / LEGACY.name
    copy.write_bytes(LEGACY.read_bytes())
    source = Source.from_path(copy)
    first = source.sha256()
    opened = []
    real_open = Source.open
    monkeypatch.setattr(Source, "open", lambda self: opened.append(1) or real_open(self))
    assert source.sha256() == first and not opened  # remembered
    copy.write_bytes(LEGACY.read_bytes() + b"\r\n")
    os.utime(copy, ns=(1, 1))  # even a file whose clock went back is read again
    assert source.sha256() == hashlib.sha256(copy.read_bytes()).hexdigest() != first
    assert opened == [1]
