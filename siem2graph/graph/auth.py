"""Tokens for Graph with msal: app-only (secret or certificate) or delegated (device code).

msal results are checked for ``error`` and explained; a preflight reads the token's roles/scp.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import msal
import orjson
import requests

from siem2graph.errors import AuthError
from siem2graph.graph.clouds import Endpoints
from siem2graph.graph.credentials import ClientCertificate, ClientSecret, Credential
from siem2graph.graph.transport import TokenSource

ALERT_PERMISSIONS = ("SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All")
_FIX_BY_CODE = {
    "AADSTS7000215": "the client secret is wrong: copy the secret VALUE (not its id) again",
    "AADSTS7000222": "the client secret has expired: create a new one in the app registration",
    "AADSTS65001": "admin consent is missing: an administrator must grant consent for the app",
    "AADSTS700016": "no app with this client id in the tenant: check the client id and tenant",
    "AADSTS90002": "tenant not found: check the tenant id and the cloud",
    "AADSTS700027": "the certificate assertion was rejected: upload the certificate to the app",
    "AADSTS50049": "unknown or invalid authority: check the cloud and --authority",
}


def explain(result: dict[str, Any]) -> str:
    """A one-line message for an msal error result, with the fix when the code is known."""
    error = str(result.get("error") or "error")
    description = str(result.get("error_description") or "").strip().splitlines()
    first = description[0] if description else ""
    for code, fix in _FIX_BY_CODE.items():
        if code in first:
            return f"sign-in failed ({code}): {fix}"
    return f"sign-in failed ({error}): {first}" if first else f"sign-in failed ({error})"


def checked_token(result: dict[str, Any] | None) -> str:
    """The access token of an msal result; AuthError with an explanation otherwise."""
    if not result:
        raise AuthError("sign-in failed: no token was returned")
    if "error" in result or "access_token" not in result:
        raise AuthError(explain(result))
    return str(result["access_token"])


def _msal_credential(credential: ClientSecret | ClientCertificate) -> str | dict[str, str]:
    if isinstance(credential, ClientSecret):
        return credential.secret
    fields = {"private_key": credential.private_key_pem}
    if credential.thumbprint:
        fields["thumbprint"] = credential.thumbprint
    elif credential.certificate_pem:
        fields["public_certificate"] = credential.certificate_pem
    if credential.passphrase:
        fields["passphrase"] = credential.passphrase
    return fields


def build_app(
    client_id: str, credential: Credential, endpoints: Endpoints, session: requests.Session
) -> msal.ClientApplication:
    """An msal app on `session`; discovery is off for non-Microsoft authority hosts.

    msal reads the OpenID configuration here, so this needs the authority to be reachable.
    """
    options: dict[str, Any] = {
        "authority": endpoints.authority,
        "http_client": session,
        "instance_discovery": endpoints.instance_discovery,
        "validate_authority": endpoints.instance_discovery,
    }
    try:
        if isinstance(credential, ClientSecret | ClientCertificate):
            return msal.ConfidentialClientApplication(
                client_id, client_credential=_msal_credential(credential), **options
            )
        return msal.PublicClientApplication(client_id, **options)
    except requests.RequestException as exc:
        raise AuthError(
            f"cannot reach the authority {endpoints.authority} ({type(exc).__name__}); "
            "check the network, the cloud and REQUESTS_CA_BUNDLE"
        ) from None
    except ValueError as exc:
        reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        if isinstance(credential, ClientCertificate):
            reason = "the certificate or its password could not be used"
        raise AuthError(f"cannot set up sign-in at {endpoints.authority}: {reason}") from None


class MsalTokens:
    """A TokenSource over an msal app; `force_refresh` bypasses msal's token cache."""

    def __init__(
        self,
        app: msal.ClientApplication,
        scope: str,
        on_device_code: Callable[[str], object] | None = None,
    ) -> None:
        self._app = app
        self._scopes = [scope]
        self._on_device_code = on_device_code

    def token(self, force_refresh: bool = False) -> str:
        """An access token for Graph."""
        try:
            if isinstance(self._app, msal.ConfidentialClientApplication):
                if force_refresh:
                    self._app.remove_tokens_for_client()
                return checked_token(self._app.acquire_token_for_client(scopes=self._scopes))
            return self._delegated(force_refresh)
        except requests.RequestException as exc:
            raise AuthError(f"cannot reach the token endpoint ({type(exc).__name__})") from None

    def _delegated(self, force_refresh: bool) -> str:
        app = self._app
        accounts = app.get_accounts()
        if accounts:
            result = app.acquire_token_silent_with_error(
                self._scopes, account=accounts[0], force_refresh=force_refresh
            )
            if result and "access_token" in result:
                return str(result["access_token"])
        flow = app.initiate_device_flow(scopes=self._scopes)
        if "user_code" not in flow:
            raise AuthError(explain(flow))
        if self._on_device_code:
            self._on_device_code(str(flow.get("message") or flow["user_code"]))
        return checked_token(app.acquire_token_by_device_flow(flow))


