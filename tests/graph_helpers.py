"""Helpers for the live-Graph tests: synthetic alerts, a fake clock, clients on the emulator."""

from __future__ import annotations

import datetime as dt
import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from siem2graph.graph import cache
from siem2graph.graph.auth import MsalTokens, build_app
from siem2graph.graph.client import GraphClient, PullOptions
from siem2graph.graph.clouds import Endpoints, resolve_endpoints
from siem2graph.graph.credentials import ClientSecret, Credential
from siem2graph.graph.transport import Pacer, RetryPolicy, Transport, make_session
from tools.graph_emulator import GraphEmulator

TENANT = "contoso-tenant"
SECRET_CLIENT, SECRET = "secret-app", "emulated-Secret~value-123"
CERT_CLIENT = "cert-app"
PUBLIC_CLIENT = "device-app"
START = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
END = START + dt.timedelta(days=2)
N_ALERTS = 2500


def iso(moment: dt.datetime, digits: int = 7) -> str:
    """Graph-style timestamp: 7 fraction digits by default."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return (text + "0" * max(0, digits - 6))[: 20 + digits] + "Z"


def make_alerts(
    n: int = N_ALERTS, start: dt.datetime = START, step: dt.timedelta = dt.timedelta(seconds=61)
) -> list[dict[str, Any]]:
    """`n` synthetic alerts, one per `step`, alternating service sources."""
    sources = ("microsoftDefenderForEndpoint", "microsoftDefenderForIdentity", "microsoftSentinel")
    alerts = []
    for i in range(n):
        created = start + i * step
        alerts.append(
            {
                "id": f"da{i:06d}_{i * 7919 % 100000}",
                "createdDateTime": iso(created),
                "lastUpdateDateTime": iso(created + dt.timedelta(minutes=5)),
                "serviceSource": sources[i % 3],
                "title": f"synthetic alert {i}",
            }
        )
    return alerts


def ids(alerts: list[dict[str, Any]]) -> set[str]:
    """The ids of some alerts."""
    return {a["id"] for a in alerts}


def read_ndjson(path: Path) -> list[dict[str, Any]]:
    """Every line of an NDJSON file."""
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def client_certificate() -> tuple[bytes, x509.Certificate]:
    """An RSA key (PEM) and a self-signed certificate for certificate sign-in."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "siem2graph-test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, certificate


@dataclass
class FakeTime:
    """A clock that only moves when something sleeps; records every sleep."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        """Current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance fake time."""
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass(frozen=True)
class Certificate:
    """The test client certificate: key PEM, cert PEM, and the cert object."""

    key_pem: bytes
    cert_pem: bytes
    cert: x509.Certificate


def endpoints_for(server: GraphEmulator) -> Endpoints:
    """Endpoints pointing authority and Graph at the emulator."""
    return resolve_endpoints(TENANT, "global", server.url, server.url)


def tokens_for(
    server: GraphEmulator,
    credential: Credential | None = None,
    client: str = SECRET_CLIENT,
) -> MsalTokens:
    """Real msal tokens from the emulator (client secret sign-in unless told otherwise)."""
    credential = credential or ClientSecret(SECRET)
    endpoints = endpoints_for(server)
    app = build_app(client, credential, endpoints, make_session(server.ca_path))
    return MsalTokens(app, endpoints.scope)


def graph_client(
    server: GraphEmulator, fake: FakeTime, top: int = 1000, max_retries: int = 6, **options: Any
) -> GraphClient:
    """A GraphClient on the emulator with real msal + requests and fake time."""
    transport = Transport(
        make_session(server.ca_path),
        tokens_for(server),
        pacer=Pacer(clock=fake.clock, sleep=fake.sleep),
        policy=RetryPolicy(max_retries=max_retries),
        sleep=fake.sleep,
    )
    return GraphClient(transport, server.url, PullOptions(top=top, **options))


class FullDisk:
    """``cache.append`` on a disk with ``free`` bytes left: a write that would grow files past
    them writes what fits, then fails with ENOSPC (as write(2) does)."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.failures = 0
        self._append = cache.append

    def __call__(self, file: Any, data: bytes) -> None:
        size = os.fstat(file.fileno()).st_size
        grow = max(0, file.tell() + len(data) - size)
        if grow > self.free:
            file.write(data[: len(data) - (grow - self.free)])
            self.free = 0
            self.failures += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.free -= grow
        self._append(file, data)
