"""The live demo in a real Chromium: pull the sample from the emulator, audit it, see the figures.

Wired as `make demo-live` wires it (tools.graph_emulator.demo): the emulator runs in this process
on a free port with the `chaos` behaviour, the dashboard runs with `dashboard_env` on another.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from siem2graph.store import STORE_ENV
from tests.browser import (
    AUDIT_MS,
    ROOT,
    choose,
    chromium_tab,
    metric,
    open_page,
    screenshot,
    settle,
    streamlit_server,
    upload,
)
from tools.graph_emulator.__main__ import parse_behaviour
from tools.graph_emulator.demo import TENANT, dashboard_env, demo_emulator

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "sample_data"
EXPECTED = json.loads((SAMPLE / "expected.json").read_bytes())


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(dashboard URL, client secret): the emulator on the sample and the app wired to it."""
    folder = tmp_path_factory.mktemp("live")
    emulator, secret = demo_emulator(SAMPLE / "graph_alerts_v2.json", folder / "ca.pem")
    emulator.configure(**parse_behaviour(["chaos"]))
    env = os.environ | dashboard_env(emulator, secret, folder / "cache")
    with emulator, streamlit_server(folder / "server.log", env) as url:
        yield url, secret


@pytest.fixture
def page(live):
    with chromium_tab(live[0]) as tab:
        yield tab


@pytest.fixture
def legacy_file(tmp_path) -> Path:
    """The sample's legacy export under a name the uploader shows in full."""
    return Path(shutil.copy(SAMPLE / "legacy_siem_export.csv", tmp_path / "legacy.csv"))


def test_pull_the_sample_then_audit_it(page, live, legacy_file):
    _, secret = live
    page.get_by_role("heading", name="What was read").wait_for(timeout=AUDIT_MS)
    settle(page)
    page.get_by_text("Live Graph: pull alerts_v2 from your tenant").click()
    settle(page)
    page.get_by_role("button", name="Pull alerts").click()
    pulled = f"complete: {EXPECTED['graph_alerts']:,} alerts"
    status = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Live pull")
    status.filter(has_text=pulled).wait_for(timeout=AUDIT_MS)
    settle(page)
    assert f"tenant {TENANT}" in status.inner_text()
    assert page.get_by_test_id("stCaptionContainer").filter(has_text="1 retries").count() == 1

    upload(page, 0, legacy_file)
    page.get_by_role("button", name="Audit these files").click()
    ready = f"Audit ready ({EXPECTED['legacy_rows']:,} detections, {EXPECTED['graph_alerts']:,}"
    page.get_by_text(ready).wait_for(timeout=AUDIT_MS)
    settle(page)
    read = page.get_by_test_id("stText").filter(has_text="Live pull").inner_text()
    assert f"tenant {TENANT}" in read and pulled in read
    assert secret not in page.content()
    screenshot(page, "10-live-graph")

    open_page(page, "Overview")
    assert metric(page, "Matched alerts").startswith(f"{EXPECTED['matched_alerts']:,} of ")
    assert page.get_by_test_id("stAlertContentWarning").filter(has_text="partial").count() == 0


@pytest.fixture(scope="module")
def typed(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(dashboard URL, client secret): as ``live``, but the secret is the visitor's to type."""
    folder = tmp_path_factory.mktemp("typed")
    emulator, secret = demo_emulator(SAMPLE / "graph_alerts_v2.json", folder / "ca.pem")
    env = os.environ | dashboard_env(emulator, secret, folder / "cache")
    del env["SIEM2GRAPH_CLIENT_SECRET"]
    env[STORE_ENV] = str(folder / "store")  # empty: the first visit opens on the sample
    with emulator, streamlit_server(folder / "server.log", env) as url:
        yield url, secret


def test_the_typed_secret_goes_and_the_choices_stay_after_a_pull(typed):
    url, secret = typed
    with chromium_tab(url) as page:
        page.get_by_role("heading", name="What was read").wait_for(timeout=AUDIT_MS)
        settle(page)
        page.get_by_text("Live Graph: pull alerts_v2 from your tenant").click()
        settle(page)
        page.get_by_role("textbox", name="Client secret").fill(secret)
        source = page.get_by_test_id("stSelectbox").filter(has_text="Service source")
        chooser = source.get_by_role("combobox")
        choose(page, chooser, "microsoftDefenderForEndpoint")
        expect(chooser).to_have_value("microsoftDefenderForEndpoint")
        page.get_by_role("button", name="Pull alerts").click()
        status = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Live pull")
        status.filter(has_text="service source microsoftDefenderForEndpoint").wait_for(
            timeout=AUDIT_MS
        )
        settle(page)
        assert page.get_by_role("textbox", name="Client secret").input_value() == ""
        chosen = source.get_by_role("combobox").input_value()
        assert chosen == "microsoftDefenderForEndpoint"  # not back to 'all'
        assert secret not in page.content()