class SignedInTokens:
    """A TokenSource over a user's access token obtained elsewhere (the dashboard's sign-in).
    It cannot be refreshed here: an expired or refused one asks the user to sign in again."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "SignedInTokens(<token>)"

    def token(self, force_refresh: bool = False) -> str:
        """The sign-in's token; AuthError when a fresh one is needed."""
        if force_refresh or not self._token:
            raise AuthError(
                "the sign-in's Graph token was refused or has expired: sign out and in again"
            )
        return self._token


def token_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT access token, decoded WITHOUT verifying it (for the preflight)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = orjson.loads(payload)
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def token_identity(token: str) -> str:
    """Who a Graph token speaks for, from its claims: tenant, app, and the user's or the app's
    object id (`tid/appid/oid`); '' when the token is not a readable JWT. Read only for cache
    keys, after the token was acquired from the server's configured authority."""
    claims = token_claims(token)
    parts = [str(claims.get(name) or "") for name in ("tid", "appid", "oid")]
    return "/".join(parts) if any(parts) else ""


@dataclass(frozen=True)
class PermissionCheck:
    """What the token grants: app roles or delegated scopes, and whether alerts are readable."""

    kind: Literal["application", "delegated", "unknown"]
    granted: tuple[str, ...]
    status: Literal["ok", "missing", "unknown"]

    @property
    def message(self) -> str:
        """A sentence for the user."""
        if self.status == "ok":
            found = ", ".join(p for p in ALERT_PERMISSIONS if p in self.granted)
            return f"token has {found} ({self.kind})"
        if self.status == "unknown":
            return "could not read the token's permissions; the pull will show whether it works"
        claim = "roles" if self.kind == "application" else "scp"
        listed = ", ".join(self.granted) or "none"
        return (
            f"token lacks SecurityAlert.Read.All ({claim}: {listed}); add the "
            f"{self.kind} permission SecurityAlert.Read.All to the app and grant admin consent"
        )


def check_permissions(token: str) -> PermissionCheck:
    """Read roles (app-only) or scp (delegated) from the token and look for the alert permission."""
    claims = token_claims(token)
    if "roles" in claims:
        kind: Literal["application", "delegated", "unknown"] = "application"
        granted = tuple(str(r) for r in claims.get("roles") or ())
    elif "scp" in claims:
        kind = "delegated"
        granted = tuple(str(claims.get("scp") or "").split())
    else:
        return PermissionCheck("unknown", (), "unknown")
    ok = any(p in granted for p in ALERT_PERMISSIONS)
    return PermissionCheck(kind, granted, "ok" if ok else "missing")


def preflight(tokens: TokenSource) -> PermissionCheck:
    """Acquire a token and check it can read alerts; AuthError when the permission is missing."""
    check = check_permissions(tokens.token())
    if check.status == "missing":
        raise AuthError(check.message)
    return check
