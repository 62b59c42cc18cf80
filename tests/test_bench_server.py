"""The server bench's own parts (the Chromium run itself is `python -m bench N --kinds server`)."""

from __future__ import annotations

import hashlib
import os

import pytest

from bench.server import Sampler, _copies, rss_mb, server_pid


def test_rss_of_a_live_and_a_gone_process():
    assert rss_mb(os.getpid()) > 10
    assert rss_mb(2**22 + 7) == 0.0  # above the kernel's pid limit: no such process


def test_each_session_gets_files_of_its_own(tmp_path):
    legacy, graph = tmp_path / "legacy.csv", tmp_path / "graph.ndjson"
    legacy.write_bytes(b"AlertId,AlertTitle\nda1,t\n")
    graph.write_bytes(b'{"id": "da1"}\n')
    pairs = _copies(legacy, graph, tmp_path, 3)
    digests = {hashlib.sha256(copy.read_bytes()).hexdigest() for copy, _ in pairs}
    assert len(digests) == 3
    assert all(
        copy.read_bytes().rstrip(b"\n") == legacy.read_bytes().rstrip(b"\n") for copy, _ in pairs
    )


def test_the_sampler_keeps_the_peak_and_no_server_is_found_on_a_free_port():
    sampler = Sampler(os.getpid())
    sampler.mark()
    assert sampler.peak() > 10
    sampler.stop()
    with pytest.raises(LookupError):
        server_pid(1)
