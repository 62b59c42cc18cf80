"""The dashboard as a team uses it: server memory before, during and after concurrent sessions.

A `streamlit run app.py` server; N Chromium sessions (one browser context each) upload their own
copy of the legacy and Graph files and audit them at the same time (the server's queue lets
`concurrent_audits` run at once). The server's resident memory is sampled every 50 ms: idle,
the peak while the sessions audit, with every session holding its report, and once the
sessions closed and `server.disconnectedSessionTTL` let them go. Drives the browser with the
browser tests' helpers (tests/browser.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from siem2graph.store.store import STORE_ENV
from tests.browser import chromium_tabs, free_port, settle, streamlit_server, upload

SESSIONS = 5
TTL_SECONDS = 5  # the bench server drops a closed session after this
SETTLE_SECONDS = 20  # then waits this long before the "after" figure
AUDIT_MS = 1_800_000


def rss_mb(pid: int) -> float:
    """The resident set of a process, in MiB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def server_pid(port: int) -> int:
    """The process serving `port` (its command line names the port)."""
    for proc in Path("/proc").iterdir():
        try:
            arguments = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in arguments and str(port).encode() in arguments:
            return int(proc.name)
    raise LookupError(f"no streamlit process on port {port}")


class Sampler:
    """Samples a process's RSS in a thread; `peak()` since the last `mark()`."""

    def __init__(self, pid: int) -> None:
        self.pid, self._peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._peak = max(self._peak, rss_mb(self.pid))

    def mark(self) -> None:
        self._peak = rss_mb(self.pid)

    def peak(self) -> float:
        return self._peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _copies(legacy: Path, graph: Path, folder: Path, count: int) -> list[tuple[Path, Path]]:
    """A distinct copy of both files per session (trailing blank lines change the hash, not
    the audit), so that no two sessions share one report."""
    pairs = []
    for number in range(count):
        mine = folder / f"session{number}"
        mine.mkdir()
        legacy_copy = Path(shutil.copy(legacy, mine / legacy.name))
        with legacy_copy.open("ab") as out:
            out.write(b"\n" * (number + 1))
        pairs.append((legacy_copy, Path(shutil.copy(graph, mine / graph.name))))
    return pairs


def serve_sessions(legacy: Path, graph: Path, sessions: int = SESSIONS) -> dict[str, Any]:
    """Server RSS (MiB) idle, peak while `sessions` audit at once, with every report held,
    after the sessions closed and after one more visit came and went; seconds from the first
    click to the last audit ready."""
    port = free_port()
    options = ["--server.disconnectedSessionTTL", str(TTL_SECONDS)]
    with tempfile.TemporaryDirectory() as folder:
        files = _copies(legacy, graph, Path(folder), sessions)
        log = Path(folder) / "server.log"
        # the sessions' audits are saved in a store of the run's own, not the user's
        env = os.environ | {STORE_ENV: str(Path(folder) / "store")}
        with streamlit_server(log, env, options, port) as url:
            sampler = Sampler(server_pid(port))
            figures = _drive(url, files, sampler)
            time.sleep(TTL_SECONDS + SETTLE_SECONDS)
            figures["rss_after_mb"] = rss_mb(sampler.pid)
            # Streamlit forgets an expired session only when another session is stored: a
            # later visitor's tab closing is what lets the closed sessions' memory go
            with chromium_tabs(url, 1) as (page,):
                settle(page)
            time.sleep(TTL_SECONDS + SETTLE_SECONDS)
            figures["rss_after_next_visit_mb"] = rss_mb(sampler.pid)
            sampler.stop()
    return figures


def _drive(url: str, files: list[tuple[Path, Path]], sampler: Sampler) -> dict[str, Any]:
    with chromium_tabs(url, len(files)) as pages:
        for page in pages:
            page.set_default_timeout(AUDIT_MS)  # uploads of a few MB are slow on a busy machine
            settle(page)  # each session's first visit opens on the sample (one shared report)
        idle = rss_mb(sampler.pid)
        for page, (legacy, graph) in zip(pages, files, strict=True):
            page.bring_to_front()
            for number, path in enumerate((legacy, graph)):
                upload(page, number, path)
                # a second upload sent while the first one's rerun ran was lost at times (the
                # dashboard's upload race): one upload at a time, the page settled between
                settle(page)
        sampler.mark()
        started = time.perf_counter()
        for page in pages:
            page.bring_to_front()
            page.get_by_role("button", name="Audit these files").click(timeout=AUDIT_MS)
        for page in pages:
            page.get_by_text("Audit ready").wait_for(timeout=AUDIT_MS)
        seconds = time.perf_counter() - started
        during, held = sampler.peak(), rss_mb(sampler.pid)
    return {
        "seconds": seconds,
        "cpu_seconds": None,
        "parts": {},
        "sessions": len(files),
        "rss_idle_mb": idle,
        "rss_peak_mb": during,
        "rss_held_mb": held,
    }
