"""Asynchronous thumbnail loading with an LRU of decoded images (Picard's image cache
between network and view).

The grid's delegate asks for a thumbnail only when it paints a tile, so only
visible tiles are requested; the queue is served newest-first, so after a
scroll the tiles now on screen load before the ones scrolled past.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from ..core.errors import BingrevError
from .imaging import THUMBNAIL_MAX_PIXELS, decode_image_async

log = logging.getLogger("bingrev_desktop.thumbnails")

ThumbnailSource = Callable[[str], Awaitable[bytes]]
THUMB_SIZE = QSize(220, 165)


class NotStoredError(Exception):
    """Offline: this thumbnail was never loaded, so the case file has no copy."""


class ThumbState(enum.Enum):
    UNKNOWN = "unknown"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"
    NOT_SAVED = "not saved"


class ThumbnailLoader(QObject):
    """Loads thumbnails by URL; emits ``changed(url)`` when one is ready or failed."""

    changed = Signal(str)

    def __init__(self, source: ThumbnailSource, *, concurrency: int = 6,
                 cache_size: int = 400, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._concurrency = concurrency
        self._cache_size = cache_size
        self._decoded: OrderedDict[str, QImage] = OrderedDict()
        self._bytes: dict[str, bytes] = {}  # kept for case files and re-decoding
        self._states: dict[str, ThumbState] = {}
        self._errors: dict[str, str] = {}
        self._queue: list[str] = []
        self._pumps: set[asyncio.Task[None]] = set()

    # -- queries used by the delegate -------------------------------------------
    def image(self, url: str) -> QImage | None:
        image = self._decoded.get(url)
        if image is not None:
            self._decoded.move_to_end(url)
        return image

    def state(self, url: str) -> ThumbState:
        return self._states.get(url, ThumbState.UNKNOWN)

    def error(self, url: str) -> str | None:
        return self._errors.get(url)

    def data(self, url: str) -> bytes | None:
        """The downloaded bytes of a loaded thumbnail (what the grid showed), for saving."""
        return self._bytes.get(url)

    def request(self, url: str) -> None:
        """Ask for a thumbnail; cheap to call on every paint."""
        state = self.state(url)
        evicted = state is ThumbState.READY and url not in self._decoded
        if state is not ThumbState.UNKNOWN and not evicted:
            return  # evicted ones are decoded again from the kept bytes
        self._states[url] = ThumbState.LOADING
        self._queue.append(url)
        while len(self._pumps) < self._concurrency and self._queue:
            task = asyncio.ensure_future(self._pump())
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    # -- control -------------------------------------------------------------------
    def reset(self, source: ThumbnailSource | None = None,
              preload: dict[str, bytes] | None = None) -> None:
        """Forget everything (a new search or case); cancel what is in flight."""
        self.cancel()
        if source is not None:
            self._source = source
        self._decoded.clear()
        self._bytes = dict(preload or {})
        self._states.clear()
        self._errors.clear()

    def cancel(self) -> list[asyncio.Task[None]]:
        """Stop loading; returns the cancelled tasks for callers that await them."""
        self._queue.clear()
        tasks = list(self._pumps)
        for task in tasks:
            task.cancel()
        self._pumps.clear()
        for url, state in list(self._states.items()):
            if state is ThumbState.LOADING:
                del self._states[url]
        return tasks

    async def cancel_and_wait(self) -> None:
        await asyncio.gather(*self.cancel(), return_exceptions=True)

    @property
    def busy(self) -> bool:
        return bool(self._pumps)

    async def _pump(self) -> None:
        while self._queue:
            url = self._queue.pop()  # newest first: what is on screen now
            await self._load(url)

    async def _load(self, url: str) -> None:
        try:
            data = self._bytes.get(url)
            if data is None:
                data = await self._source(url)
            image = await decode_image_async(data, THUMB_SIZE, url, THUMBNAIL_MAX_PIXELS)
        except NotStoredError:
            self._states[url] = ThumbState.NOT_SAVED
        except BingrevError as exc:
            log.debug("thumbnail failed: %s (%s)", url, exc)
            self._states[url] = ThumbState.FAILED
            self._errors[url] = str(exc)
        except Exception:  # a bug must cost one tile, not the grid
            log.exception("thumbnail crashed: %s", url)
            self._states[url] = ThumbState.FAILED
            self._errors[url] = "Unexpected error while loading this thumbnail."
        else:
            self._bytes[url] = data
            self._decoded[url] = image
            while len(self._decoded) > self._cache_size:
                self._decoded.popitem(last=False)
            self._states[url] = ThumbState.READY
        self.changed.emit(url)
