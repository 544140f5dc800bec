"""The GUI thread never reads a case's disk spool: showing stored searches (their
preview, pictures and copy groups) reads it from worker threads only."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from bingrev_desktop.resources import resource_dir
from bingrev_desktop.ui.shell.main_window import MainWindow

from .conftest import wait_until
from .test_window import run


def test_showing_stored_searches_reads_the_spool_off_the_gui_thread(
        qloop: asyncio.AbstractEventLoop, window: MainWindow) -> None:
    on_gui: list[str] = []
    reads: list[str] = []

    async def scenario() -> None:
        assert await window.case_files.open_path(resource_dir() / "samples" / "sample.bingrev")
        blobs = window.session.case.blobs
        original = blobs.get

        def watched(digest: Any) -> bytes | None:
            reads.append(str(digest))
            if threading.current_thread() is threading.main_thread():
                on_gui.append(str(digest))
            return original(digest)

        blobs.get = watched  # type: ignore[method-assign]
        for record in window.session.case.searches[:3]:
            window.case_view.show_record(record)
            await wait_until(lambda r=record: window.controller.preview is not None
                             and window.controller.preview.url == r.image_url
                             and not window.images.busy and not window.copies.busy,
                             message="stored search shown")

    run(qloop, scenario())
    assert reads  # the spool was read: the preview and the pictures
    assert on_gui == []
