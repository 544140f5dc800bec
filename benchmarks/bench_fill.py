"""Thumbnail fill against its peer: the app versus headless Chromium, same server.

    python benchmarks/bench_fill.py [--latency 0.05] [--runs 3]

The demo engine on loopback serves 150 results' thumbnails with a fixed latency
per image (HTTP/1.1). Measured in the same run:

* the app: from the answer to every one of the 150 thumbnails fetched and kept
  (visible ones decoded), through the real window and loader;
* the peer: headless Chromium loading a page with the same 150 ``<img>`` tags
  from the same server, from navigation start to the last image loaded;
* the limit: one latency round plus transfer (what unlimited parallelism costs).

Prints median, min, peer, limit and the ratios; ``--json FILE`` writes them too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bingrev_desktop.demo import DemoEngine

COUNT = 150


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_fill(urls: list[str], folder: Path) -> float | None:
    """Seconds from navigation start to the last of ``urls`` loaded, as the page saw it."""
    browser = chromium()
    if browser is None:
        return None
    tags = "".join(f'<img src="{u}" width="40" height="30">' for u in urls)
    page = folder / "fill.html"
    page.write_text(
        "<!doctype html><html><body>" + tags + "<script>addEventListener('load',function(){"
        "document.body.setAttribute('data-ms',String(performance.now()));});</script>"
        "</body></html>", encoding="utf-8")
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={folder / 'profile'}", "--virtual-time-budget=60000",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'data-ms="([0-9.]+)"', done.stdout)
    return float(found.group(1)) / 1000 if found else None


async def app_fill(engine: DemoEngine) -> tuple[float, list[str]]:
    from benchmarks.window import close_window, open_window

    window = open_window(engine)
    window.show_address(engine.query_image_url("city"))
    await window.controller.wait_idle()
    window.search_panel.count_spin.setValue(COUNT)
    task = window.search()
    assert task is not None
    await task
    started = time.perf_counter()
    record = window.session.current
    assert record is not None
    while record.missing_thumbnails() or window.loader.busy:
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - started
    urls = record.thumbnail_urls()
    await close_window(window)
    return elapsed, urls


def measure(latency: float, runs: int) -> dict[str, float | None]:
    import qasync

    from bingrev_desktop.ui.shell.app import create_application, dispose_widgets

    app = create_application(["bench"])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    app_times: list[float] = []
    peer_times: list[float] = []
    with DemoEngine() as engine:
        engine.set_image_latency(latency)
        # Warm-up, not counted: the engine renders each picture once, then serves it from
        # its cache, so neither side pays for drawing the demo's images.
        loop.run_until_complete(app_fill(engine))
        for run in range(runs):
            folder = Path(tempfile.mkdtemp())
            elapsed, urls = loop.run_until_complete(app_fill(engine))
            app_times.append(elapsed)
            # Fresh URLs for the browser (its cache must not help it): another run's
            # thumbnails have the same cost on the server.
            peer = chromium_fill([f"{u}&run={run}" for u in urls], folder)
            if peer is not None:
                peer_times.append(peer)
        distinct = len(urls)
    dispose_widgets(app)
    limit = latency + 0.05  # one latency round plus transfer of ~1.5 MB on loopback
    return {"images": distinct, "median": statistics.median(app_times), "min": min(app_times),
            "peer": statistics.median(peer_times) if peer_times else None, "limit": limit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    row = measure(args.latency, max(1, min(args.runs, 20)))
    peer = row["peer"]
    print(f"Thumbnail fill, {row['images']:.0f} distinct images of {COUNT} results, "
          f"{args.latency * 1000:.0f} ms latency per image, HTTP/1.1 on loopback:")
    print(f"  app median {row['median']:.2f} s (min {row['min']:.2f} s)   "
          f"peer Chromium {'n/a' if peer is None else f'{peer:.2f} s'}   "
          f"limit {row['limit']:.2f} s")
    if peer:
        print(f"  ratio to Chromium {row['median'] / peer:.2f}x (target at most 0.5x)   "
              f"ratio to limit {row['median'] / row['limit']:.1f}x")
    if args.json:
        args.json.write_text(json.dumps(row, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
