"""Cold start: process start to the main window painted, against its floor.

    python benchmarks/bench_start.py [--runs 9]

Each run is a fresh process (offscreen Qt, a new user's empty settings) starting as
the installed ``bingrev-desktop`` does, through ``cli.main``: the window's widgets are
shown and painted first, then asyncio, the network stack, the keyring and the flows
load. The floor is a process that creates a QApplication and shows an
empty QMainWindow, measured in the same run. The limit is the floor plus 150 ms.
"Ready for input" (the flows attached) is printed beside it, without a target.
"""

from __future__ import annotations

import argparse
import compileall
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
import bingrev_desktop.ui.shell.app as app_module

marks = []
original_paint, original_attach = app_module.paint_first, app_module.attach_services

def paint_first(*args, **kwargs):
    window = original_paint(*args, **kwargs)
    window.grab()
    marks.append(time.time() - start)
    print(",".join(m for m in HEAVY if m in sys.modules) or "-")
    return window

async def attach_services(window, *args, **kwargs):
    attached = await original_attach(window, *args, **kwargs)
    window.grab()
    marks.append(time.time() - start)
    window.session.discard_changes()
    window.close()  # run_window then shuts everything down as on a user's quit
    return attached

app_module.paint_first, app_module.attach_services = paint_first, attach_services
from bingrev_desktop.cli import main  # what the installed bingrev-desktop runs
main([])
print(*marks)
"""
# Loaded by then, these would show in `python -X importtime` before the first paint.
HEAVY = ("asyncio", "ssl", "httpx", "httpcore", "h2", "keyring", "qasync", "bingrev_desktop.demo",
         "bingrev_desktop.core.service", "bingrev_desktop.ui.case.case_flow",
         "bingrev_desktop.ui.case.history_panel", "bingrev_desktop.ui.results.results_model",
         "bingrev_desktop.ui.results.imaging", "bingrev_desktop.core.response",
         "bingrev_desktop.core.case", "sqlite3", "multiprocessing")


def once(code: str, home: Path) -> list[str]:
    """One fresh process with its own empty home (settings, data, logs)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "QT_API": "pyside6", "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CACHE_HOME": str(home / "cache")}
    import time

    done = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n" + code,
                           repr(time.time())], env=env,
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return done.stdout.strip().splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    runs = max(1, min(args.runs, 20))
    # An installed app starts from compiled bytecode (pip, the .deb and the bundle all
    # ship it), as PySide6 in the floor does; PYTHONDONTWRITEBYTECODE on a developer's
    # machine would otherwise recompile every module of the app at every start.
    compileall.compile_dir(str(ROOT / "bingrev_desktop"), quiet=1)
    folder = Path(tempfile.mkdtemp())
    # Interleaved, so a change of the machine's pace during the run meets both alike.
    floors, outputs = [], []
    for i in range(runs):
        floors.append(float(once(FLOOR, folder / f"floor{i}")[-1]))
        outputs.append(once(APP, folder / f"app{i}"))
    painted = [float(o[-1].split()[0]) for o in outputs]
    ready = [float(o[-1].split()[1]) for o in outputs]
    heavy = sorted({m for o in outputs for m in o[-2].split(",") if m != "-"})
    floor, app = statistics.median(floors), statistics.median(painted)
    print("Cold start to the window painted (fresh processes):")
    print("  loaded before the first paint: "
          + (", ".join(heavy) if heavy else f"none of {', '.join(HEAVY)}"))
    report([Row("start", "process start -> window painted", "s", app, min(painted), floor,
                "empty QMainWindow", floor + LIMIT_EXTRA, "<= floor + 150 ms",
                app <= floor + LIMIT_EXTRA),
            Row("start", "process start -> ready for input (service, flows)", "s",
                statistics.median(ready), min(ready), floor, "empty QMainWindow")])


if __name__ == "__main__":
    main()
