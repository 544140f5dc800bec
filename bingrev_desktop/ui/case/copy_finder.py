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

from PySide6.QtCore import QObject, Signal

from ...core.case import SearchRecord
from ...core.case_copies import missing_prints, record_copies
from ...core.duplicates import to_text
from ..results.imaging import fingerprint_async
from .case_images import CaseImages
from .case_session import CaseSession

log = logging.getLogger("bingrev_desktop.copies")

Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]
BATCH = 24  # pictures fingerprinted between two updates of the grid
SETTLE = 0.25  # seconds: pictures arriving in a burst are grouped once, not 150 times


class CopyFinder(QObject):
    copiesChanged = Signal(object)  # dict[int, CopyInfo] of the shown search

    def __init__(self, session: CaseSession, images: CaseImages, spawn: Spawn,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._images = images
        self._spawn = spawn
        self._task: asyncio.Task[None] | None = None
        self._dirty = False
        self._stopped = False
        self._unreadable: set[str] = set()  # pictures Qt cannot decode: not tried again
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

    async def _run(self) -> None:
        while self._dirty:
            self._dirty = False
            record = self._images.record
            if record is None:
                return
            await self._fingerprint(record)
            if record is self._images.record:
                self.copiesChanged.emit(record_copies(self._session.case, record))
            if self._dirty:
                await asyncio.sleep(SETTLE)

    async def _fingerprint(self, record: SearchRecord) -> None:
        case = self._session.case
        blobs = case.blobs
        if record.query_print is None and record.preview_sha256:
            read = functools.partial(blobs.get, record.preview_sha256)
            crop = record.crop_fractions()
            values = [await fingerprint_async(read)]  # the whole image, then the crop
            if crop is not None:
                values.append(await fingerprint_async(read, crop))
            if values[0] is not None:
                record.query_print = ",".join(to_text(v) for v in values if v is not None)
        todo = [d for d in missing_prints(case, record) if d not in self._unreadable]
        for done, digest in enumerate(todo, 1):
            if record is not self._images.record or case is not self._session.case:
                return  # the user moved on
            value = await fingerprint_async(functools.partial(blobs.get, digest))
            if value is None:
                self._unreadable.add(digest)
            else:
                case.prints[digest] = to_text(value)
            if done % BATCH == 0 and record is self._images.record:
                self.copiesChanged.emit(record_copies(case, record))
