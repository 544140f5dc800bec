"""Opening a big case: 20 searches x 150 results, every picture kept.

    python benchmarks/bench_case.py

The case is built once against the demo engine on loopback (about 3000 results,
every thumbnail in the file). Each figure is measured in a fresh process (offscreen
Qt), in the same run:

* from *open* to the first tiles on screen painted with their pictures (limit
  200 ms);
* the worst gap of a 5 ms timer on the GUI thread while the case opens and its
  first tiles are drawn (limit one 60 Hz frame, 16.7 ms; the idle window is the
  peer);
* peak RSS after opening, against the same window with no case (limit 1.25x).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.rows import Row, report  # noqa: E402

SEARCHES, RESULTS = 20, 150
FRAME_MS = 1000 / 60

CHILD = r"""
import asyncio, json, resource, sys, time
from pathlib import Path
import qasync
from benchmarks.bench_stall import Probe
from benchmarks.bench_fill import visible_urls
from benchmarks.window import open_window, close_window
from bingrev_desktop.demo import DemoEngine
from bingrev_desktop.ui.shell.app import create_application
from bingrev_desktop.ui.results.thumbnails import ThumbState

path = Path(sys.argv[1]) if len(sys.argv) > 1 else None
app = create_application(["bench"])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
out = {}

async def main():
    with DemoEngine() as engine:
        window = open_window(engine)
        view = window.results_panel.view
        await asyncio.sleep(0.3)
        probe = Probe()
        probe.start()
        if path is not None:
            started = time.perf_counter()
            # The tiles count when they are on screen, even while the rest of the case
            # is still being read in the background.
            opening = asyncio.ensure_future(window.case_files.open_path(path))
            arrived, give_up, shown = -1, time.perf_counter() + 30, []
            while True:
                assert time.perf_counter() < give_up, "no tiles within 30 s"
                if opening.done() and not opening.result():
                    raise SystemExit("the case did not open")
                # Walking the grid costs the GUI thread a few ms (the probe would count
                # it as the app's): once, at the first arrival, when the grid is laid out.
                if arrived != len(window.loader.arrivals):
                    arrived = len(window.loader.arrivals)
                    shown = shown or visible_urls(window)
                    if shown and all(window.loader.state(u) is ThumbState.READY
                                     for u in shown):
                        break
                await asyncio.sleep(0.002)
            view.viewport().repaint()  # the tiles on screen, painted with their pictures
            out["first_tiles_ms"] = (time.perf_counter() - started) * 1000
            assert await opening
            out["read_ms"] = (time.perf_counter() - started) * 1000
            out["searches"] = len(window.session.case.searches)
        await asyncio.sleep(0.5)
        out["worst_gap_ms"] = probe.stop()
        out["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        await close_window(window)

with loop:
    loop.run_until_complete(main())
print(json.dumps(out))
"""


async def build_case(path: Path) -> None:
    from bingrev_desktop.core.case import Case
    from bingrev_desktop.core.casefile import save_case
    from bingrev_desktop.core.casekeeper import keep_search
    from bingrev_desktop.core.request import SearchRequest
    from bingrev_desktop.core.service import SearchService
    from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine
    from bingrev_desktop.ui.results.imaging import fingerprint_bytes

    case = Case(title="Benchmark case")
    with DemoEngine() as engine:
        async with SearchService(engine.base_url, DEMO_API_KEY) as service:
            names = engine.query_image_names()
            markets = ["en-US", "de-DE", "fr-FR", "ja-JP"]
            for n in range(SEARCHES):
                request = SearchRequest.create(engine.query_image_url(names[n % len(names)]),
                                               mkt=markets[n % len(markets)], count=RESULTS)
                outcome = await service.client.search(request)
                # As the window keeps a search: the searched image, every thumbnail and
                # the fingerprints of its copy groups.
                await keep_search(service, outcome, case, fingerprint=fingerprint_bytes)
    await asyncio.to_thread(save_case, case, path)


def child(path: Path | None) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "QT_API": "pyside6"}
    done = subprocess.run([sys.executable, "-c", CHILD, *([str(path)] if path else [])],
                          env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    path = Path(tempfile.mkdtemp()) / "big.bingrev"
    asyncio.run(build_case(path))
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"Opening a case of {SEARCHES} searches x {RESULTS} results ({size_mb:.0f} MB), "
          "each figure in a fresh process:")
    empty = child(None)
    runs = [child(path) for _ in range(3)]
    first = sorted(r["first_tiles_ms"] for r in runs)
    gaps = sorted(r["worst_gap_ms"] for r in runs)
    rss = sorted(r["peak_rss_kb"] / 1024 for r in runs)
    base = empty["peak_rss_kb"] / 1024
    report([
        Row("case", "open -> first tiles painted", "ms", first[1], first[0], None, "", 200.0,
            "<= 200 ms", first[1] <= 200.0),
        Row("case", "worst GUI gap while it opens", "ms", gaps[1], gaps[0],
            empty["worst_gap_ms"], "idle window", FRAME_MS, "<= one frame",
            gaps[1] <= FRAME_MS),
        Row("case", "peak RSS with the case open", "MB", rss[1], rss[0], base, "empty window",
            1.25 * base, "<= 1.25x empty window", rss[1] <= 1.25 * base),
    ])


if __name__ == "__main__":
    main()
