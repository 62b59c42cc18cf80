"""A closed session's state and uploads are let go once it is gone past the TTL."""

from __future__ import annotations

from typing import Any

import pytest

from ui import sessions


class _Uploads:
    def __init__(self) -> None:
        self.removed: list[str] = []

    def remove_session_files(self, session_id: str) -> None:
        self.removed.append(session_id)


class _Runtime:
    def __init__(self) -> None:
        self.active: set[str] = set()
        self.uploaded_file_mgr = _Uploads()

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.active


class _State(dict[str, Any]):
    @property
    def filtered_state(self) -> dict[str, Any]:
        return dict(self)


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> dict[str, sessions._Watched]:
    table: dict[str, sessions._Watched] = {}
    monkeypatch.setattr(sessions, "_WATCHED", table)
    return table


def test_a_session_gone_past_the_ttl_lets_go_of_its_report_and_uploads(watched) -> None:
    runtime = _Runtime()
    gone, back, open_ = _State(report="R", uploads="U"), _State(report="S"), _State(report="T")
    watched.update(
        {
            "gone": sessions._Watched(gone),
            "back": sessions._Watched(back),
            "open": sessions._Watched(open_),
        }
    )
    runtime.active = {"open"}
    assert sessions.sweep(runtime, now=100.0, ttl=60.0) == []  # gone from now on
    runtime.active = {"open", "back"}  # reconnected within the TTL
    assert sessions.sweep(runtime, now=130.0, ttl=60.0) == []
    runtime.active = {"open"}
    assert sessions.sweep(runtime, now=160.0, ttl=60.0) == ["gone"]
    assert gone == {} and runtime.uploaded_file_mgr.removed == ["gone"]
    assert back == {"report": "S"} and open_ == {"report": "T"}
    assert set(watched) == {"back", "open"}
    assert sessions.sweep(runtime, now=230.0, ttl=60.0) == ["back"]  # gone since 160


def test_sessions_no_server_connected_are_not_watched(watched) -> None:
    sessions.watch()  # no script run context, no server: nothing to watch
    assert watched == {}
