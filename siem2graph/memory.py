"""Memory the allocators keep after a phase, handed back to the system."""

from __future__ import annotations

import ctypes
import sys

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
