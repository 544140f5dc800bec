"""How one result tile is drawn: picture, badges and three lines of text (the grid's
delegate, FeelUOwn style: one delegate paints every tile of a QListView)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ...core.case_records import LinkState
from ...core.response import ResultItem
from .keys import FoldRole, TileRole
from .results_model import TileFacts
from .thumbnails import THUMB_SIZE, ThumbnailLoader, ThumbState
from .tile_text import MARGIN, TILE, TileLines, TileTextCache

_STATE_TEXT = {
    ThumbState.UNKNOWN: "Loading\u2026",
    ThumbState.LOADING: "Loading\u2026",
    ThumbState.KEPT: "Loading\u2026",
    ThumbState.FAILED: "Could not be loaded",
    ThumbState.NOT_SAVED: "Not saved",
}


def thumb_rect_of(tile: QRect) -> QRect:
    """Where a tile's picture sits (painting and badge clicks agree on it)."""
    return QRect(tile.x() + MARGIN, tile.y() + MARGIN, THUMB_SIZE.width(), THUMB_SIZE.height())


class ResultDelegate(QStyledItemDelegate):
    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._texts = TileTextCache()
        self._placeholders: dict[tuple[object, ...], QPixmap] = {}
        self.dimmed = False  # results of the previous image: drawn faded

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return TILE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        facts: TileFacts | None = index.data(TileRole)
        if facts is None:
            return
        item = facts.item
        painter.save()
        if self.dimmed:
            painter.setOpacity(0.45)
        palette = option.palette
        rect: QRect = option.rect
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        tile = rect.adjusted(2, 2, -2, -2)
        if selected or hovered:
            color = palette.color(QPalette.ColorRole.Highlight)
            color.setAlpha(70 if selected else 30)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1.5 if selected else 1))
            painter.setBrush(color)
            painter.drawRoundedRect(tile, 6, 6)
        if state & QStyle.StateFlag.State_HasFocus:  # the keyboard's place in the grid
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2,
                                Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(tile.adjusted(1, 1, -1, -1), 6, 6)

        thumb_rect = thumb_rect_of(rect)
        self._paint_thumbnail(painter, palette, thumb_rect, item)
        self._paint_badges(painter, thumb_rect, facts, index.data(FoldRole))
        self._paint_text(painter, option, thumb_rect, facts)
        painter.restore()

    def prepare_text(self, index: QModelIndex, font: QFont) -> None:
        """Lay out a tile's text before its first paint (eliding and shaping the three
        lines is most of a new tile's cost)."""
        facts: TileFacts | None = index.data(TileRole)
        if facts is None:
            return
        lines = self._lines(facts, font)
        identity = QTransform()
        lines.title.prepare(identity, lines.bold)
        lines.domain.prepare(identity, font)
        lines.info.prepare(identity, font)

    def _paint_badges(self, painter: QPainter, thumb_rect: QRect, facts: TileFacts,
                      fold: str | None) -> None:
        copies = facts.copies
        stack = [(text, hue) for text, hue, shown in (
            ("Largest", "#1d6f42", facts.largest),
            ("New", "#0b57d0", facts.new),  # first shown by this run of the search
            ("Likely original", "#00695c", copies is not None and copies.likely_original))
            if shown]
        for row, (text, hue) in enumerate(stack):
            self._badge(painter, thumb_rect.topLeft() + QPoint(4, 4 + 22 * row), text,
                        QColor(hue))
        markets = facts.markets
        if markets:  # a sweep: how many countries found it
            self._badge(painter, thumb_rect.topRight() + QPoint(-4, 26),
                        f"in {len(markets)} market{'s' if len(markets) != 1 else ''}",
                        QColor("#6b4fa0"), right=True)
        if facts.starred:
            self._badge(painter, thumb_rect.topRight() + QPoint(-28, 4), "\u2605",
                        QColor("#b7791f"))
        link = facts.link
        if link is LinkState.GONE:
            self._badge(painter, thumb_rect.bottomLeft() + QPoint(4, -24), "Gone",
                        QColor("#b3261e"))
        elif link is LinkState.CHANGED:
            self._badge(painter, thumb_rect.bottomLeft() + QPoint(4, -24), "Changed",
                        QColor("#8a4b00"))
        elif link is LinkState.UNREACHABLE:
            self._badge(painter, thumb_rect.bottomLeft() + QPoint(4, -24), "No answer",
                        QColor("#5f6368"))
        note_at = thumb_rect.bottomRight() + QPoint(-4, -24)  # "×7": stands for 7 copies
        if fold:
            self._badge(painter, note_at, fold, QColor("#37474f"), right=True)
            note_at.setX(self._badge_box(note_at, fold, painter.font(), right=True).left() - 4)
        if facts.noted:
            self._badge(painter, note_at, "Note", QColor("#4a5568"), right=True)

    def _paint_text(self, painter: QPainter, option: QStyleOptionViewItem, thumb_rect: QRect,
                    facts: TileFacts) -> None:
        """Title, site and size under the picture, laid out once per tile (QStaticText:
        eliding and shaping three lines cost more than the rest of the tile)."""
        lines = self._lines(facts, option.font)
        x, y = thumb_rect.x(), thumb_rect.bottom() + 6
        painter.setFont(lines.bold)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        painter.drawStaticText(QPoint(x, y), lines.title)
        painter.setFont(option.font)
        y += lines.title_height + 1
        painter.drawStaticText(QPoint(x, y), lines.domain)
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawStaticText(QPoint(x, y + lines.line_height), lines.info)

    def _lines(self, facts: TileFacts, font: QFont) -> TileLines:
        closeness = facts.copies.closeness if facts.copies is not None else None
        return self._texts.lines(facts.item, closeness, THUMB_SIZE.width(), font)

    def _paint_thumbnail(self, painter: QPainter, palette: QPalette, rect: QRect,
                         item: ResultItem) -> None:
        url = item.thumbnail_url
        image = self._loader.image(url) if url else None
        if image is not None:
            scaled = image.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(rect.center())
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawImage(target, image)
            return
        state = ThumbState.FAILED
        if url:
            state = self._loader.state(url)
            if state in (ThumbState.UNKNOWN, ThumbState.LOADING, ThumbState.READY,
                         ThumbState.KEPT):
                self._loader.request(url)  # painting means visible: load it now, first
                state = ThumbState.LOADING
        failed = state in (ThumbState.FAILED, ThumbState.NOT_SAVED)
        text = _STATE_TEXT[state] if url else "No image address"
        if failed:
            text = "\u26a0\n" + text if state is ThumbState.FAILED else "\u2014\n" + text
        painter.drawPixmap(rect.topLeft(), self._placeholder(painter, palette, rect.size(),
                                                             text, failed))

    def _placeholder(self, painter: QPainter, palette: QPalette, size: QSize, text: str,
                     failed: bool) -> QPixmap:
        """A tile still loading (or failed) looks the same as every other: drawn once
        and blitted. An antialiased rounded box and centred text cost more per tile
        than a whole picture, in the very frame new results appear."""
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        key = (size.width(), size.height(), ratio, text, failed, palette.cacheKey(),
               palette.currentColorGroup(), painter.font().key())
        found = self._placeholders.get(key)
        if found is not None:
            return found
        pixmap = QPixmap(size * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)  # a selected tile's tint shows around it
        box = QPainter(pixmap)
        box.setRenderHint(QPainter.RenderHint.Antialiasing)
        box.setFont(painter.font())
        box.setPen(Qt.PenStyle.NoPen)
        box.setBrush(palette.color(QPalette.ColorRole.AlternateBase).darker(
            108 if failed else 102))
        area = QRect(QPoint(0, 0), size)
        box.drawRoundedRect(area, 4, 4)
        box.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        box.drawText(area, Qt.AlignmentFlag.AlignCenter, text)
        box.end()
        if len(self._placeholders) > 32:  # a few states x palettes x screens
            self._placeholders.clear()
        self._placeholders[key] = pixmap
        return pixmap

    @staticmethod
    def _badge_font(font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        small.setBold(True)
        return small

    @classmethod
    def _badge_box(cls, at: QPoint, text: str, font: QFont, *, right: bool = False) -> QRect:
        metrics = QFontMetrics(cls._badge_font(font))
        box = QRect(at, QSize(metrics.horizontalAdvance(text) + 10, metrics.height() + 4))
        if right:
            box.moveTopRight(at)
        return box

    @classmethod
    def fold_badge_rect(cls, tile: QRect, text: str, font: QFont) -> QRect:
        """Where a tile's "×7" badge is (a little larger, to be easy to click)."""
        at = thumb_rect_of(tile).bottomRight() + QPoint(-4, -24)
        return cls._badge_box(at, text, font, right=True).adjusted(-4, -4, 4, 4)

    @classmethod
    def _badge(cls, painter: QPainter, at: QPoint, text: str, color: QColor,
               *, right: bool = False) -> None:
        """A small label; ``at`` is its top-left corner (top-right with ``right``)."""
        font = painter.font()
        small = cls._badge_font(font)
        box = cls._badge_box(at, text, font, right=right)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor("white"))
        painter.setFont(small)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(font)
