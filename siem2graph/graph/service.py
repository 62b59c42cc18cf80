"""The pull service: from a signed-in msal app to a Graph client, the same for the CLI, the
bridge and the dashboard (each says what happens its own way)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from siem2graph.graph.auth import MsalTokens, preflight
from siem2graph.graph.client import GraphClient, PullOptions, Tenant
from siem2graph.graph.clouds import Endpoints
from siem2graph.graph.transport import Clock, Pacer, Sleep, TokenSource, Transport


def connect(
    app: Any,
    endpoints: Endpoints,
    tenant: Tenant,
    session: requests.Session,
    say: Callable[[str], object],
    *,
    options: PullOptions | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    on_wait: Callable[[float, str], object] | None = None,
) -> GraphClient:
    """A Graph client whose tokens come from ``app`` (an msal application). ``say`` gets the
    sign-in messages (a device code) and the preflight's account of what the token may do."""
    tokens = MsalTokens(app, endpoints.scope, say)
    say(preflight(tokens).message)
    return graph_client(
        tokens, endpoints, tenant, session, options=options, clock=clock, sleep=sleep,
        on_wait=on_wait,
    )  # fmt: skip


def graph_client(
    tokens: TokenSource,
    endpoints: Endpoints,
    tenant: Tenant,
    session: requests.Session,
    *,
    options: PullOptions | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    on_wait: Callable[[float, str], object] | None = None,
) -> GraphClient:
    """A paced Graph client over ``tokens`` (checked already: ``connect`` does it for an msal
    app; the dashboard checks before it looks at its cache)."""
    transport = Transport(
        session, tokens, pacer=Pacer(clock=clock, sleep=sleep), sleep=sleep, on_wait=on_wait
    )
    return GraphClient(transport, endpoints.graph_url, options, tenant)
