"""The emulator's state and lifecycle: a ThreadingHTTPServer over TLS from its own trustme CA."""

from __future__ import annotations

import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import trustme
from cryptography import x509

from tools.graph_emulator.handler import Handler, Logged
from tools.graph_emulator.oidc import OidcProvider, User
from tools.graph_emulator.store import AlertStore
from tools.graph_emulator.tokens import b64url, sign, unsigned, verify_signed

FAULTS = ("throttle", "unavailable", "drop", "truncate")
DEFAULT_USER = User("analyst@emulated.test", "Emulated Analyst", "emulated-user")


@dataclass
class Behaviour:
    """Switchable behaviours. Fault counters apply to the next N alerts requests."""

    next_link: bool = True  # False: never send @odata.nextLink (as alerts_v2 was seen doing)
    count: bool = True  # honour $count=true with @odata.count
    retry_after: int | None = 1  # seconds sent with 429; None sends no Retry-After
    throttle: int = 0  # next N alerts requests: 429 TooManyRequests
    unavailable: int = 0  # next N: 503 ServiceUnavailable
    drop: int = 0  # next N: connection closed without an answer
    truncate: int = 0  # next N: body cut in half
    outage_after: int = 0  # > 0: every alerts request after the N-th gets 503
    chaos_every: int = 0  # every N-th alerts request gets the next fault in FAULTS (demo)
    token_uses: int = 0  # > 0: a token expires after this many alerts requests
    roles: tuple[str, ...] = ("SecurityAlert.Read.All",)  # app roles / delegated scopes granted
    consent: bool = True  # False: delegated sign-in fails with AADSTS65001
    token_lifetime: int = 3600
    device_pending_polls: int = 1  # device-code polls answered authorization_pending first
    device_interval: int = 1  # seconds msal waits between device-code polls


@dataclass
class Registration:
    """An app registration the token endpoint accepts."""

    client_id: str
    secret: str | None = field(default=None, repr=False)
    certificates: list[x509.Certificate] = field(default_factory=list)


class GraphEmulator:
    """A local HTTPS Graph + login endpoint. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        alerts: list[dict[str, Any]],
        registrations: list[Registration],
        ca_path: Path,
        port: int = 0,
        host: str = "127.0.0.1",
        users: list[User] | None = None,
    ) -> None:
        self.behaviour = Behaviour()
        self.oidc = OidcProvider(users or [DEFAULT_USER])
        self.store = AlertStore.from_alerts(alerts)
        self.registrations = {r.client_id: r for r in registrations}
        self.log: list[Logged] = []
        self.lock = threading.RLock()
        self._key = secrets.token_bytes(32)
        self._serial = 0
        self._uses: dict[int, int] = {}
        self.device_codes: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, str] = {}
        self._alert_requests = 0
        ca = trustme.CA()
        self.ca_path = ca_path
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(host, "localhost").configure_cert(context)
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.emulator = self  # type: ignore[attr-defined]
        self.url = f"https://{host}:{self.httpd.server_address[1]}"
        ca.cert_pem.write_to_path(str(ca_path))  # last: its presence means "listening"
        self._thread: threading.Thread | None = None

    def start(self) -> GraphEmulator:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> GraphEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def configure(self, **changes: Any) -> None:
        """Reset every behaviour to its default, then apply `changes`; clear the request log."""
        with self.lock:
            self.behaviour = replace(Behaviour(), **changes)
            self.log.clear()
            self._alert_requests = 0

    def set_alerts(self, alerts: list[dict[str, Any]]) -> None:
        """Serve a different alert set."""
        with self.lock:
            self.store = AlertStore.from_alerts(alerts)

    def take_fault(self) -> str | None:
        """The fault (if any) the current alerts request gets; counts it down."""
        with self.lock:
            self._alert_requests += 1
            b = self.behaviour
            for name in FAULTS:
                if getattr(b, name) > 0:
                    setattr(b, name, getattr(b, name) - 1)
                    return name
            if b.outage_after and self._alert_requests > b.outage_after:
                return "unavailable"
            if b.chaos_every and self._alert_requests % b.chaos_every == 0:
                return FAULTS[(self._alert_requests // b.chaos_every) % len(FAULTS)]
            return None

    def issue_tokens(
        self, client_id: str, tenant: str, delegated: bool, user: str = "emulated-user"
    ) -> dict[str, Any]:
        """A token response: access token (roles or scp; oid the user's, or the app's service
        principal's), and for delegated sign-in an id_token, client_info and refresh token."""
        with self.lock:
            self._serial += 1
            serial, b = self._serial, self.behaviour
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": self.url,
            "iss": f"{self.url}/{tenant}/v2.0",
            "tid": tenant,
            "appid": client_id,
            "oid": user if delegated else f"sp-{client_id}",
            "iat": now,
            "exp": now + b.token_lifetime,
            "jti": serial,
        }
        claims.update({"scp": " ".join(b.roles)} if delegated else {"roles": list(b.roles)})
        answer: dict[str, Any] = {
            "token_type": "Bearer",
            "expires_in": b.token_lifetime,
            "access_token": sign(claims, self._key),
        }
        if delegated:
            refresh = secrets.token_urlsafe(24)
            with self.lock:
                self.refresh_tokens[refresh] = client_id
            info = {"uid": user, "utid": tenant}
            answer |= {
                "refresh_token": refresh,
                "scope": " ".join(b.roles),
                "client_info": b64url(orjson.dumps(info)),
                "id_token": unsigned(
                    {**claims, "aud": client_id, "sub": user}
                    | {"preferred_username": "analyst@emulated.test"}
                ),
            }
        return answer

    def check_token(self, token: str) -> tuple[dict[str, Any] | None, str]:
        """Claims of a valid access token, or (None, why) when it is forged or expired."""
        try:
            claims = verify_signed(token, self._key)
        except ValueError as exc:
            return None, str(exc)
        with self.lock:
            serial = int(claims.get("jti", 0))
            self._uses[serial] = self._uses.get(serial, 0) + 1
            limit = self.behaviour.token_uses
            if limit and self._uses[serial] > limit:
                return None, "expired"
        return claims, ""
