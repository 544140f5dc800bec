"""Fingerprints for the shown search's pictures, and its copy groups.

Pictures are fingerprinted from the bytes the case keeps, in the decode pool, as
they arrive (a live search) or all at once (a case saved before copy groups
existed). The groups are rebuilt after each batch and handed to the grid. Nothing
here marks the case as changed: the fingerprints are saved with the next save.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from ...core.case import SearchRecord
from ...core.case_copies import query_print, record_prints
from ...core.duplicates import find_copies, query_prints, to_text
from ..common.tasks import pause
from ..results.imaging import fingerprint_bytes, in_decode_pool
from .case_images import CaseImages
from .case_session import CaseSession

log = logging.getLogger("bingrev_desktop.copies")

Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]
BATCH = 24  # pictures fingerprinted between two updates of the grid
SETTLE = 0.25  # seconds: pictures arriving in a burst are grouped once, not 150 times


def _stored_print(read: Callable[[str], bytes | None], digest: str) -> int | None:
    return fingerprint_bytes(read(digest))


class CopyFinder(QObject):
    copiesChanged = Signal(object)  # dict[int, CopyInfo] of the shown search
    settled = Signal()  # every kept picture of the shown search is fingerprinted

    def __init__(self, session: CaseSession, images: CaseImages, spawn: Spawn,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._images = images
        self._spawn = spawn
        self._task: asyncio.Task[None] | None = None
        self._dirty = False
        self._stopped = False
        self._looking = False
        self._taken: dict[str, str | None] = {}  # picture -> what this window found
        self._taken_queries: dict[object, str | None] = {}  # (searched image, crop): same
        self._emitted_for: SearchRecord | None = None
        images.progressChanged.connect(self.refresh)

    def refresh(self, *_args: object) -> None:
        """Pictures arrived or another search is shown: fingerprint what is new."""
        self._dirty = True
        if self._stopped or (self._task is not None and not self._task.done()):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # Qt signalled outside the loop (closing): nothing to start
            return
        self._task = self._spawn(self._run())

    def stop(self) -> None:
        """The window closes: cancel, and start nothing more."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def looking(self) -> bool:
        """Still fingerprinting the shown search's pictures."""
        return self._looking

    async def _run(self) -> None:
        self._looking = True
        try:
            await self._passes()
        finally:
            self._looking = False
        if self._alive():
            self.settled.emit()

    def _alive(self) -> bool:
        """Not stopped, and not deleted by Qt while a worker ran (a closed window)."""
        return not self._stopped and shiboken6.isValid(self)

    async def _passes(self) -> None:
        while self._dirty:
            self._dirty = False
            record = self._images.record
            if record is None:
                return
            if record is not self._emitted_for:  # what the case holds, once the tiles
                self._emitted_for = record        # on screen are drawn
                await self._images.screen_loaded()
                await self._emit_copies(record)
            await self._fingerprint(record)
            await self._emit_copies(record)
            if self._dirty:
                await pause(SETTLE)

    async def _emit_copies(self, record: SearchRecord) -> None:
        """Group in the decode pool: comparing 150 fingerprints is too long for the GUI
        thread. Only the prints are read here, where the case is changed."""
        if record is not self._images.record:
            return
        prints, queries = record_prints(self._session.case, record), query_prints(
            record.query_print)
        copies = await in_decode_pool(
            lambda: find_copies(record.response.results, prints, queries))
        # The window may have closed (and Qt deleted this object) while the pool worked.
        if record is self._images.record and self._alive():
            self.copiesChanged.emit(copies)

    def _keep(self, digest: str, fingerprint: str | None) -> None:
        if fingerprint is None:
            self._session.case.prints.pop(digest, None)  # not a picture Qt can read
        else:
            self._session.case.prints[digest] = fingerprint

    async def _fingerprint(self, record: SearchRecord) -> None:
        """Take the fingerprints this window has not taken yet. Stored ones count only
        until then: a case from elsewhere may carry prints its pictures do not have."""
        case = self._session.case
        blobs = case.blobs
        query_key = (record.preview_sha256, record.crop_fractions())
        if record.preview_sha256 and query_key not in self._taken_queries:
            read, crop = functools.partial(blobs.get, record.preview_sha256), query_key[1]
            self._taken_queries[query_key] = await in_decode_pool(
                lambda: query_print(read(), crop, fingerprint_bytes))
        if record.preview_sha256:
            record.query_print = self._taken_queries[query_key]
        kept = dict.fromkeys(record.thumbnails.get(u) for u in record.thumbnail_urls())
        todo = []
        for digest in kept:
            if digest is None:
                continue
            if digest in self._taken:  # the same bytes in another case or search
                self._keep(digest, self._taken[digest])
            else:
                todo.append(digest)
        todo.sort(key=lambda d: d in case.prints)  # the missing ones first
        for done, digest in enumerate(todo, 1):
            if self._images.screen_busy:  # the tiles on screen (after a scroll) go first
                await self._images.screen_loaded()
            if record is not self._images.record or case is not self._session.case:
                return  # the user moved on
            value = await in_decode_pool(functools.partial(_stored_print, blobs.get, digest))
            self._taken[digest] = None if value is None else to_text(value)
            self._keep(digest, self._taken[digest])
            if done % BATCH == 0:
                await self._emit_copies(record)
