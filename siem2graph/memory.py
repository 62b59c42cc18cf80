"""Memory the allocators keep after a phase, handed back to the system; the cyclic collector
paused while parsed JSON is built."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
from collections.abc import Iterator

import pyarrow as pa

_LIBC = ctypes.CDLL(None) if sys.platform == "linux" else None


def release_memory() -> None:
    """Hand the memory the allocators keep after a phase back to the system: freed buffers
    of the reader threads (Arrow's pool) and of numpy/pandas (glibc's malloc, where it is the
    C library) otherwise stay resident for the whole audit."""
    pa.default_memory_pool().release_unused()
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


class _CollectorPause:
    """Pauses the cyclic garbage collector while any thread is inside ``paused()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._resume = False

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Parsed JSON holds no reference cycles, but each object it builds counts towards the
        collector's thresholds: reading a large document ran collections over every object
        built so far, while parsing and again while the records were handed on (docs/scale.md).
        The collector is off process-wide until the last thread inside leaves, then on again
        if it was. Also a decorator: a reader paused while it runs."""
        with self._lock:
            if not self._inside:
                self._resume = gc.isenabled()
                gc.disable()
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if not self._inside and self._resume:
                    gc.enable()


collector_paused = _CollectorPause().paused
