"""Helpers for driving the real window in tests."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from bingrev_desktop.core.credentials import CredentialStore
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine
from bingrev_desktop.ui.common.settings_store import SettingsStore
from bingrev_desktop.ui.search.controller import SearchController
from bingrev_desktop.ui.shell.main_window import MainWindow


def make_window(engine: DemoEngine, tmp_path: Path, *, key: str | None = DEMO_API_KEY,
                demo: bool = False) -> MainWindow:
    service = SearchService(engine.base_url, key)
    settings = SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    credentials = CredentialStore(service=f"bingrev-desktop-test-{uuid.uuid4().hex[:8]}")
    window = MainWindow(SearchController(service), credentials, settings, demo=demo)
    window.session.autosave_file = tmp_path / "autosave" / "unsaved.bingrev"
    window.resize(1280, 800)
    window.show()
    return window


async def close_window(window: MainWindow) -> None:
    window.session.dirty = False  # tests don't answer the "save changes?" question
    window.close()
    await window.tasks.cancel_all()
    await window.loader.cancel_and_wait()
    await window.evidence.tasks.cancel_all()
    await window.evidence_view.tasks.cancel_all()
    await window.keys.tasks.cancel_all()
    await window.sweeps.tasks.cancel_all()
    await window.controller.shutdown()
    await window.session.tasks.cancel_all()
    await window.case_files.tasks.cancel_all()
    await window.controller.service.aclose()
    await window.demo_mode.stop()
    window.deleteLater()


def mouse(widget: QWidget, kind: QEvent.Type, pos: QPointF,
          buttons: Qt.MouseButton = Qt.MouseButton.LeftButton) -> None:
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    global_pos = QPointF(widget.mapToGlobal(QPoint(int(pos.x()), int(pos.y()))))
    event = QMouseEvent(kind, pos, global_pos, button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget: QWidget, start: QPointF, end: QPointF, steps: int = 5) -> None:
    mouse(widget, QEvent.Type.MouseButtonPress, start)
    for i in range(1, steps + 1):
        t = i / steps
        mouse(widget, QEvent.Type.MouseMove,
              QPointF(start.x() + (end.x() - start.x()) * t, start.y() + (end.y() - start.y()) * t))
    mouse(widget, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


async def settle(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)
