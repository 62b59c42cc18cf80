"""Server settings: sections of st.secrets, then SIEM2GRAPH_* environment variables. These are
the operator's, never a visitor's: no page offers a field for them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError


def secrets_section(name: str) -> Mapping[str, Any]:
    """``st.secrets[name]`` as a mapping ({} without a secrets file or that section)."""
    try:
        section = st.secrets.get(name)
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}
    return section if isinstance(section, Mapping) else {}


@dataclass(frozen=True)
class ServerLimits:
    """What one server lets its visitors use (``[server]`` in secrets, or the environment)."""

    max_rows: int = 1_000_000  # rows of one side of an audit (legacy rows, Graph records)
    concurrent_audits: int = 2  # audits running at once; others wait in a queue
    report_mb: int = 1024  # a session's report (as measured) may hold this much memory


def _positive(value: object, name: str) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number <= 0:
        raise ValueError(f"server setting {name} must be a positive whole number")
    return number


def server_limits() -> ServerLimits:
    """The limits in force: ``st.secrets["server"]`` keys, else SIEM2GRAPH_MAX_ROWS,
    SIEM2GRAPH_CONCURRENT_AUDITS, SIEM2GRAPH_REPORT_MB, else the defaults."""
    section, default = secrets_section("server"), ServerLimits()
    values = {}
    for name in ("max_rows", "concurrent_audits", "report_mb"):
        raw = section.get(name) or os.environ.get(f"SIEM2GRAPH_{name.upper()}")
        values[name] = getattr(default, name) if raw is None else _positive(raw, name)
    return ServerLimits(**values)
