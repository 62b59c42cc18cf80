"""An audit's progress on screen from its first second: the phase, what was read so far and the
time elapsed, redrawn twice a second while the audit runs in a thread of its own (the engine
reports only between files and phases; hashing an upload reports nothing at all)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from siem2graph.sources import Progress

T = TypeVar("T")
FIRST_STEP = "Reading and hashing the files"
REDRAW_SECONDS = 0.5


class Stopped(Exception):
    """The page went away (a rerun or a closed tab): the audit stops at its next report."""


class Board:
    """What the audit last reported, for the page to draw; the audit's thread writes it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started = clock()
        self.step, self.share = FIRST_STEP, 0.0
        self.queue_position: int | None = None
        self.stopped = False

    def heard(self, step: str, share: float) -> None:
        """The engine's report (``Progress``); stops the audit once the page has gone."""
        if self.stopped:
            raise Stopped
        self.step, self.share = step, min(max(share, 0.0), 1.0)
        self.queue_position = None

    def queued(self, position: int) -> None:
        self.queue_position = position

    def elapsed(self) -> float:
        return self._clock() - self.started

    def text(self) -> str:
        """The phase, its share of the audit and the time so far, in words."""
        return f"{self.step} ({self.share:.0%}, {self.elapsed():.0f} s so far)"


def run_with_board(
    work: Callable[[Progress, Callable[[int], None]], T],
    draw: Callable[[Board], None],
    board: Board | None = None,
) -> T:
    """``work(progress, on_queued)`` in a thread of its own while ``draw(board)`` redraws the
    page every ``REDRAW_SECONDS``; its result, or its error raised here."""
    board = board or Board()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = work(board.heard, board.queued)
        except BaseException as error:  # handed to the page's thread below
            outcome["error"] = error

    thread = threading.Thread(target=target, name="audit", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx())  # the server's limits, queue and caches
    thread.start()
    try:
        while thread.is_alive():
            draw(board)
            thread.join(REDRAW_SECONDS)
    except BaseException:
        board.stopped = True
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
