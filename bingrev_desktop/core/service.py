"""One object owns the network: the shared httpx client, the API client, the fetcher.

The UI and the CLI talk to this service; neither creates HTTP clients itself
(the Picard ``webservice`` pattern). Create it inside a running event loop and
close it on quit with :meth:`aclose`.
"""

from __future__ import annotations

import logging
from types import TracebackType

import httpx

from .client import RetryPolicy, XcrawlClient
from .fetcher import ImageFetcher
from .http import make_http_client
from .sizes import IMAGE_CONCURRENCY

log = logging.getLogger("bingrev_desktop.service")


class SearchService:
    def __init__(
        self,
        api_base: str,
        api_key: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        deadline: float = 90.0,
        retry: RetryPolicy | None = None,
        image_concurrency: int = IMAGE_CONCURRENCY,
        proxy: str | None = None,
    ) -> None:
        self.proxy = proxy  # None: direct (the caller decides: Settings, system, env)
        self.http = http or make_http_client(proxy)
        self.client = XcrawlClient(self.http, api_base, api_key, deadline=deadline, retry=retry)
        self.fetcher = ImageFetcher(self.http, concurrency=image_concurrency,
                                    proxied=proxy is not None)

    def __repr__(self) -> str:
        return f"SearchService({self.client!r})"

    @property
    def api_base(self) -> str:
        return self.client.api_base

    def configure(self, api_base: str | None = None, api_key: str | None = None) -> None:
        """Point at another API base and/or key; the HTTP client is kept."""
        if api_base is not None and api_base != self.client.api_base:
            # The user chose this host for their key: it moves along.
            self.client = self.client.moved_to(api_base)
        if api_key is not None:
            self.client.set_api_key(api_key)

    @property
    def closed(self) -> bool:
        return self.http.is_closed

    async def aclose(self) -> None:
        if not self.http.is_closed:
            await self.http.aclose()
            log.debug("http client closed")

    async def __aenter__(self) -> SearchService:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
