"""What a shared server bounds: rows, concurrent audits (with a queue), the memory a session's
report holds and how long it is held, and the banner of a server without sign-in."""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from siem2graph.errors import InputError
from siem2graph.legacy import read_legacy
from siem2graph.legacy.limits import ReadLimits
from siem2graph.mapping import load_mapping
from siem2graph.sources import Source
from tests.helpers import graph_example, json_source, legacy_for_example
from ui import cache, state
from ui.audit_queue import AuditQueue
from ui.settings import ServerLimits, server_limits
from ui.signin import UNGUARDED

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _csv(rows: int) -> bytes:
    return b"AlertId,AlertTitle\n" + b"".join(b"da%d,t\n" % i for i in range(rows))


def test_rows_beyond_the_limit_are_refused_per_file_and_per_audit():
    limits = ReadLimits(max_rows=5)
    with pytest.raises(InputError, match=r"big.csv: more than 5 legacy rows"):
        read_legacy([Source.from_bytes("big.csv", _csv(6))], load_mapping(), limits=limits)
    small = [Source.from_bytes(f"{n}.csv", _csv(3)) for n in "ab"]
    with pytest.raises(InputError, match=r"these exports: more than 5 legacy rows"):
        read_legacy(small, load_mapping(), limits=limits)
    assert len(read_legacy(small[:1], load_mapping(), limits=limits).detections) == 3


def test_server_limits_come_from_the_environment(monkeypatch):
    assert server_limits() == ServerLimits()
    monkeypatch.setenv("SIEM2GRAPH_MAX_ROWS", "10")
    monkeypatch.setenv("SIEM2GRAPH_CONCURRENT_AUDITS", "1")
    assert server_limits() == ServerLimits(max_rows=10, concurrent_audits=1)
    monkeypatch.setenv("SIEM2GRAPH_REPORT_MB", "-1")
    with pytest.raises(ValueError, match="report_mb must be a positive whole number"):
        server_limits()


def test_the_queue_runs_at_most_its_slots_first_come_first_served():
    queue, running, peak, order, positions = AuditQueue(2), [0], [0], [], {}
    lock = threading.Lock()

    def audit(number: int) -> None:
        def waiting(position: int) -> None:
            positions.setdefault(number, []).append(position)

        with queue.slot(waiting):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
                order.append(number)
            time.sleep(0.3)
            with lock:
                running[0] -= 1

    threads = []
    for number in range(5):
        threads.append(threading.Thread(target=audit, args=(number,)))
        threads[-1].start()
        time.sleep(0.05)  # they arrive in order
    for thread in threads:
        thread.join(timeout=30)
    assert peak[0] == 2 and order == [0, 1, 2, 3, 4] and queue.running == 0
    assert positions[2][0] == 1 and positions[4][0] == 3  # each heard its place in line
    assert 0 not in positions and 1 not in positions


def _sources() -> tuple[list[Source], list[Source]]:
    legacy = [json_source("legacy.json", [legacy_for_example()])]
    return legacy, [json_source("graph.json", {"value": [graph_example()]})]


def test_a_report_is_released_when_no_session_holds_it():
    report_id, report = cache.audit(*_sources())
    assert cache.audit(*_sources())[1] is report  # shared while held
    del report
    gc.collect()
    assert report_id not in cache._REPORTS


def test_a_report_above_the_session_memory_limit_is_refused(monkeypatch):
    monkeypatch.setattr(cache, "MB", 16)  # the limit becomes 16 KB
    with pytest.raises(InputError, match=r"more than the 1,024 MB a session may hold"):
        cache.audit(*_sources())
    assert not cache._REPORTS


def test_the_sources_page_shows_the_row_limit_as_an_error(monkeypatch):
    monkeypatch.setenv("SIEM2GRAPH_MAX_ROWS", "5")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert any("more than 5 Graph records" in e.value for e in at.error)  # read first
    assert state.REPORT not in at.session_state
    assert any("up to 5 legacy rows and 5 Graph records" in c.value for c in at.caption)


@pytest.mark.parametrize(("address", "banner"), [("localhost", False), ("0.0.0.0", True)])
def test_a_server_without_sign_in_beyond_localhost_says_so(address, banner):
    st.config.set_option("server.address", address)
    try:
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state[state.SAMPLE_TRIED] = True
        at.run()
    finally:
        st.config.set_option("server.address", "localhost")
    shown = [w.value for w in at.warning if "no sign-in" in w.value]
    assert bool(shown) is banner
    if banner:
        assert shown == [UNGUARDED.format(address=address)]
