"""A child process that opens a case file in a real window with no network at all
(run under ``unshare -n``). Tests give the part that inspects the window; the
scaffold opens ``sys.argv[1]`` (settings in ``sys.argv[2]``), closes everything and
prints ``out`` as JSON on the last line."""

from __future__ import annotations

import textwrap

_HEAD = r"""
import asyncio, json, sys
from pathlib import Path
from PySide6.QtCore import QSettings
import qasync
from bingrev_desktop.ui.shell.app import create_application, dispose_widgets
from bingrev_desktop.core.credentials import CredentialStore
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.ui.search.controller import SearchController
from bingrev_desktop.ui.shell.main_window import MainWindow
from bingrev_desktop.ui.common.settings_store import SettingsStore
from bingrev_desktop.ui.results.thumbnails import ThumbState

app = create_application(["t"])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
out = {}

async def main():
    service = SearchService("http://127.0.0.1:9")  # nothing there, and no network anyway
    settings = SettingsStore(QSettings(sys.argv[2], QSettings.Format.IniFormat))
    window = MainWindow(SearchController(service), CredentialStore(), settings)
    window.resize(1280, 800)
    window.show()
    assert await window.case_files.open_path(Path(sys.argv[1]))
    from bingrev_desktop.ui.common import next_turn
    for _ in range(500):  # the panels are drawn in the turns after the case is shown
        if not next_turn.pending():
            break
        await asyncio.sleep(0.01)
"""

_TAIL = r"""
    window.session.discard_changes()
    window.close()
    await window.loader.cancel_and_wait()
    await service.aclose()

with loop:
    loop.run_until_complete(main())
print(json.dumps(out))
dispose_widgets(app)
"""


def offline_window_script(body: str) -> str:
    """``body`` runs inside ``main()`` with ``window``, ``out`` and ``ThumbState``."""
    return _HEAD + textwrap.indent(textwrap.dedent(body), "    ") + _TAIL
