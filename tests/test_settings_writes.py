"""The settings file is written off the GUI thread (Standards: no disk on its critical
path). QSettings wrote it there, at the next turn of the event loop after a change:
a lock file, a temporary file, two fdatasync calls and a rename, each time a case
opened or a search was shown."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from bingrev_desktop.ui.common import settings_writer
from bingrev_desktop.ui.common.settings_store import SettingsStore


def test_a_change_is_written_by_the_writer_thread_not_the_gui_thread(
        qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.ini"
    threads: list[bool] = []
    release = threading.Event()
    original = settings_writer.write_settings_file

    def held(*args: Any) -> None:
        threads.append(threading.current_thread() is threading.main_thread())
        release.wait(10)  # the writer is held back: nothing else may write meanwhile
        original(*args)

    store = SettingsStore(QSettings(str(path), QSettings.Format.IniFormat))
    assert store.wait_written(10)  # the first start's file
    monkeypatch.setattr(settings_writer, "write_settings_file", held)
    store.add_recent_session("/cases/first.bingrev")
    for _ in range(3):
        qapp.processEvents()  # where QSettings used to write the file itself
    assert "first.bingrev" not in path.read_text(encoding="utf-8")
    assert store.recent_sessions() == ["/cases/first.bingrev"]  # read back at once
    release.set()
    assert store.wait_written(10)
    assert "first.bingrev" in path.read_text(encoding="utf-8")
    assert threads and not any(threads)  # every write on the writer's thread
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # private, as before


def test_changes_made_while_it_writes_are_written_next(qapp: Any, tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    store = SettingsStore(QSettings(str(path), QSettings.Format.IniFormat))
    for n in range(40):
        store.add_recent_image(f"https://example.org/{n}.jpg")
        store.count = 10 + n
        qapp.processEvents()
    assert store.wait_written(10)
    on_disk = path.read_text(encoding="utf-8")  # what the next start reads
    assert "count=49" in on_disk and "39.jpg" in on_disk


def test_a_change_after_a_finished_write_is_written_too(qapp: Any, tmp_path: Path) -> None:
    """QSettings asks to be written once until it has written itself: the writer must
    not depend on that request after the first one."""
    path = tmp_path / "settings.ini"
    store = SettingsStore(QSettings(str(path), QSettings.Format.IniFormat))
    store.count = 20
    qapp.processEvents()
    assert store.wait_written(10)
    store.count = 30  # after the first write has finished
    qapp.processEvents()
    assert store.wait_written(10)
    # The file itself: a QSettings of this process would share the unwritten change.
    assert "count=30" in path.read_text(encoding="utf-8")
