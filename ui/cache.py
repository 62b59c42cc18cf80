"""The edge between the pages and the engine: one cached audit per input set, cached views.

Cache keys are content: the audit is keyed by the sha256 of every input file, views by that
fingerprint plus their arguments. A session only ever reaches a result through its own session
state (``ui.state``), so nobody sees a report built from files they did not load themselves.

The audit is held with ``st.cache_resource``, not ``st.cache_data``: the report is immutable, and
``cache_data`` would pickle it on every store and unpickle it on every hit (seconds and a second
copy in memory at a million detections; the mapping inside it does not even pickle). Views are
small frames and go through ``st.cache_data``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from siem2graph.audit import audit_sources
from siem2graph.graph.cache import record_path
from siem2graph.graph.parsed_cache import configured_cache
from siem2graph.legacy.aliases import AliasSet
from siem2graph.model import AuditReport
from siem2graph.sources import Progress, Source
from ui import state

T = TypeVar("T")
# A report of a million detections holds a few GB: keep few, not for long.
AUDIT_CACHE = {"max_entries": 3, "ttl": 3600}
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


@st.cache_resource(show_spinner=False, **AUDIT_CACHE)
def _audit(
    inputs_id: str,
    _legacy: Sequence[Source],
    _graph: Sequence[Source],
    _progress: Progress | None,
    _aliases: Sequence[AliasSet],
) -> AuditReport:
    return audit_sources(
        _legacy, _graph, progress=_progress, aliases=_aliases, cache=configured_cache()
    )


def audit(
    legacy: Sequence[Source],
    graph: Sequence[Source],
    progress: Progress | None = None,
    aliases: Sequence[AliasSet] = (),
) -> tuple[str, AuditReport]:
    """(report id, report) of these inputs read with ``aliases`` (the user's column names):
    computed once per distinct content and names."""
    names = tuple(sorted((a.name, tuple(sorted(a.columns.items()))) for a in aliases))
    inputs_id = report_id((*fingerprint(legacy, graph), *names))
    return inputs_id, _audit(inputs_id, legacy, graph, progress, aliases)


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
    """``func(report, *args)`` on the session's report, cached by report id and arguments."""
    name = f"{func.__module__}.{func.__qualname__}"
    return _view(state.current_report_id(), name, args, func, state.require_report())
