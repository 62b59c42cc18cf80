"""Closed sessions let go of their reports and uploads.

Streamlit (1.67) keeps a closed tab's session for ``server.disconnectedSessionTTL`` so that it
may reconnect, then forgets it only when another session is stored (a later tab closing), and
never shuts it down: until then its state (the report, the uploads) stays in memory, and its
files stay in Streamlit's upload store. A janitor thread clears the state and the uploads of
every session gone for longer than the TTL.
"""

from __future__ import annotations

import gc
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from siem2graph.memory import release_memory

SWEEP_SECONDS = 5.0


class _Runtime(Protocol):
    """What the janitor asks of Streamlit's runtime."""

    def is_active_session(self, session_id: str) -> bool: ...

    @property
    def uploaded_file_mgr(self) -> Any: ...


@dataclass
class _Watched:
    state: Any  # the session's state (Streamlit's SafeSessionState)
    gone_since: float | None = None


_WATCHED: dict[str, _Watched] = {}
_LOCK = threading.Lock()


def watch() -> None:
    """Have this session's state cleared once it is gone (nothing without a server)."""
    ctx = get_script_run_ctx()
    # only a session a server connected (under AppTest the runtime is a stand-in)
    if ctx is None or not Runtime.exists():
        return
    if Runtime.instance().is_active_session(ctx.session_id) is not True:
        return
    with _LOCK:
        _WATCHED.setdefault(ctx.session_id, _Watched(ctx.session_state))
    _janitor()


@st.cache_resource(show_spinner=False)
def _janitor() -> threading.Thread:
    """The one thread of the server that sweeps every few seconds."""
    thread = threading.Thread(target=_sweep_forever, name="siem2graph-sessions", daemon=True)
    thread.start()
    return thread


def _sweep_forever() -> None:
    while True:
        time.sleep(SWEEP_SECONDS)
        ttl = float(st.config.get_option("server.disconnectedSessionTTL"))
        sweep(Runtime.instance(), time.monotonic(), ttl)


def sweep(runtime: _Runtime, now: float, ttl: float) -> list[str]:
    """Clear the state and uploads of the watched sessions gone for ``ttl`` seconds or more
    (a session that came back within them is kept); returns their ids."""
    gone: list[tuple[str, _Watched]] = []
    with _LOCK:
        for session_id, watched in list(_WATCHED.items()):
            if runtime.is_active_session(session_id):
                watched.gone_since = None
            elif watched.gone_since is None:
                watched.gone_since = now
            elif now - watched.gone_since >= ttl:
                gone.append((session_id, _WATCHED.pop(session_id)))
    for session_id, watched in gone:
        for key in list(watched.state.filtered_state):
            del watched.state[key]
        runtime.uploaded_file_mgr.remove_session_files(session_id)
    if gone:
        gc.collect()  # a report in a reference cycle would wait for the next collection
        release_memory()
    return [session_id for session_id, _ in gone]
