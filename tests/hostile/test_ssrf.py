"""Result addresses must never make this computer fetch from its own network.

A real listener on loopback records every connection; every spelling of a local
address, and every redirect into one, must leave it with zero hits. The address
policy itself is tested as a pure function, never by connecting.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address

import pytest

from bingrev_desktop.core.errors import ImageError
from bingrev_desktop.core.fetcher import ImageFetcher, is_public_address
from bingrev_desktop.core.http import make_http_client


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, redirect_to: str | None = None) -> None:
        self.hits: list[str] = []
        self.redirect_to = redirect_to
        super().__init__((host, 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.server.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(server: Recorder) -> Iterator[Recorder]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def listener() -> Iterator[Recorder]:
    yield from serve(Recorder("127.0.0.1"))


def spellings(port: int) -> list[str]:
    names = [f"http://127.0.0.1:{port}/a.png", f"http://127.1:{port}/a.png",
             f"http://2130706433:{port}/a.png", f"http://0x7f000001:{port}/a.png",
             f"http://0177.0.0.1:{port}/a.png", f"http://0:{port}/a.png",
             f"http://0.0.0.0:{port}/a.png", f"http://localhost:{port}/a.png",
             f"http://LOCALHOST.:{port}/a.png", f"http://[::1]:{port}/a.png",
             f"http://[::ffff:127.0.0.1]:{port}/a.png", f"http://[0:0:0:0:0:0:0:1]:{port}/a.png",
             f"http://[::]:{port}/a.png"]
    host = socket.gethostname()
    try:
        if all(ip_address(i[4][0]).is_loopback for i in socket.getaddrinfo(host, port)):
            names.append(f"http://{host}:{port}/a.png")  # a name that resolves to loopback
    except OSError:
        pass
    return names


def test_every_spelling_of_a_local_address_is_refused(listener: Recorder) -> None:
    port = listener.server_address[1]

    async def attempt() -> list[str]:
        async with make_http_client() as http:
            fetcher = ImageFetcher(http, deadline=10)
            accepted = []
            for url in spellings(port):
                try:
                    await fetcher.fetch(url, allow_local=False)
                    accepted.append(url)
                except ImageError:
                    pass
                try:
                    await fetcher.probe(url, allow_local=False)
                    accepted.append(url)
                except ImageError:
                    pass
            return accepted

    assert asyncio.run(attempt()) == []
    assert listener.hits == []


def test_redirects_are_checked_at_every_hop() -> None:
    """An allowed host (here: the test's policy allows only 127.0.0.1) that redirects into
    a refused one (127.0.0.2) is stopped before the second connection."""
    for target in ("127.0.0.2", "[::ffff:127.0.0.2]", "2130706434"):
        inner = Recorder("127.0.0.2")
        for refused in serve(inner):
            where = f"http://{target}:{refused.server_address[1]}/secret.png"
            outer = Recorder("127.0.0.1", redirect_to=where)
            for allowed in serve(outer):
                url = f"http://127.0.0.1:{allowed.server_address[1]}/start.png"

                async def attempt(url: str = url) -> None:
                    async with make_http_client() as http:
                        fetcher = ImageFetcher(
                            http, address_allowed=lambda a: str(a) == "127.0.0.1")
                        with pytest.raises(ImageError, match="local network"):
                            await fetcher.fetch(url, allow_local=False)

                asyncio.run(attempt())
                assert allowed.hits == ["/start.png"]
            assert refused.hits == []


def test_too_many_redirects() -> None:
    for server in serve(Recorder("127.0.0.1")):
        port = server.server_address[1]
        server.redirect_to = f"http://127.0.0.1:{port}/again.png"

        async def attempt(port: int = port) -> None:
            async with make_http_client() as http:
                fetcher = ImageFetcher(http)
                with pytest.raises(ImageError, match="redirected too many times"):
                    await fetcher.fetch(f"http://127.0.0.1:{port}/a.png")

        asyncio.run(attempt())
        assert len(server.hits) == 6  # the first request and 5 redirects


@pytest.mark.parametrize(("address", "public"), [
    ("127.0.0.1", False), ("127.255.0.9", False), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("100.127.255.254", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("255.255.255.255", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("64:ff9b::7f00:1", False),
    ("2002:7f00:1::", False), ("::", False),
    ("93.184.216.34", True), ("8.8.8.8", True), ("2606:4700:4700::1111", True),
    ("::ffff:8.8.8.8", True), ("fec0::1", False), ("64:ff9b:1::a00:1", False),
    ("::ffff:0:7f00:1", False), ("::7f00:1", False), ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", True),
])
def test_address_policy(address: str, public: bool) -> None:
    assert is_public_address(ip_address(address)) is public


def test_pinned_fetch_keeps_the_site_name(listener: Recorder) -> None:
    """The connection goes to the checked address, but the URL, the Host header and the
    recorded final address keep the name (TLS verifies it; pools stay per site)."""
    port = listener.server_address[1]

    async def attempt() -> str:
        async with make_http_client() as http:
            fetcher = ImageFetcher(http, address_allowed=lambda a: a.is_loopback)
            fetched = await fetcher.fetch(f"http://localhost:{port}/named.png",
                                          allow_local=False)
            return fetched.final_url

    assert asyncio.run(attempt()) == f"http://localhost:{port}/named.png"
    assert listener.hits == ["/named.png"]


def test_the_connection_is_checked_again_when_it_opens(listener: Recorder) -> None:
    """DNS rebinding: the name passes the check before the request, but the address the
    connection would open is refused (the policy is asked again at connect time)."""
    port = listener.server_address[1]
    answers = iter([True])  # allowed once (the request-time check), then never

    async def attempt() -> None:
        async with make_http_client() as http:
            fetcher = ImageFetcher(http, address_allowed=lambda a: next(answers, False))
            with pytest.raises(ImageError, match="local network"):
                await fetcher.fetch(f"http://127.0.0.1:{port}/rebound.png", allow_local=False)

    asyncio.run(attempt())
    assert listener.hits == []
