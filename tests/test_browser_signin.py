"""Sign-in for real in Chromium: Streamlit's st.login (Authlib) against the emulator's OpenID
Connect provider, two users side by side, one refused by the allow-list, nothing shown signed out.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import (
    AUDIT_MS,
    ROOT,
    chromium_tab,
    chromium_tabs,
    free_port,
    screenshot,
    settle,
    streamlit_server,
    upload,
)
from tests.dashboard_inputs import legacy_csv
from tools.graph_emulator import GraphEmulator, Registration, User
from tools.graph_emulator.demo import SINCE, UNTIL
from tools.graph_emulator.store import load_alerts

pytestmark = pytest.mark.browser

TENANT, DASHBOARD_APP = "contoso-tenant", "dashboard-app"
ALICE = User("alice@contoso.test", "Alice Analyst", "oid-alice")
BOB = User("bob@contoso.test", "Bob Hunter", "oid-bob")
MALLORY = User("mallory@elsewhere.test", "Mallory", "oid-mallory")
SAMPLE = ROOT / "sample_data"


@dataclass(frozen=True)
class Team:
    url: str
    emulator: GraphEmulator
    client_secret: str
    cache_dir: Path


def _secrets(emulator: GraphEmulator, port: int, client_secret: str) -> str:
    metadata = f"{emulator.url}/{TENANT}/v2.0/.well-known/openid-configuration"
    return f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "{DASHBOARD_APP}"
client_secret = "{client_secret}"
server_metadata_url = "{metadata}"
expose_tokens = ["access"]
client_kwargs = {{ scope = "openid profile email https://graph.microsoft.com/SecurityAlert.Read.All" }}

[access]
domains = ["contoso.test"]
"""


def team_emulator(folder: Path, client_secret: str) -> GraphEmulator:
    """The emulator (Graph + sign-in) serving the sample alerts to the dashboard's app, with
    Alice, Bob and Mallory to sign in as."""
    return GraphEmulator(
        load_alerts(SAMPLE / "graph_alerts_v2.json"),
        [Registration(DASHBOARD_APP, client_secret)],
        folder / "ca.pem",
        users=[ALICE, BOB, MALLORY],
    )


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Iterator[Team]:
    """The emulator (Graph + sign-in, three users) and the dashboard with sign-in on."""
    try:
        import authlib  # noqa: F401 - st.login needs both
        import httpx  # noqa: F401
    except ImportError:
        pytest.fail("Authlib or httpx is missing: make setup (pip install -r requirements.txt)")
    folder = tmp_path_factory.mktemp("team")
    client_secret = secrets.token_urlsafe(24)
    emulator = team_emulator(folder, client_secret)
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(_secrets(emulator, port, client_secret), encoding="utf-8")
    env = os.environ | {
        "SSL_CERT_FILE": str(emulator.ca_path),  # the sign-in's HTTPS client (httpx)
        "REQUESTS_CA_BUNDLE": str(emulator.ca_path),  # the pull's (requests)
        "SIEM2GRAPH_CACHE_DIR": str(folder / "cache"),
        "SIEM2GRAPH_STORE": str(folder / "store"),
        "SIEM2GRAPH_TENANT_ID": TENANT,
        "SIEM2GRAPH_AUTHORITY": emulator.url,
        "SIEM2GRAPH_GRAPH_URL": emulator.url,
        "SIEM2GRAPH_SINCE": SINCE,
        "SIEM2GRAPH_UNTIL": UNTIL,
    }
    options = ["--secrets.files", str(secrets_file)]
    with emulator, streamlit_server(folder / "server.log", env, options, port) as url:
        yield Team(url, emulator, client_secret, folder / "cache")


def sign_in(page, user: User) -> None:
    """Sign in through the emulator's picker and wait for the dashboard."""
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=user.email).click()
    page.get_by_text(f"Signed in as {user.email}").wait_for(timeout=AUDIT_MS)
    settle(page)


def test_signed_out_nothing_is_shown(team):
    with chromium_tab(team.url, trust_any_certificate=True) as page:
        page.get_by_role("button", name="Sign in").wait_for()
        settle(page)
        assert page.get_by_test_id("stFileUploader").count() == 0
        assert page.get_by_test_id("stSidebarNav").count() == 0
        page.goto(f"{team.url}/overview")
        page.get_by_role("button", name="Sign in").wait_for()
        settle(page)
        assert page.get_by_test_id("stMetric").count() == 0
        screenshot(page, "20-sign-in")


def test_a_user_off_the_allow_list_is_refused(team):
    with chromium_tab(team.url, trust_any_certificate=True) as page:
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name=MALLORY.email).click()
        page.get_by_text("may not use this dashboard").wait_for(timeout=AUDIT_MS)
        assert page.get_by_test_id("stFileUploader").count() == 0


def _pull_with_own_sign_in(page) -> None:
    page.get_by_text("Live Graph: pull alerts_v2 from your tenant").click()
    settle(page)
    page.get_by_text("Your sign-in (delegated)").click()
    page.get_by_role("button", name="Pull alerts").click()
    status = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Live pull")
    status.filter(has_text="complete").wait_for(timeout=AUDIT_MS)
    settle(page)


def test_two_users_never_see_each_other(team, tmp_path):
    legacy = tmp_path / "alice-export.csv"
    legacy.write_bytes(legacy_csv())
    with chromium_tabs(team.url, 2, trust_any_certificate=True) as (alice, bob):
        sign_in(alice, ALICE)
        upload(alice, 0, legacy)  # then at once, as a user would: her Graph side, her own pull
        _pull_with_own_sign_in(alice)
        audit = alice.get_by_role("button", name="Audit these files")
        expect(audit).to_be_enabled(timeout=AUDIT_MS)  # the server holds both sides
        audit.click()
        alice.get_by_text("Audit ready").wait_for(timeout=AUDIT_MS)
        settle(alice)
        assert alice.get_by_text("Audit of the 1 legacy and 1 Graph file(s)").count() == 1
        screenshot(alice, "21-signed-in-alice")
        alice_link = alice.url
        assert "audit=" in alice_link  # her saved audit's link
        sign_in(bob, BOB)
        bob.get_by_role("heading", name="What was read").wait_for(timeout=AUDIT_MS)
        settle(bob)
        assert "alice-export.csv" not in bob.content()
        assert bob.get_by_text("Audit of the bundled sample").count() == 1
        screenshot(bob, "22-signed-in-bob")
        bob.goto(alice_link)  # by URL: her audit is not his to open
        bob.get_by_text("cannot be opened").wait_for(timeout=AUDIT_MS)
        assert "alice-export.csv" not in bob.content()


def test_a_user_pulls_with_their_own_sign_in(team):
    with chromium_tab(team.url, trust_any_certificate=True) as page:
        sign_in(page, BOB)
        _pull_with_own_sign_in(page)
        status = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Live pull")
        assert f"tenant {TENANT}" in status.inner_text()
        assert team.client_secret not in page.content()
        screenshot(page, "23-delegated-pull")
    cache = team.cache_dir
    areas = [p.name for p in cache.iterdir()]  # Alice's and Bob's, each their own
    assert len(areas) == len(set(areas)) >= 1
    assert all(a.startswith("user-") and "bob" not in a and "alice" not in a for a in areas)
