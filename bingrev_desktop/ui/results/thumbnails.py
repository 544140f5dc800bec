"""Asynchronous thumbnail loading with an LRU of decoded images (Picard's image cache
between network and view).

Two queues share a bounded set of workers. Tiles the delegate paints go to the
visible queue, served newest-first, so after a scroll the tiles now on screen
load before the ones scrolled past. ``fill()`` puts every other result of the
search on the background queue, served only when nothing visible waits, so the
case keeps every picture without delaying the screen. Given a ``BackgroundFill``
(Qt's network stack), the background queue goes to it in one piece, with no
coroutine per picture; otherwise workers take it one picture at a time. Raw bytes
are not kept here: the source stores them in the case (on disk) and reads them back when an
evicted tile is shown again.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from ...core.errors import UNEXPECTED_THUMBNAIL_ERROR, BingrevError
from ...core.sizes import IMAGE_CONCURRENCY, on_screen_load
from ..common.tasks import pause
from .imaging import THUMB_FIT, decode_tile, in_decode_pool
from .thumbnail_source import (
    BackgroundFill,
    FillArrived,
    NotStoredError,
    StoredPicture,
    ThumbnailSource,
    ThumbState,
)

log = logging.getLogger("bingrev_desktop.thumbnails")

__all__ = ["BackgroundFill", "FillArrived", "NotStoredError", "StoredPicture", "ThumbState",
           "ThumbnailLoader", "ThumbnailSource"]

THUMB_SIZE = THUMB_FIT


if TYPE_CHECKING:
    import asyncio

# asyncio is imported where it is used: the window's first paint builds the grid
# before asyncio and its event loop are loaded.


def _loop_running() -> bool:
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return False  # not even loaded: the window is still being painted the first time
    try:
        return bool(asyncio.get_event_loop().is_running())
    except RuntimeError:
        return False


# Tiles on screen get pumps of their own above the cap, so a tile painted just after
# the background fill took every slot does not wait a whole round behind it.
VISIBLE_EXTRA = 6
SCREEN_DEADLINE = 1.0  # seconds that background work waits for the tiles on screen
FIRST_PAINT_WAIT = 0.15  # ... and for a new grid's first paint to ask for them
SCREEN_POLL = 0.01
FILL_BESIDE_SCREEN = 0.005  # s after the screen's pictures went out: the fill may too
SCREEN_SLOW = 0.25  # ... until then: a tile on screen still out later is slow to come
PUMPS_PER_TURN = 8


class ThumbnailLoader(QObject):
    """Loads thumbnails by URL; emits ``changed(url)`` when one is ready, kept or failed."""

    changed = Signal(str)

    def __init__(self, source: ThumbnailSource, *, concurrency: int = IMAGE_CONCURRENCY,
                 cache_size: int = 400, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self.concurrency = concurrency
        self._cache_size = cache_size
        self._decoded: OrderedDict[str, QImage] = OrderedDict()
        self._states: dict[str, ThumbState] = {}
        self._errors: dict[str, str] = {}
        self._visible: list[str] = []
        self._background: deque[str] = deque()
        self._in_background: set[str] = set()  # what _background holds, for O(1) checks
        self._decode_on_arrival: set[str] = set()  # background loads that became visible
        self._visible_active = 0  # visible loads waiting on the network
        self._screen_sent = 0.0  # when the latest of them went out (time.monotonic)
        self._multiplexed = False  # the thumbnail host speaks HTTP/2
        self._on_screen_loading = 0  # visible loads in flight, from the network or disk
        self._stored: set[str] = set()  # visible ones that only need decoding
        self._pumps: set[asyncio.Task[None]] = set()
        self._filler: BackgroundFill | None = None
        self._fill_task: asyncio.Task[None] | None = None
        self._stopping: set[asyncio.Task[None]] = set()
        self.arrivals: list[str] = []  # order of completed loads (tests, benchmarks)

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

    def request(self, url: str) -> None:
        """Ask for a thumbnail that is on screen; cheap to call on every paint."""
        state = self.state(url)
        needs_decode = state in (ThumbState.READY, ThumbState.KEPT) and url not in self._decoded
        if state is ThumbState.LOADING and url in self._in_background:
            self._background.remove(url)  # it is on screen now: jump the queue
            self._in_background.discard(url)
        elif state is ThumbState.LOADING:
            if url not in self._visible:
                self._decode_on_arrival.add(url)  # in flight in the background: show it
            self._start_pumps()  # queued while the loop was not running: start now
            return
        elif state is not ThumbState.UNKNOWN and not needs_decode:
            return  # evicted or background-kept ones are decoded from the stored bytes
        if needs_decode:
            self._stored.add(url)  # bytes on disk: a decode, no download to wait for
        self._states[url] = ThumbState.LOADING
        self._visible.append(url)
        self._start_pumps()

    def fill(self, urls: Iterable[str]) -> None:
        """Fetch (and so keep) every thumbnail of the search, after the visible ones."""
        for url in urls:
            if self.state(url) is ThumbState.UNKNOWN:
                self._states[url] = ThumbState.LOADING
                self._background.append(url)
                self._in_background.add(url)
        self._start_pumps()

    def use_multiplexed_host(self, loads: int) -> None:
        """The pictures' host answers over one HTTP/2 connection: ``loads`` in flight
        from now on, and the fill may overlap the screen's round (``_fill_window``)."""
        self._multiplexed = True
        self.set_concurrency(loads)

    def set_concurrency(self, loads: int) -> None:
        """More (or fewer) loads in flight from now on."""
        if loads != self.concurrency:
            self.concurrency = loads
            self._start_pumps()

    @property
    def pending_background(self) -> int:
        return len(self._background)

    def _pumps_take_background(self) -> bool:
        # Background loads wait while a visible one is in flight, so what is on screen
        # always arrives first, not merely starts first (a fill in one piece: see
        # _fill_window and its hold).
        return self._filler is None and bool(self._background) and self._visible_active == 0

    def _has_work(self) -> bool:
        return bool(self._visible) or self._pumps_take_background()

    def _start_pumps(self) -> None:
        if not _loop_running():
            return  # Qt painted outside the event loop (shutdown, tests): start later
        import asyncio

        if self._filler is not None and self._background and self._fill_task is None:
            self._fill_task = asyncio.ensure_future(self._run_fill(self._filler))
        cap = self.concurrency + (VISIBLE_EXTRA if self._visible else 0)
        work = len(self._visible) + (len(self._background)
                                     if self._pumps_take_background() else 0)
        room = min(cap - len(self._pumps), work)
        if not self._visible and room > PUMPS_PER_TURN:
            # The background fill starts a few downloads per event-loop turn, so a
            # paint or a click is never queued behind dozens of starts.
            room = PUMPS_PER_TURN
            QTimer.singleShot(0, self._start_pumps)
        for _ in range(room):
            task = asyncio.ensure_future(self._pump())
            self._pumps.add(task)

    # -- control -------------------------------------------------------------------
    def reset(self, source: ThumbnailSource | None = None,
              filler: BackgroundFill | None = None) -> None:
        """Forget everything (a new search or case); cancel what is in flight.
        ``filler`` takes the background fill in one piece (None: the workers do)."""
        self.cancel()
        if source is not None:
            self._source = source
        self._filler = filler
        self._decoded.clear()
        self._states.clear()
        self._errors.clear()
        self.arrivals.clear()

    def cancel(self) -> list[asyncio.Task[None]]:
        """Stop loading; returns the cancelled tasks for callers that await them."""
        self._visible.clear()
        self._background.clear()
        self._in_background.clear()
        self._decode_on_arrival.clear()
        self._stored.clear()
        tasks = list(self._pumps)
        if self._fill_task is not None:
            tasks.append(self._fill_task)
            self._fill_task = None
        for task in tasks:
            task.cancel()
            self._stopping.add(task)  # until it has finished cleaning up
            task.add_done_callback(self._stopping.discard)
        self._pumps.clear()
        for url, state in list(self._states.items()):
            if state is ThumbState.LOADING:
                del self._states[url]
        return tasks

    async def cancel_and_wait(self) -> None:
        """Cancel, and wait for every load cancelled so far to have cleaned up."""
        import asyncio

        self.cancel()
        await asyncio.gather(*self._stopping, return_exceptions=True)

    @property
    def busy(self) -> bool:
        return bool(self._pumps) or self._fill_task is not None

    # -- the background fill in one piece ------------------------------------------
    async def _run_fill(self, filler: BackgroundFill) -> None:
        import asyncio

        task = asyncio.current_task()
        drained = False

        # Bound to this fill: cancelled (a new search, a new case), it may still run a
        # pass before it ends; it must not take from, or report into, the next queue.
        def take() -> str | None:
            nonlocal drained
            if self._fill_task is not task:
                return None
            url = self._take_background()
            drained = drained or url is None
            return url

        def arrived(url: str, error: BaseException | None) -> None:
            if self._fill_task is task:
                self._fill_arrived(url, error)

        try:
            await filler(take, arrived, self._fill_window, lambda: self.screen_busy)
        finally:
            if self._fill_task is task:
                self._fill_task = None
        if self._background and drained and self._fill_task is None:
            self._start_pumps()  # queued after this fill had taken everything

    def _fill_window(self) -> int:
        # While a tile on screen waits on the network, nothing new of the fill starts,
        # but over HTTP/2: once the screen's requests are out (first on the connection)
        # the fill goes beside them, its round overlapping theirs (30 ms later and half
        # of it cost the fill 40 ms, the screen's tiles nothing). A tile on screen slow
        # to come shuts the window again: the fill must not take its bandwidth.
        if not self._visible_active:
            return self.concurrency
        waited = time.monotonic() - self._screen_sent
        if self._multiplexed and FILL_BESIDE_SCREEN <= waited < SCREEN_SLOW:
            return self.concurrency
        return 0

    def _take_background(self) -> str | None:
        if not self._background:
            return None
        url = self._background.popleft()
        self._in_background.discard(url)
        return url

    def _fill_arrived(self, url: str, error: BaseException | None) -> None:
        if self._states.get(url) is not ThumbState.LOADING:
            return  # on screen meanwhile, and loaded there; or forgotten
        if error is not None:
            log.debug("thumbnail failed: %s (%s)", url, error)
            self._states[url] = ThumbState.FAILED
            self._errors[url] = str(error)
        else:
            self._states[url] = ThumbState.KEPT
        self.arrivals.append(url)
        self.changed.emit(url)
        if url in self._decode_on_arrival:  # scrolled onto the screen while in flight
            self._decode_on_arrival.discard(url)
            if error is None:
                self.request(url)  # decoded from the bytes just kept

    async def _pump(self) -> None:
        import asyncio

        task = asyncio.current_task()
        try:
            while self._has_work():
                if self._visible:
                    url = self._visible.pop()  # newest first
                    self._on_screen_loading += 1
                    try:
                        await self._load_visible(url)
                    finally:
                        self._on_screen_loading -= 1
                elif len(self._pumps) > self.concurrency:
                    break  # an extra pump for a tile on screen retires: the cap holds
                elif (queued := self._take_background()) is not None:
                    await self._load(queued, decode=False)
        finally:
            # Leave the count at once, not in a done-callback one loop turn later:
            # a tile painted meanwhile would otherwise wait for a whole round.
            if task is not None:
                self._pumps.discard(task)

    async def _load_visible(self, url: str) -> None:
        if url in self._stored:  # from disk: never holds the fill back
            self._stored.discard(url)
            await self._load(url, decode=True)
            return
        self._screen_sent = time.monotonic()  # each tile on screen gets a head start
        self._visible_active += 1
        urgent = on_screen_load.set(True)  # the network serves it before the fill
        try:
            await self._load(url, decode=True)
        finally:
            on_screen_load.reset(urgent)
            self._visible_active -= 1
        if self._visible_active == 0:
            # The background fill may go on, once the tiles just decoded are painted:
            # starting dozens of downloads first would hold that paint back.
            QTimer.singleShot(0, self._start_pumps)

    @property
    def screen_busy(self) -> bool:
        """A tile on screen is waiting for its picture."""
        return bool(self._visible) or self._on_screen_loading > 0

    async def until_screen_loaded(self, deadline: float = SCREEN_DEADLINE) -> None:
        """Return once the tiles on screen have their pictures, or after ``deadline``
        seconds: work the user does not see (reading the rest of a case, fingerprints)
        waits for this, so it never competes with the first tiles. A grid that asked
        for no tile within FIRST_PAINT_WAIT (hidden, minimised, filtered to nothing)
        has nothing on screen to wait for."""
        import asyncio

        loop = asyncio.get_event_loop()
        start = loop.time()
        while loop.time() < start + deadline and (
                self.screen_busy
                or (not self._states and loop.time() < start + FIRST_PAINT_WAIT)):
            await pause(SCREEN_POLL)

    @staticmethod
    async def _decode(data: bytes | StoredPicture, url: str) -> QImage:
        if isinstance(data, bytes):
            return await in_decode_pool(lambda: decode_tile(data, url))
        return await in_decode_pool(lambda: decode_tile(data.bytes_or_raise(), url))

    async def _load(self, url: str, *, decode: bool) -> None:
        try:
            data = await self._source(url)
            decode = decode or url in self._decode_on_arrival
            self._decode_on_arrival.discard(url)
            image = await self._decode(data, url) if decode else None
        except NotStoredError:
            self._states[url] = ThumbState.NOT_SAVED
        except BingrevError as exc:
            log.debug("thumbnail failed: %s (%s)", url, exc)
            self._states[url] = ThumbState.FAILED
            self._errors[url] = str(exc)
        except Exception:  # a bug must cost one tile, not the grid
            import asyncio

            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError from None  # cleanup noise of a cancelled load
            log.exception("thumbnail crashed: %s", url)
            self._states[url] = ThumbState.FAILED
            self._errors[url] = UNEXPECTED_THUMBNAIL_ERROR
        else:
            if image is None:
                self._states[url] = ThumbState.KEPT
            else:
                self._decoded[url] = image
                while len(self._decoded) > self._cache_size:
                    self._decoded.popitem(last=False)
                self._states[url] = ThumbState.READY
        self.arrivals.append(url)
        self.changed.emit(url)
