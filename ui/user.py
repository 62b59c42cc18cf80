"""Who is using this session: the signed-in user when sign-in is on, else nobody in particular."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

LOCAL_AREA = "local"  # the one area of a server without sign-in


def user_info() -> Mapping[str, Any]:
    """What st.user holds (is_logged_in and the id token's claims); {} outside a session."""
    return st.user.to_dict()


def current_user() -> str | None:
    """The signed-in user's id (email, else the OIDC subject), or None when nobody signed in
    (sign-in off, or not done yet)."""
    info = user_info()
    if not info.get("is_logged_in"):
        return None
    value = info.get("email") or info.get("sub")
    return str(value).strip().lower() if value else None


def area_name() -> str:
    """This user's area: a hash of their id (their name is never written), or `local` when
    the server has no sign-in."""
    user = current_user()
    if user is None:
        return LOCAL_AREA
    return "user-" + hashlib.sha256(user.encode()).hexdigest()[:24]


def user_area(root: Path) -> Path:
    """The folder under `root` that holds this user's files."""
    return root / area_name()


def access_token() -> str | None:
    """The signed-in user's access token, when sign-in exposes it (``expose_tokens``)."""
    info = user_info()
    tokens = info.get("tokens") if info.get("is_logged_in") else None
    token = tokens.get("access") if isinstance(tokens, Mapping) else None
    return str(token) if token else None
