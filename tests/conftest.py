"""Every test (and every server it starts) saves audits in a temporary store, never the user's."""

from __future__ import annotations

import os

import pytest

from siem2graph.store import STORE_ENV


@pytest.fixture(scope="session", autouse=True)
def temporary_store(tmp_path_factory) -> None:
    os.environ[STORE_ENV] = str(tmp_path_factory.mktemp("audit-store"))
