"""The grid's background fill in Qt's callbacks keeps every rule of the single fetch
(hop-by-hop checks, the cap, sniffing, a deadline, cancellation), stays within its
window, and holds finished pictures back while tiles on screen wait. Every
connection goes to a loopback listener."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest

from bingrev_desktop.core.errors import ImageError
from bingrev_desktop.qtnet import background_fill
from bingrev_desktop.qtnet.thumbnail_fetcher import QtImageFetcher

from .servers import PNG, RecordingServer, png_server
from .test_qt_thumbnails import loopback_only

Outcome = tuple[str, "bytes | None", "ImageError | None"]


@pytest.fixture
def site() -> Iterator[RecordingServer]:
    with png_server() as server:
        yield server


class Queue:
    """What the grid's loader hands the fill: a queue, and a record of what came back
    and how many were out at once."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = list(urls)
        self.outcomes: list[Outcome] = []
        self.out = self.most_out = 0

    def take(self) -> str | None:
        if not self.urls:
            return None
        self.out += 1
        self.most_out = max(self.most_out, self.out)
        return self.urls.pop(0)

    def arrived(self, url: str, data: bytes | None, error: ImageError | None) -> None:
        self.out -= 1
        self.outcomes.append((url, data, error))

    def by_url(self) -> dict[str, Outcome]:
        return {outcome[0]: outcome for outcome in self.outcomes}


def fill(fetcher: QtImageFetcher, queue: Queue, *, window: Callable[[], int] = lambda: 4,
         hold: Callable[[], bool] = lambda: False) -> asyncio.Future[None]:
    return asyncio.ensure_future(fetcher.fill(queue.take, queue.arrived, allow_local=False,
                                              window=window, hold=hold))


def test_every_picture_arrives_and_no_more_than_the_window_are_out(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer) -> None:
    fetcher = QtImageFetcher(loopback_only)
    queue = Queue([f"{site.url}/p{i}.png" for i in range(30)])
    try:
        qloop.run_until_complete(fill(fetcher, queue, window=lambda: 4))
    finally:
        fetcher.close()
    assert sorted(url for url, _, _ in queue.outcomes) == sorted(
        f"{site.url}/p{i}.png" for i in range(30))
    assert all(data == PNG and error is None for _, data, error in queue.outcomes)
    assert queue.most_out == 4
    assert len(site.requests) == 30


def test_each_hop_is_checked_and_the_cap_and_the_sniffing_hold(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background_fill, "THUMBNAIL_MAX_BYTES", len(PNG) + 8)
    port = site.server_address[1]
    urls = {
        "private": f"{site.url}/redirect-to/http://10.1.2.3:{port}/x.png",
        "moved": f"{site.url}/redirect-to/{site.url}/moved.png",
        "page": f"{site.url}/page",
        "not an address": "http://exa mple.com/x.png",
        "plain": f"{site.url}/plain.png",
        "hostile location": f"{site.url}/redirect-to/http://[x/",  # urljoin raises
        "round and round": f"{site.url}/redirect-to/{site.url}/redirect-to/{site.url}/"
                           f"redirect-to/{site.url}/redirect-to/{site.url}/redirect-to/"
                           f"{site.url}/redirect-to/{site.url}/y.png",
    }
    fetcher = QtImageFetcher(loopback_only)
    queue = Queue(list(urls.values()))
    try:
        qloop.run_until_complete(fill(fetcher, queue))
    finally:
        fetcher.close()
    got = queue.by_url()
    assert got[urls["moved"]][1] == PNG and got[urls["plain"]][1] == PNG
    assert "local network address" in str(got[urls["private"]][2])
    assert "web page" in str(got[urls["page"]][2])
    assert "cannot be loaded" in str(got[urls["not an address"]][2])
    assert "cannot be used" in str(got[urls["hostile location"]][2])  # and the fill went on
    assert "too many times" in str(got[urls["round and round"]][2])

    monkeypatch.setattr(background_fill, "THUMBNAIL_MAX_BYTES", 10)
    fetcher = QtImageFetcher(loopback_only)
    queue = Queue([f"{site.url}/big.png"])
    try:
        qloop.run_until_complete(fill(fetcher, queue))
    finally:
        fetcher.close()
    assert "larger than" in str(queue.outcomes[0][2])


