"""How fast the result grid handles 150 and 1000 results (offscreen Qt).

    python benchmarks/bench_grid.py

Prints each figure beside its limit (the API returns at most 150 results; 1000 shows
the headroom). Limits: parsing and filling the model must fit
in one 60 Hz frame (16.7 ms) so showing results never stutters; repainting a full
window of tiles must also fit in a frame; decoding one thumbnail in a worker thread
should stay well under 10 ms so six parallel downloads are never decode-bound.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from benchmarks.rows import Row
from benchmarks.rows import report as report_rows
from bingrev_desktop.core.response import parse_response
from bingrev_desktop.demo.images import render
from bingrev_desktop.ui.results.imaging import decode_image
from bingrev_desktop.ui.results.keys import SortKey
from bingrev_desktop.ui.results.results_model import ResultsModel
from bingrev_desktop.ui.results.results_proxy import ResultsProxyModel
from bingrev_desktop.ui.results.results_view import ResultsView
from bingrev_desktop.ui.results.thumbnails import THUMB_SIZE, ThumbnailLoader, ThumbState

FRAME_MS = 1000 / 60


def payload(n: int) -> dict[str, object]:
    return {"related_content": [
        {"position": i + 1, "title": f"Result {i} with a reasonably long title",
         "domain": f"site{i % 37}.example.org", "width": 200 + i, "height": 150 + i,
         "format": "jpeg", "thumbnail": f"https://t.example.org/{i}.png",
         "original": f"https://o.example.org/{i}.jpg", "source": f"https://p.example.org/{i}"}
        for i in range(n)]}


def best_ms(fn, repeat: int = 15) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


ROWS: list[Row] = []


def report(label: str, value: float, limit: float) -> None:
    headroom = "1000" in label  # the API answers at most 150: 1000 shows the margin
    ROWS.append(Row("grid", label, "ms", value, None, None, "", limit,
                    "headroom only" if headroom else f"<= {limit:.1f} ms",
                    None if headroom else value <= limit))


def main() -> None:
    app = QApplication([])
    thumb = render("bench", 188, 135)
    for n in (150, 1000):
        data = payload(n)
        report(f"parse {n} results", best_ms(lambda d=data: parse_response(d)), FRAME_MS)
        items = list(parse_response(data).results)
        model, proxy = ResultsModel(), ResultsProxyModel()
        proxy.setSourceModel(model)

        def fill(m: ResultsModel = model, p: ResultsProxyModel = proxy, it=items) -> None:  # type: ignore[no-untyped-def]
            m.set_results(it)
            p.sort(0)
            p.index(0, 0)  # the proxy maps lazily: make it do the work now

        report(f"fill model + sort, {n} results", best_ms(fill), FRAME_MS)
        keys = iter([SortKey.SIZE, SortKey.DOMAIN] * 20)
        report(f"change the sort order, {n} results",
               best_ms(lambda p=proxy, k=keys: (p.set_sort_key(next(k)), p.index(0, 0))),
               FRAME_MS)
        texts = iter(["site3", "site4"] * 20)
        report(f"change the text filter, {n} results",
               best_ms(lambda p=proxy, t=texts: (p.set_filter_text(next(t)), p.rowCount())),
               FRAME_MS)
        proxy.set_filter_text("")

        async def no_fetch(url: str) -> bytes:
            return thumb

        loader = ThumbnailLoader(no_fetch)
        # Preload decoded thumbnails for every row so the paint measures drawing only.
        image = decode_image(thumb, THUMB_SIZE)
        for item in items:
            url = item.thumbnail_url or ""
            loader._decoded[url] = image
            loader._states[url] = ThumbState.READY
        view = ResultsView(loader)
        view.setModel(proxy)
        view.resize(1280, 800)
        view.show()
        app.processEvents()
        report(f"repaint 1280x800 grid, {n} results",
               best_ms(lambda v=view: v.viewport().repaint()), FRAME_MS)
        view.close()
    report("decode one thumbnail (worker thread)", best_ms(lambda: decode_image(thumb, THUMB_SIZE)),
           10.0)
    report_rows(ROWS)


if __name__ == "__main__":
    main()
