"""What image hosts and result sites get from the app: no cookies, no Referer, no key,
and (for the sites that host results) no name of this app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bingrev_desktop.core.fetcher import NEUTRAL_USER_AGENT
from bingrev_desktop.core.service import SearchService

from .servers import RecordingServer, png_server


@pytest.fixture
def site() -> Iterator[RecordingServer]:
    with png_server({"Set-Cookie": "track=me; Path=/; Domain=127.0.0.1"}) as server:
        yield server


def test_no_cookies_referer_or_key_and_a_neutral_agent(site: RecordingServer) -> None:
    base = site.url

    async def attempt() -> None:
        async with SearchService("http://127.0.0.1:9", "secret-key-123456") as svc:
            await svc.fetcher.fetch(f"{base}/thumb.png")
            await svc.fetcher.fetch(f"{base}/thumb2.png")  # the cookie must not come back
            await svc.fetcher.fetch(f"{base}/original.png", site_contact=True)
            await svc.fetcher.probe(f"{base}/page.html")

    asyncio.run(attempt())
    seen = [headers for _path, headers in site.requests]
    assert len(seen) == 4
    for headers in seen:
        assert "cookie" not in headers and "referer" not in headers
        assert "authorization" not in headers
        assert "secret-key" not in str(headers)
    assert seen[0]["user-agent"].startswith("bingrev-desktop/")  # Bing's thumbnail hosts
    assert seen[2]["user-agent"] == seen[3]["user-agent"] == NEUTRAL_USER_AGENT
