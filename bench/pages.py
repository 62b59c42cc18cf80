"""The dashboard's cost after the first audit: server-side time of page reruns (AppTest) with
the report already in session state, after a filter change where the page has filters."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from siem2graph.audit import audit_files
from ui import nav, state

APP = str(Path(__file__).resolve().parents[1] / "app.py")
COVERAGE_FILTER = f"{state.COVERAGE_FILTERS}.severity"


def _app_on(page: nav.PageSpec, report: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=600)
    at.session_state[state.SAMPLE_TRIED] = True
    at.session_state[state.REPORT] = report
    at.session_state[state.REPORT_ID] = "bench"
    at.session_state[state.REPORT_LABEL] = "bench"
    at.run()
    return at.switch_page(page.path).run()


def _rerun(at: AppTest, page: nav.PageSpec) -> float:
    started = time.perf_counter()
    if page == nav.COVERAGE:
        at.multiselect(key=COVERAGE_FILTER).set_value(["high"]).run()
    else:
        at.run()
    return time.perf_counter() - started


def time_pages(legacy: Path, graph: Path) -> dict[str, Any]:
    """Per page: first render and a rerun (a filter change on Coverage), in seconds."""
    return time_report_pages(audit_files([legacy], [graph]))


def time_report_pages(report: Any) -> dict[str, Any]:
    """``time_pages`` on a report already in hand (e.g. reopened from the store)."""
    parts: dict[str, float] = {}
    for page in nav.PAGES:
        if page in (nav.SOURCES, nav.CONTENT_IMPACT):
            continue  # they read files or rule content, not the cached report
        started = time.perf_counter()
        at = _app_on(page, report)
        parts[f"{page.title} first"] = time.perf_counter() - started
        parts[f"{page.title} rerun"] = _rerun(at, page)
    reruns = [v for k, v in parts.items() if k.endswith("rerun")]
    return {"seconds": max(reruns), "cpu_seconds": None, "parts": parts}
