"""Fixtures for the live-Graph tests: the HTTPS emulator (one per session) and a fake clock.

Test modules load them with `pytest_plugins = ["tests.graph_fixtures"]` (no conftest needed)
and import helpers from tests.graph_helpers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization

from tests.graph_helpers import (
    CERT_CLIENT,
    PUBLIC_CLIENT,
    SECRET,
    SECRET_CLIENT,
    Certificate,
    FakeTime,
    client_certificate,
    make_alerts,
)
from tools.graph_emulator import GraphEmulator, Registration


@pytest.fixture(scope="session")
def certificate() -> Certificate:
    """One RSA client certificate for the session."""
    key_pem, cert = client_certificate()
    return Certificate(key_pem, cert.public_bytes(serialization.Encoding.PEM), cert)


@pytest.fixture(scope="session")
def emulator_server(
    tmp_path_factory: pytest.TempPathFactory, certificate: Certificate
) -> Iterator[GraphEmulator]:
    """The emulator, started once on a free port."""
    registrations = [
        Registration(SECRET_CLIENT, SECRET),
        Registration(CERT_CLIENT, certificates=[certificate.cert]),
        Registration(PUBLIC_CLIENT),
    ]
    ca_path = tmp_path_factory.mktemp("emulator") / "ca.pem"
    with GraphEmulator(make_alerts(), registrations, ca_path) as server:
        yield server


@pytest.fixture
def emulator(emulator_server: GraphEmulator) -> GraphEmulator:
    """The emulator with default behaviours, the standard alert set and an empty log."""
    emulator_server.set_alerts(make_alerts())
    emulator_server.configure(device_interval=0)
    return emulator_server


@pytest.fixture
def fake_time() -> FakeTime:
    """A fresh fake clock."""
    return FakeTime()
