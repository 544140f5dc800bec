"""Cold start: process start to the main window painted, against its floor.

    python benchmarks/bench_start.py [--runs 5]

Each run is a fresh process (offscreen Qt). The floor is a process that creates a
QApplication and shows an empty QMainWindow, measured in the same run. The limit
is the floor plus 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rows import Row, report  # noqa: E402

LIMIT_EXTRA = 0.150

FLOOR = r"""
import time, sys
start = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(["floor"])
window = QMainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
window.grab()
print(time.time() - start)
"""

APP = r"""
import time, sys
start = float(sys.argv[1])
import argparse, asyncio
import qasync
from bingrev_desktop.ui.shell.app import build_window, create_application
from bingrev_desktop.ui.common.settings_store import SettingsStore
from PySide6.QtCore import QSettings
app = create_application(["bench"])
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)

async def main() -> float:
    settings = SettingsStore(QSettings(sys.argv[2], QSettings.Format.IniFormat))
    window, service, _ = await build_window(argparse.Namespace(demo=False, api_base=None),
                                            settings)
    window.show()
    app.processEvents()
    window.grab()
    painted = time.time() - start
    window.session.discard_changes()
    window.close()
    await service.aclose()
    return painted

with loop:
    print(loop.run_until_complete(main()))
"""


def once(code: str, *extra: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "QT_API": "pyside6"}
    import time

    done = subprocess.run([sys.executable, "-c", code, repr(time.time()), *extra], env=env,
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = max(1, min(args.runs, 20))
    folder = Path(tempfile.mkdtemp())
    floors = [once(FLOOR) for _ in range(runs)]
    apps = [once(APP, str(folder / f"s{i}.ini")) for i in range(runs)]
    floor, app = statistics.median(floors), statistics.median(apps)
    print("Cold start to the window painted (fresh processes):")
    report([Row("start", "process start -> window painted", "s", app, min(apps), floor,
                "empty QMainWindow", floor + LIMIT_EXTRA, "<= floor + 150 ms",
                app <= floor + LIMIT_EXTRA)])


if __name__ == "__main__":
    main()