def test_finished_pictures_wait_while_the_screen_does(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    screen_waits = [True]
    fetcher = QtImageFetcher(loopback_only)
    queue = Queue([f"{site.url}/h{i}.png" for i in range(5)])

    async def scenario() -> tuple[int, int]:
        task = fill(fetcher, queue, window=lambda: 8, hold=lambda: screen_waits[0])
        while len(site.requests) < 5:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # answered long ago, but the screen still waits
        held = len(queue.outcomes)
        screen_waits[0] = False
        await task
        return held, len(queue.outcomes)

    try:
        assert qloop.run_until_complete(scenario()) == (0, 5)
        # A screen that waits for ever holds the fill back only so long.
        monkeypatch.setattr(background_fill, "HOLD_LIMIT", 0.3)
        queue = Queue([f"{site.url}/k{i}.png" for i in range(3)])
        began = time.monotonic()
        qloop.run_until_complete(fill(fetcher, queue, hold=lambda: True))
        assert len(queue.outcomes) == 3 and time.monotonic() - began >= 0.3
    finally:
        fetcher.close()


def test_a_shut_window_starts_nothing_until_it_opens(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer) -> None:
    room = [0]
    fetcher = QtImageFetcher(loopback_only)
    queue = Queue([f"{site.url}/w{i}.png" for i in range(6)])

    async def scenario() -> int:
        task = fill(fetcher, queue, window=lambda: room[0])
        await asyncio.sleep(0.3)
        asked = len(site.requests)
        room[0] = 2
        await task
        return asked

    try:
        assert qloop.run_until_complete(scenario()) == 0
    finally:
        fetcher.close()
    assert len(queue.outcomes) == 6 and queue.most_out == 2


def test_deadline_cancel_and_close(qloop: asyncio.AbstractEventLoop, site: RecordingServer,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background_fill, "SWEEP_EVERY", 0.1)
    fetcher = QtImageFetcher(loopback_only, deadline=1.0)

    async def scenario() -> None:
        queue = Queue([f"{site.url}/slow"])
        await fill(fetcher, queue)
        assert "within 1 seconds" in str(queue.outcomes[0][2])

        queue = Queue([f"{site.url}/slow-a", f"{site.url}/slow-b"])
        task = fill(fetcher, queue)
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(3.2)  # the server answers now: nothing may be reported
        assert queue.outcomes == []

        queue = Queue([f"{site.url}/slow-c"])
        task = fill(fetcher, queue)
        await asyncio.sleep(0.2)
        began = time.monotonic()
        fetcher.close()
        await asyncio.wait_for(task, 1.0)  # quitting does not wait for the picture
        assert time.monotonic() - began < 1.0 and queue.outcomes == []

    try:
        qloop.run_until_complete(scenario())
    finally:
        fetcher.close()


def test_a_window_that_reopens_while_a_slow_picture_is_out_goes_on(
        qloop: asyncio.AbstractEventLoop, site: RecordingServer) -> None:
    """Narrowed while two were out (a tile came on screen), then opened again: the
    fill must not wait for the slow one (3 s) before starting the next."""
    room = [2]
    fetcher = QtImageFetcher(loopback_only)
    queue = Queue([f"{site.url}/slow", f"{site.url}/a.png", f"{site.url}/b.png"])

    async def scenario() -> list[str]:
        asked = len(site.requests)
        task = fill(fetcher, queue, window=lambda: room[0])
        while len(site.requests) < asked + 2:  # the slow one and a.png are out
            await asyncio.sleep(0.001)
        room[0] = 0
        while not queue.outcomes:  # a.png came back, the slow one is still out
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        room[0] = 2
        await task
        return [url.rsplit("/", 1)[1] for url, _, _ in queue.outcomes]

    try:
        assert qloop.run_until_complete(scenario()) == ["a.png", "b.png", "slow"]
    finally:
        fetcher.close()
