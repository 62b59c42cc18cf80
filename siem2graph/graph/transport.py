"""HTTP to Graph: one session, timeouts, pacing, retries, and HTTP status -> errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson
import requests

from siem2graph.errors import AuthError, GraphError

log = logging.getLogger(__name__)

# Without it, enum members added after unknownFutureValue come back as unknownFutureValue.
PREFER_HEADERS = {"Prefer": "include-unknown-enum-members"}
Timeout = tuple[float, float]
DEFAULT_TIMEOUT: Timeout = (10.0, 90.0)
Clock = Callable[[], float]
Sleep = Callable[[float], None]


class TimeoutSession(requests.Session):
    """A session that puts a (connect, read) timeout on every call that does not set one.

    msal sends its token requests through the same session, so they get the timeout too.
    """

    def __init__(self, timeout: Timeout = DEFAULT_TIMEOUT, verify: str | bool = True) -> None:
        super().__init__()
        self.timeout = timeout
        self.verify = verify

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """requests.Session.request with the session's timeout and CA as defaults.

        Passing `verify` per call makes an explicit CA path win over REQUESTS_CA_BUNDLE;
        `verify=True` still lets requests read REQUESTS_CA_BUNDLE.
        """
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, *args, **kwargs)


def make_session(
    ca_bundle: Path | None = None, timeout: Timeout = DEFAULT_TIMEOUT
) -> TimeoutSession:
    """A session for msal and Graph; `ca_bundle` trusts a private CA (else REQUESTS_CA_BUNDLE)."""
    return TimeoutSession(timeout, str(ca_bundle) if ca_bundle else True)


class TokenSource(Protocol):
    """Anything that hands out a Graph access token, fresh when asked."""

    def token(self, force_refresh: bool = False) -> str:
        """The access token; `force_refresh` skips any cached one."""
        ...


@dataclass
class Counters:
    """What the transport did, for the pull summary."""

    requests: int = 0
    retries: int = 0
    waits: int = 0
    wait_seconds: float = 0.0


class Pacer:
    """Token bucket: at most `burst` + `per_minute` requests in any 60 s (default 145 < 150)."""

    def __init__(
        self,
        per_minute: float = 140.0,
        burst: int = 5,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be > 0 and burst >= 1")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._last = clock()

    def acquire(self) -> float:
        """Take one request slot, sleeping until there is one; returns the seconds slept."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        waited = 0.0
        if self._tokens < 1.0:
            waited = (1.0 - self._tokens) / self._rate
            self._sleep(waited)
            self._last = self._clock()
            self._tokens = 1.0
        self._tokens -= 1.0
        return waited


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry throttled, failing or dropped requests."""

    max_retries: int = 6
    backoff_base: float = 2.0
    backoff_cap: float = 120.0
    max_retry_after: float = 600.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff for the n-th retry (0-based), capped."""
        return float(min(self.backoff_cap, self.backoff_base * 2**attempt))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def _odata_error(response: requests.Response) -> tuple[str, str]:
    try:
        error = orjson.loads(response.content).get("error") or {}
        return str(error.get("code") or ""), str(error.get("message") or "")
    except (ValueError, AttributeError):
        return "", ""


_HINTS = {
    401: "the token was rejected; check the tenant, the app and the cloud",
    403: "the app lacks SecurityAlert.Read.All (application permission) or admin consent",
    404: "not found; check --graph-url and the cloud",
}


def error_for(response: requests.Response) -> GraphError:
    """The one place that maps an HTTP error status to the product's error hierarchy."""
    status = response.status_code
    code, message = _odata_error(response)
    detail = f"{code}: {message}" if code or message else response.reason or "no details"
    text = f"Graph answered HTTP {status} ({detail})"
    if status in _HINTS:
        text = f"{text}; {_HINTS[status]}"
    return AuthError(text) if status in (401, 403) else GraphError(text)


def is_retryable(status: int) -> bool:
    """Throttling and server-side failures are worth another try."""
    return status == 429 or status >= 500


class Transport:
    """GETs JSON from Graph with pacing, Retry-After, backoff and one token refresh on 401."""

    def __init__(
        self,
        session: requests.Session,
        tokens: TokenSource,
        *,
        pacer: Pacer | None = None,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Sleep = time.sleep,
        on_wait: Callable[[float, str], object] | None = None,
        headers: Mapping[str, str] = PREFER_HEADERS,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._pacer = pacer or Pacer(sleep=sleep)
        self._policy = policy
        self._sleep = sleep
        self._on_wait = on_wait
        self._headers = dict(headers)
        self.counters = Counters()

    def _wait(self, seconds: float, why: str) -> None:
        log.info("waiting %.0f s: %s", seconds, why)
        self.counters.waits += 1
        self.counters.wait_seconds += seconds
        if self._on_wait:
            self._on_wait(seconds, why)
        self._sleep(seconds)

    def _send(self, url: str, params: Mapping[str, str] | None, token: str) -> requests.Response:
        paced = self._pacer.acquire()
        if paced > 0:
            self.counters.waits += 1
            self.counters.wait_seconds += paced
        self.counters.requests += 1
        log.debug("GET %s", urlsplit(url).path)  # never the query's next token nor a header
        headers = {**self._headers, "Authorization": f"Bearer {token}"}
        return self._session.get(url, params=params, headers=headers)

    def get_json(self, url: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The JSON object at `url`; raises GraphError/AuthError when retries cannot help."""
        token = self._tokens.token()
        refreshed = False
        attempt = 0
        while True:
            delay: float | None = None
            try:
                response = self._send(url, params, token)
                if response.status_code == 200:
                    body = orjson.loads(response.content)
                    if not isinstance(body, dict):
                        raise ValueError("not a JSON object")
                    return body
            except (requests.ConnectionError, requests.Timeout, ValueError) as exc:
                failure: GraphError = GraphError(f"Graph response lost ({type(exc).__name__})")
                why = "connection dropped or body truncated"
            else:
                failure = error_for(response)
                if response.status_code == 401 and not refreshed:
                    refreshed = True
                    token = self._tokens.token(force_refresh=True)
                    self.counters.retries += 1
                    continue
                if not is_retryable(response.status_code):
                    raise failure
                why = "throttled (429)" if response.status_code == 429 else "server error"
                delay = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt >= self._policy.max_retries:
                raise GraphError(f"{failure} -- gave up after {attempt} retries")
            if delay is None:
                delay = self._policy.backoff(attempt)
            self._wait(min(delay, self._policy.max_retry_after), why)
            attempt += 1
            self.counters.retries += 1
