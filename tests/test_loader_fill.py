"""The grid's loader hands its background queue to a fill in one piece: a fill that
was cancelled (a new search, a new case) takes nothing from the next queue and
reports nothing into it, and every picture it reports ends its tile's wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bingrev_desktop.core.errors import ImageError
from bingrev_desktop.ui.results import thumbnails
from bingrev_desktop.ui.results.thumbnails import FillArrived, ThumbnailLoader, ThumbState


async def never(url: str) -> bytes:
    raise AssertionError("the fill brings these")


def test_a_cancelled_fill_leaves_the_next_queue_alone(
        qloop: asyncio.AbstractEventLoop) -> None:
    late: list[str | None] = []
    taken: list[str] = []

    async def stale_fill(take: Callable[[], str | None], arrived: FillArrived,
                         window: Callable[[], int], hold: Callable[[], bool]) -> None:
        first = take()
        try:
            await asyncio.sleep(10)
        finally:  # still running a pass after the cancel, as Qt's callbacks may
            late.append(take())
            arrived(first or "", None)

    async def next_fill(take: Callable[[], str | None], arrived: FillArrived,
                        window: Callable[[], int], hold: Callable[[], bool]) -> None:
        while (url := take()) is not None:
            taken.append(url)
            arrived(url, None)

    async def scenario() -> ThumbnailLoader:
        loader = ThumbnailLoader(never)
        loader.reset(never, stale_fill)
        loader.fill(["old-1", "old-2"])
        await asyncio.sleep(0.05)
        loader.reset(never, next_fill)  # cancels the stale fill
        loader.fill(["new-1", "new-2"])
        for _ in range(50):
            if not loader.busy:
                break
            await asyncio.sleep(0.01)
        return loader

    loader = qloop.run_until_complete(scenario())
    assert late == [None]  # the cancelled fill got nothing of the new queue
    assert taken == ["new-1", "new-2"]
    assert loader.state("new-1") is ThumbState.KEPT and loader.state("new-2") is ThumbState.KEPT
    assert loader.state("old-1") is ThumbState.UNKNOWN  # its late report was not taken
    assert not loader.busy


def fill_windows(qloop: asyncio.AbstractEventLoop, *, multiplexed: bool,
                 watch_for: float) -> list[tuple[float, int]]:
    """The fill's window, looked at every 5 ms while a tile on screen is still out."""
    release = asyncio.Event()
    windows: list[tuple[float, int]] = []

    async def slow(url: str) -> bytes:
        await release.wait()  # a picture on screen, still out
        raise ImageError("not needed in this test")

    async def watch(take: Callable[[], str | None], arrived: FillArrived,
                    window: Callable[[], int], hold: Callable[[], bool]) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while loop.time() - start < watch_for:
            windows.append((loop.time() - start, window()))
            await asyncio.sleep(0.005)
        while (url := take()) is not None:
            arrived(url, None)

    async def scenario() -> None:
        loader = ThumbnailLoader(never)
        if multiplexed:
            loader.use_multiplexed_host(96)
        else:
            loader.set_concurrency(96)
        loader.reset(slow, watch)
        loader.request("on-screen")  # the tile on screen goes out first
        await asyncio.sleep(0)
        loader.fill(["background-1", "background-2"])
        await asyncio.sleep(watch_for + 0.05)
        assert loader.state("on-screen") is ThumbState.LOADING  # out all along
        release.set()
        for _ in range(50):
            if not loader.busy:
                break
            await asyncio.sleep(0.01)

    qloop.run_until_complete(scenario())
    return windows


def test_over_http2_the_fill_starts_while_the_screens_pictures_are_still_out(
        qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over HTTP/2, nothing of the fill goes out in the first moments after the tiles
    on screen asked for their pictures (5 ms in the app; 50 here, so a busy machine
    cannot blur it); then all of it may, so its round overlaps theirs instead of
    following it; a tile on screen that is slow to come shuts the window again
    (issue: speed, HTTP/2 fill)."""
    monkeypatch.setattr(thumbnails, "FILL_BESIDE_SCREEN", 0.05)
    windows = fill_windows(qloop, multiplexed=True, watch_for=0.4)
    assert windows[0][1] == 0  # shut at first: the screen's requests lead
    opened = [at for at, size in windows if size == 96]
    assert opened and 0.03 < opened[0] < 0.2  # the whole window, the screen still out
    assert windows[-1][1] == 0  # shut again: the tile on screen is slow to come


def test_over_http1_or_a_proxy_the_fill_waits_for_the_screen(
        qloop: asyncio.AbstractEventLoop) -> None:
    windows = fill_windows(qloop, multiplexed=False, watch_for=0.15)
    assert {size for _at, size in windows} == {0}
