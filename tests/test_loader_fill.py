"""The grid's loader hands its background queue to a fill in one piece: a fill that
was cancelled (a new search, a new case) takes nothing from the next queue and
reports nothing into it, and every picture it reports ends its tile's wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

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
