"""Does the window stall while answers arrive? A 5 ms probe timer on the GUI thread.

    python benchmarks/bench_stall.py

Against the demo engine on loopback (offscreen Qt), the worst gap between probe
ticks is printed for: a normal 150-result answer with its thumbnail fill, and a
hostile 10 MB answer (3.3 million empty results, under the 16 MB cap). The peer is
the same probe with the window idle, measured in the same run; the limit is 50 ms
(no answer may freeze the window), and one 60 Hz frame (16.7 ms) is shown beside it.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LIMIT_MS = 50.0
FRAME_MS = 1000 / 60


class Probe:
    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.worst = max(self.worst, (now - self.last) * 1000)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


async def measure() -> list[tuple[str, float]]:

    from benchmarks.window import close_window, open_window
    from bingrev_desktop.core import answers
    from bingrev_desktop.demo import DemoEngine, Fault

    rows = []
    probe = Probe()
    with DemoEngine() as engine:
        window = open_window(engine)
        window.show_address(engine.query_image_url("city"))
        await window.controller.wait_idle()
        probe.start()
        await asyncio.sleep(1.0)
        rows.append(("window idle (peer)", probe.stop()))

        window.search_panel.count_spin.setValue(150)
        probe.start()
        await window.search()
        record = window.session.current
        while record is not None and (record.missing_thumbnails() or window.loader.busy):
            await asyncio.sleep(0.01)
        rows.append(("150 results arrive, every picture kept", probe.stop()))

        body = ('{"search_metadata": {"status": "completed"}, "related_content": ['
                + ",".join(["{}"] * 3_300_000) + "]}")
        engine.set_fault(Fault("status", status=200, body=body,
                               content_type="application/json"))
        await asyncio.sleep(0.2)
        probe.start()
        await window.search()
        await asyncio.sleep(0.2)
        rows.append(("10 MB answer (3.3 M results, capped at 1000)", probe.stop()))
        await close_window(window)
        answers.shutdown_pool()
    return rows


def main() -> None:
    import qasync

    from bingrev_desktop.ui.shell.app import create_application, dispose_widgets

    app = create_application(["bench"])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        rows = loop.run_until_complete(measure())
    dispose_widgets(app)
    peer = rows[0][1]
    print(f"Worst gap of a 5 ms timer on the GUI thread (limit {LIMIT_MS:.0f} ms; "
          f"a frame is {FRAME_MS:.1f} ms):")
    for name, worst in rows:
        verdict = "OK" if worst <= LIMIT_MS else "OVER"
        print(f"  {name:<46} {worst:6.1f} ms   peer {peer:5.1f} ms   "
              f"{worst / LIMIT_MS:4.2f}x limit   {verdict}")


if __name__ == "__main__":
    main()
