"""Hostile and read-only case files through the real window."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bingrev_desktop.core.case import Case
from bingrev_desktop.core.casefile import load_case, save_case
from bingrev_desktop.ui.shell.main_window import MainWindow

from ..test_window import run
from .test_case_files import HOSTILE_SQL, crafted


def test_a_hanging_case_file_ends_with_a_message(qloop: asyncio.AbstractEventLoop,
                                                 window: MainWindow, tmp_path: Path) -> None:
    path = crafted(tmp_path, "hang", HOSTILE_SQL["recursive-view"])
    started = time.monotonic()
    assert run(qloop, window.case_files.open_path(path)) is False
    assert time.monotonic() - started < 5
    assert window.banner.title_label.text() == "Cannot open this case file"
    assert "never writes" in window.banner.message_label.text()
    assert window.session.path is None  # the open case is unchanged


def test_a_read_only_case_is_not_replaced_without_asking(
        qloop: asyncio.AbstractEventLoop, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "sealed.bingrev"
    save_case(Case(title="sealed"), path)
    path.chmod(0o400)
    before = path.read_bytes()
    window.session.case.note = "new finding"
    assert run(qloop, window.case_files._save(path)) is False
    box = window.case_files.read_only_dialog
    assert box is not None and "read-only" in box.text()
    assert path.read_bytes() == before
    next(b for b in box.buttons() if b.text() == "Replace it").click()

    async def saved() -> None:
        while window.session.path != path:
            await asyncio.sleep(0.02)

    run(qloop, asyncio.wait_for(saved(), 10))
    assert load_case(path).note == "new finding"
