"""The "Live Graph" section: sign in, pull alerts_v2 with a progress bar, return the NDJSON path.

Secrets come from st.secrets["graph"], the environment, or a password field that is never
given a default or a session-state key. The msal app lives in st.cache_resource, keyed by a
fingerprint of the credential, never the credential itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

import msal
import requests
import streamlit as st

from siem2graph.errors import Siem2GraphError
from siem2graph.graph.auth import (
    MsalTokens,
    SignedInTokens,
    build_app,
    preflight,
    token_identity,
)
from siem2graph.graph.cache import read_record
from siem2graph.graph.client import PullProgress, PullResult, Tenant
from siem2graph.graph.clouds import CLOUDS, Endpoints, resolve_endpoints
from siem2graph.graph.credentials import ClientSecret, Credential, DeviceCode, fingerprint
from siem2graph.graph.service import graph_client
from siem2graph.graph.transport import make_session
from siem2graph.pulls import describe, scope_from_record
from ui.render import escape_markdown
from ui.settings import secrets_section
from ui.user import access_token, user_area

PULLED_PATH_KEY = "live_graph.pulled_path"  # str path of the last pulled NDJSON
LAST_FORM_KEY = "live_graph.last_form"  # the last submitted form's values, never the secret
_KEYS = {  # the form's fields but the secret: remembered across submits
    name: f"live_graph.{name}"
    for name in ("tenant_id", "client_id", "method", "cloud", "since", "until", "source")
}
METHODS = ("Client secret", "Device code (delegated)")
SIGNED_IN = "Your sign-in (delegated)"  # offered when the dashboard's sign-in exposes a token
SECRET_ENV = "SIEM2GRAPH_CLIENT_SECRET"  # noqa: S105 - a variable name, not a secret
SOURCES = (
    "all",
    "microsoftDefenderForEndpoint",
    "microsoftDefenderForIdentity",
    "microsoftDefenderForOffice365",
    "microsoftDefenderForCloudApps",
)


def defaults() -> dict[str, str]:
    """Non-secret server settings and form defaults from st.secrets["graph"] and SIEM2GRAPH_*
    variables; the endpoints and the cache folder among them are never a visitor's to set."""
    section = secrets_section("graph")

    def pick(key: str, env: str, fallback: str = "") -> str:
        return str(section.get(key) or os.environ.get(env) or fallback)

    return {
        "tenant_id": pick("tenant_id", "SIEM2GRAPH_TENANT_ID"),
        "client_id": pick("client_id", "SIEM2GRAPH_CLIENT_ID"),
        "cloud": pick("cloud", "SIEM2GRAPH_CLOUD", "global"),
        "authority": pick("authority", "SIEM2GRAPH_AUTHORITY"),
        "graph_url": pick("graph_url", "SIEM2GRAPH_GRAPH_URL"),
        "cache_dir": pick("cache_dir", "SIEM2GRAPH_CACHE_DIR", ".siem2graph-cache/graph"),
        "since": pick("since", "SIEM2GRAPH_SINCE"),  # ISO dates; default: the last 7 days
        "until": pick("until", "SIEM2GRAPH_UNTIL"),
    }


def _date(text: str, fallback: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else fallback
    except ValueError:
        return fallback


def stored_secret() -> tuple[str, str] | None:
    """(secret, where from) when st.secrets or the environment provides one."""
    secret = secrets_section("graph").get("client_secret")
    if secret:
        return str(secret), 'st.secrets["graph"]'
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV], f"environment ({SECRET_ENV})"
    return None


@st.cache_resource(show_spinner=False)
def _session() -> requests.Session:
    return make_session()


@st.cache_resource(show_spinner="Connecting to the authority...")
def _msal_app(
    client_id: str,
    authority: str,
    graph_url: str,
    credential_fingerprint: str,
    _endpoints: Endpoints,
    _credential: Credential,
) -> msal.ClientApplication:
    """One msal app per client, authority (tenant + cloud), Graph root and credential
    fingerprint; arguments starting with _ (the credential) are not hashed by Streamlit."""
    return build_app(client_id, _credential, _endpoints, _session())


def _app(client_id: str, endpoints: Endpoints, credential: Credential) -> msal.ClientApplication:
    """The msal app of this pull. A delegated (device code) app keeps the user's tokens, so
    it is never shared: each pull builds its own and the user signs in again."""
    if isinstance(credential, DeviceCode):
        return build_app(client_id, credential, endpoints, _session())
    return _msal_app(
        client_id,
        endpoints.authority,
        endpoints.graph_url,
        fingerprint(credential),
        endpoints,
        credential,
    )


