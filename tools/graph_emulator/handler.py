"""Routes of the emulator: OpenID configuration, token + device code, alerts_v2, admin."""

from __future__ import annotations

import base64
import hmac
import html
import re
import secrets
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

import orjson

from tools.graph_emulator.tokens import verify_assertion

if TYPE_CHECKING:
    from tools.graph_emulator.server import GraphEmulator

MAX_TOP, MAX_SKIP, DEFAULT_TOP = 1000, 500, 100
ALERT_ROLES = ("SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All")
# serviceSource members after unknownFutureValue: masked unless the Prefer header asks for them.
EVOLVABLE_SOURCES = frozenset(
    {
        "microsoftDefenderForCloud",
        "microsoftSentinel",
        "microsoftInsiderRiskManagement",
        "microsoftThreatIntelligence",
        "microsoftSecurityForAI",
    }
)
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_OPENID = re.compile(r"^/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration$")
_OAUTH = re.compile(
    r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/(?P<action>token|devicecode|authorize|authorize/pick|logout)$"
)
_KEYS = re.compile(r"^/(?P<tenant>[^/]+)/discovery/v2\.0/keys$")


@dataclass(frozen=True)
class Logged:
    """One request the emulator saw."""

    method: str
    path: str
    query: dict[str, str]


class Handler(BaseHTTPRequestHandler):
    """One request; state lives on the GraphEmulator attached to the server."""

    protocol_version = "HTTP/1.1"
    server_version = "graph-emulator/1"
    disable_nagle_algorithm = True

    @property
    def emulator(self) -> GraphEmulator:
        """The emulator this server belongs to."""
        return self.server.emulator  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log on the emulator is the record."""

    # -- plumbing ---------------------------------------------------------------------------
    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = orjson.dumps(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _graph_error(self, status: int, code: str, message: str, **headers: str) -> None:
        self._send(status, {"error": {"code": code, "message": message}}, headers)

    def _aad_error(self, status: int, error: str, code: int, text: str) -> None:
        description = f"AADSTS{code}: {text}"
        self._send(
            status, {"error": error, "error_description": description, "error_codes": [code]}
        )

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        return dict(parse_qsl(self.rfile.read(length).decode()))

    def _record(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        with self.emulator.lock:
            self.emulator.log.append(Logged(self.command, parts.path, query))
        return parts.path, query

    # -- routes -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        """OpenID configuration and alerts_v2."""
        path, query = self._record()
        if path.rstrip("/").lower() == "/v1.0/security/alerts_v2":
            self._alerts(query)
        elif match := _OPENID.match(path):
            self._send(200, self._openid(match["tenant"]))
        elif _KEYS.match(path):
            self._send(200, self.emulator.oidc.jwks())
        elif (match := _OAUTH.match(path)) and match["action"] != "token":
            self._sign_in_page(match["tenant"], match["action"], query)
        else:
            self._graph_error(404, "ResourceNotFound", f"no route for {path}")

    def do_POST(self) -> None:
        """Token, device code and the admin behaviour switch."""
        path, _ = self._record()
        form_or_json = self._form() if path != "/_emulator/behaviour" else None
        match = _OAUTH.match(path)
        if form_or_json is None:
            self._admin()
        elif match and match["action"] == "token":
            self._token(match["tenant"], form_or_json)
        elif match and match["action"] == "devicecode":
            self._device_code(form_or_json)
        else:
            self._graph_error(404, "ResourceNotFound", f"no route for {path}")

    def _openid(self, tenant: str) -> dict[str, Any]:
        base = f"{self.emulator.url}/{tenant}"
        return {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "token"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "tenant_region_scope": "NA",
        }

    def _admin(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            changes = orjson.loads(self.rfile.read(length) or b"{}")
            self.emulator.configure(**changes)
        except (ValueError, TypeError) as exc:
            self._graph_error(400, "BadRequest", str(exc))
            return
        self._send(200, {"behaviour": vars(self.emulator.behaviour)})

    # -- login ------------------------------------------------------------------------------
    def _send_page(self, status: int, text: str, location: str = "") -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)

    def _sign_in_page(self, tenant: str, action: str, query: dict[str, str]) -> None:
        """The browser's side of OpenID Connect: the picker, the pick, the sign-out."""
        oidc = self.emulator.oidc
        if action == "authorize":
            request_id, error = oidc.begin(query)
            pick = f"{self.emulator.url}/{tenant}/oauth2/v2.0/authorize/pick"
            if error:
                self._send_page(400, f"<p>{html.escape(error)}</p>")
            else:
                self._send_page(200, oidc.picker(request_id, pick))
        elif action == "authorize/pick":
            location = oidc.pick(query.get("request", ""), query.get("user", ""))
            if location:
                self._send_page(302, "", location)
            else:
                self._send_page(400, "<p>unknown sign-in request or user</p>")
        else:
            after = query.get("post_logout_redirect_uri", "")
            self._send_page(302 if after else 200, "<p>signed out</p>", after)

    def _client_ok(self, tenant: str, form: dict[str, str]) -> bool:
        """Check the client's secret or certificate assertion; answers the error itself."""
        registration = self.emulator.registrations.get(form.get("client_id", ""))
        if registration is None:
            self._aad_error(400, "unauthorized_client", 700016, "Application not found.")
            return False
        if "client_secret" in form:
            if registration.secret and hmac.compare_digest(
                registration.secret.encode(), form["client_secret"].encode()
            ):
                return True
            self._aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
            return False
        if form.get("client_assertion_type") == ASSERTION_TYPE:
            audience = f"{self.emulator.url}/{tenant}/oauth2/v2.0/token"
            try:
                verify_assertion(
                    form.get("client_assertion", ""),
                    registration.certificates,
                    registration.client_id,
                    audience,
                )
            except (ValueError, KeyError) as exc:
                self._aad_error(401, "invalid_client", 700027, f"Client assertion failed: {exc}")
                return False
            return True
        return form.get("grant_type") in (DEVICE_GRANT, "refresh_token")  # public client

    def _basic_client(self, form: dict[str, str]) -> dict[str, str]:
        """The form with client_secret_basic credentials (Authorization header) merged in."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return form
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        return form | {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}

    def _code_token(self, tenant: str, form: dict[str, str]) -> None:
        """authorization_code: tokens for the picked user, with an RS256 id token."""
        grant, error = self.emulator.oidc.redeem(form)
        if grant is None or grant.user is None:
            self._aad_error(400, "invalid_grant", 70008, error)
            return
        answer = self.emulator.issue_tokens(grant.client_id, tenant, True, grant.user.oid)
        issuer = f"{self.emulator.url}/{tenant}/v2.0"
        answer["id_token"] = self.emulator.oidc.id_token(
            self.emulator.oidc.claims(grant, issuer, tenant)
        )
        self._send(200, answer)

    def _token(self, tenant: str, form: dict[str, str]) -> None:
        form = self._basic_client(form)
        if not self._client_ok(tenant, form):
            return
        grant, emulator = form.get("grant_type"), self.emulator
        if grant == "client_credentials":
            if not form.get("scope", "").endswith("/.default"):
                self._aad_error(400, "invalid_scope", 1002012, "Scope must end in /.default.")
                return
            self._send(200, emulator.issue_tokens(form["client_id"], tenant, delegated=False))
        elif grant == DEVICE_GRANT:
            self._device_token(tenant, form)
        elif grant == "authorization_code":
            self._code_token(tenant, form)
        elif grant == "refresh_token" and form.get("refresh_token") in emulator.refresh_tokens:
            self._send(200, emulator.issue_tokens(form["client_id"], tenant, delegated=True))
        else:
            self._aad_error(400, "invalid_grant", 9002313, f"Unsupported grant {grant!r}.")

    def _device_code(self, form: dict[str, str]) -> None:
        if form.get("client_id") not in self.emulator.registrations:
            self._aad_error(400, "unauthorized_client", 700016, "Application not found.")
            return
        code, user_code = secrets.token_urlsafe(16), secrets.token_hex(4).upper()
        with self.emulator.lock:
            self.emulator.device_codes[code] = {"client_id": form["client_id"], "polls": 0}
            interval = self.emulator.behaviour.device_interval
        where = f"{self.emulator.url}/devicelogin"
        self._send(
            200,
            {
                "device_code": code,
                "user_code": user_code,
                "verification_uri": where,
                "expires_in": 900,
                "interval": interval,
                "message": f"To sign in, open {where} and enter the code {user_code} "
                "(the emulator approves it by itself).",
            },
        )

    def _device_token(self, tenant: str, form: dict[str, str]) -> None:
        emulator = self.emulator
        with emulator.lock:
            flow = emulator.device_codes.get(form.get("device_code", ""))
            if flow is not None:
                flow["polls"] += 1
            behaviour = emulator.behaviour
        if flow is None:
            self._aad_error(400, "expired_token", 70020, "The device code is not known.")
        elif flow["polls"] <= behaviour.device_pending_polls:
            self._aad_error(400, "authorization_pending", 70016, "Pending end-user sign-in.")
        elif not behaviour.consent:
            self._aad_error(
                400, "invalid_grant", 65001, "The user or administrator has not consented."
            )
        else:
            self._send(200, emulator.issue_tokens(flow["client_id"], tenant, delegated=True))

    # -- alerts -----------------------------------------------------------------------------
    def _alerts(self, query: dict[str, str]) -> None:
        emulator = self.emulator
        auth = self.headers.get("Authorization", "")
        claims, why = emulator.check_token(auth[7:] if auth.startswith("Bearer ") else "")
        if claims is None:
            text = "Lifetime validation failed, the token is expired." if why == "expired" else why
            self._graph_error(401, "InvalidAuthenticationToken", text or "Access token is empty.")
            return
        granted = list(claims.get("roles") or str(claims.get("scp", "")).split())
        if not any(role in granted for role in ALERT_ROLES):
            self._graph_error(403, "Forbidden", "Missing role permissions on the request.")
            return
        fault = emulator.take_fault()
        if fault is not None and self._fault(fault):
            return
        self._alerts_page(query, truncate=fault == "truncate")

    def _fault(self, fault: str) -> bool:
        """Act out a fault; True when the request is answered (or dropped) by it."""
        behaviour = self.emulator.behaviour
        if fault == "throttle":
            after = (
                {} if behaviour.retry_after is None else {"Retry-After": str(behaviour.retry_after)}
            )
            self._graph_error(429, "TooManyRequests", "Too many requests.", **after)
        elif fault == "unavailable":
            self._graph_error(503, "ServiceUnavailable", "Service unavailable.")
        elif fault == "drop":
            self.close_connection = True
        else:
            return False
        return True

    def _alerts_page(self, query: dict[str, str], truncate: bool) -> None:
        top_text, skip_text = query.get("$top", str(DEFAULT_TOP)), query.get("$skip", "0")
        if not top_text.isdigit() or not 1 <= int(top_text) <= MAX_TOP:
            self._graph_error(400, "BadRequest", f"Invalid $top: the limit is {MAX_TOP}.")
            return
        if not skip_text.isdigit() or int(skip_text) > MAX_SKIP:
            self._graph_error(400, "BadRequest", f"Invalid $skip: the limit is {MAX_SKIP}.")
            return
        try:
            matched = self.emulator.store.query(query.get("$filter"))
        except ValueError as exc:
            self._graph_error(400, "BadRequest", str(exc))
            return
        top, skip, behaviour = int(top_text), int(skip_text), self.emulator.behaviour
        prefer = "include-unknown-enum-members" in self.headers.get("Prefer", "")
        body: dict[str, Any] = {"@odata.context": f"{self.emulator.url}/v1.0/$metadata#alerts_v2"}
        if behaviour.count and query.get("$count", "").lower() == "true":
            body["@odata.count"] = len(matched)
        body["value"] = [_masked(a, prefer) for a in matched[skip : skip + top]]
        if behaviour.next_link and skip + top < len(matched):
            following = urlencode({**query, "$skip": str(skip + top)})
            body["@odata.nextLink"] = f"{self.emulator.url}/v1.0/security/alerts_v2?{following}"
        if truncate:
            self._send_truncated(body)
            return
        self._send(
            200, body, {"Preference-Applied": "include-unknown-enum-members"} if prefer else {}
        )

    def _send_truncated(self, body: dict[str, Any]) -> None:
        data = orjson.dumps(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.close_connection = True


def _masked(alert: dict[str, Any], prefer: bool) -> dict[str, Any]:
    if prefer or alert.get("serviceSource") not in EVOLVABLE_SOURCES:
        return alert
    return {**alert, "serviceSource": "unknownFutureValue"}
