"""`serve-siem-api`: a local HTTP endpoint with the SIEM API's contract over bridge records.

`GET /api/alerts` answers a bare JSON array, as the SIEM API did; a bad parameter gets 400 with
`{"error": ...}`; with a token configured, a request without `Authorization: Bearer <token>` gets
401. Other paths get 404. Listens on localhost unless told otherwise.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from siem2graph.bridge.live import Served
from siem2graph.bridge.query import Query, QueryError, RecordIndex
from siem2graph.errors import Siem2GraphError

ALERTS_PATHS = frozenset({"/api/alerts", "/api/alert"})  # matched case-insensitively
PARTIAL_HEADER = "X-Siem2graph-Partial"  # set when the answer comes from a partial pull
Records = Callable[[Query], Served]
log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class SiemApiServer:
    """The endpoint over saved records (a RecordIndex) or live ones (a callable such as
    LiveRecords); use as a context manager or start()/stop()."""

    def __init__(
        self,
        records: RecordIndex | Records,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._records: Records = (
            (lambda _query: Served(records)) if isinstance(records, RecordIndex) else records
        )
        self._token = token
        self._clock = clock
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body, partial = server.answer(self.path, self.headers.get("Authorization"))
                self.send_response(status)
                if partial:
                    self.send_header(PARTIAL_HEADER, partial.encode("ascii", "replace").decode())
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if status == 401:
                    self.send_header("WWW-Authenticate", "Bearer")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                log.info("%s %s", self.address_string(), format % args)

        self._http = ThreadingHTTPServer((host, port), Handler)
        self._http.daemon_threads = True
        self.host, self.port = self._http.server_address[:2]
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host!s}:{self.port}"

    def answer(self, target: str, authorization: str | None) -> tuple[int, bytes, str]:
        """(status, JSON body, why the answer may be incomplete) for one GET request."""
        if self._token is not None and not self._authorised(authorization):
            return 401, orjson.dumps({"error": "a bearer token is required"}), ""
        parts = urlsplit(target)
        if parts.path.rstrip("/").lower() not in ALERTS_PATHS:
            return 404, orjson.dumps({"error": "not found: the endpoint is GET /api/alerts"}), ""
        try:
            query = Query.parse(parse_qs(parts.query, keep_blank_values=True), self._clock())
            served = self._records(query)
        except QueryError as exc:
            return 400, orjson.dumps({"error": str(exc)}), ""
        except Siem2GraphError as exc:
            log.warning("the records could not be had: %s", exc)
            return 502, orjson.dumps({"error": f"Graph could not be read: {exc}"}), ""
        return 200, orjson.dumps(served.index.select(query)), served.partial_reason

    def _authorised(self, authorization: str | None) -> bool:
        scheme, _, token = (authorization or "").partition(" ")
        expected = self._token or ""
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)

    def start(self) -> SiemApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def serve_forever(self) -> None:
        """Serve until interrupted."""
        try:
            self._http.serve_forever()
        finally:
            self._http.server_close()

    def __enter__(self) -> SiemApiServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
