"""Sharing a saved audit, for real in Chromium with sign-in through the emulator's OpenID
Connect provider: Alice shares her audit with Bob on History, Bob opens it by its link, and
Mallory (signed in, on the allow-list) is told there is no such audit, never that it is not hers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from siem2graph.store import STORE_ENV, open_store
from tests.browser import (
    AUDIT_MS,
    chromium_tabs,
    free_port,
    open_page,
    screenshot,
    settle,
    streamlit_server,
)
from tests.dashboard_inputs import dashboard_report
from tests.test_browser_signin import ALICE, BOB, MALLORY, _secrets, sign_in, team_emulator

pytestmark = pytest.mark.browser
NAME = "Alice's migration audit"


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, Path, str]]:
    """(dashboard URL, store, id of Alice's saved audit): sign-in on, Mallory let in by e-mail."""
    client_secret = secrets.token_urlsafe(24)
    emulator = team_emulator(tmp_path, client_secret)
    port = free_port()
    allowed = f'emails = ["{MALLORY.email}"]\n'  # appended to the [access] allow-list
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(_secrets(emulator, port, client_secret) + allowed, encoding="utf-8")
    store = tmp_path / "store"
    audit = open_store(store, user=ALICE.email).save(dashboard_report(), name=NAME)
    env = os.environ | {"SSL_CERT_FILE": str(emulator.ca_path), STORE_ENV: str(store)}
    options = ["--secrets.files", str(secrets_file)]
    with emulator, streamlit_server(tmp_path / "server.log", env, options, port) as url:
        yield url, store, audit.id


def test_alice_shares_with_bob_who_opens_it_and_mallory_is_told_it_does_not_exist(server):
    url, store, audit_id = server
    link = f"{url}/?audit={audit_id}"
    with chromium_tabs(url, 3, trust_any_certificate=True) as (alice, bob, mallory):
        sign_in(alice, ALICE)
        open_page(alice, "History")
        alice.get_by_test_id("stPopover").filter(has_text="Share").click()
        shared = alice.get_by_test_id("stPopoverBody")
        names = shared.get_by_label("Share with (sign-in e-mails, comma separated)")
        names.fill(BOB.email)
        names.press("Enter")
        settle(alice)
        shared.get_by_role("button", name="Share", exact=True).click()
        shared.get_by_text(f"Shared with: {BOB.email}").wait_for(timeout=AUDIT_MS)
        settle(alice)
        screenshot(alice, "24-history-shared")
        assert open_store(store, user=BOB.email).get(audit_id).shared_with == (BOB.email,)

        sign_in(bob, BOB)
        bob.goto(link)
        bob.get_by_text("Audit of the 1 legacy and 1 Graph file(s), saved ").wait_for(
            timeout=AUDIT_MS
        )
        settle(bob)
        screenshot(bob, "25-shared-audit-bob")

        sign_in(mallory, MALLORY)
        mallory.goto(link)
        mallory.get_by_text("cannot be opened: no saved audit").wait_for(timeout=AUDIT_MS)
        screenshot(mallory, "26-shared-audit-mallory")
        page = mallory.content()
        assert "forbidden" not in page.lower() and "not allowed" not in page.lower()
        assert NAME not in page and "Audit of the 1 legacy" not in page
        mallory.goto(f"{url}/history")
        mallory.get_by_text("No saved audits yet").wait_for(timeout=AUDIT_MS)
