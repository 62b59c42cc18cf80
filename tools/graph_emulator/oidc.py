"""The emulator's OpenID Connect provider: authorization code with PKCE, RS256-signed id tokens
from a JWKS, a user picker page instead of a password, and the end-session endpoint.

Enough of Entra ID's behaviour for Streamlit's st.login (Authlib) to sign in for real: the id
token carries iss, aud, sub, oid, tid, email, preferred_username, name, groups and the nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tools.graph_emulator.tokens import b64url

KEY_ID = "emulator-oidc-key"
CODE_SECONDS = 120


@dataclass(frozen=True)
class User:
    """Somebody the picker offers; `oid` is their object id in the tenant."""

    email: str
    name: str
    oid: str
    groups: tuple[str, ...] = ()


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    state: str
    scope: str
    user: User | None = None
    expires: float = field(default_factory=lambda: time.time() + CODE_SECONDS)


def _number(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class OidcProvider:
    """Users, pending authorizations and codes; one RSA key signs every id token."""

    def __init__(self, users: list[User]) -> None:
        self.users = {u.oid: u for u in users}
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._pending: dict[str, _Grant] = {}
        self._codes: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    def jwks(self) -> dict[str, Any]:
        """The public key set id tokens verify with."""
        numbers = self._key.public_key().public_numbers()
        key = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID}
        return {"keys": [key | {"n": _number(numbers.n), "e": _number(numbers.e)}]}

    def id_token(self, claims: dict[str, Any]) -> str:
        """An RS256 JWT signed by the provider's key."""
        head = b64url(orjson.dumps({"alg": "RS256", "typ": "JWT", "kid": KEY_ID}))
        body = b64url(orjson.dumps(claims))
        signed = f"{head}.{body}".encode()
        signature = self._key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{b64url(signature)}"

    def begin(self, query: dict[str, str]) -> tuple[str, str]:
        """Record an authorization request; (request id, error) with one of them empty."""
        if query.get("response_type") != "code":
            return "", "unsupported_response_type"
        if not query.get("redirect_uri") or not query.get("client_id"):
            return "", "invalid_request"
        if query.get("code_challenge_method", "S256") != "S256" or not query.get("code_challenge"):
            return "", "invalid_request: PKCE with S256 is required"
        grant = _Grant(
            query["client_id"],
            query["redirect_uri"],
            query.get("nonce", ""),
            query["code_challenge"],
            query.get("state", ""),
            query.get("scope", ""),
        )
        request_id = secrets.token_urlsafe(16)
        with self._lock:
            self._pending[request_id] = grant
        return request_id, ""

    def picker(self, request_id: str, pick_url: str) -> str:
        """The page a person would sign in on: one link per user."""

        def link(user: User) -> str:
            target = pick_url + "?" + urlencode({"request": request_id, "user": user.oid})
            return f'<li><a href="{html.escape(target)}">{html.escape(user.email)}</a></li>'

        links = "".join(link(u) for u in self.users.values())
        return (
            "<!doctype html><html><head><title>Emulated sign-in</title></head><body>"
            f"<h1>Pick an account</h1><ul>{links}</ul></body></html>"
        )

    def pick(self, request_id: str, oid: str) -> str:
        """Where the browser goes (the client's redirect with a code and the state) once `oid`
        signed in; '' for an unknown request or user."""
        with self._lock:
            grant = self._pending.pop(request_id, None)
            user = self.users.get(oid)
            if grant is None or user is None:
                return ""
            grant.user = user
            code = secrets.token_urlsafe(24)
            self._codes[code] = grant
        separator = "&" if "?" in grant.redirect_uri else "?"
        return f"{grant.redirect_uri}{separator}{urlencode({'code': code, 'state': grant.state})}"

    def claims(self, grant: _Grant, issuer: str, tenant: str) -> dict[str, Any]:
        """The id token's claims for a redeemed grant."""
        assert grant.user is not None
        user, now = grant.user, int(time.time())
        return {
            "iss": issuer,
            "aud": grant.client_id,
            "sub": user.oid,
            "oid": user.oid,
            "tid": tenant,
            "email": user.email,
            "preferred_username": user.email,
            "name": user.name,
            "groups": list(user.groups),
            "nonce": grant.nonce,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
        }

    def redeem(self, form: dict[str, str]) -> tuple[_Grant | None, str]:
        """The grant of an authorization code once client, redirect and PKCE check out."""
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or grant.expires < time.time():
            return None, "the code is unknown, used or expired"
        if form.get("client_id") != grant.client_id:
            return None, "the code was issued to another client"
        if form.get("redirect_uri") != grant.redirect_uri:
            return None, "redirect_uri differs from the authorization request's"
        verifier = form.get("code_verifier", "")
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if not hmac.compare_digest(computed.rstrip(b"=").decode(), grant.challenge):
            return None, "the PKCE code_verifier does not match the code_challenge"
        return grant, ""
