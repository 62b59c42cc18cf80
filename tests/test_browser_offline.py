"""The dashboard in Chromium asks nothing of any host but the server it came from."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser import chromium_tab, open_page, settle, streamlit_server

pytestmark = pytest.mark.browser
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def test_no_request_leaves_the_machine(tmp_path):
    requested: list[str] = []
    with streamlit_server(tmp_path / "server.log") as url, chromium_tab(url) as page:
        page.on("request", lambda request: requested.append(request.url))
        page.reload()  # the listener sees the whole first load
        settle(page)
        open_page(page, "Overview")
        open_page(page, "Coverage")
    outside = {
        u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss")
        and urlsplit(u).hostname not in LOOPBACK
    }  # fmt: skip
    assert requested and not outside, sorted(outside)
