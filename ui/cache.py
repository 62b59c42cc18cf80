"""The edge between the pages and the engine: one audit per input set, cached views.

Cache keys are content: the audit is keyed by the sha256 of every input file, views by that
fingerprint plus their arguments. A session only ever reaches a result through its own session
state (``ui.state``), so nobody sees a report built from files they did not load themselves.

Reports are held by the sessions that look at them, one each, and nowhere else: the registry of
reports is weak, so two sessions of one user (of anyone, on a server without sign-in) auditing
the same files share one report, and a report is released once no session holds it
(Streamlit drops a session's state when it ends). Audits run through the server's queue
(``ui.audit_queue``), at most ``concurrent_audits`` at once, and a report above the
per-session memory limit is refused. Views are small frames and go through ``st.cache_data``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from siem2graph.audit import audit_sources
from siem2graph.errors import InputError
from siem2graph.graph.cache import record_path
from siem2graph.graph.parsed_cache import ParsedCache, configured_cache
from siem2graph.legacy.aliases import AliasSet
from siem2graph.legacy.limits import ReadLimits
from siem2graph.memory import release_memory
from siem2graph.model import AuditReport
from siem2graph.sources import Progress, Source
from ui import state, user
from ui.audit_queue import AuditQueue
from ui.settings import server_limits

T = TypeVar("T")
MB = 1 << 20
_REPORTS: weakref.WeakValueDictionary[str, AuditReport] = weakref.WeakValueDictionary()
_SAVED: weakref.WeakValueDictionary[str, AuditReport] = weakref.WeakValueDictionary()
VIEW_CACHE = {"max_entries": 256, "ttl": 3600}

Fingerprint = tuple[tuple[str, str, str], ...]  # (side, file name, sha256) per input


def _pull_record_hash(source: Source) -> str:
    """The hash of a live pull's record beside a Graph file ('' for uploads and saved files)."""
    record = record_path(source.path) if source.path is not None else None
    if record is None or not record.is_file():
        return ""
    return hashlib.sha256(record.read_bytes()).hexdigest()


def fingerprint(legacy: Sequence[Source], graph: Sequence[Source]) -> Fingerprint:
    """What identifies an input set: each file's side, name and content hash (and, for a live
    pull, its record's, so a re-pull of the same alerts shows the new pull's completeness)."""
    return tuple(("legacy", s.name, s.sha256()) for s in legacy) + tuple(
        ("graph", s.name, s.sha256() + _pull_record_hash(s)) for s in graph
    )


def report_id(inputs: tuple[object, ...]) -> str:
    """A short id of an input set, used to key views of its report."""
    return hashlib.sha256(repr(inputs).encode()).hexdigest()[:24]


@st.cache_resource(show_spinner=False)
def audit_queue(slots: int) -> AuditQueue:
    """The server's one queue of audits (per number of slots configured)."""
    return AuditQueue(slots)


def report_bytes(report: AuditReport) -> int:
    """The memory the report's tables hold."""
    frames = (getattr(report, f.name) for f in dataclasses.fields(report))
    return sum(
        int(f.memory_usage(index=True, deep=True).sum())
        for f in frames
        if isinstance(f, pd.DataFrame)
    )


def audit(
    legacy: Sequence[Source],
    graph: Sequence[Source],
    progress: Progress | None = None,
    aliases: Sequence[AliasSet] = (),
    on_wait: Callable[[int], None] = lambda position: None,
) -> tuple[str, AuditReport]:
    """(report id, report) of these inputs read with ``aliases`` (the user's column names):
    computed once per distinct content and names while a session holds it, in the server's
    queue (``on_wait`` hears the queue position), within the limits. A signed-in user's report
    shows no trace of another user's audit of the same files: it is kept apart from theirs, in
    memory and in the input cache (``input_cache``)."""
    names = tuple(sorted((a.name, tuple(sorted(a.columns.items()))) for a in aliases))
    inputs_id = report_id((*fingerprint(legacy, graph), *names, user.area_name()))
    report = _REPORTS.get(inputs_id)
    if report is not None:
        return inputs_id, report
    limits = server_limits()
    with audit_queue(limits.concurrent_audits).slot(on_wait):
        report = _REPORTS.get(inputs_id) or audit_sources(
            legacy,
            graph,
            progress=progress,
            aliases=aliases,
            limits=ReadLimits(max_rows=limits.max_rows),
            cache=input_cache(),
        )
    size = report_bytes(report)
    if size > limits.report_mb * MB:
        del report
        release_memory()
        raise InputError(
            f"this audit would hold {size / MB:,.0f} MB, more than the {limits.report_mb:,} MB "
            "a session may hold on this server: audit fewer or smaller files"
        )
    if inputs_id not in _REPORTS:
        # once the last session holding it ends, hand the report's memory back to the system
        weakref.finalize(report, release_memory)
    _REPORTS[inputs_id] = report
    return inputs_id, report


def input_cache() -> ParsedCache | None:
    """The server's input cache; under sign-in, this user's own part of it: what one user
    parsed or audited is never read back for another, so not even the time an audit takes
    tells them that someone audited the same files."""
    cache = configured_cache()
    if cache is None or user.current_user() is None:
        return cache
    return cache.area(user.area_name())  # the users' areas share the server's limit


def saved_report(key: str, load: Callable[[], AuditReport]) -> AuditReport:
    """The saved audit ``key`` names as a session already holds it, else ``load()``: one copy
    however many sessions look at it, gone when the last of them ends. Only ever called once
    the user was found allowed to open it."""
    report = _SAVED.get(key)
    if report is None:
        report = load()
        _SAVED[key] = report
    return report


@st.cache_data(show_spinner=False, **VIEW_CACHE)
def _view(
    inputs_id: str,
    name: str,
    args: tuple[Any, ...],
    _func: Callable[..., Any],
    _report: AuditReport,
) -> Any:
    return _func(_report, *args)


def view(func: Callable[..., T], *args: Any) -> T:
    """``func(report, *args)`` on the session's report (narrowed by the filter bar on a page
    that shows it), cached by report id, filter and arguments."""
    name = f"{func.__module__}.{func.__qualname__}"
    report, view_id = state.report_in_view()
    return _view(view_id, name, args, func, report)
