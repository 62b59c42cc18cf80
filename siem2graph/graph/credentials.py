"""App credentials, read only from environment variables, files or a secrets mapping.

Secret values live in fields with ``repr=False``; nothing here logs, prints or raises them.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from siem2graph.errors import AuthError


@dataclass(frozen=True)
class ClientSecret:
    """App-only sign-in with a client secret."""

    secret: str = field(repr=False)


@dataclass(frozen=True)
class ClientCertificate:
    """App-only sign-in with a certificate: PEM private key plus a thumbprint or the certificate."""

    private_key_pem: str = field(repr=False)
    certificate_pem: str | None = None
    thumbprint: str | None = None  # SHA-1 hex, as shown in the app registration
    passphrase: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DeviceCode:
    """Delegated sign-in: a user enters a code at the login page."""


Credential = ClientSecret | ClientCertificate | DeviceCode

_PEM_BLOCK = re.compile(r"-----BEGIN (?P<kind>[A-Z ]+)-----.+?-----END (?P=kind)-----", re.DOTALL)


def fingerprint(credential: Credential) -> str:
    """A short, non-reversible tag of the credential, for cache keys (never the secret)."""
    if isinstance(credential, ClientSecret):
        material = credential.secret
    elif isinstance(credential, ClientCertificate):
        material = credential.private_key_pem + (credential.thumbprint or "")
    else:
        return "device-code"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def env_value(variable: str, what: str) -> str:
    """The value of an environment variable; AuthError naming the variable when it is unset."""
    value = os.environ.get(variable, "")
    if not value.strip():
        raise AuthError(f"environment variable {variable} (the {what}) is not set or empty")
    return value.strip()


def secret_from_env(variable: str) -> ClientSecret:
    """A client secret from an environment variable."""
    return ClientSecret(env_value(variable, "client secret"))


def certificate_from_file(
    pem_path: Path, thumbprint: str | None = None, passphrase: str | None = None
) -> ClientCertificate:
    """A certificate credential from a PEM file holding the private key (and the certificate).

    Without a thumbprint the certificate must be in the file; msal then sends its SHA-256
    thumbprint.
    """
    try:
        text = pem_path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(
            f"cannot read the certificate file {pem_path}: {type(exc).__name__}"
        ) from None
    blocks = {m.group("kind"): m.group(0) for m in _PEM_BLOCK.finditer(text)}
    key = next((block for kind, block in blocks.items() if kind.endswith("PRIVATE KEY")), None)
    if key is None:
        raise AuthError(f"{pem_path} holds no PEM private key")
    certificate = blocks.get("CERTIFICATE")
    clean = thumbprint.replace(":", "").strip().upper() if thumbprint else None
    if clean is not None and not re.fullmatch(r"[0-9A-F]{40}", clean):
        raise AuthError("the certificate thumbprint must be 40 hex digits (SHA-1)")
    if clean is None and certificate is None:
        raise AuthError(f"{pem_path} holds no certificate; pass --certificate-thumbprint")
    return ClientCertificate(key, certificate, clean, passphrase)
