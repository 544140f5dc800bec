"""What the grid's loader is given and what it says of each picture: a source of
bytes (or of a picture already on disk), a background fill in one piece, and the
states a tile's picture goes through."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable

from ...core.errors import ImageError
from ...core.fill_types import Hold, Take, Window


class StoredPicture:
    """What a source returns for a picture already on disk: the read happens in the
    decode pool together with the decode, one worker hop instead of two."""

    def __init__(self, read: Callable[[], bytes | None]) -> None:
        self.read = read

    def bytes_or_raise(self) -> bytes:
        data = self.read()
        if data is None:  # the case was closed meanwhile
            raise ImageError("The picture is no longer in the open case.")
        return data


ThumbnailSource = Callable[[str], Awaitable["bytes | StoredPicture"]]
# The background fill in one piece (Qt's network stack: no coroutine per picture), as
# the loader sees it: each picture reported with arrived(url, error) once kept
# (core.fill_types has the network's side).
FillArrived = Callable[[str, "BaseException | None"], None]
BackgroundFill = Callable[[Take, FillArrived, Window, Hold], Awaitable[None]]


class NotStoredError(Exception):
    """Offline: this thumbnail was never loaded, so the case file has no copy."""


class ThumbState(enum.Enum):
    UNKNOWN = "unknown"
    LOADING = "loading"
    KEPT = "kept"  # fetched in the background and stored; decoded when shown
    READY = "ready"
    FAILED = "failed"
    NOT_SAVED = "not saved"
