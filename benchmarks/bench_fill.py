"""Thumbnail fill against its peer: the app versus headless Chromium, same server.

    python benchmarks/bench_fill.py [--latency 0.05] [--runs 3]

150 results' thumbnails, each answered after a fixed latency, served two ways from
loopback: by the demo engine over HTTP/1.1, and by a real HTTP/2 server over TLS
(Node.js's http2, or hypercorn; throw-away certificate; ``h2_host.py``). Both run in
a process of their own (``server_process.py``), so their Python does not compete with
the app's for the GIL, as a remote server's would not. Measured in the same run:

* the app: from the answer to every thumbnail fetched and kept (visible ones
  decoded), through the real window and loader; and from the answer to every tile
  on screen painted with its picture;
* the peer: headless Chromium loading a page with the same ``<img>`` tags from the
  same server (all of them, and as many as the app shows on screen);
* the limit: one latency round plus transfer (what unlimited parallelism costs),
  and for the visible tiles one round plus 40 ms;
* for reference, Qt's network stack alone (the app's relay, settings and server, no
  window, all requests at once): what this server and protocol allow at best.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.chromium import page_load
from benchmarks.rows import Row, report

COUNT = 150
TRANSFER = 0.05  # about 1.5 MB of PNGs over loopback


def visible_urls(window: Any) -> list[str]:
    from bingrev_desktop.ui.results.keys import ItemRole
    from bingrev_desktop.ui.results.results_view import ResultsView

    view = window.findChild(ResultsView)
    model = view.model()
    seen = view.viewport().rect()
    urls = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if view.visualRect(index).intersects(seen):
            item = index.data(ItemRole)
            if item is not None and item.thumbnail_url:
                urls.append(item.thumbnail_url)
    return urls


async def app_fill(window: Any, engine: Any, name: str) -> tuple[float, float, list[str],
                                                                         list[str]]:
    """(seconds to every tile on screen painted, to every picture kept, all, visible)."""
    from bingrev_desktop.ui.results.thumbnails import ThumbState

    window.session.discard_changes()
    window.show_address(engine.query_image_url(name))
    await window.controller.wait_idle()
    window.search_panel.count_spin.setValue(COUNT)
    task = window.search()
    assert task is not None
    await task
    started = time.perf_counter()
    record = window.session.current
    assert record is not None
    loader = window.loader
    shown: list[str] = visible_urls(window)
    assert shown, "no tile on screen"
    visible_at: float | None = None

    def arrived(_url: str) -> None:
        # Checked as each picture arrives (polling would take the GUI thread's time,
        # and see it late when the thread is busy).
        nonlocal visible_at
        if visible_at is None and all(loader.state(u) is ThumbState.READY for u in shown):
            window.results_panel.view.viewport().repaint()  # painted with their pictures
            visible_at = time.perf_counter() - started

    loader.changed.connect(arrived)
    try:
        while record.missing_thumbnails() or loader.busy:
            await asyncio.sleep(0.005)
    finally:
        loader.changed.disconnect(arrived)
    elapsed = time.perf_counter() - started
    arrived("")
    assert visible_at is not None
    return visible_at, elapsed, record.thumbnail_urls(), shown


async def bare_qt_fill(window: Any, urls: list[str]) -> float:
    """Seconds for Qt's network stack alone (the same relay, windows and server, no app
    around it) to bring every picture: the floor this server and protocol set."""
    from PySide6.QtNetwork import QNetworkRequest

    Attribute = QNetworkRequest.Attribute
    fetcher = window.controller._thumbnail_fetcher()
    await fetcher.ready(tls=True)
    loop = asyncio.get_running_loop()
    left, done = len(urls), loop.create_future()

    def finished() -> None:
        nonlocal left
        left -= 1
        if left == 0 and not done.done():
            done.set_result(None)

    started = time.perf_counter()
    sent = [fetcher.send(url, True, 4 * 1024 * 1024) for url in urls]
    for one in sent:
        one.reply.finished.connect(finished)
    try:
        await asyncio.wait_for(done, 60)
        elapsed = time.perf_counter() - started
        failed = {f"{one.reply.error().name} "
                  f"{one.reply.attribute(Attribute.HttpStatusCodeAttribute)}"
                  for one in sent if not one.reply.readAll().size()}
    finally:
        for one in sent:
            one.close()
    assert not failed, f"pictures did not come: {failed}"
    return elapsed


def measure(latency: float, runs: int) -> list[Row]:
    import qasync

    from benchmarks.h2_host import ensure_bench_packages, node_program
    from benchmarks.server_process import ServerProcess
    from benchmarks.window import close_window, open_window
    from bingrev_desktop.ui.shell.app import create_application, dispose_widgets

    ensure_bench_packages()
    node_program()  # installed here, not in the server's process, which must start fast
    folder = Path(tempfile.mkdtemp())
    rows: list[Row] = []
    app = create_application(["bench"])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with ServerProcess(latency, folder) as engine:
        # The app trusts the throw-away certificate the way it trusts a company's CA:
        # through the trust store's SSL_CERT_FILE.
        os.environ["SSL_CERT_FILE"] = str(engine.cert_file)
        print(f"HTTP/2 host: {engine.h2_host}", flush=True)
        names = engine.query_image_names()
        for protocol, base in (("HTTP/1.1", ""), ("HTTP/2 + TLS", engine.h2_base_url)):
            engine.set_image_base(base)
            # Behind an HTTP/2 host the engine is only its source of pictures: the host
            # waits the latency itself (behind Node a cold picture would wait twice).
            engine.set_image_latency(0.0 if base else latency)
            window = open_window(engine)
            # Warm-up, not counted: the engine draws each picture once, then serves it
            # from its cache, so neither side pays for drawing the demo's images.
            loop.run_until_complete(app_fill(window, engine, names[0]))
            fills, visibles, peers, peer_visibles, bare = [], [], [], [], []
            for run in range(runs):
                seen, elapsed, urls, shown = loop.run_until_complete(
                    app_fill(window, engine, names[0]))
                fills.append(elapsed)
                visibles.append(seen)
                # Fresh URLs for the browser, so its cache cannot help it; each costs the
                # server the same as the app's.
                peer = page_load([f"{u}&run={run}" for u in urls], folder / f"p{run}")
                few = page_load([f"{u}&run=v{run}" for u in shown], folder / f"v{run}")
                for attempt in range(3):  # the server may close an idle connection
                    try:
                        bare.append(loop.run_until_complete(
                            bare_qt_fill(window, [f"{u}&bare={run}.{attempt}" for u in urls])))
                        break
                    except AssertionError as exc:
                        print(f"reference fill, attempt {attempt + 1}: {exc}")
                if peer is not None:
                    peers.append(peer)
                if few is not None:
                    peer_visibles.append(few)
            loop.run_until_complete(close_window(window))
            if base:
                spoken = engine.h2_protocols
                assert "2" in spoken, f"the HTTP/2 host spoke {spoken}"
            peer_fill = statistics.median(peers) if peers else None
            fill = statistics.median(fills)
            limit = latency + TRANSFER
            rows.append(Row("fill", f"{len(urls)} thumbnails kept, {protocol}", "s", fill,
                            min(fills), peer_fill, "Chromium", limit,
                            "<= 0.5x Chromium" + (", <= 3x limit" if base else ""),
                            bool(peer_fill and fill <= 0.5 * peer_fill
                                 and (not base or fill <= 3 * limit))))
            if bare:
                rows.append(Row("fill", f"{len(urls)} thumbnails, {protocol}, Qt's network "
                                "stack alone (reference)", "s", statistics.median(bare),
                                min(bare), fill, "the app", limit,
                                "no target: the floor this server sets"))
            seen = statistics.median(visibles)
            rows.append(Row("fill", f"{len(shown)} tiles on screen painted, {protocol}", "s",
                            seen, min(visibles),
                            statistics.median(peer_visibles) if peer_visibles else None,
                            f"Chromium, {len(shown)} images", latency + 0.04,
                            "<= one round + 40 ms", seen <= latency + 0.04))
        engine.set_image_base("")
    loop.close()  # joins qasync's executor threads before Qt goes away
    dispose_widgets(app)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"Thumbnail fill of {COUNT} results, {args.latency * 1000:.0f} ms latency per image, "
          "loopback:")
    report(measure(args.latency, max(1, min(args.runs, 20))))


if __name__ == "__main__":
    main()
