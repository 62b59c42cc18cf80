"""Progress on stderr: phase, share done, rows and elapsed time, on one rewritten line.

Shown only on a terminal (and never with ``--quiet``): a log file or a pipe gets no progress.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from siem2graph.graph.client import PullProgress


class StderrProgress:
    """One command's progress line; ``step`` fits the engine's ``Progress`` callback."""

    def __init__(
        self,
        label: str,
        quiet: bool = False,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.25,
    ) -> None:
        self._label = label
        self._stream = stream or sys.stderr
        self.enabled = not quiet and self._stream.isatty()
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._shown = -interval
        self._dirty = False

    def step(self, step: str, share: float) -> None:
        """A step of the command and the share of the whole done (0..1)."""
        self._show(f"{share:4.0%} {step}")

    def pull(self, event: PullProgress) -> None:
        """A pull's counters so far."""
        detail = f" - {event.message}" if event.message else ""
        self._show(f"{event.fraction:4.0%} {event.alerts:,} alerts, {event.pages} pages{detail}")

    def finish(self) -> None:
        """End the progress line, so that what follows starts on a line of its own."""
        if self._dirty:
            self._stream.write("\n")
            self._stream.flush()
            self._dirty = False

    def _show(self, text: str) -> None:
        now = self._clock()
        if not self.enabled or now - self._shown < self._interval:
            return
        self._shown = now
        elapsed = now - self._started
        self._stream.write(f"\r\x1b[K{self._label}: {text} ({elapsed:.0f} s)")
        self._stream.flush()
        self._dirty = True
