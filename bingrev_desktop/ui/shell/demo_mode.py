"""The demo, reachable from the running window: staff never start the app from a
terminal, so *Try the demo* starts the demo engine in-process and opens the sample.

Entering swaps the service to a client of the loopback demo engine (the real key is
set aside, never sent there); leaving puts the real client back and stops the engine.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ...core.client import XcrawlClient
from ...resources import resource_dir

log = logging.getLogger("bingrev_desktop.demo_mode")

SAMPLE_NAME = "sample.bingrev"
DEMO_PORT = 8765


def start_demo_engine() -> Any:
    """The demo engine on its usual port when free, so the bundled sample case's links
    work; any free port otherwise. Blocking: call it in a worker thread."""
    from ...demo import DemoEngine

    try:
        return DemoEngine(port=DEMO_PORT, latency=1.5).start()
    except OSError:
        return DemoEngine(latency=1.5).start()


def sample_case() -> Path:
    return resource_dir() / "samples" / SAMPLE_NAME


class DemoMode(QObject):
    """Owns the demo engine of a window; ``changed(bool)`` when the demo starts or ends."""

    changed = Signal(bool)

    def __init__(self, window: Any, engine: Any = None) -> None:
        # ``window`` is the MainWindow that owns this (typed loosely: it imports us).
        super().__init__(window)
        self._window = window
        self.engine = engine  # started by --demo, or by enter()
        self._real_client: XcrawlClient | None = None
        self._busy = False

    @property
    def active(self) -> bool:
        return self.engine is not None

    def toggle(self) -> None:
        """Help › Try the demo / Leave the demo."""
        if self.active:
            self.request_leave()
        else:
            self.request_enter()

    def request_enter(self) -> None:
        """*Try the demo*: asks about unsaved work first, like opening a case."""
        if not self.active:
            self._window.case_files.confirm_discard(
                lambda: self._window.tasks.spawn(self.enter()))

    def request_leave(self) -> None:
        if self.active:
            self._window.case_files.confirm_discard(
                lambda: self._window.tasks.spawn(self.leave()))

    async def enter(self) -> bool:
        """Start the demo in this window and show the sample case (unsaved work was
        dealt with by the caller). False if the engine could not start."""
        window = self._window
        if self.active or self._busy:
            return self.active
        self._busy = True
        try:
            window.statusBar().showMessage("Starting the demo\u2026")
            try:
                self.engine = await asyncio.to_thread(start_demo_engine)
            except OSError as exc:
                log.warning("demo engine did not start: %s", exc)
                window.banner.show_message(
                    "The demo could not start",
                    "The sample search engine could not open a port on this computer. "
                    "Close other copies of the app and try again.",
                    details=str(exc), level="warning")
                return False
            from ...demo import DEMO_API_KEY

            service = window.controller.service
            self._real_client = service.client
            demo_client = service.client.moved_to(self.engine.base_url)
            demo_client.set_api_key(DEMO_API_KEY)  # a new client: the real key stays put
            service.client = demo_client
            window.set_demo(True)
            self.changed.emit(True)
            await open_sample(window, self.engine)
            window.statusBar().showMessage("Demo started: sample data, nothing is sent to Bing.")
            return True
        finally:
            self._busy = False

    async def leave(self) -> bool:
        """Back to real searches with the user's own key; the sample case is closed."""
        window = self._window
        if not self.active or self._busy:
            return not self.active
        self._busy = True
        try:
            await window.controller.shutdown()  # cancels the preview and search in flight
            await window.loader.cancel_and_wait()
            window.session.discard_changes()
            window.session.new()
            window.case_files.caseShown.emit()
            service = window.controller.service
            if self._real_client is not None:
                service.client = self._real_client
                self._real_client = None
            await asyncio.to_thread(self.engine.stop)
            self.engine = None
            window.set_demo(False)
            self.changed.emit(False)
            window.statusBar().showMessage("Demo closed. Drop an image onto the window to begin.")
            if not service.client.has_key:  # real searches need one: load it, or ask
                await window.keys.initialize(ask=True)
            return True
        finally:
            self._busy = False

    async def stop(self) -> None:
        """On quit: stop the engine if one runs."""
        if self.engine is not None:
            engine, self.engine = self.engine, None
            await asyncio.to_thread(engine.stop)


async def open_sample(window: Any, engine: Any) -> None:
    """The bundled sample case as an unsaved copy; a plain query image if it is missing."""
    sample = sample_case()
    if sample.is_file() and await window.case_files.open_path(sample):
        window.session.work_on_copy("Sample case")
        searches = window.session.case.searches
        if searches:  # the story starts at the first search, not the last pivot
            window.case_view.show_record(searches[0])
    else:
        window.show_address(engine.query_image_url("lighthouse"))
