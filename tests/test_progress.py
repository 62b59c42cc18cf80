"""The audit's progress drawn from its first second, whatever the engine reports."""

from __future__ import annotations

import threading

import pytest

from siem2graph.errors import InputError
from ui.progress import FIRST_STEP, Board, Stopped, run_with_board


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_board_tells_phase_share_and_time_before_the_engine_reports():
    clock = Clock()
    board = Board(clock)
    clock.now += 3
    assert board.text() == f"{FIRST_STEP} (0%, 3 s so far)"
    board.queued(2)
    assert board.queue_position == 2
    board.heard("read legacy.csv: 100,000 rows", 0.42)
    clock.now += 9
    assert board.text() == "read legacy.csv: 100,000 rows (42%, 12 s so far)"
    assert board.queue_position is None  # out of the queue once the engine speaks


def test_the_page_draws_while_the_audit_works_and_gets_its_result():
    drawn = threading.Event()
    texts = []

    def work(heard, queued):
        heard("comparing fields", 0.5)
        assert drawn.wait(60)  # the audit goes on only once the page has drawn
        return "report"

    def draw(board):
        texts.append(board.text())
        drawn.set()

    assert run_with_board(work, draw) == "report"
    assert texts


def test_the_audits_error_reaches_the_page():
    def work(heard, queued):
        raise InputError("legacy.csv: not a SIEM API export")

    with pytest.raises(InputError, match="not a SIEM API export"):
        run_with_board(work, lambda board: None)


def test_a_page_that_goes_away_stops_the_audit_at_its_next_report():
    board, drawn, stopped = Board(), threading.Event(), threading.Event()

    def work(heard, queued):
        try:
            while True:
                heard("comparing fields", 0.5)
                drawn.wait(1)
        except Stopped:
            stopped.set()
            raise

    def draw(seen):
        drawn.set()
        raise RuntimeError("rerun")

    with pytest.raises(RuntimeError, match="rerun"):
        run_with_board(work, draw, board)
    assert board.stopped
    assert stopped.wait(60)
