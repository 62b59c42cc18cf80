"""Sign-in with real msal against the emulator: secret, certificate, device code, clouds."""

from __future__ import annotations

import base64

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization

from siem2graph.errors import AuthError, InputError
from siem2graph.graph.auth import (
    MsalTokens,
    build_app,
    check_permissions,
    explain,
    preflight,
    token_claims,
)
from siem2graph.graph.clouds import resolve_endpoints
from siem2graph.graph.credentials import (
    ClientCertificate,
    ClientSecret,
    DeviceCode,
    certificate_from_file,
    fingerprint,
    secret_from_env,
)
from siem2graph.graph.transport import make_session
from tests.graph_helpers import (
    CERT_CLIENT,
    PUBLIC_CLIENT,
    SECRET,
    SECRET_CLIENT,
    TENANT,
    client_certificate,
    endpoints_for,
    tokens_for,
)

pytest_plugins = ["tests.graph_fixtures"]


def fake_jwt(claims: dict) -> str:
    body = base64.urlsafe_b64encode(orjson.dumps(claims)).rstrip(b"=").decode()
    return f"eyJhbGciOiJub25lIn0.{body}.sig"


@pytest.mark.parametrize(
    ("cloud", "login", "graph"),
    [
        ("global", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
        ("gcc", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
        ("gcchigh", "https://login.microsoftonline.us", "https://graph.microsoft.us"),
        ("dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
    ],
)
def test_clouds_change_authority_graph_and_scope_together(cloud, login, graph):
    endpoints = resolve_endpoints("t1", cloud)
    assert endpoints.authority == f"{login}/t1"
    assert endpoints.graph_url == graph and endpoints.scope == f"{graph}/.default"
    assert endpoints.instance_discovery is True


def test_overrides_turn_instance_discovery_off():
    endpoints = resolve_endpoints("t1", "dod", "https://127.0.0.1:9/", "https://127.0.0.1:9")
    assert endpoints.authority == "https://127.0.0.1:9/t1"
    assert endpoints.scope == "https://127.0.0.1:9/.default"
    assert endpoints.instance_discovery is False
    assert resolve_endpoints("t1", authority="https://h.test/other").authority == (
        "https://h.test/other"
    )


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("t1", "china"), "unknown cloud"),
        (("t1", "global", "http://plain.test"), "https"),
        ((" ", "global"), "tenant"),
    ],
)
def test_bad_cloud_settings(args, match):
    with pytest.raises(InputError, match=match):
        resolve_endpoints(*args)


def test_client_secret_sign_in_and_preflight(emulator):
    check = preflight(tokens_for(emulator))
    assert check.kind == "application" and check.status == "ok"
    assert "SecurityAlert.Read.All" in check.message


def test_wrong_secret_is_explained_and_not_echoed(emulator):
    wrong = "Wrong~secret~value~987"
    with pytest.raises(AuthError) as caught:
        tokens_for(emulator, ClientSecret(wrong)).token()
    assert "AADSTS7000215" in str(caught.value) and "secret VALUE" in str(caught.value)
    assert wrong not in str(caught.value) and SECRET not in str(caught.value)


def test_unknown_client_is_explained(emulator):
    with pytest.raises(AuthError, match="AADSTS700016"):
        tokens_for(emulator, ClientSecret(SECRET), client="nobody").token()


def test_missing_permission_is_caught_before_pulling(emulator):
    emulator.configure(roles=("User.Read",))
    with pytest.raises(AuthError, match=r"lacks SecurityAlert\.Read\.All \(roles: User\.Read\)"):
        preflight(tokens_for(emulator))


def test_readwrite_permission_is_enough(emulator):
    emulator.configure(roles=("SecurityAlert.ReadWrite.All",))
    assert preflight(tokens_for(emulator)).status == "ok"


def test_certificate_with_sha256_from_the_certificate(emulator, certificate, tmp_path):
    pem = tmp_path / "app.pem"
    pem.write_bytes(certificate.key_pem + certificate.cert_pem)
    credential = certificate_from_file(pem)
    assert credential.thumbprint is None and credential.certificate_pem
    assert preflight(tokens_for(emulator, credential, CERT_CLIENT)).status == "ok"


def test_certificate_with_sha1_thumbprint_and_password(emulator, certificate, tmp_path):
    key = serialization.load_pem_private_key(certificate.key_pem, None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pem-pass"),
    )
    pem = tmp_path / "key.pem"
    pem.write_bytes(encrypted)
    thumbprint = certificate.cert.fingerprint(hashes.SHA1()).hex()
    credential = certificate_from_file(pem, thumbprint, "pem-pass")
    assert preflight(tokens_for(emulator, credential, CERT_CLIENT)).status == "ok"


def test_certificate_not_registered_is_rejected(emulator, tmp_path):
    key_pem, cert = client_certificate()
    pem = tmp_path / "other.pem"
    pem.write_bytes(key_pem + cert.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(AuthError, match="AADSTS700027"):
        tokens_for(emulator, certificate_from_file(pem), CERT_CLIENT).token()


def test_certificate_wrong_password(emulator, certificate, tmp_path):
    key = serialization.load_pem_private_key(certificate.key_pem, None)
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"right"),
        )
    )
    credential = ClientCertificate(pem.read_text(), None, "A" * 40, "wrong")
    with pytest.raises(AuthError, match="certificate or its password"):
        tokens_for(emulator, credential, CERT_CLIENT)


