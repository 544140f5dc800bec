"""What image hosts and result sites get from the app: no cookies, no Referer, no key,
and (for the sites that host results) no name of this app."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from bingrev_desktop.core.fetcher import NEUTRAL_USER_AGENT
from bingrev_desktop.core.service import SearchService

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class CookieSite(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    headers_seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(200)
        self.send_header("Set-Cookie", "track=me; Path=/; Domain=127.0.0.1")
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    CookieSite.headers_seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CookieSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_no_cookies_referer_or_key_and_a_neutral_agent(site: str) -> None:
    async def attempt() -> None:
        async with SearchService("http://127.0.0.1:9", "secret-key-123456") as svc:
            await svc.fetcher.fetch(f"{site}/thumb.png")
            await svc.fetcher.fetch(f"{site}/thumb2.png")  # the cookie must not come back
            await svc.fetcher.fetch(f"{site}/original.png", site_contact=True)
            await svc.fetcher.probe(f"{site}/page.html")

    asyncio.run(attempt())
    seen = CookieSite.headers_seen
    assert len(seen) == 4
    for headers in seen:
        assert "cookie" not in headers and "referer" not in headers
        assert "authorization" not in headers
        assert "secret-key" not in str(headers)
    assert seen[0]["user-agent"].startswith("bingrev-desktop/")  # Bing's thumbnail hosts
    assert seen[2]["user-agent"] == seen[3]["user-agent"] == NEUTRAL_USER_AGENT
