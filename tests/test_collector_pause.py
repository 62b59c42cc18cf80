"""The cyclic collector paused while JSON is read into objects (siem2graph.memory)."""

from __future__ import annotations

import gc
import threading

import orjson

from siem2graph.graph import records
from siem2graph.graph.alerts import read_graph
from siem2graph.legacy import read_legacy
from siem2graph.mapping import load_mapping
from siem2graph.memory import collector_paused
from siem2graph.sources import Source

MAPPING = load_mapping()


def test_the_collector_is_off_until_the_last_thread_leaves_then_as_it_was():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            inside.set()
            leave.wait()

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        inside.wait()
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread is still reading
    leave.set()
    thread.join()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_the_readers_parse_json_with_the_collector_off(monkeypatch):
    seen = []
    loads = orjson.loads

    def watched(text):
        seen.append(gc.isenabled())
        return loads(text)

    monkeypatch.setattr(records.orjson, "loads", watched)
    document = orjson.dumps({"value": [{"id": "da1", "title": "t"}]})
    read_graph([Source.from_bytes("g.json", document)], MAPPING)
    monkeypatch.setattr("siem2graph.legacy.json_reader.orjson.loads", watched)
    read_legacy([Source.from_bytes("l.json", b'[{"AlertId": "da1"}]')], MAPPING)
    assert seen and not any(seen)
    assert gc.isenabled()
