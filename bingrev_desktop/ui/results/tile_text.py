"""The three lines under a tile's picture, elided and laid out once per result.

Eliding and shaping text was most of a grid repaint; ``QStaticText`` keeps the
layout. Remote strings stay plain text: every ``QStaticText`` here is PlainText
(its default, AutoText, would read a title with tags as rich text).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import NamedTuple

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QStaticText

from ...core.response import ResultItem, isolate
from .imaging import THUMB_FIT

MARGIN = 6
TILE = QSize(THUMB_FIT.width() + 2 * MARGIN, THUMB_FIT.height() + 2 * MARGIN + 58)  # + 3 lines

# Short, for the tile's last line; the details pane and the tooltip say it in full.
TILE_CLOSENESS = {"same picture": "same as yours", "edited copy": "edited copy",
                  "only similar": "similar"}
CACHE_SIZE = 2048  # tiles; a 1000-result sweep fits, at a few hundred bytes each


class TileLines(NamedTuple):
    title: QStaticText
    domain: QStaticText
    info: QStaticText
    bold: QFont
    title_height: int
    line_height: int


# QStaticText has no single-line mode: these would start a second line over the next.
_LINE_BREAKS = re.compile("[\n\r\t\v\f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def plain_static(text: str) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    return static


def info_line(item: ResultItem, closeness: str | None) -> str:
    """ "984 × 738 · JPEG · same as yours"."""
    info = item.size_label + (f" \u00b7 {isolate(item.format.upper())}" if item.format else "")
    if closeness:
        info += f" \u00b7 {TILE_CLOSENESS.get(closeness, closeness)}"
    return info


class TileTextCache:
    """Laid-out tile lines by (result, closeness, width, font); least recently used
    out first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._lines: OrderedDict[tuple[ResultItem, str | None, int, str], TileLines] = \
            OrderedDict()

    def lines(self, item: ResultItem, closeness: str | None, width: int,
              font: QFont) -> TileLines:
        # The result itself (a frozen dataclass: its fields are the key), not what is
        # derived from it: the title's markup would be stripped again at every paint.
        key = (item, closeness, width, font.key())
        found = self._lines.get(key)
        if found is not None:
            self._lines.move_to_end(key)
            return found
        bold = QFont(font)
        bold.setBold(True)
        strong, normal = QFontMetrics(bold), QFontMetrics(font)
        title = strong.elidedText(isolate(one_line(item.display_title)),
                                  Qt.TextElideMode.ElideRight, width)
        domain = normal.elidedText(isolate(one_line(item.domain or "unknown site")),
                                   Qt.TextElideMode.ElideMiddle, width)
        info = normal.elidedText(one_line(info_line(item, closeness)),
                                 Qt.TextElideMode.ElideRight, width)
        made = TileLines(plain_static(title), plain_static(domain), plain_static(info), bold,
                         strong.height(), normal.height())
        self._lines[key] = made
        while len(self._lines) > self._size:
            self._lines.popitem(last=False)
        return made
