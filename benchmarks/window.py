"""The real main window for benchmarks, against a demo engine (offscreen Qt)."""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path
from typing import Any


def open_window(engine: Any) -> Any:
    """A shown 1280x800 window whose service talks to ``engine``; files go to a temp dir."""
    from PySide6.QtCore import QSettings

    from bingrev_desktop.core.credentials import CredentialStore
    from bingrev_desktop.core.service import SearchService
    from bingrev_desktop.demo import DEMO_API_KEY
    from bingrev_desktop.ui.common.settings_store import SettingsStore
    from bingrev_desktop.ui.search.controller import SearchController
    from bingrev_desktop.ui.shell.gc_timer import GarbageCollector, freeze_startup
    from bingrev_desktop.ui.shell.main_window import MainWindow

    folder = Path(tempfile.mkdtemp())
    service = SearchService(engine.base_url, DEMO_API_KEY)
    settings = SettingsStore(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(SearchController(service), CredentialStore(), settings)
    window.session.autosave_file = folder / "autosave.bingrev"
    window.resize(1280, 800)
    window.show()
    # The app's own collector: on the GUI thread, on a timer, start-up frozen (run_app).
    window.collector = GarbageCollector(window)
    freeze_startup()
    return window


async def close_window(window: Any) -> None:
    window.collector.stop()
    gc.unfreeze()  # a second window in the same process starts as the first did
    window.session.discard_changes()
    window.close()
    await window.loader.cancel_and_wait()
    await window.controller.shutdown()
    await window.controller.service.aclose()
