"""Shared fixtures: the real demo engine on loopback, and a qasync event loop."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine


@pytest.fixture
def demo_engine() -> Iterator[DemoEngine]:
    with DemoEngine() as engine:
        yield engine


@pytest.fixture
def demo_key() -> str:
    return DEMO_API_KEY


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test QApplication (pytest-qt has no qasync support)."""
    import qasync

    from bingrev_desktop.ui.shell.gc_timer import GarbageCollector

    qapp.setQuitOnLastWindowClosed(False)  # closing a window must not stop the loop
    collector = GarbageCollector()  # as in the app: no GC in worker threads
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)
    collector.stop()
    qapp.sendPostedEvents(None, 0)  # deleteLater() of closed windows, on this thread
    gc.collect()


class _ErrorRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _app_errors_fail_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """An error the app logs (``log.exception``, a crashed background task) fails the
    test, as Qt warnings do: a catch-all must not hide a bug from the suite. Tests that
    provoke one on purpose mark themselves ``allow_app_errors``."""
    recorder = _ErrorRecorder()
    logger = logging.getLogger("bingrev_desktop")
    logger.addHandler(recorder)
    try:
        yield
    finally:
        logger.removeHandler(recorder)
    if recorder.records and request.node.get_closest_marker("allow_app_errors") is None:
        first = recorder.records[0]
        pytest.fail(f"the app logged an error: {first.name}: {first.getMessage()}"
                    + (f" ({first.exc_info[1]!r})" if first.exc_info else ""))


@pytest.fixture
def new_window(qloop: asyncio.AbstractEventLoop, demo_engine: DemoEngine,
               tmp_path: Any) -> Iterator[Callable[..., Any]]:
    """Makes real main windows against the demo engine (``key=``, ``demo=``); each is
    closed, and its work awaited, after the test."""
    from .test_window import run
    from .ui_helpers import close_window, make_window

    made: list[Any] = []

    def make(**options: Any) -> Any:
        folder = tmp_path / f"window-{len(made)}" if made else tmp_path
        folder.mkdir(exist_ok=True)
        made.append(make_window(demo_engine, folder, **options))
        return made[-1]

    yield make
    for win in made:
        run(qloop, close_window(win))


@pytest.fixture
def window(new_window: Callable[..., Any]) -> Any:
    """The real main window against the demo engine, closed (and awaited) afterwards."""
    return new_window()


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0,
                     message: str = "condition") -> None:
    """Poll while the loop keeps running (Qt events included); fail after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(0.02)


@pytest.fixture(scope="session", autouse=True)
def _dispose_qt_widgets_at_exit() -> Iterator[None]:
    """Delete leftover windows while Qt is alive (PySide6 on 3.11 can crash if the
    interpreter's final GC does it)."""
    yield
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        from bingrev_desktop.ui.shell.app import dispose_widgets

        dispose_widgets(app)

