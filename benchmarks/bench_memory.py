"""Peak memory of a window that keeps every picture: 5 and 50 searches x 150 results.

    python benchmarks/bench_memory.py

Each figure is measured in its own fresh process in the same run, against the
real demo engine over loopback (offscreen Qt):

* the peer: the same window, shown, with no results;
* the window after 5, and after 50, searches of 150 results, each with its
  background fill finished (every thumbnail fetched and kept in the case).

The image bytes live in the case's disk spool, not in RAM, so memory must level
off: 50 searches stay within 1.5x of 5 searches (and 5 within 1.5x the empty window).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rows import Row, report  # noqa: E402

LIMIT = 1.5

CHILD = r"""
import asyncio, json, resource, sys
import qasync
from benchmarks.window import close_window, open_window
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.shell.app import create_application, dispose_widgets

searches = int(sys.argv[1])
app = create_application(["bench"])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
out = {}

async def main():
    with DemoEngine() as engine:
        window = open_window(engine)
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
        await close_window(window)

with loop:
    loop.run_until_complete(main())
print(json.dumps(out))
dispose_widgets(app)
"""


def measure(searches: int) -> dict[str, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "QT_API": "pyside6"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(searches)], env=env,
                          capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    empty, first, full = measure(0), measure(5), measure(50)
    mb = 1024.0
    base, early, late = (m["peak_rss_kb"] / mb for m in (empty, first, full))
    print("Peak RSS (resident memory), each in a fresh process; "
          f"{full['pictures']} pictures kept after 50 searches, "
          f"{full['disk_bytes'] / mb / mb:.1f} MB of them in the case's disk spool:")
    report([
        Row("memory", "5 searches x 150, every picture kept", "MB", early, None, base,
            "empty window", LIMIT * base, f"<= {LIMIT}x empty window", early <= LIMIT * base),
        Row("memory", "50 searches x 150, every picture kept", "MB", late, None, early,
            "after 5 searches", LIMIT * early, f"<= {LIMIT}x after 5 searches",
            late <= LIMIT * early),
    ])


if __name__ == "__main__":
    main()