def cache_path(
    cache_dir: Path,
    endpoints: Endpoints,
    identity: str,
    since: dt.datetime,
    until: dt.datetime,
    source: str | None,
) -> Path:
    """Where the pull for this identity (credential kind and who the token speaks for),
    tenant, window and source is cached, in the signed-in user's own area of `cache_dir`."""
    key = "|".join(
        [
            identity,
            endpoints.authority,
            endpoints.graph_url,
            since.isoformat(),
            until.isoformat(),
            source or "all",
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return user_area(cache_dir) / f"alerts_v2_{digest}.ndjson"


def _show_summary(result: PullResult) -> None:
    st.metric("Alerts pulled", result.alerts)
    st.caption(escape_markdown(result.summary()))


def _show_record(path: Path) -> None:
    """What the pull record of `path` says: complete, or a warning when it is partial."""
    record = read_record(path)
    if record is None:
        return
    pull = scope_from_record(path.name, record, None)
    text = escape_markdown(describe(pull))
    if pull.partial:
        st.warning(text, icon=":material/warning:")
    else:
        st.success(text, icon=":material/check_circle:")


def _pull(form: dict[str, Any], credential: Credential | SignedInTokens) -> Path:
    server = defaults()
    # Endpoints and the cache folder come from the server's configuration only: a visitor who
    # could choose them could send the server's secret or token to a host of their own.
    endpoints = resolve_endpoints(
        form["tenant_id"], form["cloud"], server["authority"] or None, server["graph_url"] or None
    )
    since = dt.datetime.combine(form["since"], dt.time(), dt.UTC)
    until = dt.datetime.combine(form["until"], dt.time(), dt.UTC) + dt.timedelta(days=1)
    source = None if form["source"] == "all" else form["source"]
    tokens = (
        credential
        if isinstance(credential, SignedInTokens)
        else MsalTokens(_app(form["client_id"], endpoints, credential), endpoints.scope, st.info)
    )
    # The credential is checked before any cached pull is looked at, and the cache is keyed
    # by who the token speaks for: a cached pull goes only to whoever can pull it again.
    st.caption(preflight(tokens).message)
    identity = f"{type(credential).__name__}|{token_identity(tokens.token())}"
    out = cache_path(Path(server["cache_dir"]), endpoints, identity, since, until, source)
    record = read_record(out) if out.exists() else None
    if (
        form["reuse"]
        and record is not None
        and not scope_from_record(out.name, record, None).partial
    ):
        st.info("Using the complete cached pull of this window.")
        return out
    tenant = Tenant(form["tenant_id"].strip(), form["cloud"])
    client = graph_client(tokens, endpoints, tenant, _session())
    bar = st.progress(0.0, text="Pulling alerts_v2...")

    def show(event: PullProgress) -> None:
        text = f"{event.pages} pages, {event.alerts} alerts, {event.waits} waits {event.message}"
        bar.progress(event.fraction, text=text)

    result = client.pull(since, until, out, source, progress=show)
    bar.progress(1.0, text="Done" if not result.partial else "Stopped early")
    _show_summary(result)
    return out


def _remember() -> None:
    """Keep the choices of a pull (never the secret): the fields default to them when the
    section is shown again."""
    state = st.session_state
    state[LAST_FORM_KEY] = {name: str(state[key]) for name, key in _KEYS.items() if key in state}


def live_graph_section() -> Path | None:
    """Render the Live Graph form; returns the NDJSON path of the last pulled alerts, or None."""
    st.subheader("Live Graph")
    values = defaults() | st.session_state.get(LAST_FORM_KEY, {})
    secret, today = stored_secret(), dt.datetime.now(dt.UTC).date()
    # Only the secret is in the form, emptied on submit so that it does not stay in the field;
    # the other fields are outside it (a form emptied on submit resets them all in the browser)
    # and come back from LAST_FORM_KEY (kept by _remember) after a visit to another page.
    form: dict[str, Any] = {
        "tenant_id": st.text_input("Tenant id", values["tenant_id"], key=_KEYS["tenant_id"]),
        "client_id": st.text_input(
            "Client (application) id", values["client_id"], key=_KEYS["client_id"]
        ),
    }
    signed_in = access_token()
    methods = (*METHODS, SIGNED_IN) if signed_in else METHODS
    chosen = values.get("method", METHODS[0])
    method = st.radio(
        "Sign-in",
        methods,
        methods.index(chosen) if chosen in methods else 0,
        horizontal=True,
        key=_KEYS["method"],
    )
    cloud_names = list(CLOUDS)
    form["cloud"] = st.selectbox(
        "Cloud",
        cloud_names,
        cloud_names.index(values["cloud"]) if values["cloud"] in CLOUDS else 0,
        key=_KEYS["cloud"],
    )
    form["since"] = st.date_input(
        "Since", _date(values["since"], today - dt.timedelta(7)), key=_KEYS["since"]
    )
    form["until"] = st.date_input(
        "Until (inclusive)", _date(values["until"], today), key=_KEYS["until"]
    )
    form["source"] = st.selectbox(
        "Service source",
        SOURCES,
        SOURCES.index(values.get("source", SOURCES[0])),
        key=_KEYS["source"],
    )
    with st.expander("Advanced"):
        st.caption(
            "The sign-in and Graph endpoints are the chosen cloud's, or the server's own "
            "configuration; they cannot be changed from this page."
        )
        form["reuse"] = st.checkbox("Re-use a complete cached pull", value=True)
    with st.form("live_graph_form", clear_on_submit=True):
        if secret:
            st.caption(f"Client secret: from {secret[1]}")
        # no key: a typed secret never enters session state
        typed = "" if secret else st.text_input("Client secret", type="password")
        submitted = st.form_submit_button("Pull alerts", type="primary", on_click=_remember)
    if submitted:
        credential: Credential | SignedInTokens = DeviceCode()
        if method == "Client secret":
            credential = ClientSecret(secret[0] if secret else typed)
        elif method == SIGNED_IN:
            credential = SignedInTokens(signed_in or "")
        try:
            if isinstance(credential, ClientSecret) and not credential.secret:
                raise Siem2GraphError("enter the client secret")
            st.session_state[PULLED_PATH_KEY] = str(_pull(form, credential))
        except Siem2GraphError as exc:
            st.error(escape_markdown(str(exc)))
    pulled = st.session_state.get(PULLED_PATH_KEY)
    if not pulled or not Path(pulled).exists():
        return None
    try:
        _show_record(Path(pulled))
    except Siem2GraphError as exc:
        st.error(escape_markdown(str(exc)))
    return Path(pulled)
