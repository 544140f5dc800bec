"""Peak memory of a window that keeps every picture: 10 searches x 150 results.

    python benchmarks/bench_memory.py

Each figure is measured in its own fresh process in the same run, against the
real demo engine over loopback (offscreen Qt):

* the peer: the same window, shown, with no results;
* the window after 10 searches of 150 results, each with its background fill
  finished (every thumbnail fetched and kept in the case).

The image bytes live in the case's disk spool, not in RAM, so the difference
should be small: the limit printed is 1.5x the empty window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 1.5

CHILD = r"""
import asyncio, json, resource, sys, tempfile
from pathlib import Path
from PySide6.QtCore import QSettings
import qasync
from bingrev_desktop.core.credentials import CredentialStore
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine
from bingrev_desktop.ui.shell.app import create_application, dispose_widgets
from bingrev_desktop.ui.search.controller import SearchController
from bingrev_desktop.ui.shell.main_window import MainWindow
from bingrev_desktop.ui.common.settings_store import SettingsStore

searches = int(sys.argv[1])
app = create_application(["bench"])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
out = {}

async def main():
    with DemoEngine() as engine:
        service = SearchService(engine.base_url, DEMO_API_KEY)
        folder = Path(tempfile.mkdtemp())
        settings = SettingsStore(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
        window = MainWindow(SearchController(service), CredentialStore(), settings)
        window.session.autosave_file = folder / "autosave.bingrev"
        window.resize(1280, 800)
        window.show()
        names = engine.query_image_names()
        for n in range(searches):
            window.show_address(engine.query_image_url(names[n % len(names)]))
            window.search_panel.count_spin.setValue(150)
            window.search_panel.market_combo.set_market(["en-US", "de-DE"][n % 2])
            await window.search()
            record = window.session.current
            while record.missing_thumbnails() or window.loader.busy:
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.5)
        case = window.session.case
        out["pictures"] = sum(len(s.thumbnails) for s in case.searches)
        out["disk_bytes"] = case.blobs.total_bytes()
        out["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        window.session.dirty = False
        window.close()
        await window.loader.cancel_and_wait()
        await service.aclose()

with loop:
    loop.run_until_complete(main())
print(json.dumps(out))
dispose_widgets(app)
"""


def measure(searches: int) -> dict[str, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "QT_API": "pyside6"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(searches)], env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    empty = measure(0)
    full = measure(10)
    ratio = full["peak_rss_kb"] / empty["peak_rss_kb"]
    print("Peak RSS (resident memory), each in a fresh process:")
    print(f"  window with no results (peer)        {empty['peak_rss_kb'] / 1024:7.1f} MB")
    print(f"  10 searches x 150, every picture kept {full['peak_rss_kb'] / 1024:7.1f} MB"
          f"   ratio {ratio:.2f}x   limit {LIMIT:.2f}x   "
          f"{'OK' if ratio <= LIMIT else 'OVER'}")
    print(f"  pictures kept: {full['pictures']}, on disk in the case spool: "
          f"{full['disk_bytes'] / 1024 / 1024:.1f} MB (not in RAM)")


if __name__ == "__main__":
    main()
