"""The audit of the same files with the same settings, by the same engine, is read back from the
input cache, not computed again; any other setting, mapping or engine computes it."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from bench.measure import FIGURES
from siem2graph import audit, audit_memo
from siem2graph.audit import AuditOptions, audit_files, audit_sources
from siem2graph.graph.cache import write_record
from siem2graph.graph.parsed_cache import ParsedCache
from siem2graph.mapping import load_mapping
from siem2graph.model import REUSED, engine_text
from siem2graph.sources import Source

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
LEGACY, GRAPH = SAMPLE / "legacy_siem_export.csv", SAMPLE / "graph_alerts_v2.json"


@pytest.fixture
def runs(monkeypatch):
    """How many times the audit was computed."""
    calls = []
    real = audit.run

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "run", counted)
    return calls


def _audit(cache, mapping=None, options=None, graph=GRAPH):
    return audit_sources(
        [Source.from_path(LEGACY)], [Source.from_path(graph)], mapping, options, cache=cache
    )


def test_the_same_files_and_settings_read_the_report_back(tmp_path, runs):
    cache = ParsedCache(tmp_path / "cache")
    first = audit_files([LEGACY], [GRAPH], cache=cache)
    again = audit_files([LEGACY], [GRAPH], cache=cache)
    assert len(runs) == 1
    fresh, kept = audit_files([LEGACY], [GRAPH]).to_dict(), again.to_dict()
    for key in FIGURES:
        assert kept[key] == fresh[key], key
    assert again.engine[REUSED] == first.generated_at
    said = f"; the same files and settings audited at {first.generated_at}, report read back"
    assert engine_text(again.engine).endswith(said)
    assert set(again.phase_seconds) == {"reuse"}
    assert len(again.detections) == len(first.detections)
    assert again.verdicts.equals(first.verdicts)


def test_other_options_mapping_or_engine_compute_again(tmp_path, runs, monkeypatch):
    cache, mapping = ParsedCache(tmp_path / "cache"), load_mapping()
    _audit(cache, mapping)
    _audit(cache, mapping, AuditOptions(top_pairs=3))
    assert len(runs) == 2
    noted = dataclasses.replace(mapping.fields[0], note="another note")
    _audit(cache, dataclasses.replace(mapping, fields=(noted, *mapping.fields[1:])))
    assert len(runs) == 3  # the inputs' keys are the same: only the report's differs
    monkeypatch.setattr(audit_memo, "engine_digest", lambda: "another engine")
    _audit(cache, mapping)
    assert len(runs) == 4
    _audit(cache, mapping)
    assert len(runs) == 4


def test_another_byte_of_an_input_computes_again(tmp_path, runs):
    cache, copy = ParsedCache(tmp_path / "cache"), tmp_path / GRAPH.name
    copy.write_bytes(GRAPH.read_bytes())
    _audit(cache, graph=copy)
    copy.write_bytes(GRAPH.read_bytes().replace(b'"severity":"high"', b'"severity":"low"', 1))
    changed = _audit(cache, graph=copy)
    assert len(runs) == 2 and REUSED not in changed.engine


def test_a_reused_report_reads_its_pull_records_again(tmp_path, runs):
    cache, copy = ParsedCache(tmp_path / "cache"), tmp_path / GRAPH.name
    copy.write_bytes(GRAPH.read_bytes())
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    write_record(copy, {"partial": False, "sha256": digest, "tenant_id": "contoso"})
    assert not _audit(cache, graph=copy).pulls[0].partial
    write_record(copy, {"partial": True, "reason": "stopped at page 3", "sha256": digest})
    again = _audit(cache, graph=copy)
    assert len(runs) == 1
    assert again.pulls[0].partial and again.pulls[0].reason == "stopped at page 3"


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("verdicts.arrow", b"not arrow"),  # ArrowInvalid
        ("report.json", b"{}"),  # KeyError
        ("report.json", b'{"mapping": {}}'),  # a mapping that does not parse
    ],
)
def test_an_unreadable_kept_report_is_computed_again(tmp_path, runs, name, damage):
    cache = ParsedCache(tmp_path / "cache")
    first = _audit(cache)
    kept = [e for e in cache.folder.iterdir() if (e / "report.json").is_file()]
    assert len(kept) == 1
    (kept[0] / name).write_bytes(damage)
    again = _audit(cache)
    assert len(runs) == 2 and REUSED not in again.engine
    assert again.to_dict()["fields"] == first.to_dict()["fields"]
    assert (kept[0] / name).read_bytes() != damage  # kept anew


@pytest.mark.parametrize(("folder", "name"), [("_PACKAGE", "verdicts.py"), ("_MAPPING", "a.yaml")])
def test_the_engine_digest_follows_every_module_and_mapping_file(
    tmp_path, monkeypatch, folder, name
):
    for kind in ("package", "mapping"):
        (tmp_path / kind / "inner").mkdir(parents=True)
    monkeypatch.setattr(audit_memo, "_PACKAGE", tmp_path / "package")
    monkeypatch.setattr(audit_memo, "_MAPPING", tmp_path / "mapping")
    changed = getattr(audit_memo, folder) / "inner" / name
    changed.write_text("MISMATCH = 1\n")
    audit_memo.engine_digest.cache_clear()
    before = audit_memo.engine_digest()
    changed.write_text("MISMATCH = 2\n")
    audit_memo.engine_digest.cache_clear()
    try:
        assert audit_memo.engine_digest() != before
    finally:
        audit_memo.engine_digest.cache_clear()
