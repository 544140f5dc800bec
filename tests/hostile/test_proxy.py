"""A configured proxy carries the app's requests (a real forward proxy on loopback)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bingrev_desktop.core.http import proxy_from_environment, ssl_context
from bingrev_desktop.core.request import ValidationError
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine
from bingrev_desktop.ui.common.network import validate_proxy

from .servers import PNG, RecordingServer, png_server


@pytest.fixture
def proxy() -> Iterator[RecordingServer]:
    with png_server() as server:  # it answers every proxied GET itself
        yield server


def test_requests_go_through_the_proxy_but_not_to_this_computer(
        proxy: RecordingServer, demo_engine: DemoEngine) -> None:
    address = proxy.url

    async def attempt() -> tuple[int, int]:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY, proxy=address) as svc:
            # A name that only the proxy knows: it is not resolved here.
            fetched = await svc.fetcher.fetch("http://images.example.test/cat.png",
                                              allow_local=False)
            local = await svc.fetcher.fetch(demo_engine.query_image_url("city"))
            return len(fetched.data), len(local.data)

    remote, local = asyncio.run(attempt())
    assert remote == len(PNG) and local > 1000
    # A proxied request names the whole URL; the demo engine's went direct.
    assert [path for path, _headers in proxy.requests] == ["http://images.example.test/cat.png"]


def test_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY",
                 "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_from_environment() is None
    monkeypatch.setenv("https_proxy", "proxy.corp.example:3128")
    assert proxy_from_environment() == "http://proxy.corp.example:3128"


def test_proxy_field_validation() -> None:
    assert validate_proxy(" proxy.corp.example:8080 ") == "http://proxy.corp.example:8080"
    assert validate_proxy("") == ""
    for bad in ("ftp://x:21", "http://", "http://host:99999"):
        with pytest.raises(ValidationError):
            validate_proxy(bad)


def test_trust_store_is_the_systems() -> None:
    context, name = ssl_context()
    assert name == "the system's trust store"
    assert context.verify_mode.name == "CERT_REQUIRED"


def test_thumbnails_go_through_the_proxy_when_there_is_one(
        qloop: asyncio.AbstractEventLoop, proxy: RecordingServer) -> None:
    """Qt's thumbnail path cannot carry the user's proxy the way httpx does, so behind a
    proxy the controller keeps to httpx, and the grid loads fewer at a time."""
    from bingrev_desktop.ui.search.controller import SearchController

    async def attempt() -> bytes:
        service = SearchService("https://api.example.test", "k" * 20, proxy=proxy.url)
        controller = SearchController(service)
        try:
            return await controller.fetch_thumbnail("http://tse.example.test/th.png")
        finally:
            await controller.shutdown()
            await service.aclose()

    assert qloop.run_until_complete(attempt()) == PNG
    assert [path for path, _ in proxy.requests] == ["http://tse.example.test/th.png"]


def test_the_background_fill_goes_through_the_proxy_when_there_is_one(
        qloop: asyncio.AbstractEventLoop, proxy: RecordingServer) -> None:
    """The fill in one piece (Qt's stack) would bypass the proxy: behind one, it fetches
    picture by picture through httpx, no more than its window at a time."""
    from bingrev_desktop.ui.search.controller import SearchController

    urls = [f"http://tse.example.test/th{i}.png" for i in range(7)]
    outcomes: dict[str, bytes | None] = {}
    out, most_out = [0], [0]

    def take() -> str | None:
        if not urls:
            return None
        out[0] += 1
        most_out[0] = max(most_out[0], out[0])
        return urls.pop(0)

    def arrived(url: str, data: bytes | None, error: object) -> None:
        out[0] -= 1
        outcomes[url] = data

    async def attempt() -> None:
        service = SearchService("https://api.example.test", "k" * 20, proxy=proxy.url)
        controller = SearchController(service)
        try:
            await controller.fill_thumbnails(take, arrived, lambda: 3, lambda: False)
        finally:
            await controller.shutdown()
            await service.aclose()

    qloop.run_until_complete(attempt())
    assert outcomes == {f"http://tse.example.test/th{i}.png": PNG for i in range(7)}
    assert sorted(path for path, _ in proxy.requests) == sorted(outcomes)
    assert most_out[0] == 3
