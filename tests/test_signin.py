"""Sign-in through AppTest: signed out nothing runs, the allow-list decides, who is signed in
is shown. (tests/test_browser_signin.py signs in for real in Chromium.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import state
from ui.signin import allowed, provider

APP = str(Path(__file__).resolve().parents[1] / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "dashboard-app",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.example.test/t/v2.0/.well-known/openid-configuration",
}
ALICE = {"is_logged_in": True, "email": "alice@contoso.test", "tid": "t1", "groups": ["g-soc"]}


def _app(monkeypatch, user, access=None) -> AppTest:
    monkeypatch.setattr("ui.signin.user_info", lambda: user)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH
    if access is not None:
        at.secrets["access"] = access
    at.session_state[state.SAMPLE_TRIED] = True
    return at.run()


def test_signed_out_only_the_sign_in_button_runs(monkeypatch):
    at = _app(monkeypatch, {"is_logged_in": False}, {"domains": ["contoso.test"]})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.get("file_uploader") and not at.sidebar.button
    assert state.REPORT not in at.session_state


def test_signed_in_but_not_listed_is_refused(monkeypatch):
    at = _app(monkeypatch, ALICE | {"email": "eve@else.test"}, {"domains": ["contoso.test"]})
    (refusal,) = [e.value.replace("\\", "") for e in at.error]  # markdown escapes off
    assert refusal == "eve@else.test may not use this dashboard: ask its administrator."
    assert [b.label for b in at.button] == ["Sign out"] and not at.get("file_uploader")


def test_without_an_access_list_nobody_is_let_in(monkeypatch):
    at = _app(monkeypatch, ALICE)
    assert at.error and not at.get("file_uploader")


def test_a_listed_user_sees_the_dashboard_and_who_they_are(monkeypatch):
    at = _app(monkeypatch, ALICE, {"emails": ["Alice@Contoso.test"]})
    assert not at.exception and not at.error
    assert at.get("file_uploader")
    assert [c.value.replace("\\", "") for c in at.sidebar.caption] == [
        "Signed in as alice@contoso.test"
    ]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert not [w for w in at.warning if "no sign-in" in w.value]


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        ({"emails": ["alice@contoso.test"]}, True),
        ({"domains": ["contoso.test"]}, True),
        ({"domains": ["toso.test"]}, False),
        ({"tenants": ["T1"]}, True),
        ({"tenants": [""]}, False),
        ({"groups": ["g-soc", "g-other"]}, True),
        ({"groups": ["g-other"]}, False),
        ({}, False),
    ],
)
def test_the_allow_list(access, expected):
    assert allowed(ALICE, access) is expected


def test_a_user_without_claims_is_never_allowed():
    everything = {"emails": ["a@b.c"], "domains": ["b.c"], "tenants": ["t"], "groups": ["g"]}
    assert not allowed({"is_logged_in": True}, everything)


def test_the_provider_is_the_flat_one_or_the_first_named(monkeypatch):
    monkeypatch.setattr("ui.signin.secrets_section", lambda name: AUTH)
    assert provider() is None
    named = {"redirect_uri": "r", "cookie_secret": "c", "microsoft": {"client_id": "x"}}
    monkeypatch.setattr("ui.signin.secrets_section", lambda name: named)
    assert provider() == "microsoft"
