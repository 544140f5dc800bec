"""The search workflow without widgets: preview loading, searching, cancelling.

Views call the ``start_*``/``cancel_*`` methods and listen to signals; the
coroutines behind them are plain ``async def`` methods so tests can await them
on a qasync loop (pytest-qt has no qasync support).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Signal

from ...core.client import SearchOutcome
from ...core.errors import (
    UNEXPECTED_THUMBNAIL_ERROR,
    BingrevError,
    ErrorDetail,
    ImageError,
    InvalidResponseError,
    NotAnImageError,
)
from ...core.fetcher import PREVIEW_MAX_BYTES, is_local_address, sniff_image_format
from ...core.files import atomic_write
from ...core.fill_types import Hold, PictureArrived, Take, Window
from ...core.request import SearchRequest, ValidationError
from ...core.service import SearchService
from ..results.imaging import decode_image_async, image_header_size
from .preview import Preview

if TYPE_CHECKING:
    from ...qtnet.thumbnail_fetcher import QtImageFetcher

log = logging.getLogger("bingrev_desktop.controller")

PREVIEW_FIT = QSize(2400, 2400)  # the preview never needs more pixels than this


class SearchController(QObject):
    previewStarted = Signal(str)
    previewProgress = Signal(int, int)
    previewReady = Signal(object)
    previewFailed = Signal(str, object)
    searchStarted = Signal(object)
    searchFinished = Signal(object)
    searchFailed = Signal(object)
    searchCancelled = Signal()
    thumbnailsMultiplexed = Signal()  # a thumbnail host speaks HTTP/2

    def __init__(self, service: SearchService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.preview: Preview | None = None
        self.preview_error: BingrevError | None = None
        self._preview_task: asyncio.Task[None] | None = None
        self._search_task: asyncio.Task[SearchOutcome | None] | None = None
        self.search_started_at: float | None = None
        self._thumbnails: QtImageFetcher | None = None
        self._preparing: asyncio.Task[None] | None = None

    # -- preview ----------------------------------------------------------------
    def start_preview(self, url: str, *, from_result: bool = False) -> asyncio.Task[None]:
        """``from_result``: the address came from a search result (a pivot), so it gets
        the same local-network policy as thumbnails."""
        self.cancel_preview()
        self.preview, self.preview_error = None, None  # at once: the old one no longer applies
        self._preview_task = asyncio.ensure_future(self.load_preview(url, from_result))
        self._prepare_once()  # a search usually follows the preview
        return self._preview_task

    def clear_preview(self) -> None:
        self.cancel_preview()
        self.preview, self.preview_error = None, None

    def cancel_preview(self) -> None:
        if self._preview_task is not None and not self._preview_task.done():
            self._preview_task.cancel()

    def results_may_be_local(self) -> bool:
        """Result addresses may point at this machine only when the service itself is
        local (the demo engine, tests)."""
        return is_local_address(self.service.api_base)

    async def load_preview(self, url: str, from_result: bool = False) -> None:
        self.preview, self.preview_error = None, None
        self.previewStarted.emit(url)
        try:
            fetched = await self.service.fetcher.fetch(
                url, max_bytes=PREVIEW_MAX_BYTES,
                allow_local=not from_result or self.results_may_be_local(),
                site_contact=from_result,
                progress=lambda got, total: self.previewProgress.emit(got, total or -1))
            width, height = await asyncio.to_thread(image_header_size, fetched.data)
            image = await decode_image_async(fetched.data, PREVIEW_FIT, url)
        except ValidationError as exc:
            self._preview_failed(url, ImageError(str(exc)))
            return
        except BingrevError as exc:
            self._preview_failed(url, exc)
            return
        except Exception as exc:  # never leave "Loading the image..." on screen forever
            log.exception("preview failed unexpectedly")
            self._preview_failed(url, ImageError("The image could not be loaded.",
                                                 ErrorDetail(url=url, cause=repr(exc))))
            return
        self.preview = Preview(url, image, width or image.width(), height or image.height(),
                               fetched.format, fetched.data)
        self.previewReady.emit(self.preview)

    def start_stored_preview(self, url: str,
                             read: Callable[[], bytes | None]) -> asyncio.Task[None]:
        """Show a preview from a case file: read from its disk spool and decoded in
        worker threads, no network."""
        self.cancel_preview()
        self.preview, self.preview_error = None, None
        self._preview_task = asyncio.ensure_future(self._stored_preview(url, read))
        return self._preview_task

    async def _stored_preview(self, url: str, read: Callable[[], bytes | None]) -> None:
        self.previewStarted.emit(url)
        data = await asyncio.to_thread(read)  # the disk, never on the GUI thread
        if data is None:
            self._preview_failed(url, ImageError("The searched image was not saved in this case."))
            return
        try:
            width, height = await asyncio.to_thread(image_header_size, data)
            image = await decode_image_async(data, PREVIEW_FIT, url)
        except BingrevError as exc:
            self._preview_failed(url, exc)
            return
        except Exception as exc:
            log.exception("stored preview failed")
            self._preview_failed(url, ImageError("The saved image could not be shown.",
                                                 ErrorDetail(url=url, cause=repr(exc))))
            return
        fmt = sniff_image_format(data[:64]) or "image"
        self.preview = Preview(url, image, width or image.width(), height or image.height(),
                               fmt, data)
        self.previewReady.emit(self.preview)

    def _preview_failed(self, url: str, error: BingrevError) -> None:
        self.preview_error = error
        self.previewFailed.emit(url, error)

    @property
    def preview_is_not_an_image(self) -> bool:
        """The address was reached but is a page or other non-image: don't spend a search."""
        return isinstance(self.preview_error, NotAnImageError)

    # -- search -----------------------------------------------------------------
    @property
    def searching(self) -> bool:
        return self._search_task is not None and not self._search_task.done()

    def start_search(self, request: SearchRequest, *, parent: tuple[int, int] | None = None
                     ) -> asyncio.Task[SearchOutcome | None]:
        """Start a search; a running one is cancelled and replaced. ``parent`` (a pivot's
        origin) comes back in the outcome."""
        self.cancel_search()
        self._search_task = asyncio.ensure_future(self.search(request, parent=parent))
        self._prepare_once()
        return self._search_task

    def _prepare_once(self) -> None:
        if self._preparing is None or self._preparing.cancelled():
            self._preparing = asyncio.ensure_future(self.prepare_thumbnails())

    def cancel_search(self) -> None:
        if self.searching:
            assert self._search_task is not None
            self._search_task.cancel()

    async def search(self, request: SearchRequest, *, parent: tuple[int, int] | None = None
                     ) -> SearchOutcome | None:
        """Run a search; a cancelled one reports ``searchCancelled`` and stays cancelled
        (the CancelledError propagates, so ``task.cancelled()`` is true)."""
        self.search_started_at = time.monotonic()
        self.searchStarted.emit(request)
        try:
            outcome = replace(await self.service.client.search(request), parent=parent)
        except asyncio.CancelledError:
            log.info("search cancelled")
            self._search_ended(None, None)
            raise
        except BingrevError as exc:
            log.info("search failed: %s", type(exc).__name__)
            self._search_ended(None, exc)
            return None
        except Exception as exc:  # a bug must end the busy state and say something
            log.exception("search failed unexpectedly")
            self._search_ended(None, InvalidResponseError(
                "Something unexpected went wrong with this search. Try again; if it keeps "
                "happening, send the details to your IT contact.",
                ErrorDetail(url=request.image_url, cause=repr(exc))))
            return None
        self._search_ended(outcome, None)
        return outcome

    def _search_ended(self, outcome: SearchOutcome | None, error: BingrevError | None) -> None:
        if asyncio.current_task() is not self._search_task:
            return  # replaced by a newer search: its signals speak for it
        self._search_task = None  # before the signals, so ``searching`` is already False
        self.search_started_at = None
        if outcome is not None:
            log.info("search done: %d results", len(outcome.response.results))
            self.searchFinished.emit(outcome)
        elif error is not None:
            self.searchFailed.emit(error)
        else:
            self.searchCancelled.emit()

    async def save_image(self, url: str, path: str) -> int:
        """Download the full image and write it to ``path``; returns the byte count.
        The address came from a result: the same local-network policy as thumbnails."""
        fetched = await self.service.fetcher.fetch(
            url, max_bytes=PREVIEW_MAX_BYTES, site_contact=True,
            allow_local=self.results_may_be_local())
        return await asyncio.to_thread(atomic_write, path, fetched.data)

    def elapsed(self) -> float:
        return 0.0 if self.search_started_at is None else time.monotonic() - self.search_started_at

    async def wait_idle(self) -> None:
        """Wait for the preview and search in flight, if any, to end."""
        tasks = [t for t in (self._preview_task, self._search_task) if t and not t.done()]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def fetch_thumbnail(self, url: str) -> bytes:
        """A result's thumbnail. Result addresses come from the web: they never reach
        into the local network, unless the search service itself is local (demo
        engine, tests). Qt's network stack fetches them (HTTP/2 and TLS in C++, off the
        GUI thread); behind a proxy, httpx does, as it carries the proxy."""
        allow_local = self.results_may_be_local()
        if self.service.proxy is not None:
            return (await self.service.fetcher.fetch(url, allow_local=allow_local)).data
        return await self._thumbnail_fetcher().fetch(url, allow_local=allow_local)

    async def fill_thumbnails(self, take: Take, arrived: PictureArrived, window: Window,
                              hold: Hold) -> None:
        """A grid's background fill in one piece: through Qt's stack, in its callbacks
        (no coroutine per picture); behind a proxy, one fetch per picture through httpx,
        ``window()`` at a time."""
        if self.service.proxy is None:
            await self._thumbnail_fetcher().fill(take, arrived,
                                                 allow_local=self.results_may_be_local(),
                                                 window=window, hold=hold)
            return

        async def one(url: str) -> None:
            try:
                data = await self.fetch_thumbnail(url)
            except Exception as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None  # stopped: not the picture's fault
                if not isinstance(exc, BingrevError):  # a bug costs one picture
                    log.exception("thumbnail crashed: %s", url)
                    exc = ImageError(UNEXPECTED_THUMBNAIL_ERROR)
                arrived(url, None, exc)
            else:
                arrived(url, data, None)

        running: set[asyncio.Future[None]] = set()
        try:
            while True:
                while len(running) < window() and (url := take()) is not None:
                    running.add(asyncio.ensure_future(one(url)))
                if not running:
                    return
                _done, running = await asyncio.wait(running,
                                                    return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    def _thumbnail_fetcher(self) -> QtImageFetcher:
        if self._thumbnails is None:
            from ...qtnet.thumbnail_fetcher import QtImageFetcher

            self._thumbnails = QtImageFetcher(parent=self)
            self._thumbnails.multiplexed.connect(self.thumbnailsMultiplexed)
        return self._thumbnails

    def load_thumbnail_path(self) -> None:
        """Import Qt's network module and make the fetcher (the window calls this as it
        attaches, after the first paint): the first search does not pay for it."""
        if self.service.proxy is None:
            self._thumbnail_fetcher()

    async def prepare_thumbnails(self) -> None:
        """Start the relay and Qt's TLS set-up (in threads; a quarter of a second), so
        the answer's first thumbnails do not wait for them. Started with the preview or
        the search, whichever comes first (a search waits seconds for its answer), not
        at start-up, where it competed with opening a case on a 2-core machine."""
        if self.service.proxy is None:
            try:
                await self._thumbnail_fetcher().prepare()
            except BingrevError as exc:  # no network at all: the thumbnails will say so
                log.info("thumbnail path not ready: %s", exc)

    async def shutdown(self) -> None:
        """Cancel everything in flight; the caller closes the service afterwards."""
        tasks = [t for t in (self._preview_task, self._search_task) if t and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._preparing is not None:
            self._preparing.cancel()
            await asyncio.gather(self._preparing, return_exceptions=True)
            self._preparing = None
        if self._thumbnails is not None:  # a later fetch (Leave the demo) makes a new one
            self._thumbnails.close()
            self._thumbnails = None
