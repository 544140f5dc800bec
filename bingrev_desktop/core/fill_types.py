"""The shapes of a background thumbnail fill, in one place for both of its sides.

fill(take, arrived, window, hold) fetches what ``take()`` hands out (None: nothing
more), ``window()`` at a time, and holds finished pictures back while ``hold()`` says
tiles on screen still wait. The network's side reports each picture with its bytes
(``PictureArrived``); the loader's side, having kept them, with the error alone
(``ui.results.thumbnail_source.FillArrived``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .errors import BingrevError

Take = Callable[[], "str | None"]
Window = Callable[[], int]
Hold = Callable[[], bool]
PictureArrived = Callable[[str, "bytes | None", "BingrevError | None"], None]
NetworkFill = Callable[[Take, PictureArrived, Window, Hold], Awaitable[None]]
