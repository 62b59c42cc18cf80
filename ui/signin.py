"""Who may use the dashboard: sign-in with st.login when ``[auth]`` is configured, else a local
single-user server, with a banner whenever that server listens beyond this machine.

With sign-in on, the allow-list in ``[access]`` decides who is let in (e-mails, e-mail domains,
tenant ids, group ids from the id token's ``groups`` claim); without an ``[access]`` section
nobody is (the server fails closed). Signed out or refused, no page runs at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ui.render import escape_markdown
from ui.settings import secrets_section
from ui.user import user_info

LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})
UNGUARDED = (
    "This dashboard has no sign-in and listens on {address}: anyone who can reach it can load "
    "alert data and use the server's Graph credentials. Configure sign-in (`[auth]` in "
    "secrets.toml, docs/deployment.md) or listen on localhost only."
)


def sign_in_configured() -> bool:
    """Whether ``[auth]`` is in the server's secrets (then every page needs a signed-in user)."""
    return bool(secrets_section("auth"))


def listens_beyond_localhost() -> bool:
    """Whether the server accepts connections from other machines (no address: all of them)."""
    address = str(st.get_option("server.address") or "").strip().strip("[]")
    return address not in LOCAL_ADDRESSES


def provider() -> str | None:
    """The ``[auth.NAME]`` provider to sign in with, or None for the one given in ``[auth]``."""
    auth = secrets_section("auth")
    if "client_id" in auth:
        return None
    return next((name for name, value in auth.items() if isinstance(value, Mapping)), None)


def _listed(value: object) -> set[str]:
    items = value if isinstance(value, list | tuple) else [value] if value else []
    return {str(item).strip().lower() for item in items}


def allowed(user: Mapping[str, Any], access: Mapping[str, Any]) -> bool:
    """Whether the signed-in ``user`` (the id token's claims) is on the ``access`` list."""
    email = str(user.get("email") or user.get("preferred_username") or "").strip().lower()
    groups = _listed(user.get("groups"))
    return bool(
        (email and email in _listed(access.get("emails")))
        or (email and email.rpartition("@")[2] in _listed(access.get("domains")))
        or str(user.get("tid") or "").lower() in _listed(access.get("tenants")) - {""}
        or groups & _listed(access.get("groups"))
    )


def _sign_in_page() -> None:
    st.title("siem2graph")
    st.info("Sign in to use this dashboard.", icon=":material/lock:")
    st.button("Sign in", type="primary", on_click=st.login, args=(provider(),))


def _refused_page() -> None:
    name = escape_markdown(str(user_info().get("email") or "This account"))
    st.error(f"{name} may not use this dashboard: ask its administrator.")
    st.button("Sign out", on_click=st.logout)


def _only(page: Any) -> None:
    """Run ``page`` as the app's one page and stop: the dashboard's pages are not even listed
    (without st.navigation, Streamlit would offer every file in pages/)."""
    st.navigation([st.Page(page, title="siem2graph", default=True)], position="hidden").run()
    st.stop()


def gate() -> None:
    """Run before any page: signed out or not allowed, show only that and stop; signed in,
    say who in the sidebar. Without sign-in, the banner of a server open beyond localhost."""
    if not sign_in_configured():
        if listens_beyond_localhost():
            address = st.get_option("server.address") or "every address"
            st.warning(UNGUARDED.format(address=address), icon=":material/lock_open:")
        return
    user = user_info()
    if not user.get("is_logged_in"):
        _only(_sign_in_page)
    if not allowed(user, secrets_section("access")):
        _only(_refused_page)
    name = escape_markdown(str(user.get("email") or user.get("name") or ""))
    with st.sidebar:
        st.caption(f"Signed in as {name}")
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
