"""Shared by the browser tests: a Streamlit server on a free port and a Chromium tab driving it.

Debian's /usr/bin/chromium through Playwright (no browser download). Without Chromium a test fails,
naming the package.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # several sessions side by side: a tab in the background must keep running its scripts
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
STARTUP_SECONDS = 60
AUDIT_MS = 120_000  # the sample audit on first visit, on a busy machine
STEP_MS = 30_000


def require_chromium() -> None:
    """Fail (never skip) without Debian's Chromium, naming the package to install."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install chromium (bash tools/system-deps.sh)")


def free_port() -> int:
    """A TCP port free on localhost now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    """Wait until the Streamlit server answers its health check."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer on {url} within {STARTUP_SECONDS} s")


@contextlib.contextmanager
def streamlit_server(
    log: Path,
    env: Mapping[str, str] | None = None,
    options: Sequence[str] = (),
    port: int | None = None,
) -> Iterator[str]:
    """`streamlit run app.py` on `port` (else a free one) with extra command-line `options`;
    yields its URL and stops it afterwards."""
    require_chromium()
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--server.headless", "true", *options],
            cwd=ROOT,
            env=dict(env) if env is not None else None,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://localhost:{port}"
    try:
        wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextlib.contextmanager
def chromium_tabs(url: str, count: int, trust_any_certificate: bool = False) -> Iterator[list]:
    """`count` Chromium tabs on ``url``, each in its own browser (cookies: one person each);
    fails the test if any alert text ran as a script dialog. ``trust_any_certificate`` for the
    emulator's HTTPS pages (its own test CA)."""
    with sync_playwright() as playwright:
        dialogs: list[str] = []
        browsers, tabs = [], []
        for _ in range(count):  # a browser each: sessions share no connection pool
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            context = browser.new_context(
                accept_downloads=True,
                viewport={"width": 1400, "height": 2000},
                ignore_https_errors=trust_any_certificate,
            )
            tab = context.new_page()
            tab.set_default_timeout(STEP_MS)
            tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            tab.goto(url)
            browsers.append(browser)
            tabs.append(tab)
        yield tabs
        assert not dialogs, f"alert text ran as script: {dialogs}"
        for browser in browsers:
            browser.close()


@contextlib.contextmanager
def chromium_tab(url: str, trust_any_certificate: bool = False) -> Iterator:
    """One tab of ``chromium_tabs``."""
    with chromium_tabs(url, 1, trust_any_certificate) as tabs:
        yield tabs[0]


def open_page(page, title: str) -> None:
    """Go to a page through the sidebar (keeps the session) and wait until it has run."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    settle(page)


def settle(page) -> None:
    """Wait until the script run is over and no error or exception is shown."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=AUDIT_MS,
    )
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0


def choose(page, combobox, value: str) -> None:
    """Pick ``value`` in a select box or multiselect as a user does: type it, wait for the one
    option left, click it. Pressing Enter before the list has narrowed picks nothing."""
    combobox.click()
    combobox.press_sequentially(value)
    page.get_by_role("option", name=value, exact=True).click(timeout=STEP_MS)


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under test-artifacts/screenshots/ (named in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def metric(page, label: str) -> str:
    """The value shown by the st.metric labelled ``label``."""
    card = page.get_by_test_id("stMetric").filter(has_text=label).first
    return card.get_by_test_id("stMetricValue").inner_text().strip()


def upload(page, uploader_index: int, path: Path) -> None:
    """Give ``path`` to the n-th file uploader through the real file chooser."""
    uploader = page.get_by_test_id("stFileUploader").nth(uploader_index)
    with page.expect_file_chooser() as chooser:
        uploader.locator("button").filter(has_text="Upload").click()
    chooser.value.set_files(str(path))
    uploader.get_by_text(path.name).wait_for(timeout=AUDIT_MS)  # slow on a busy machine