@pytest.mark.parametrize(
    ("content", "thumbprint", "match"),
    [
        ("no pem here", None, "no PEM private key"),
        ("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n", None, "no certificate"),
        ("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n", "xyz", "40 hex"),
    ],
)
def test_certificate_file_problems(tmp_path, content, thumbprint, match):
    pem = tmp_path / "bad.pem"
    pem.write_text(content)
    with pytest.raises(AuthError, match=match):
        certificate_from_file(pem, thumbprint)


def test_device_code_sign_in_then_refresh(emulator):
    messages: list[str] = []
    endpoints = endpoints_for(emulator)
    app = build_app(PUBLIC_CLIENT, DeviceCode(), endpoints, make_session(emulator.ca_path))
    tokens = MsalTokens(app, endpoints.scope, messages.append)
    check = check_permissions(tokens.token())
    assert check.kind == "delegated" and check.status == "ok"
    assert len(messages) == 1 and "enter the code" in messages[0]
    tokens.token(force_refresh=True)
    assert len(messages) == 1  # refreshed silently with the refresh token
    grants = [e for e in emulator.log if e.path.endswith("/token")]
    assert len(grants) == 3  # pending poll, approved poll, refresh


def test_device_code_without_consent(emulator):
    emulator.configure(device_interval=0, consent=False)
    endpoints = endpoints_for(emulator)
    app = build_app(PUBLIC_CLIENT, DeviceCode(), endpoints, make_session(emulator.ca_path))
    with pytest.raises(AuthError, match=r"AADSTS65001.*admin consent"):
        MsalTokens(app, endpoints.scope).token()


def test_requests_ca_bundle_is_honoured(emulator, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emulator.ca_path))
    endpoints = endpoints_for(emulator)
    app = build_app(SECRET_CLIENT, ClientSecret(SECRET), endpoints, make_session())
    assert preflight(MsalTokens(app, endpoints.scope)).status == "ok"


def test_untrusted_emulator_ca_fails_cleanly(emulator, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(AuthError, match=r"cannot reach the authority.*SSLError"):
        build_app(SECRET_CLIENT, ClientSecret(SECRET), endpoints_for(emulator), make_session())


def test_unknown_tenant_path_is_an_auth_error(emulator):
    endpoints = resolve_endpoints(
        TENANT, authority=f"{emulator.url}/t/x/y/z", graph_url=emulator.url
    )
    with pytest.raises(AuthError, match="cannot set up sign-in"):
        build_app(SECRET_CLIENT, ClientSecret(SECRET), endpoints, make_session(emulator.ca_path))


@pytest.mark.parametrize(
    ("claims", "kind", "status"),
    [
        ({"roles": ["SecurityAlert.Read.All"]}, "application", "ok"),
        ({"roles": ["SecurityAlert.ReadWrite.All", "X"]}, "application", "ok"),
        ({"roles": []}, "application", "missing"),
        ({"scp": "openid SecurityAlert.Read.All"}, "delegated", "ok"),
        ({"scp": "User.Read"}, "delegated", "missing"),
        ({"aud": "x"}, "unknown", "unknown"),
    ],
)
def test_permission_claims(claims, kind, status):
    check = check_permissions(fake_jwt(claims))
    assert (check.kind, check.status) == (kind, status)
    assert check.message


@pytest.mark.parametrize("token", ["opaque", "a.!!!.c", "a.bnVsbA.c"])
def test_unreadable_tokens_have_no_claims(token):
    assert token_claims(token) == {}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"error": "invalid_client", "error_description": "AADSTS7000215: bad"}, "secret VALUE"),
        ({"error": "invalid_grant", "error_description": "AADSTS65001: x\ny"}, "admin consent"),
        ({"error": "invalid_request", "error_description": "AADSTS90002: x"}, "tenant not found"),
        ({"error": "weird", "error_description": "Something\nelse"}, "(weird): Something"),
        ({"error": "weird"}, "sign-in failed (weird)"),
    ],
)
def test_explain(result, expected):
    assert expected in explain(result)


def test_secrets_stay_out_of_reprs_and_fingerprints(monkeypatch):
    monkeypatch.setenv("MY_SECRET", SECRET)
    credential = secret_from_env("MY_SECRET")
    assert credential.secret == SECRET
    assert SECRET not in repr(credential) and SECRET not in fingerprint(credential)
    assert fingerprint(credential) != fingerprint(ClientSecret("other"))
    assert fingerprint(DeviceCode()) == "device-code"
    monkeypatch.delenv("MY_SECRET")
    with pytest.raises(AuthError, match="MY_SECRET"):
        secret_from_env("MY_SECRET")


@pytest.mark.parametrize(
    "tenant", ["evil.test/x", "t1?x=1", "t1#frag", "user@evil.test", "127.0.0.1:443", "-t", "t 1"]
)
def test_a_tenant_id_cannot_change_the_authority(tenant):
    with pytest.raises(InputError, match="tenant id must be"):
        resolve_endpoints(tenant)
