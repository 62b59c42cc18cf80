"""Who may use the dashboard: sign-in with st.login when ``[auth]`` is configured, else a local
single-user server, with a banner whenever that server listens beyond this machine."""

from __future__ import annotations

import streamlit as st

from ui.settings import secrets_section

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


def gate() -> None:
    """Run before any page: the banner of an unguarded shared server."""
    if not sign_in_configured() and listens_beyond_localhost():
        address = st.get_option("server.address") or "every address"
        st.warning(UNGUARDED.format(address=address), icon=":material/lock_open:")
