"""JWTs for the emulator: HMAC-signed access tokens it issues, certificate assertions it checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    header, claims = orjson.loads(unb64url(parts[0])), orjson.loads(unb64url(parts[1]))
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("not a JWT")
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), unb64url(parts[2])


def unsigned(claims: dict[str, Any]) -> str:
    """A JWT-shaped token with no signature (for id_tokens, which msal does not validate)."""
    head = b64url(orjson.dumps({"alg": "none", "typ": "JWT"}))
    return f"{head}.{b64url(orjson.dumps(claims))}."


def sign(claims: dict[str, Any], key: bytes) -> str:
    """An HS256 JWT."""
    head = b64url(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    body = b64url(orjson.dumps(claims))
    mac = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


def verify_signed(token: str, key: bytes) -> dict[str, Any]:
    """The claims of an HS256 token this emulator signed; ValueError when forged or expired."""
    header, claims, signed, signature = _segments(token)
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    if header.get("alg") != "HS256" or not hmac.compare_digest(expected, signature):
        raise ValueError("bad signature")
    if float(claims.get("exp", 0)) < time.time():
        raise ValueError("expired")
    return claims


def _thumbprints(certificate: x509.Certificate) -> set[str]:
    return {
        b64url(certificate.fingerprint(hashes.SHA1())),  # noqa: S303 - x5t is SHA-1 by spec
        b64url(certificate.fingerprint(hashes.SHA256())),
    }


def verify_assertion(
    assertion: str, certificates: list[x509.Certificate], client_id: str, audience: str
) -> None:
    """Check a client assertion: thumbprint of a registered certificate, RS256/PS256 signature
    by its key, iss/sub = client id, aud = the token endpoint, not expired. ValueError if not."""
    header, claims, signed, signature = _segments(assertion)
    thumbprint = str(header.get("x5t#S256") or header.get("x5t") or "").rstrip("=")
    matches = [c for c in certificates if thumbprint in _thumbprints(c)]
    if not matches:
        raise ValueError("no registered certificate has this thumbprint")
    public_key = matches[0].public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError("only RSA certificates are supported")
    alg = header.get("alg")
    if alg == "RS256":
        scheme: padding.AsymmetricPadding = padding.PKCS1v15()
    elif alg == "PS256":
        scheme = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
    else:
        raise ValueError(f"unsupported alg {alg!r}")
    try:
        public_key.verify(signature, signed, scheme, hashes.SHA256())
    except InvalidSignature:
        raise ValueError("signature does not verify with the certificate") from None
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise ValueError("iss/sub is not the client id")
    if claims.get("aud") != audience:
        raise ValueError(f"aud is not {audience}")
    if float(claims.get("exp", 0)) < time.time():
        raise ValueError("assertion expired")
