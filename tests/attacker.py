"""An HTTPS listener on localhost that records every request: a host a visitor could type."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

import trustme


@dataclass(frozen=True)
class Captured:
    """One request that reached the listener."""

    method: str
    path: str
    headers: str
    body: bytes


class AttackerListener:
    """Records whatever reaches it and answers 200 `{}`; its CA is in `ca_path`."""

    def __init__(self, ca_path: Path) -> None:
        self.captured: list[Captured] = []
        ca = trustme.CA()
        ca.cert_pem.write_to_path(str(ca_path))
        self.ca_path = ca_path
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        captured = self.captured

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                captured.append(Captured(self.command, self.path, str(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _record

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> AttackerListener:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def leaked(self, *secrets: str) -> list[str]:
        """The secrets found in any captured request (path, headers or body)."""
        seen = " ".join(f"{c.path} {c.headers} {c.body.decode('latin-1')}" for c in self.captured)
        return [secret for secret in secrets if secret in seen]
