"""Pictures that arrived for the case, written to its disk spool in batches.

A grid's fill brings up to 150 pictures within a few hundred milliseconds. Writing
each in a worker call of its own held the loader's next download (and a tile's
decode) behind a thread hop; here the arrivals of one moment go to the spool in one
transaction (``BlobStore.put_many``), and each is recorded in its search once its
bytes are on disk, so a save never names a picture the spool does not hold.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6

from ...core.blobstore import BlobStore, sha256
from ...core.case import SearchRecord, ThumbnailFailure, utc_now
from .case_session import CaseSession

log = logging.getLogger("bingrev_desktop.picture_keeper")


@dataclass(slots=True)
class _Arrival:
    record: SearchRecord
    url: str
    data: bytes
    blobs: BlobStore  # the spool of the case the picture arrived for


def _write(blobs: BlobStore, datas: list[bytes]) -> list[str]:
    digests = [sha256(data) for data in datas]
    blobs.put_many(zip(digests, datas, strict=True))
    return digests


class PictureKeeper:
    """``keep(record, url, data)``; ``kept`` is called after each batch is on disk."""

    def __init__(self, session: CaseSession, kept: Callable[[], None]) -> None:
        self._session = session
        self._kept = kept
        self._pending: dict[str, _Arrival] = {}
        self._task: asyncio.Task[None] | None = None

    def keep(self, record: SearchRecord, url: str, data: bytes) -> None:
        self._pending[url] = _Arrival(record, url, data, self._session.case.blobs)
        self._session.mark_dirty(quiet=True)  # closing now asks, as for any new work
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._flush())

    @property
    def busy(self) -> bool:
        """Pictures arrived that are not on disk (nor in their search) yet."""
        return bool(self._pending)

    def waiting(self, url: str) -> bytes | None:
        """The bytes of a picture that arrived but is not on disk yet."""
        arrival = self._pending.get(url)
        return arrival.data if arrival is not None else None

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # gather what arrives in the same moment
        while self._pending:
            batch = list(self._pending.values())
            blobs = batch[0].blobs
            batch = [a for a in batch if a.blobs is blobs]  # one spool per transaction
            try:
                digests = await asyncio.to_thread(_write, blobs, [a.data for a in batch])
            except Exception as exc:  # a closed case, a full disk: the pictures are lost
                log.warning("could not keep %d pictures: %r", len(batch), exc)
                if not shiboken6.isValid(self._session):
                    return
                for arrival in batch:
                    self._pending.pop(arrival.url, None)
                    if self._session.case.blobs is blobs:
                        self._session.record_thumbnail_failure(
                            arrival.record, arrival.url,
                            ThumbnailFailure("The picture could not be written to disk.",
                                             utc_now()))
                continue
            if not shiboken6.isValid(self._session):
                return  # the window closed meanwhile: its case went with it
            for arrival, digest in zip(batch, digests, strict=True):
                if self._pending.get(arrival.url) is arrival:
                    del self._pending[arrival.url]
                if self._session.case.blobs is blobs:  # still the open case
                    self._session.keep_thumbnail(arrival.record, arrival.url, digest)
            self._kept()
