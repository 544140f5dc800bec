"""Result pictures between the network, the grid and the case file.

The grid's loader asks this for a thumbnail's bytes. A picture the case already
holds is read back from its disk spool; a search run in this window fetches the
rest and keeps each one in the case as it arrives, or records why it failed. A
stored search opened from a file is shown strictly from the file: nothing is
fetched unless the user asks to load the missing pictures.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ...core.case import SearchRecord, ThumbnailFailure, utc_now
from ...core.errors import BingrevError, ErrorDetail, ImageError
from ...core.fill_types import Hold, NetworkFill, Take, Window
from ...core.redact import redact
from ..common.next_turn import FILL, NextTurn
from ..results.thumbnails import (
    BackgroundFill,
    FillArrived,
    NotStoredError,
    StoredPicture,
    ThumbnailLoader,
    ThumbnailSource,
)
from .case_session import CaseSession
from .picture_keeper import PictureKeeper

log = logging.getLogger("bingrev_desktop.case_images")

Fetch = Callable[[str], Awaitable[bytes]]
REPORT_EVERY_MS = 50


class StoredFailure(ImageError):
    """The case records that this picture could not be loaded when it was searched."""


def fill_text(record: SearchRecord, fetching: bool) -> tuple[str, bool]:
    """The quiet progress line for one search's pictures, and whether it is complete."""
    kept, failed, missing = record.picture_states()
    total = kept + failed + missing
    if not fetching and missing:
        failures = f" \u00b7 {failed} could not be loaded" if failed else ""
        return (f"{kept} of {total} pictures are kept in the case \u00b7 {missing} were never "
                f"loaded{failures}", False)
    if kept + failed >= total:
        if failed:
            return (f"{kept} of {total} pictures kept in the case \u00b7 {failed} could not be "
                    "loaded", True)
        return (f"All {total} pictures are kept in the case." if total else "", True)
    return f"Keeping pictures {kept + failed} of {total}\u2026", False


class CaseImages(QObject):
    """The thumbnail source for the shown search; keeps what it fetches in the case."""

    progressChanged = Signal(str, bool, bool)  # the line, "complete", "can load the rest"

    def __init__(self, session: CaseSession, loader: ThumbnailLoader, fetch: Fetch,
                 parent: QObject | None = None, *, fill: NetworkFill | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._loader = loader
        self._fetch = fetch
        self._fill_fetch = fill
        self.record: SearchRecord | None = None
        self._owners: dict[str, SearchRecord] = {}  # a sweep: each picture's own search
        # The progress line (and the copy finder behind it) follows the fill at most
        # every REPORT_EVERY_MS: counting 150 results per arrival made the fill's
        # bursts longer than a frame.
        self._report_later = QTimer(self)
        self._report_later.setSingleShot(True)
        self._report_later.setInterval(REPORT_EVERY_MS)
        self._report_later.timeout.connect(self._report)
        self._keeper = PictureKeeper(session, self._report)  # a batch on disk: say so now
        # The fill starts a turn after the grid's first screen asked for its pictures.
        self._fill = NextTurn(self._start_fill, self, order=FILL)
        loader.changed.connect(self._loaded)

    def show(self, record: SearchRecord | None,
             owners: dict[str, SearchRecord] | None = None) -> None:
        """Point the grid's loader at ``record``; a search of this window fills itself.
        ``owners`` (a sweep's merged view) keeps each picture in the search it came from."""
        self.record = record
        self._owners = owners or {}
        if record is None:
            self._loader.reset()
            return
        self._loader.reset(self.source_for(record), self._filler_for(record))
        self._fill(record)

    def _start_fill(self, record: SearchRecord) -> None:
        if record is not self.record:
            return  # another search was shown meanwhile
        if self._may_fetch(record):
            self._loader.fill(record.missing_thumbnails())
        self._report()

    async def screen_loaded(self) -> None:
        """Once the tiles on screen have their pictures (work the user does not see
        waits for this)."""
        await self._loader.until_screen_loaded()

    @property
    def busy(self) -> bool:
        """Loading pictures, or writing ones that arrived to the case's spool."""
        return self._loader.busy or self._keeper.busy or self._fill.pending

    @property
    def screen_busy(self) -> bool:
        return self._loader.screen_busy

    def _may_fetch(self, record: SearchRecord) -> bool:
        if self._owners:
            return any(self._session.may_fetch(s) for s in self._owners.values())
        return self._session.may_fetch(record)

    def load_missing(self) -> None:
        """The user asked to fetch the pictures a stored search never loaded."""
        if self.record is not None:
            for owner in [self.record, *self._owners.values()]:
                self._session.allow_fetch(owner)
            self.show(self.record, self._owners)

    def source_for(self, record: SearchRecord) -> ThumbnailSource:
        owners = self._owners

        async def source(url: str) -> bytes | StoredPicture:
            owner = owners.get(url)
            if owner is None:
                return await self._bytes(record, url)
            try:
                return await self._bytes(owner, url)
            finally:  # the merged view counts what its searches kept
                if url in owner.thumbnails:
                    record.thumbnails[url] = owner.thumbnails[url]
                if url in owner.thumbnail_failures:
                    record.thumbnail_failures[url] = owner.thumbnail_failures[url]
        return source

    def _filler_for(self, record: SearchRecord) -> BackgroundFill | None:
        """The background fill in one piece, keeping each picture as it is worked off.
        A sweep's merged view keeps each picture in its own search: it goes one by one."""
        fill_fetch = self._fill_fetch
        if fill_fetch is None or self._owners:
            return None

        async def fill(take: Take, arrived: FillArrived, window: Window, hold: Hold) -> None:
            def got(url: str, data: bytes | None, error: BingrevError | None) -> None:
                try:
                    if data is not None and error is None:
                        self._keeper.keep(record, url, data)
                    elif error is not None:
                        self._session.record_thumbnail_failure(
                            record, url, ThumbnailFailure(redact(str(error)), utc_now()))
                finally:  # the tile stops waiting whatever happened to the case
                    arrived(url, error)

            await fill_fetch(take, got, window, hold)
        return fill

    async def _bytes(self, record: SearchRecord, url: str) -> bytes | StoredPicture:
        blobs = self._session.case.blobs
        digest = record.thumbnails.get(url)
        if digest is not None and digest in blobs:  # read with the decode, in the pool
            return StoredPicture(functools.partial(blobs.get, digest))
        if not self._session.may_fetch(record):
            failure = record.thumbnail_failures.get(url)
            if failure is not None:
                raise StoredFailure(f"Could not be loaded when searched: {failure.reason}",
                                    ErrorDetail(url=url, cause=failure.at))
            raise NotStoredError(url)
        waiting = self._keeper.waiting(url)
        if waiting is not None:  # arrived a moment ago, on its way to the disk
            return waiting
        try:
            data = await self._fetch(url)
        except BingrevError as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # Stopped by the user (another search, another case): the transport's
                # error is the cancellation's echo, not a fact about the picture.
                raise asyncio.CancelledError from None
            self._session.record_thumbnail_failure(
                record, url, ThumbnailFailure(redact(str(exc)), utc_now()))
            raise
        self._keeper.keep(record, url, data)  # to disk in batches; the tile need not wait
        return data

    def _loaded(self, _url: str) -> None:
        self._report_soon()

    def _report_soon(self) -> None:
        if not self._report_later.isActive():
            self._report_later.start()

    def _report(self) -> None:
        if self.record is None:
            return
        fetching = self._may_fetch(self.record)
        text, complete = fill_text(self.record, fetching)
        self.progressChanged.emit(text, complete, not fetching and not complete)
