"""What makes the grid cheap to paint keeps it correct: pictures fitted once, tile text
laid out once and plain, and repaints only where something changed on screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QApplication

from bingrev_desktop.core.response import parse_response
from bingrev_desktop.demo.images import render
from bingrev_desktop.ui.common import next_turn
from bingrev_desktop.ui.results.imaging import THUMB_FIT, decode_tile
from bingrev_desktop.ui.results.results_panel import ResultsPanel
from bingrev_desktop.ui.results.thumbnails import ThumbnailLoader
from bingrev_desktop.ui.results.tile_text import TileTextCache
from bingrev_desktop.ui.search.search_panel import SearchPanel

PAINTABLE = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied)


def results(n: int, title: str = "Result") -> list[Any]:
    return list(parse_response({"related_content": [
        {"position": i + 1, "title": f"{title} {i}", "domain": f"site{i}.example.org",
         "width": 400, "height": 300, "format": "png",
         "thumbnail": f"https://t.example.org/{i}.png"} for i in range(n)]}).results)


def test_a_tile_picture_is_fitted_once_and_ready_to_blit() -> None:
    for width, height in ((188, 135), (900, 400), (60, 200)):  # smaller, larger, narrow
        image = decode_tile(render("fit", width, height))
        assert image.format() in PAINTABLE
        assert image.width() <= THUMB_FIT.width() and image.height() <= THUMB_FIT.height()
        # It fills the tile along one side, so painting never scales it again.
        assert THUMB_FIT.width() - 1 <= image.width() or THUMB_FIT.height() - 1 <= image.height()


def test_tile_text_is_plain_and_laid_out_once(qapp: QApplication) -> None:
    item = results(1, title="1 < 2 & 3")[0]  # the parser already drops tags
    cache = TileTextCache(size=2)
    font = QFont()
    lines = cache.lines(item, "same picture", 200, font)
    for static in (lines.title, lines.domain, lines.info):
        assert static.textFormat() == Qt.TextFormat.PlainText
    assert "1 < 2 & 3" in lines.title.text()  # shown as typed, never as markup
    assert "same as yours" in lines.info.text()
    assert cache.lines(item, "same picture", 200, font) is lines
    assert cache.lines(item, "same picture", 120, font) is not lines  # narrower: laid out again
    assert cache.lines(item, None, 200, font) is not lines  # closeness known later


def test_remote_text_cannot_start_a_second_line(qapp: QApplication) -> None:
    """QStaticText has no single-line mode: a line separator in a title drew its second
    half over the site's line below."""
    item = parse_response({"related_content": [{
        "position": 1, "title": "Cute cat\u2028paypal.com login", "format": "png\u2029x",
        "domain": "evil\nexample.org\r\u0085\tx", "width": 10, "height": 10}]}).results[0]
    lines = TileTextCache().lines(item, "edited\u2028copy", 400, QFont())
    for static, height in ((lines.title, lines.title_height), (lines.domain, lines.line_height),
                           (lines.info, lines.line_height)):
        assert not set(static.text()) & set("\n\r\t\v\f\x85\u2028\u2029")
        assert static.size().height() <= height + 1
    assert "paypal.com" in lines.title.text()  # kept, on the same line


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_an_arrival_repaints_only_a_tile_on_screen(qapp: QApplication) -> None:
    async def never(url: str) -> bytes:
        raise AssertionError("no fetch in this test")

    panel = ResultsPanel(ThumbnailLoader(never))
    panel.resize(900, 700)
    items = results(150)
    panel.show_results(items)
    panel.show()
    next_turn.settle()  # the grid paints a turn after taking new results
    for _ in range(5):
        qapp.processEvents()
    counter = PaintCounter()
    panel.view.viewport().installEventFilter(counter)
    panel.repaint_picture(items[-1].thumbnail_url or "")  # far below the fold
    panel.repaint_picture("https://t.example.org/unknown.png")
    qapp.processEvents()
    assert counter.paints == 0
    panel.repaint_picture(items[0].thumbnail_url or "")
    qapp.processEvents()
    assert counter.paints == 1
    panel.close()


def test_searching_does_not_change_the_left_column_height(qapp: QApplication) -> None:
    """The pinned Search area kept growing and shrinking by its busy line, which laid
    out and repainted the whole left column (picture included) as results arrived."""
    panel = SearchPanel()
    panel.action_area.resize(400, 80)
    idle = panel.action_area.sizeHint()
    panel.set_busy(True)
    busy = panel.action_area.sizeHint()
    panel.set_busy(False)
    assert busy.height() == idle.height() == panel.action_area.sizeHint().height()
    assert isinstance(idle, QSize)


def test_a_copy_group_update_announces_only_the_rows_it_changed(qapp: QApplication) -> None:
    """The copy finder updates the groups several times while a grid fills; a range
    made the view repaint its whole viewport each time."""
    from bingrev_desktop.core.duplicates import CopyInfo
    from bingrev_desktop.ui.results.results_model import ResultsModel

    def info(size: int) -> CopyInfo:
        return CopyInfo(group=1, size=size, fingerprint="f", likely_original=False,
                        largest=False, earliest=False, reasons=(), closeness=None,
                        distance=None)

    model = ResultsModel()
    model.set_results(results(150))
    model.set_copies({1: info(2), 2: info(2)})
    announced: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles: announced.append((a.row(), b.row())))
    model.set_copies({1: info(2), 2: info(2)})  # nothing new
    assert announced == []
    model.set_copies({1: info(3), 2: info(3), 40: info(3)})  # a third copy arrived
    assert announced == [(0, 0), (1, 1), (39, 39)]
    announced.clear()
    model.set_copies({p: info(150) for p in range(1, 151)})  # most rows: one range
    assert announced == [(0, 149)]
