"""The result grid: a QListView in icon mode painted by one delegate (FeelUOwn style)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyleOptionViewItem, QWidget

from ...core.response import ResultItem
from ..common.next_turn import GRID, NextTurn
from .keys import FoldRole, ItemRole
from .results_model import ResultsModel
from .tile_text import TILE

if TYPE_CHECKING:
    from .result_delegate import ResultDelegate
    from .thumbnails import ThumbnailLoader

LAYOUT_BATCH = 200  # more than the 150 results one search can have


class ResultsView(QListView):
    """Icon-mode grid; emits ``activatedItem`` on double-click or Enter."""

    activatedItem = Signal(object)
    foldClicked = Signal(int)  # the "×7" badge of the result at this position was clicked
    starRequested = Signal()  # S on the current result
    noteRequested = Signal()  # N on the current result

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self.setViewMode(QListView.ViewMode.IconMode)
        # Tiles wrap to the width: a horizontal scroll bar would only ever show slack.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there, so the first results do not lay the grid out twice (once
        # without the bar, once again when it appears and narrows the viewport).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(4)
        self.setWordWrap(False)
        self.setMouseTracking(True)
        # Ctrl/Shift+click select several results (to keep their full-size copies).
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._delegate: ResultDelegate | None = None  # made before the first tile is shown
        # A search's 150 results are laid out in one pass: each extra batch ends with a
        # full repaint of the grid. Only a sweep's merged hundreds are laid out in turns.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self.activated.connect(self._on_activated)
        self._warmed = False
        self._prepare_texts = NextTurn(self._prepare_first_screen, self, order=GRID)
        self._paint_again = NextTurn(lambda: self.viewport().setUpdatesEnabled(True), self,
                                     order=GRID)

    def tile_delegate(self) -> ResultDelegate:
        """The delegate that draws the tiles, made when first needed: results arriving,
        the view shown, or the warm-up. The window's first paint shows no tile, and the
        delegate's module (QStyle's enums, the tiles' text) cost it about 10 ms."""
        if self._delegate is None:
            from .result_delegate import ResultDelegate

            self._delegate = ResultDelegate(self._loader, self)
            self.setItemDelegate(self._delegate)
        return self._delegate

    def showEvent(self, event: QShowEvent) -> None:
        self.tile_delegate()
        self._fit_columns()
        super().showEvent(event)

    def paint_next_turn(self) -> None:
        """New results are taken in this turn, their first screenful's text is laid out
        in the next, and they are painted in the one after. In one turn, taking them
        (model, sort, the panels around) and the first paint of new tiles took two
        frames; apart, each fits in one and the window answers in between. Their
        pictures are asked for at once (``request_first_screen``), a few turns sooner."""
        self.tile_delegate()
        self.viewport().setUpdatesEnabled(False)
        self._prepare_texts()
        self._paint_again()

    def request_first_screen(self) -> None:
        """Ask for the first screenful's pictures now, not at its paint two turns later
        (the first one last: the loader starts the newest first)."""
        model = self.model()
        if model is None:
            return
        for row in reversed(range(min(self.first_screen(), model.rowCount()))):
            item = model.index(row, 0).data(ItemRole)
            if item is not None and item.thumbnail_url:
                self._loader.request(item.thumbnail_url)

    def _prepare_first_screen(self) -> None:
        """Lay out the first screenful's text ahead of its paint."""
        model, delegate = self.model(), self.tile_delegate()
        if model is None:
            return
        font = self.font()
        for row in range(min(self.first_screen(), model.rowCount())):
            delegate.prepare_text(model.index(row, 0), font)

    def first_screen(self) -> int:
        """How many tiles a screenful holds, the partly shown last row included."""
        grid, area = self.gridSize(), self.viewport().size()
        if grid.isEmpty():
            grid = TILE
        columns = max(1, area.width() // max(1, grid.width()))
        return columns * (area.height() // max(1, grid.height()) + 1)

    def warm_up(self) -> None:
        """Paint one sample tile off screen, once, while the app is idle: the first real
        grid then finds its fonts loaded and their glyphs cached. Cold, the first paint
        of a search's tiles took about 10 ms more, in the frame the results arrive."""
        if self._warmed:
            return
        self._warmed = True
        model = ResultsModel()
        model.set_results([ResultItem(position=1, title="Sample result title 0123456789",
                                      domain="example.org", width=1200, height=800,
                                      format="jpeg")])
        option = QStyleOptionViewItem()
        option.initFrom(self.viewport())
        option.rect = QRect(QPoint(0, 0), TILE)
        canvas = QImage(TILE, QImage.Format.Format_ARGB32_Premultiplied)
        canvas.fill(Qt.GlobalColor.transparent)
        painter = QPainter(canvas)
        try:
            self.tile_delegate().paint(painter, option, model.index(0))
        finally:
            painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        current = self.currentIndex()
        if current.isValid() and (key == Qt.Key.Key_Menu or (
                key == Qt.Key.Key_F10 and mods == Qt.KeyboardModifier.ShiftModifier)):
            # Shift+F10 as well as the Menu key: many laptops have no Menu key.
            self.scrollTo(current)
            self.customContextMenuRequested.emit(self.visualRect(current).center())
        elif current.isValid() and plain and key == Qt.Key.Key_S:
            self.starRequested.emit()
        elif current.isValid() and plain and key == Qt.Key.Key_N:
            self.noteRequested.emit()
        else:
            super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click on a tile's "×7" badge opens (or folds) its copies."""
        index = self.indexAt(event.position().toPoint())
        fold = index.data(FoldRole) if index.isValid() else None
        item = index.data(ItemRole) if fold else None
        hit = isinstance(fold, str) and self.tile_delegate().fold_badge_rect(
            self.visualRect(index), fold, self.font()).contains(event.position().toPoint())
        super().mouseReleaseEvent(event)
        if hit and item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.foldClicked.emit(item.position)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Tabbing into the grid shows where the keyboard is: the first tile, if none."""
        super().focusInEvent(event)
        model = self.model()
        if not self.currentIndex().isValid() and model is not None and model.rowCount():
            self.setCurrentIndex(model.index(0, 0))

    def repaint_rows(self, indexes: list[QModelIndex]) -> None:
        """Repaint these tiles where they are on screen. Straight to the viewport rather
        than through dataChanged, which ran the proxy for each of 150 arriving pictures;
        a tile off screen needs nothing until it is scrolled to."""
        viewport = self.viewport()
        area = viewport.rect()
        for index in indexes:
            rect = self.visualRect(index)
            if rect.intersects(area):
                viewport.update(rect)

    def set_dimmed(self, dimmed: bool) -> None:
        delegate = self.tile_delegate()
        if delegate.dimmed != dimmed:
            delegate.dimmed = dimmed
            self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.isVisible():  # hidden, it is fitted when shown
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Spread the columns over the whole width instead of leaving a gap on the right.
        Not while hidden: the first ``viewport()`` call makes PySide resolve the widget's
        type, which creates the enums of every widget class (8 ms before the first paint,
        which shows no tile)."""
        width = self.viewport().width() - 2 * self.spacing()
        columns = max(1, width // (TILE.width() + 2 * self.spacing()))
        self.setGridSize(QSize(width // columns, TILE.height() + 2 * self.spacing()))

    def _on_activated(self, index: QModelIndex) -> None:
        item = index.data(ItemRole)
        if item is not None:
            self.activatedItem.emit(item)

    def selected_items(self) -> list[ResultItem]:
        rows = sorted(self.selectionModel().selectedIndexes(), key=lambda i: i.row())
        return [item for index in rows if (item := index.data(ItemRole)) is not None]

    def current_item(self) -> ResultItem | None:
        index = self.currentIndex()
        return index.data(ItemRole) if index.isValid() else None
