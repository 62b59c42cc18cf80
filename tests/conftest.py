"""Every test (and every server it starts) saves audits in a temporary store, never the user's:
one for the session (module fixtures start servers before any test runs), one per test."""

from __future__ import annotations

import os

import pytest

from siem2graph.store import STORE_ENV


@pytest.fixture(scope="session", autouse=True)
def session_store(tmp_path_factory) -> None:
    os.environ[STORE_ENV] = str(tmp_path_factory.mktemp("audit-store"))


@pytest.fixture(autouse=True)
def per_test_store(tmp_path_factory, monkeypatch) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path_factory.mktemp("audit-store")))
