"""The dashboard in a real Chromium: upload, see the figures change, chart, explorer, download.

Starts `streamlit run app.py` on a free port and drives Debian's /usr/bin/chromium through
Playwright (tests/browser.py). Screenshots of every page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

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
from tests.dashboard_inputs import (
    FILE_CHANGED,
    GRAPH_FILE,
    HOSTILE_TITLE,
    LEGACY_FILE,
    MATCHED,
    graph_json,
    legacy_csv,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def upload_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    legacy, graph = folder / LEGACY_FILE, folder / GRAPH_FILE
    legacy.write_bytes(legacy_csv())
    graph.write_bytes(graph_json())
    return legacy, graph


@pytest.fixture
def page(app_url):
    with chromium_tab(app_url) as tab:
        yield tab


def test_upload_audit_explore_and_download(page, upload_files):
    legacy, graph = upload_files
    page.get_by_role("heading", name="What was read").wait_for(timeout=AUDIT_MS)
    settle(page)
    screenshot(page, "01-sources-sample")
    open_page(page, "Overview")
    sample_matched = metric(page, "Matched alerts")

    open_page(page, "Sources")
    upload(page, 0, legacy)
    upload(page, 1, graph)
    page.get_by_role("button", name="Audit these files").click()
    page.get_by_text("Audit ready (5 detections, 4 Graph alerts)").wait_for(timeout=AUDIT_MS)
    settle(page)
    screenshot(page, "02-sources-uploaded")

    open_page(page, "Overview")
    page.wait_for_function(
        "(expected) => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
        ".some(e => e.innerText.trim() === expected)",
        arg=f"{MATCHED} of 4",
    )
    assert metric(page, "Matched alerts") == f"{MATCHED} of 4" != sample_matched
    assert metric(page, "Legacy alerts Graph lacks") == "1 of 4"
    screenshot(page, "03-overview")

    open_page(page, "Coverage")
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    assert chart.locator("svg").count() > 0
    assert page.locator(".js-plotly-plot .barlayer .point").count() > 0
    screenshot(page, "04-coverage")

    for title, name in [
        ("Unsupported fields", "05-unsupported"),
        ("Mismatches", "06-mismatches"),
        ("Schema diff", "08-schema-diff"),
    ]:
        open_page(page, title)
        screenshot(page, name)

    open_page(page, "Alert explorer")
    page.get_by_label("Search by alert id, host or title").fill("600000000000000003")
    page.get_by_label("Search by alert id, host or title").press("Enter")
    settle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Alert").first.click()
    page.get_by_role("option", name=FILE_CHANGED).click()
    page.get_by_role("heading", name="Every field and its verdict").wait_for()
    settle(page)
    screenshot(page, "07-explorer")
    # the hostile title is shown as text, not markup (and opened no dialog: see the fixture)
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Alert").first
    assert HOSTILE_TITLE in picker.inner_text() + picker.locator("input").input_value()
    assert page.locator("img[src='x']").count() == 0

    open_page(page, "Export")
    page.get_by_role("button", name="Prepare the data files").click()
    download_button = page.get_by_role("button", name="Download dashboard-legacy-")
    download_button.first.wait_for(timeout=AUDIT_MS)
    settle(page)
    with page.expect_download() as download:
        download_button.first.click()
    assert download.value.suggested_filename.endswith(".json")
    exported = json.loads(Path(download.value.path()).read_bytes())
    assert exported["join"]["matched_alerts"] == MATCHED
    assert [f["name"] for f in exported["inputs"]] == [LEGACY_FILE, GRAPH_FILE]
