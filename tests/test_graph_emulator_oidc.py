"""The emulator's OpenID Connect provider, driven as a browser and a confidential client would."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from siem2graph.graph.auth import token_claims, token_identity
from tests.graph_helpers import SECRET, SECRET_CLIENT, TENANT
from tools.graph_emulator.tokens import unb64url

pytest_plugins = ["tests.graph_fixtures"]
REDIRECT = "http://localhost:8501/oauth2callback"


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def _code(emulator, verifier: str, user: str = "emulated-user") -> str:
    """Authorize, pick `user` on the page, and return the code the redirect carries."""
    base = f"{emulator.url}/{TENANT}/oauth2/v2.0/authorize"
    query = {
        "response_type": "code",
        "client_id": SECRET_CLIENT,
        "redirect_uri": REDIRECT,
        "scope": "openid email",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    page = requests.get(base, params=query, verify=str(emulator.ca_path), timeout=5)
    assert page.status_code == 200 and "analyst@emulated.test" in page.text
    link = page.text.split('href="')[1].split('"')[0].replace("&amp;", "&")
    link = link.replace("user=emulated-user", f"user={user}")
    picked = requests.get(link, verify=str(emulator.ca_path), allow_redirects=False, timeout=5)
    assert picked.status_code == 302, picked.text
    location = urlsplit(picked.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    answer = parse_qs(location.query)
    assert answer["state"] == ["st-1"]
    return answer["code"][0]


def _redeem(
    emulator, code: str, verifier: str, redirect: str = REDIRECT, secret: str = SECRET
) -> requests.Response:
    return requests.post(
        f"{emulator.url}/{TENANT}/oauth2/v2.0/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
        auth=(SECRET_CLIENT, secret),  # client_secret_basic, as Authlib sends it
        verify=str(emulator.ca_path),
        timeout=5,
    )


def _verify(emulator, id_token: str) -> dict:
    keys = requests.get(
        f"{emulator.url}/{TENANT}/discovery/v2.0/keys", verify=str(emulator.ca_path), timeout=5
    ).json()["keys"]
    (key,) = keys
    number = lambda name: int.from_bytes(unb64url(key[name]), "big")  # noqa: E731
    public = rsa.RSAPublicNumbers(number("e"), number("n")).public_key()
    head, body, signature = id_token.split(".")
    public.verify(
        unb64url(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return orjson.loads(unb64url(body))


def test_the_code_flow_gives_a_signed_id_token_and_a_graph_token(emulator):
    verifier = secrets.token_urlsafe(48)
    answer = _redeem(emulator, _code(emulator, verifier), verifier)
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    claims = _verify(emulator, tokens["id_token"])
    assert claims["iss"] == f"{emulator.url}/{TENANT}/v2.0" and claims["aud"] == SECRET_CLIENT
    assert claims["email"] == "analyst@emulated.test" and claims["nonce"] == "n-1"
    assert token_identity(tokens["access_token"]) == f"{TENANT}/{SECRET_CLIENT}/emulated-user"
    assert "SecurityAlert.Read.All" in token_claims(tokens["access_token"])["scp"]


@pytest.mark.parametrize("fault", ["verifier", "reuse", "redirect", "secret"])
def test_the_token_endpoint_refuses_what_the_flow_did_not_grant(emulator, fault):
    verifier = secrets.token_urlsafe(48)
    code = _code(emulator, verifier)
    if fault == "reuse":
        assert _redeem(emulator, code, verifier).status_code == 200
    answer = _redeem(
        emulator,
        code,
        verifier + "x" if fault == "verifier" else verifier,
        "http://evil.test/oauth2callback" if fault == "redirect" else REDIRECT,
        "wrong" if fault == "secret" else SECRET,
    )
    assert answer.status_code in (400, 401) and "access_token" not in answer.text


def test_an_unknown_user_or_request_gets_no_code(emulator):
    verifier = secrets.token_urlsafe(48)
    with pytest.raises(AssertionError):
        _code(emulator, verifier, user="nobody")
