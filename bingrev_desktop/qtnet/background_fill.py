"""A grid's background fill in Qt's callbacks: no asyncio step per picture.

Fetched one coroutine each, 150 thumbnails cost the GUI thread about 2.4 ms apiece
(a task, a future, a timeout, a wake-up through qasync for every hop), more than
the network itself over HTTP/2. Here one coroutine runs the whole fill: requests
start from a queue the grid's loader owns (``take``), finished replies are noted
by a Qt slot that only appends them to a list, and one timer works that list off
a few milliseconds per pass, so a burst of replies never stalls the window. While
tiles on screen still wait for their pictures (``hold``), finished background
replies wait too: the screen's work comes first on the GUI thread as well as in
Qt's request queue (the fill asks at normal priority, tiles on screen at high).

The rules of the single fetch hold: the address check before each hop, redirects
one hop at a time, the byte cap, a deadline per picture (looked at once a second),
cancellation; the relay is looked at once a second and started again if it died.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import logging
import time
from typing import Protocol

from PySide6.QtCore import QTimer

from ..core.errors import UNEXPECTED_THUMBNAIL_ERROR, ErrorDetail, ImageError
from ..core.fetcher import MAX_REDIRECTS, THUMBNAIL_MAX_BYTES
from ..core.fill_types import Hold, PictureArrived, Take, Window
from .replies import Sent, closing_error, deadline_error, too_many_redirects


class FillNetwork(Protocol):
    """What the fill needs of :class:`~.thumbnail_fetcher.QtImageFetcher`."""

    deadline: float

    @property
    def closed(self) -> bool: ...
    async def ready(self, tls: bool) -> None: ...
    def check(self, url: str, allow_local: bool) -> str: ...
    def send(self, url: str, allow_local: bool, max_bytes: int) -> Sent: ...
    def outcome(self, url: str, sent: Sent) -> tuple[bytes, str | None]: ...
    def redirect_target(self, url: str, location: str, allow_local: bool) -> str: ...

log = logging.getLogger("bingrev_desktop.qtnet")


PASS_BUDGET = 0.004  # seconds of GUI-thread work per pass of the event loop
HOLD_LIMIT = 1.0  # a tile on screen that takes longer holds the fill back no longer
HOLD_POLL_MS = 5  # how often a held fill looks whether the screen is done
WINDOW_POLL_MS = 50  # ... and whether a window narrowed while pictures were out reopened
SWEEP_EVERY = 1.0  # seconds between looks for pictures past their deadline
READY_DEADLINE = 30.0  # seconds for the relay's process and Qt's TLS set-up to start


def _unexpected(url: str) -> ImageError:
    return ImageError(UNEXPECTED_THUMBNAIL_ERROR,
                      ErrorDetail(url=url, cause="unexpected error"))


class _Transfer:
    __slots__ = ("asked", "hops", "sent", "started", "timed_out", "url")

    def __init__(self, asked: str, url: str, started: float) -> None:
        self.asked, self.url, self.started = asked, url, started
        self.hops = 0
        self.sent: Sent | None = None
        self.timed_out = False


class BackgroundFill:
    """``await BackgroundFill(fetcher, take, arrived, ...).run()``: fetches what
    ``take()`` hands out, ``window()`` at a time, and reports each picture through
    ``arrived(url, data, error)`` as it is worked off. Returns when ``take()`` has
    nothing more and nothing is in flight; cancelled, or closed with the app, it
    aborts what is out and reports nothing more."""

    def __init__(self, fetcher: FillNetwork, take: Take, arrived: PictureArrived, *,
                 allow_local: bool, window: Window, hold: Hold) -> None:
        self._fetcher = fetcher
        self._take, self._arrived = take, arrived
        self._allow_local = allow_local
        self._window, self._hold = window, hold
        self._flight: set[_Transfer] = set()
        self._finished: collections.deque[_Transfer] = collections.deque()
        self._held_since: float | None = None
        self._drained = False  # take() had nothing more
        self._idle = asyncio.Event()
        self._loop = asyncio.get_event_loop()  # resumable from Qt's event processing
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._pass)

    async def run(self) -> None:
        if not await self._ready():
            return
        self._pass()
        try:
            while not self._idle.is_set():
                try:
                    async with asyncio.timeout(SWEEP_EVERY):
                        await self._idle.wait()
                except TimeoutError:
                    self._sweep()
                    # The relay may have died (it is looked at once a second): started
                    # again here, the next pictures go to the new one.
                    if not self._idle.is_set() and not await self._ready():
                        return
        finally:
            self.stop()

    async def _ready(self) -> bool:
        """The relay and TLS, within the deadline; False (every picture still queued
        told why) when they cannot be had, or the app closes."""
        try:
            async with asyncio.timeout(READY_DEADLINE):
                await self._fetcher.ready(tls=True)
        except (ImageError, TimeoutError) as exc:  # no network at all, or stuck
            error = exc if isinstance(exc, ImageError) else ImageError(
                "Pictures cannot be downloaded right now. Try again in a moment.",
                ErrorDetail(cause="the address relay did not start in time"))
            for transfer in list(self._flight):  # out already: they say so too
                if transfer.sent is not None:
                    transfer.sent.close()
                    transfer.sent = None
                self._report(transfer, None, error)
            while (url := self._take()) is not None:
                self._arrived(url, None, error)
            return False
        return not self._fetcher.closed

    def stop(self) -> None:
        """Cancelled, or the app closes: every transfer still running is aborted and
        reports nothing more."""
        self._timer.stop()
        flight, self._flight = self._flight, set()
        self._finished.clear()
        for transfer in flight:
            if transfer.sent is not None:
                transfer.sent.close()
        self._idle.set()

    def _sweep(self) -> None:
        if self._fetcher.closed:
            self.stop()
            return
        too_old = time.monotonic() - self._fetcher.deadline
        for transfer in self._flight:
            sent = transfer.sent
            if transfer.started < too_old and sent is not None and not transfer.timed_out \
                    and not sent.reply.isFinished():  # a finished one is only held back
                transfer.timed_out = True
                sent.reply.abort()  # finished follows: reported as out of time

    def _pass(self) -> None:
        """One pass: work off finished replies, then start new ones, within the budget."""
        if self._idle.is_set():
            return
        if not self._loop.is_running():
            # Qt runs timers outside asyncio too (a modal dialog, a test's teardown):
            # what a picture sets off (keeping it, saving the case) needs the loop.
            self._timer.start(HOLD_POLL_MS)
            return
        end = time.perf_counter() + PASS_BUDGET
        holding = self._holding()
        if self._finished and not holding:
            while self._finished and time.perf_counter() < end:
                self._work_off(self._finished.popleft())
        while not self._drained and len(self._flight) < self._window() \
                and time.perf_counter() < end:
            self._start_next()
        room = not self._drained and len(self._flight) < self._window()
        if not self._flight and self._drained:
            self._idle.set()
        elif self._finished or room:
            self._timer.start(HOLD_POLL_MS if self._finished and holding else 0)
        elif not self._drained:
            # The window is shut, or narrower than what is out: look again (a reply
            # that finishes looks at once).
            self._timer.start(HOLD_POLL_MS if not self._flight else WINDOW_POLL_MS)

    def _holding(self) -> bool:
        if not self._hold():
            self._held_since = None
            return False
        now = time.monotonic()
        if self._held_since is None:
            self._held_since = now
        return now - self._held_since < HOLD_LIMIT

    def _start_next(self) -> None:
        url = self._take()
        if url is None:
            self._drained = True
            return
        transfer = _Transfer(url, url, time.monotonic())
        self._flight.add(transfer)
        try:
            transfer.url = self._fetcher.check(url, self._allow_local)
            self._send(transfer)
        except ImageError as exc:
            self._report(transfer, None, exc)
        except Exception:  # a bug costs one picture, not the fill
            log.exception("a background picture could not be started: %s", url)
            self._report(transfer, None, _unexpected(url))

    def _send(self, transfer: _Transfer) -> None:
        transfer.sent = sent = self._fetcher.send(transfer.url, self._allow_local,
                                                  THUMBNAIL_MAX_BYTES)
        sent.reply.finished.connect(functools.partial(self._reply_finished, transfer))

    def _reply_finished(self, transfer: _Transfer) -> None:
        # Only noted here: a burst of replies is worked off over several passes.
        if transfer in self._flight:
            self._finished.append(transfer)
            if not self._timer.isActive() or self._timer.interval() > 0:
                self._timer.start(0)  # now, not at the next look at a narrowed window

    def _work_off(self, transfer: _Transfer) -> None:
        sent, transfer.sent = transfer.sent, None
        if sent is None:
            return
        if transfer not in self._flight:
            sent.close()
            return
        try:
            if self._fetcher.closed:
                raise closing_error(transfer.url)
            if transfer.timed_out:
                raise deadline_error(transfer.url, self._fetcher.deadline)
            data, location = self._fetcher.outcome(transfer.url, sent)
            if location is not None:
                if transfer.hops >= MAX_REDIRECTS:
                    raise too_many_redirects(transfer.url)
                transfer.url = self._fetcher.redirect_target(transfer.url, location,
                                                             self._allow_local)
                transfer.hops += 1
                self._send(transfer)  # the next hop, checked like the first
                return
        except ImageError as exc:
            self._report(transfer, None, exc)
        except Exception:  # a bug costs one picture, not the fill
            log.exception("a background picture could not be taken: %s", transfer.asked)
            self._report(transfer, None, _unexpected(transfer.asked))
        else:
            self._report(transfer, data, None)
        finally:
            sent.close()

    def _report(self, transfer: _Transfer, data: bytes | None, error: ImageError | None
                ) -> None:
        self._flight.discard(transfer)
        try:
            self._arrived(transfer.asked, data, error)
        except Exception:  # a bug costs one picture, not the fill
            log.exception("a background picture could not be taken: %s", transfer.asked)
