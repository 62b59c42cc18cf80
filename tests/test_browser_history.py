"""Audits that last, in a real Chromium: upload two files and audit, reload (same audit),
restart the server and open the audit's URL (same audit), then History: compare two audits and
delete one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from siem2graph.store import STORE_ENV, open_store
from tests.browser import (
    AUDIT_MS,
    chromium_tab,
    metric,
    open_page,
    screenshot,
    settle,
    streamlit_server,
    upload,
)
from tests.dashboard_inputs import GRAPH_FILE, LEGACY_FILE, MATCHED, graph_json, legacy_csv

pytestmark = pytest.mark.browser


def _audit_id(url: str) -> str:
    found = re.search(r"[?&]audit=([0-9a-f]+)", url)
    assert found, f"the URL names no audit: {url}"
    return found.group(1)


def _upload_and_audit(page, legacy: Path, graph: Path) -> str:
    open_page(page, "Sources")
    upload(page, 0, legacy)
    upload(page, 1, graph)
    page.get_by_role("button", name="Audit these files").click()
    page.get_by_text("Audit ready (5 detections, 4 Graph alerts)").wait_for(timeout=AUDIT_MS)
    settle(page)
    page.wait_for_url(re.compile(r"audit="))
    return _audit_id(page.url)


def _shows_the_audit(page, reopened: bool = True) -> None:
    open_page(page, "Overview")
    assert metric(page, "Matched alerts") == str(MATCHED)
    if reopened:
        page.get_by_text("Audit of the 1 legacy and 1 Graph file(s), saved ").wait_for()
    assert page.get_by_text("bundled sample, not your data").count() == 0


def test_an_audit_survives_reload_and_restart_and_history_compares_and_deletes(tmp_path):
    store = tmp_path / "store"
    env = {**os.environ, STORE_ENV: str(store)}
    legacy, graph = tmp_path / LEGACY_FILE, tmp_path / GRAPH_FILE
    legacy.write_bytes(legacy_csv())
    graph.write_bytes(graph_json())

    with streamlit_server(tmp_path / "first.log", env) as url, chromium_tab(url) as page:
        page.get_by_text("bundled sample, not your data").first.wait_for(timeout=AUDIT_MS)
        settle(page)
        first = _upload_and_audit(page, legacy, graph)
        _shows_the_audit(page, reopened=False)
        assert _audit_id(page.url) == first  # the page change kept the audit in the URL
        page.reload()
        settle(page)
        _shows_the_audit(page)
        screenshot(page, "history-01-after-reload")
        second = _upload_and_audit(page, legacy, graph)
        assert second != first

    with (
        streamlit_server(tmp_path / "second.log", env) as url,
        chromium_tab(f"{url}/?audit={first}") as page,
    ):
        settle(page)
        _shows_the_audit(page)
        assert _audit_id(page.url) == first
        screenshot(page, "history-02-after-restart")

        open_page(page, "History")
        page.get_by_role("heading", name="Compare two audits").wait_for()
        page.locator(".js-plotly-plot").first.wait_for()
        assert page.get_by_test_id("stMetric").filter(has_text="Fields at risk").count() == 1
        screenshot(page, "history-03-compare")
        page.get_by_test_id("stPopover").get_by_role("button", name="Delete").click()
        page.get_by_role("button", name="Delete this audit").click()
        settle(page)
        page.get_by_text("No saved audits").or_(page.get_by_test_id("stDataFrame")).first.wait_for()
        screenshot(page, "history-04-after-delete")

    left = [a.id for a in open_store(store).list()]
    assert len(left) == 1 and left[0] in (first, second)
    assert [p.name for p in (store / "audits").iterdir()] == left
