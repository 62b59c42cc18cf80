"""At most N audits run at once on the server; the others wait their turn, first come first
served, and hear their position in the queue."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

WAIT_SECONDS = 1.0  # how often a waiting audit re-tells its position


class AuditQueue:
    """A fair counting semaphore that reports the queue position of whoever waits."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._running = 0
        self._waiting: list[object] = []
        self._changed = threading.Condition()

    @property
    def running(self) -> int:
        return self._running

    @contextmanager
    def slot(self, on_wait: Callable[[int], None]) -> Iterator[None]:
        """Hold one of the slots for the block; ``on_wait(position)`` (1 = next) while queued."""
        ticket = object()
        with self._changed:
            self._waiting.append(ticket)
        try:
            while True:
                with self._changed:
                    position = self._waiting.index(ticket)
                    if position == 0 and self._running < self.slots:
                        self._waiting.pop(0)
                        self._running += 1
                        self._changed.notify_all()
                        break
                on_wait(position + 1)
                with self._changed:
                    self._changed.wait(WAIT_SECONDS)
        except BaseException:
            with self._changed:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                self._changed.notify_all()
            raise
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()
