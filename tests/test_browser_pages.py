"""Every page on the bundled sample in a real Chromium at 1440, 1280 and 800 px: screenshots,
nothing cut, and the Coverage chart naming the fields Graph drops."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import (
    AUDIT_MS,
    STEP_MS,
    choose,
    chromium_tab,
    open_page,
    screenshot,
    settle,
    streamlit_server,
    upload,
)
from ui.nav import PAGES

pytestmark = pytest.mark.browser
CONTENT = Path(__file__).parent / "content_corpus" / "splunk"
WIDTHS = (1440, 1280, 800)
# Text boxes whose content must never be cut (ellipsis or overflow).
CUT_TEXT = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] div')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
# Charts a screen reader cannot name (st.plotly_chart without alt).
UNNAMED_CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .filter(e => e.getAttribute('role') !== 'figure' || !e.getAttribute('aria-label')).length"""


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Iterator:
    with (
        streamlit_server(tmp_path_factory.mktemp("pages") / "server.log") as url,
        chromium_tab(url) as tab,
    ):
        tab.get_by_role("heading", name="What was read").wait_for(timeout=AUDIT_MS)
        settle(tab)
        yield tab


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_its_width(page, width):
    page.set_viewport_size({"width": width, "height": 1600})
    for number, spec in enumerate(PAGES, 1):
        open_page(page, spec.title)
        page.wait_for_timeout(300)  # charts lay out after the run
        screenshot(page, f"pages-{width}/{number:02d}-{spec.path[6:-3]}")
        assert page.evaluate(CUT_TEXT) == [], spec.title
        wider = page.evaluate("() => document.documentElement.scrollWidth")
        assert wider <= width + 1, f"{spec.title} scrolls sideways at {width} px"
        assert page.evaluate(UNNAMED_CHARTS) == 0, f"{spec.title}: a chart has no accessible name"


def test_coverage_chart_names_the_fields_graph_drops(page):
    page.set_viewport_size({"width": 1440, "height": 1000})
    open_page(page, "Coverage")
    page.locator(".js-plotly-plot .ytick").first.wait_for()
    labels = page.locator(".js-plotly-plot .ytick text").evaluate_all(
        "texts => texts.map(t => t.textContent)"
    )
    assert {"Md5", "InternalIPV4List", "IocValue"} <= set(labels)


def test_dark_mode_follows_the_system_and_keeps_the_charts_legible(page):
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1280, "height": 1600})
    try:
        for title in ("Overview", "Coverage"):
            open_page(page, title)
            page.wait_for_timeout(300)
            screenshot(page, f"pages-dark/{title.lower()}")
        background = page.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]'))"
            ".backgroundColor"
        )
        red, green, blue = (int(c) for c in background[4:-1].split(",")[:3])
        assert red + green + blue < 200, background  # the dark theme, not the light one
    finally:
        page.emulate_media(color_scheme="light")


def _open_filter_bar(page) -> None:
    """Unfold the filter bar unless it is open already."""
    if not page.get_by_role("combobox", name="Severity").is_visible():
        page.get_by_test_id("stExpander").filter(has_text="Filter the alerts").click()
    page.get_by_role("combobox", name="Severity").wait_for()


def test_the_filter_bar_narrows_every_page_and_lives_in_the_url(page):
    page.set_viewport_size({"width": 800, "height": 1600})
    # from another page: a click on the page already shown reruns it after open_page returns
    open_page(page, "Overview")
    open_page(page, "Coverage")
    _open_filter_bar(page)
    severity = page.get_by_role("combobox", name="Severity")
    choose(page, severity, "high")
    severity.press("Escape")
    settle(page)
    # the bar stays open for the next choice, and the chosen value reads in full
    expect(page.get_by_test_id("stMultiSelect").filter(has=severity)).to_contain_text("high")
    assert page.get_by_text("high", exact=True).first.evaluate(
        "e => e.scrollWidth <= e.clientWidth"
    )
    expect(page).to_have_url(
        re.compile(r"severity=high"), timeout=STEP_MS
    )  # its run may start late
    screenshot(page, "pages-800/filter-bar")
    filtered = page.get_by_test_id("stText").filter(has_text="Filtered: ")
    filtered.wait_for()
    assert "(severity: high)" in filtered.inner_text()
    wider = page.evaluate("() => document.documentElement.scrollWidth")
    assert wider <= 801, "the filter bar scrolls sideways at 800 px"
    open_page(page, "Overview")
    # the previous page's elements stay until the new run replaces them: wait for the end state
    expect(page.get_by_test_id("stText").filter(has_text="Filtered: ")).to_have_count(1)
    screenshot(page, "pages-800/filter-bar-overview")
    assert "severity=high" in page.url  # the filter follows to every page
    _open_filter_bar(page)
    page.get_by_test_id("stMultiSelect").filter(has_text="Severity").get_by_role(
        "button", name="Clear all"
    ).click()
    page.get_by_test_id("stText").filter(has_text="Filtered: ").wait_for(state="detached")
    settle(page)
    expect(page).not_to_have_url(re.compile(r"severity"))


def test_the_sample_rules_show_which_rules_break_before_any_upload(page):
    page.set_viewport_size({"width": 1280, "height": 1600})
    open_page(page, "Content impact")
    page.get_by_role("button", name="Try the sample rules").click()
    broken = page.get_by_test_id("stMetric").filter(has_text="broken")
    expect(broken.get_by_test_id("stMetricValue")).to_have_text("4", timeout=AUDIT_MS)
    settle(page)
    screenshot(page, "pages-1280/09-content_impact-sample")
    expect(page.get_by_role("button", name="Try the sample rules")).to_have_count(0)


def test_content_impact_shows_each_rules_verdict_in_words(page):
    """Splunk searches judged against the sample audit: counts per verdict, the rules' table and
    a rule's references, every verdict as its plain word."""
    page.set_viewport_size({"width": 1280, "height": 1600})
    open_page(page, "Content impact")
    upload(page, 0, CONTENT / "savedsearches.conf")
    expect(page.get_by_test_id("stMetric").filter(has_text="broken")).to_have_count(1)
    page.get_by_text("Rewrite for Graph alerts_v2:").first.wait_for(timeout=AUDIT_MS)
    settle(page)
    screenshot(page, "pages-1280/09-content_impact-rules")
    text = page.inner_text("body")
    assert not re.search(r"(Reference|Rule)Verdict|RewriteStatus|Bridge(Rule|Reference)", text)
    assert re.search(r"Rewrite for Graph alerts_v2: (runnable|manual)\b", text)
