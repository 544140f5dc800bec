"""The app in a real X window: Xvfb + Qt's xcb platform plugin, not offscreen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .xserver import xvfb

ROOT = Path(__file__).resolve().parents[1]

# Runs in a child process so this test's QApplication can use xcb while the rest of
# the suite stays offscreen.
CHILD = r"""
import asyncio, sys
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
import qasync
from bingrev_desktop.ui.shell.app import create_application, dispose_widgets
from bingrev_desktop.core.credentials import CredentialStore
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine
from bingrev_desktop.ui.search.controller import SearchController
from bingrev_desktop.ui.shell.main_window import MainWindow
from bingrev_desktop.ui.common.settings_store import SettingsStore

app = create_application(["bingrev-desktop"])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)

async def main():
    with DemoEngine() as engine:
        service = SearchService(engine.base_url, DEMO_API_KEY)
        settings = SettingsStore(QSettings(sys.argv[2], QSettings.Format.IniFormat))
        window = MainWindow(SearchController(service), CredentialStore(), settings, demo=True)
        window.resize(1280, 800)
        window.show()
        window.show_address(engine.query_image_url("lighthouse"))
        await window.controller.wait_idle()
        task = window.search()
        await task
        while window.images.busy:
            await asyncio.sleep(0.05)
        for _ in range(100):  # until the X server shows it (at most 5 s)
            if window.windowHandle().isExposed():
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)  # one more frame painted before grabbing the framebuffer
        assert window.windowHandle().isExposed(), "window not exposed on the X server"
        # Grab the X server's framebuffer, not the widget: proves real X rendering.
        shot = QGuiApplication.primaryScreen().grabWindow(0)
        shot.save(sys.argv[1])
        print("platform", QGuiApplication.platformName())
        print("results", window.results_panel.model.rowCount())
        window.close()
        await window.loader.cancel_and_wait()
        await service.aclose()

with loop:
    loop.run_until_complete(main())
dispose_widgets(app)
"""


def test_real_x_window(tmp_path: Path) -> None:
    with xvfb() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(ROOT)}
        shot = tmp_path / "xvfb.png"
        done = subprocess.run([sys.executable, "-c", CHILD, str(shot), str(tmp_path / "s.ini")],
                              env=env, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "platform xcb" in done.stdout
        assert "results 35" in done.stdout
        from PySide6.QtGui import QImage

        image = QImage(str(shot))
        assert (image.width(), image.height()) == (1280, 800)
        # A real render has many colours (thumbnails), not a blank framebuffer.
        colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
        assert len(colours) > 50
        out = os.environ.get("BINGREV_SCREENSHOT_DIR")
        if out:
            shutil.copy(shot, Path(out) / "xvfb-real-window.png")
