"""Fire-and-forget coroutines from Qt slots, tracked so quitting can cancel them.

asyncio is imported where it is used: the window is built (and painted) before
asyncio and its event loop are loaded."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Executor

log = logging.getLogger("bingrev_desktop.tasks")
T = TypeVar("T")


class TaskSet:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    def cancel_soon(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def cancel_all(self) -> None:
        import asyncio

        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._tasks)


async def in_worker(work: Callable[[], T], executor: Executor | None = None) -> T:
    """asyncio.to_thread(work) (or in ``executor``) without get_running_loop() (see
    :func:`pause`)."""
    import asyncio

    return await asyncio.get_event_loop().run_in_executor(executor, work)


async def pause(seconds: float) -> None:
    """asyncio.sleep(seconds), but not through get_running_loop(): qasync may resume a
    task from Qt's own event processing (a modal dialog, a test between two runs of the
    loop), where no loop counts as running."""
    import asyncio

    loop = asyncio.get_event_loop()
    done: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not done.done():
            done.set_result(None)

    handle = loop.call_later(seconds, wake)
    try:
        await done
    finally:
        handle.cancel()
