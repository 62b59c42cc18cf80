"""Uploads in a real Chromium: a file still being sent survives a click elsewhere."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from siem2graph.store import STORE_ENV
from tests.browser import AUDIT_MS, chromium_tab, settle, streamlit_server, upload
from tests.dashboard_inputs import GRAPH_FILE, LEGACY_FILE, graph_json, legacy_csv

pytestmark = pytest.mark.browser


@pytest.fixture
def page(tmp_path) -> Iterator:
    """A tab on a server of its own: an empty store, so the first visit opens on the sample."""
    env = os.environ | {STORE_ENV: str(tmp_path / "store")}
    with streamlit_server(tmp_path / "server.log", env) as url, chromium_tab(url) as tab:
        yield tab


@pytest.fixture
def upload_files(tmp_path) -> tuple[Path, Path]:
    legacy, graph = tmp_path / LEGACY_FILE, tmp_path / GRAPH_FILE
    legacy.write_bytes(legacy_csv())
    graph.write_bytes(graph_json())
    return legacy, graph


def test_an_upload_still_being_sent_survives_a_click_elsewhere(page, upload_files):
    """The first visit's sample audit shows above the uploaders for one run: if the next run
    (a click elsewhere) moved them, the browser would re-create the uploader still sending a
    file and lose it (one run in three, before: the file is held here until the click ran)."""
    legacy, graph = upload_files
    page.get_by_role("heading", name="What was read").wait_for(timeout=AUDIT_MS)
    settle(page)
    held: list = []

    def hold(route) -> None:  # the first file sent waits; later ones go
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/_stcore/upload_file/**", hold)
    uploader = page.get_by_test_id("stFileUploader").nth(0)
    with page.expect_file_chooser() as chooser:
        uploader.locator("button").filter(has_text="Upload").click()
    chooser.value.set_files(str(legacy))
    while not held:
        page.wait_for_timeout(50)
    page.get_by_text("Live Graph: pull alerts_v2 from your tenant").click()  # a rerun
    settle(page)
    held[0].continue_()
    upload(page, 1, graph)
    audit = page.get_by_role("button", name="Audit these files")
    expect(audit).to_be_enabled(timeout=AUDIT_MS)  # the server holds both sides
    assert uploader.get_by_text(legacy.name).count() == 1
