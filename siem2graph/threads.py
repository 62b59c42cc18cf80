"""The one concurrency setting: how many threads each of the engine's pools may use.

``--threads`` on the command line or ``SIEM2GRAPH_THREADS`` in the environment; by default the
CPUs this process may run on. Read each time a pool starts, so a change applies to the next one.
"""

from __future__ import annotations

import os

from siem2graph.errors import InputError

THREADS_ENV = "SIEM2GRAPH_THREADS"


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, which containers and taskset narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def parse_threads(text: str) -> int:
    """A thread count: a whole number from 1 on."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise InputError(f"a thread count is a whole number from 1 on, not {text!r}")
    return count


def thread_count() -> int:
    """``SIEM2GRAPH_THREADS`` (set by ``--threads``) when given, else the usable CPU count."""
    text = os.environ.get(THREADS_ENV, "").strip()
    return parse_threads(text) if text else usable_cpus()
