"""National clouds: the token authority, the Graph root and the scope change together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from siem2graph.errors import InputError

# Hosts msal knows; any other authority host needs instance discovery turned off.
MICROSOFT_LOGIN_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.microsoft.com",
        "login.windows.net",
        "login.chinacloudapi.cn",
    }
)


@dataclass(frozen=True)
class Cloud:
    """One national cloud's login host and Graph root."""

    name: str
    login: str
    graph: str


CLOUDS: dict[str, Cloud] = {
    "global": Cloud("global", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
    # GCC (moderate) uses the worldwide endpoints.
    "gcc": Cloud("gcc", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "gcchigh": Cloud("gcchigh", "https://login.microsoftonline.us", "https://graph.microsoft.us"),
    "dod": Cloud("dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
}


@dataclass(frozen=True)
class Endpoints:
    """Where to get tokens and alerts for one tenant."""

    authority: str  # https://host/{tenant}
    graph_url: str  # https://graph.microsoft.com (no trailing slash, no version)
    scope: str  # {graph_url}/.default
    instance_discovery: bool  # False when the authority host is not a Microsoft login host


# A directory (tenant) id is a GUID or a domain name; nothing else may enter the authority's path.
_TENANT_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?")


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, lower-cased: where a request to it would go."""
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _https_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise InputError(f"{option} must be an https URL, got {url!r}")
    return url.rstrip("/")


def resolve_endpoints(
    tenant_id: str,
    cloud: str = "global",
    authority: str | None = None,
    graph_url: str | None = None,
) -> Endpoints:
    """Endpoints for a tenant in a cloud; `authority` and `graph_url` override the cloud's.

    An authority without a path gets the tenant appended; one with a path is used as given.
    """
    if cloud not in CLOUDS:
        raise InputError(f"unknown cloud {cloud!r}; choose one of {', '.join(CLOUDS)}")
    if not tenant_id.strip():
        raise InputError("a tenant id is required")
    if not _TENANT_ID.fullmatch(tenant_id.strip()):
        raise InputError("the tenant id must be a directory id (GUID) or a domain name")
    chosen = CLOUDS[cloud]
    base = _https_url(authority, "--authority") if authority else chosen.login
    if not urlsplit(base).path.strip("/"):
        base = f"{base}/{tenant_id.strip()}"
    graph = _https_url(graph_url, "--graph-url") if graph_url else chosen.graph
    host = urlsplit(base).hostname or ""
    return Endpoints(
        authority=base,
        graph_url=graph,
        scope=f"{graph}/.default",
        instance_discovery=host.lower() in MICROSOFT_LOGIN_HOSTS,
    )
