"""Every test (and every server it starts) saves audits in a temporary store, never the user's:
one per module (autouse fixtures run first in their scope, so the servers a module starts get
it) and one per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from siem2graph.store import STORE_ENV


@pytest.fixture(scope="module", autouse=True)
def module_store(tmp_path_factory) -> Iterator[None]:
    before = os.environ.get(STORE_ENV)
    os.environ[STORE_ENV] = str(tmp_path_factory.mktemp("audit-store"))
    yield
    if before is None:
        os.environ.pop(STORE_ENV, None)
    else:
        os.environ[STORE_ENV] = before


@pytest.fixture(autouse=True)
def per_test_store(tmp_path_factory, monkeypatch) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path_factory.mktemp("audit-store")))
