"""Staff flows in a real X window under Xvfb, driven by xdotool: real drags from a
second window (a drag source of the test's own), and keyboard only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .xserver import need, xvfb

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, json, subprocess, sys, tempfile, threading
from pathlib import Path
import qasync
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QApplication, QWidget
from bingrev_desktop.core.casefile import load_case
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.shell.app import create_application, dispose_widgets
from tests.ui_helpers import close_window, make_window

app = create_application(["bingrev-desktop"])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
out = {"drops": {}}


class DragSource(QWidget):
    # A second window: pressing and moving on it starts a real drag of ``mime_parts``.
    def __init__(self):
        super().__init__()
        self.setWindowTitle("drag source")
        self.mime_parts = {}
        self._press = None

    def mousePressEvent(self, event):
        self._press = event.position().toPoint()

    def mouseMoveEvent(self, event):
        if self._press is None:
            return
        if (event.position().toPoint() - self._press).manhattanLength() < 8:
            return
        self._press = None
        mime = QMimeData()
        if "urls" in self.mime_parts:
            mime.setUrls([QUrl(u) for u in self.mime_parts["urls"]])
        if "html" in self.mime_parts:
            mime.setHtml(self.mime_parts["html"])
        if "text" in self.mime_parts:
            mime.setText(self.mime_parts["text"])
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.CopyAction)


def xdo(*args):
    subprocess.run(["xdotool", *[str(a) for a in args]], check=True, timeout=30)


async def xdo_async(*args):
    await asyncio.to_thread(xdo, *args)


def centre(widget):
    point = widget.mapToGlobal(widget.rect().center())
    return point.x(), point.y()


async def until(predicate, timeout=10.0):
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def focus(window):
    # What a window manager does for a new window or dialog (Xvfb runs none).
    await xdo_async("windowfocus", "--sync", int(window.winId()))
    await asyncio.sleep(0.2)


async def drag_to(source, target):
    sx, sy = centre(source)
    tx, ty = centre(target)
    await xdo_async("mousemove", sx, sy, "mousedown", "1", "sleep", "0.1",
                    "mousemove", sx + 15, sy + 15, "sleep", "0.2",
                    "mousemove", (sx + tx) // 2, (sy + ty) // 2, "sleep", "0.2",
                    "mousemove", tx, ty, "sleep", "0.3", "mousemove", tx + 2, ty + 2,
                    "sleep", "0.3", "mouseup", "1")


async def main():
    with DemoEngine() as engine:
        folder = Path(tempfile.mkdtemp())
        window = make_window(engine, folder)
        window.move(0, 0)
        source = DragSource()
        source.setGeometry(1300, 100, 200, 150)
        source.show()
        await until(lambda: window.windowHandle().isExposed() and source.windowHandle().isExposed())
        await asyncio.sleep(0.3)
        window.show_address(engine.query_image_url("lighthouse"))
        await window.controller.wait_idle()
        await window.search()
        panel, results = window.search_panel, window.results_panel
        results.view.setCurrentIndex(results.proxy.index(1, 0))  # the note box is shown
        await asyncio.sleep(0.2)
        targets = {"preview": panel.crop_view, "address": panel.url_edit,
                   "filter": results.filter_edit, "grid": results.view.viewport(),
                   "count": panel.count_spin, "market": panel.market_combo,
                   "crop field": panel.crop_fields["car"], "result note": window.details.note,
                   "status bar": window.statusBar(), "sort": results.sort_combo,
                   "case note": window.history.note}
        names = ["city", "mountain"]
        for n, (name, target) in enumerate(targets.items()):
            if name == "case note":
                window.side_tabs.setCurrentWidget(window.history)
                await asyncio.sleep(0.2)
            url = engine.query_image_url(names[n % 2])
            source.mime_parts = {"urls": [url], "text": url}
            await drag_to(source, target)
            ok = await until(lambda u=url: window.controller.preview is not None
                             and window.controller.preview.url == u)
            out["drops"][name] = {"shown": ok, "address": panel.url_edit.text() == url,
                                  "filter": results.filter_edit.text(),
                                  "note": window.details.note.toPlainText()
                                  + window.history.note.toPlainText()}
        # A thumbnail inside a link to its full-size image.
        full = f"{engine.base_url}/img/q-lighthouse.png?w=1600&h=1200"
        thumb = f"{engine.base_url}/thumb/q-lighthouse.png?w=200&h=150"
        source.mime_parts = {"urls": [full], "html": f'<a href="{full}"><img src="{thumb}"></a>'}
        await drag_to(source, panel.crop_view)
        out["linked"] = {"full": await until(lambda: window.controller.preview is not None
                                             and window.controller.preview.url == full),
                         "note": panel.source_note.isVisible()}

        # An impossible crop typed into the fields, then Ctrl+Enter: nothing is sent.
        sent = len(engine.search_requests)
        for key, value in (("cal", "60"), ("car", "30")):  # right of 30 % < left of 60 %
            x, y = centre(panel.crop_fields[key])
            await xdo_async("mousemove", x, y, "click", "1", "sleep", "0.1", "key", "ctrl+a",
                            "type", value, "sleep", "0.1", "key", "Tab", "sleep", "0.2")
        await xdo_async("key", "ctrl+Return", "sleep", "0.5")
        out["invalid crop"] = {"error shown": panel.crop_error.isVisible(),
                               "button off": not panel.search_button.isEnabled(),
                               "nothing sent": len(engine.search_requests) == sent}
        window.session.discard_changes()
        await close_window(window)
        source.close()

        # Keyboard only, from start-up to a starred, noted result saved in a case.
        window = make_window(engine, folder / "keys")
        window.move(0, 0)
        await until(lambda: window.windowHandle().isExposed())
        await focus(window)
        target = folder / "keyboard-case.bingrev"
        steps = [("type", "--delay", "5", engine.query_image_url("portrait")), ("key", "Return")]
        for step in steps:
            await xdo_async(*step)
        await until(lambda: window.controller.preview is not None)
        await xdo_async("key", "ctrl+Return")
        await until(lambda: window.session.current is not None and not window.controller.searching)
        await xdo_async("key", "ctrl+r", "sleep", "0.2", "key", "s")
        # Starring keeps a full-size copy: the first time, the app asks before it contacts
        # the site. Enter answers with the default, "Contact the sites".
        asked = await until(lambda: window.evidence.consent_dialog is not None
                            and window.evidence.consent_dialog.isVisible())
        if asked:
            await focus(window.evidence.consent_dialog)
        await xdo_async("key", "Return", "sleep", "0.3")
        await focus(window)
        await xdo_async("key", "n", "sleep", "0.2")
        out["consent asked"] = asked
        await xdo_async("type", "--delay", "5", "Seen on a news site")
        await xdo_async("key", "Tab", "sleep", "0.2", "key", "ctrl+s")
        await until(lambda: window.case_files.last_dialog is not None
                    and window.case_files.last_dialog.isVisible())
        await focus(window.case_files.last_dialog)
        await xdo_async("type", "--delay", "5", str(target))
        await xdo_async("key", "Return")
        await until(lambda: target.exists() and not window.session.dirty)
        if target.exists():
            case = load_case(target)
            record = case.searches[-1]
            out["keyboard"] = {"stars": sorted(record.stars), "notes": list(record.notes.values())}
        else:
            out["keyboard"] = {"saved": False, "focus": type(QApplication.focusWidget()).__name__}
        window.session.discard_changes()
        await close_window(window)

with loop:
    loop.run_until_complete(main())
print(json.dumps(out))
dispose_widgets(app)
"""


def test_drops_linked_thumbnails_invalid_crop_and_keyboard_only(tmp_path: Path) -> None:
    need("xdotool")
    with xvfb("1600x1000") as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                              text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    for name, drop in found["drops"].items():
        assert drop == {"shown": True, "address": True, "filter": "", "note": ""}, name
    assert found["linked"] == {"full": True, "note": True}
    assert found["invalid crop"] == {"error shown": True, "button off": True,
                                     "nothing sent": True}
    keyboard = found["keyboard"]
    assert found["consent asked"]
    assert keyboard.get("stars"), keyboard
    assert keyboard["notes"] == ["Seen on a news site"]
