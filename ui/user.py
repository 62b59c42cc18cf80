"""Who is using this session: the signed-in user when sign-in is on, else nobody in particular."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

LOCAL_AREA = "local"  # the one area of a server without sign-in


def current_user() -> str | None:
    """The signed-in user's id (email, else the OIDC subject), or None when nobody signed in
    (sign-in off, or not done yet)."""
    try:
        user = st.user
        if not user.get("is_logged_in"):
            return None
        value = user.get("email") or user.get("sub")
    except (AttributeError, KeyError):
        return None
    return str(value).strip().lower() if value else None


def user_area(root: Path) -> Path:
    """The folder under `root` that holds this user's files: a hash of their id (no name on
    disk), or `local` when the server has no sign-in."""
    user = current_user()
    if user is None:
        return root / LOCAL_AREA
    return root / ("user-" + hashlib.sha256(user.encode()).hexdigest()[:24])
