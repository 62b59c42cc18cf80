"""The Live Graph section in Streamlit's AppTest, pulling from the emulator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import requests
from streamlit.testing.v1 import AppTest

from siem2graph.graph import cache
from tests.attacker import AttackerListener
from tests.graph_helpers import (
    SECRET,
    SECRET_CLIENT,
    TENANT,
    FullDisk,
    ids,
    make_alerts,
    read_ndjson,
)
from ui.live_graph import LAST_FORM_KEY

pytest_plugins = ["tests.graph_fixtures"]

ROOT = Path(__file__).resolve().parents[1]


def section_script() -> None:
    import streamlit as st

    from ui.live_graph import live_graph_section

    st.session_state["result"] = str(live_graph_section())


@pytest.fixture
def wired(emulator, monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emulator.ca_path))
    monkeypatch.setenv("SIEM2GRAPH_TENANT_ID", TENANT)
    monkeypatch.setenv("SIEM2GRAPH_CLIENT_ID", SECRET_CLIENT)
    monkeypatch.setenv("SIEM2GRAPH_AUTHORITY", emulator.url)
    monkeypatch.setenv("SIEM2GRAPH_GRAPH_URL", emulator.url)
    monkeypatch.setenv("SIEM2GRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SIEM2GRAPH_CLIENT_SECRET", SECRET)
    alerts = make_alerts(300)
    alerts[0]["createdDateTime"] = alerts[-1]["createdDateTime"] = "2026-01-01T00:00:00Z"
    emulator.set_alerts(alerts)
    return emulator


def run_section() -> AppTest:
    app = AppTest.from_function(section_script, default_timeout=30)
    app.run()
    assert not app.exception
    return app


def test_env_secret_is_used_but_never_shown(wired):
    app = run_section()
    assert app.session_state["result"] == "None"
    assert all(field.label != "Client secret" for field in app.text_input)
    assert any("from environment" in c.value for c in app.caption)
    values = [str(w.value) for w in app.text_input]
    assert SECRET not in " ".join(values)
    app.date_input[0].set_value(dt.date(2025, 12, 31))
    app.date_input[1].set_value(dt.date(2026, 1, 1))
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    pulled = Path(app.session_state["result"])
    assert ids(read_ndjson(pulled)) == {"da000000_0", "da000299_" + str(299 * 7919 % 100000)}
    assert not app.warning


def test_errors_are_shown_not_raised(wired, monkeypatch):
    monkeypatch.setenv("SIEM2GRAPH_CLIENT_SECRET", "wrong-secret-value")
    app = run_section()
    app.button[0].click().run()
    assert not app.exception
    assert any("AADSTS7000215" in e.value for e in app.error)


def test_password_field_without_stored_secret(wired, monkeypatch):
    monkeypatch.delenv("SIEM2GRAPH_CLIENT_SECRET")
    app = run_section()
    secret_field = next(f for f in app.text_input if f.label == "Client secret")
    assert secret_field.value == ""
    app.button[0].click().run()
    assert any("enter the client secret" in e.value for e in app.error)


def test_the_form_comes_back_as_submitted_but_the_typed_secret(wired, monkeypatch):
    monkeypatch.delenv("SIEM2GRAPH_CLIENT_SECRET")
    app = run_section()
    app.radio[0].set_value("Device code (delegated)")
    app.selectbox[0].set_value("gcchigh")
    next(f for f in app.text_input if f.label == "Client secret").set_value("typed-Secret~9")
    app.button[0].click().run()
    assert not app.exception
    # a form emptied on submit resets every field in it, in the browser: only the secret is in it
    (form,) = app.get("form")
    assert form.proto.form.clear_on_submit
    secret_field = next(f for f in app.text_input if f.label == "Client secret")
    assert secret_field.proto.form_id == form.proto.form.form_id
    assert secret_field.proto.default == ""
    others = [*app.radio, *app.selectbox, *app.date_input, *app.text_input[:2]]
    assert {field.proto.form_id for field in others} == {""}
    assert app.radio[0].value == "Device code (delegated)"
    assert app.selectbox[0].value == "gcchigh"
    held = app.session_state.to_dict()  # every key and keyed field
    assert "typed-Secret~9" not in str(held) and LAST_FORM_KEY in held


def test_a_partial_pull_is_returned_with_a_warning(wired):
    wired.configure(throttle=20, retry_after=0)  # every retry throttled: the pull gives up
    app = run_section()
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert Path(app.session_state["result"]).exists()
    (warning,) = [w.value.replace("\\", "") for w in app.warning]  # markdown escapes off
    assert "PARTIAL: 0 alerts pulled" in warning and "429" in warning
    assert not app.success


def test_a_full_disk_keeps_the_pulled_alerts_named_and_partial(wired, monkeypatch, tmp_path):
    monkeypatch.setattr(cache, "append", FullDisk(free=60_000))
    app = run_section()
    app.date_input[0].set_value(dt.date(2025, 3, 1))
    app.date_input[1].set_value(dt.date(2025, 3, 3))
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    pulled = Path(app.session_state["result"])
    kept = read_ndjson(pulled)
    assert 0 < len(kept) < 300
    (warning,) = [w.value.replace("\\", "") for w in app.warning]
    assert f"PARTIAL: {len(kept)} alerts pulled" in warning
    assert f"could not write {pulled.name} (No space left on device)" in warning
    assert str(tmp_path) not in warning
    left = sorted(p.name for p in pulled.parent.iterdir())
    assert left == [pulled.name, cache.record_path(pulled).name]


@pytest.fixture
def attacker(wired, tmp_path, monkeypatch):
    """A recording HTTPS host that requests trust as much as the emulator."""
    with AttackerListener(tmp_path / "attacker-ca.pem") as listener:
        bundle = tmp_path / "bundle.pem"
        bundle.write_bytes(wired.ca_path.read_bytes() + listener.ca_path.read_bytes())
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        requests.get(listener.url, timeout=5)  # the listener is reachable and trusted
        assert len(listener.captured) == 1
        listener.captured.clear()
        yield listener


def test_the_form_offers_no_endpoint_or_folder(wired):
    app = run_section()
    labels = " ".join(field.label.lower() for field in app.text_input)
    for word in ("url", "authority", "folder", "path"):
        assert word not in labels


@pytest.mark.parametrize("typed", ["url", "host", "host-and-port"])
def test_nothing_a_visitor_types_sends_the_secret_to_their_host(attacker, typed):
    host_port = attacker.url.removeprefix("https://")
    value = {"url": attacker.url, "host": "127.0.0.1", "host-and-port": host_port}[typed]
    fields = len(run_section().text_input)
    for field_index in range(fields):
        app = run_section()
        app.text_input[field_index].set_value(value)
        app.button[0].click().run()
        assert not app.exception
    assert attacker.captured == []
    assert attacker.leaked(SECRET) == []


def test_a_cached_pull_does_not_show_the_server_path(wired, tmp_path):
    app = run_section()
    app.button[0].click().run()
    app.button[0].click().run()  # the second pull is served from the cache
    shown = " ".join(str(e.value) for e in [*app.info, *app.caption, *app.success, *app.error])
    shown = shown.replace("\\", "")  # markdown escapes off
    assert "cached pull" in shown
    assert str(tmp_path) not in shown


def _cached_message_shown(app: AppTest) -> bool:
    return any("cached pull" in i.value for i in app.info)


def test_a_cached_pull_is_served_only_after_the_same_identity_signed_in(wired, monkeypatch):
    first = run_section()
    first.button[0].click().run()
    cached = first.session_state["result"]
    monkeypatch.delenv("SIEM2GRAPH_CLIENT_SECRET")
    wrong = run_section()
    next(f for f in wrong.text_input if f.label == "Client secret").set_value("wrong-secret")
    wrong.button[0].click().run()
    assert wrong.session_state["result"] == "None" and not _cached_message_shown(wrong)
    assert any("AADSTS7000215" in e.value for e in wrong.error)
    (form,) = wrong.get("form")
    assert form.proto.form.clear_on_submit  # the browser empties the typed secret
    assert "wrong-secret" not in str(wrong.session_state[LAST_FORM_KEY])
    wrong.run()  # what the visitor chose, but not the secret, comes back
    assert [f.value for f in wrong.text_input][:2] == [TENANT, SECRET_CLIENT]
    device = run_section()  # a delegated sign-in is another identity, with its own pull
    device.radio[0].set_value("Device code (delegated)")
    device.button[0].click().run()
    assert not device.error, [e.value for e in device.error]
    assert not _cached_message_shown(device)
    assert device.session_state["result"] not in ("None", cached)
    again = run_section()
    next(f for f in again.text_input if f.label == "Client secret").set_value(SECRET)
    again.button[0].click().run()
    assert _cached_message_shown(again) and again.session_state["result"] == cached


def test_cached_pulls_live_in_each_signed_in_user_area(wired, monkeypatch):
    paths = {}
    for user in ("alice@contoso.test", "bob@contoso.test", "alice@contoso.test"):
        monkeypatch.setattr("ui.user.current_user", lambda user=user: user)
        app = run_section()
        app.button[0].click().run()
        assert not app.error, [e.value for e in app.error]
        paths.setdefault(user, []).append((app.session_state["result"], _cached_message_shown(app)))
    (alice_first, alice_again), (bob,) = paths["alice@contoso.test"], paths["bob@contoso.test"]
    assert alice_again == (alice_first[0], True)  # alice's own cache serves her
    assert bob[1] is False and Path(bob[0]).parent != Path(alice_first[0]).parent
    assert "alice" not in alice_first[0] and "bob" not in bob[0]  # no name on disk


def _signed_in(monkeypatch, token: str | None) -> None:
    info = {"is_logged_in": True, "email": "alice@contoso.test"}
    monkeypatch.setattr("ui.user.user_info", lambda: info | {"tokens": {"access": token}})


def test_the_sign_in_token_is_offered_only_when_the_sign_in_exposes_one(wired, monkeypatch):
    assert "Your sign-in (delegated)" not in run_section().radio[0].options
    _signed_in(monkeypatch, None)
    assert "Your sign-in (delegated)" not in run_section().radio[0].options


def test_a_delegated_pull_with_the_sign_in_token_is_cached_for_that_user(wired, monkeypatch):
    monkeypatch.delenv("SIEM2GRAPH_CLIENT_SECRET")  # a team server needs no app secret
    token = wired.issue_tokens(SECRET_CLIENT, TENANT, True, "oid-alice")["access_token"]
    _signed_in(monkeypatch, token)
    app = run_section()
    app.radio[0].set_value("Your sign-in (delegated)")
    app.date_input[0].set_value(dt.date(2025, 12, 31))
    app.date_input[1].set_value(dt.date(2026, 1, 1))
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    pulled = Path(app.session_state["result"])
    assert len(read_ndjson(pulled)) == 2 and pulled.parent.name.startswith("user-")
    assert any("SecurityAlert.Read.All (delegated)" in c.value for c in app.caption)


def test_a_refused_sign_in_token_asks_to_sign_in_again(wired, monkeypatch):
    _signed_in(monkeypatch, "not.a-valid.token")
    app = run_section()
    app.radio[0].set_value("Your sign-in (delegated)")
    app.button[0].click().run()
    assert not app.exception
    shown = " ".join(m.value.replace("\\", "") for m in [*app.error, *app.warning])
    assert "sign out and in again" in shown
