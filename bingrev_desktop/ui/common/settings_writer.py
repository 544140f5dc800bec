"""The settings file is written off the GUI thread.

QSettings writes its file the next time the event loop runs (an UpdateRequest it
posts to itself), on the GUI thread: a lock file, a temporary file, two fdatasync
calls and a rename. That is 3-4 ms on a fast disk and far more on a slow or network
home, in the middle of opening a case or showing a search. Qt shares one in-memory
copy of a file between every QSettings object of the process (under a mutex), so a
QSettings of the writer's own, on the same file, writes the window's changes.
"""

from __future__ import annotations

import _thread
import contextlib
import logging
import os
import sys
import threading

from PySide6.QtCore import QEvent, QObject, QSettings

log = logging.getLogger("bingrev_desktop.settings")


def shares_pending_changes(settings: QSettings) -> bool:
    """Ini files (and Unix's native format, which is one) keep unwritten changes where
    every QSettings of the file sees them; the Windows registry and macOS preferences
    have stores of their own."""
    if settings.format() == QSettings.Format.IniFormat:
        return True
    native = settings.format() == QSettings.Format.NativeFormat
    return native and not sys.platform.startswith(("win32", "darwin"))


def write_settings_file(path: str, fmt: QSettings.Format) -> None:
    """Write what any QSettings of ``path`` changed, then keep the file private (it holds
    recent addresses and case paths; QSettings creates it with default permissions)."""
    writer = QSettings(path, fmt)
    writer.sync()
    if writer.status() != QSettings.Status.NoError:
        log.warning("the settings file could not be written: %s", writer.status().name)
    if os.name == "posix" and os.path.isfile(path):
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)


class SettingsWriter(QObject):
    """Takes over QSettings' own writes (an event filter on it) and does them in a
    thread of its own, one at a time; changes made during a write are written next.
    QSettings asks for a write only once until it has written itself, so whoever
    changes a value asks too (``request``)."""

    def __init__(self, settings: QSettings) -> None:
        super().__init__(settings)
        self._path, self._format = settings.fileName(), settings.format()
        self._wake = threading.Condition()
        self._pending = False
        self._writing = False
        self._started = False
        settings.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.request()
            return True  # QSettings does not write it on this thread
        return False

    def request(self) -> None:
        with self._wake:
            self._pending = True
            if not self._started:
                self._started = True
                # A bare thread: threading.Thread.start() waits until the new thread
                # runs, 10-30 ms on a busy 2-core machine, here on the GUI thread.
                _thread.start_new_thread(self._run, ())
            self._wake.notify()

    def wait_written(self, timeout: float) -> bool:
        """True once every change asked for so far is on disk (tests, the end)."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._pending and not self._writing,
                                       timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending)
                self._pending, self._writing = False, True
            try:
                write_settings_file(self._path, self._format)
            except Exception:  # the next change tries again; the app goes on
                log.exception("writing the settings file failed")
            finally:
                with self._wake:
                    self._writing = False
                    self._wake.notify_all()
