"""Centre of the window: filter/sort bar, the result grid, and teaching empty states."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.case import LinkState
from ...core.response import ResultItem
from ..common.accessibility import name_clear_button
from ..common.message_banner import plain_label
from .results_model import (
    ItemRole,
    ResultsModel,
    ResultsProxyModel,
    SortKey,
    StarRole,
    plain_tooltip,
)
from .results_view import ResultsView
from .thumbnails import ThumbnailLoader

STALE_TEXT = ("These results are for the previous image. Press Search to search the image "
              "shown on the left.")
WIDE_BAR = 560  # narrower than this, the filter gets a row of its own

NO_SEARCH_YET = ("Results will appear here.\n\nShow an image on the left, optionally drag a "
                 "rectangle over the part that matters, then press Search.")


class ResultsPanel(QWidget):
    openRequested = Signal(str)
    pivotRequested = Signal(object)
    saveRequested = Signal(object)
    selectionChanged = Signal(object)
    loadMissingRequested = Signal()
    keepRequested = Signal(object)
    goneChosen = Signal(int)  # the id of the earlier run that showed a gone result
    starRequested = Signal()  # toggle the star of the current result
    noteRequested = Signal()  # write a note on the current result

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ResultsModel(self)
        self.proxy = ResultsProxyModel(self)
        self.proxy.setSourceModel(self.model)
        # Explicit, so the one-row bar's width never sets the window's minimum: below
        # WIDE_BAR the bar takes two rows (1024-pixel screens).
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QGridLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by site or title")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(150)
        self.filter_edit.setAccessibleName("Filter results by site or title")
        self.filter_edit.setToolTip("Show only results whose site or title contains this text")
        name_clear_button(self.filter_edit, "Clear the filter")
        self.filter_edit.textChanged.connect(self._filter)
        self.sort_combo = QComboBox()
        for key in SortKey:
            self.sort_combo.addItem(f"Sort: {key.value}", key)
        self.sort_combo.setAccessibleName("Sort results")
        self.sort_combo.setToolTip("The order of the results")
        self.sort_combo.currentIndexChanged.connect(
            lambda _: self.proxy.set_sort_key(self.sort_combo.currentData()))
        self.starred_only = QCheckBox("Starred only")
        self.starred_only.setToolTip("Show only the results you starred (S on a result)")
        self.starred_only.toggled.connect(self._starred_only)
        self.changed_only = QCheckBox("Gone or changed")
        self.changed_only.setToolTip("Show only results whose page or image was gone or had "
                                     "changed at the last link check")
        self.changed_only.toggled.connect(self._changed_only)
        self.changed_only.hide()  # shown once the case has a link check
        self.market_filter = QComboBox()  # a sweep: results of one country
        self.market_filter.setAccessibleName("Filter by country")
        self.market_filter.setToolTip("Show the results one country found, or found only")
        self.market_filter.currentIndexChanged.connect(self._market_filter_changed)
        self.market_filter.hide()
        self.shown_label = plain_label("", wrap=False)
        self.shown_label.setObjectName("hint")
        self._bar = bar
        self._bar_wide: bool | None = None
        self._arrange_bar(wide=True)
        layout.addLayout(bar)
        self.stale_label = plain_label(STALE_TEXT)  # a new image is shown above old results
        self.stale_label.setObjectName("staleNotice")
        self.stale_label.hide()
        layout.addWidget(self.stale_label)

        self.stack = QStackedWidget()
        self.empty_label = plain_label(NO_SEARCH_YET)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setObjectName("emptyState")
        self.view = ResultsView(loader)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Search results")
        self.view.activatedItem.connect(self._open_default)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.starRequested.connect(self.starRequested)
        self.view.noteRequested.connect(self.noteRequested)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.no_match = QWidget()
        no_match_layout = QVBoxLayout(self.no_match)
        self.no_match_label = plain_label("")
        self.no_match_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match_label.setObjectName("emptyState")
        clear = QPushButton("Show all results")
        clear.setToolTip("Clear the filter and the check boxes")
        clear.clicked.connect(self.clear_filters)
        no_match_layout.addStretch(1)
        no_match_layout.addWidget(self.no_match_label)
        no_match_layout.addWidget(clear, 0, Qt.AlignmentFlag.AlignHCenter)
        no_match_layout.addStretch(1)
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.no_match)
        layout.addWidget(self.stack, 1)
        self.gone_label = plain_label("")  # a later run: results an earlier run showed
        self.gone_label.setObjectName("staleNotice")
        self.gone_list = QListWidget()
        self.gone_list.setAccessibleName("Results not found this time")
        self.gone_list.setToolTip("Double-click one to see the earlier run that found it, "
                                  "with its stored picture")
        self.gone_list.setMaximumHeight(90)
        self.gone_list.itemActivated.connect(
            lambda item: self.goneChosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        for widget in (self.gone_label, self.gone_list):
            widget.hide()
            layout.addWidget(widget)
        fill = QHBoxLayout()
        self.fill_label = plain_label("", wrap=False)
        self.fill_label.setObjectName("hint")
        self.load_missing = QPushButton("Load the missing pictures")
        self.load_missing.setToolTip("Download the pictures this saved search never loaded, "
                                     "from Bing's servers, and keep them in the case")
        self.load_missing.clicked.connect(self.loadMissingRequested)
        self.load_missing.hide()
        fill.addWidget(self.fill_label, 1)
        fill.addWidget(self.load_missing)
        layout.addLayout(fill)
        self.filling = False
        self.proxy.apply_sort()

    def show_results(self, items: list[ResultItem], stars: set[int] | None = None,
                     notes: dict[int, str] | None = None) -> None:
        self.model.set_results(items, stars, notes)
        self.set_sweep_markets(None)  # a sweep's view sets its own afterwards
        self.show_gone([])  # a later run of a search sets its own afterwards
        self.set_stale(False)  # whoever shows results says whose they are
        self.proxy.apply_sort()
        if items:
            self.stack.setCurrentWidget(self.view)
            self._update_shown()
        else:
            self.show_empty("No similar images were found.\n\nTry the whole image instead of a "
                            "crop, another market, or a larger version of the picture.")
        self.selectionChanged.emit(None)

    def show_gone(self, entries: list[tuple[str, str, int]]) -> None:
        """(text, tooltip, run id) of results earlier runs showed and this one did not."""
        self.gone_list.clear()
        for text, tip, run_id in entries:
            item = QListWidgetItem(text)
            item.setToolTip(plain_tooltip(tip))  # remote titles and addresses: plain text
            item.setData(Qt.ItemDataRole.UserRole, run_id)
            self.gone_list.addItem(item)
        self.gone_label.setText(
            f"Not found this time: {len(entries)} result{'s' if len(entries) != 1 else ''} "
            "an earlier run showed (kept in the case with their pictures).")
        for widget in (self.gone_label, self.gone_list):
            widget.setVisible(bool(entries))

    def set_sweep_markets(self, markets: list[str] | None) -> None:
        """A sweep's merged view: offer "Found in …" and "Only in …" per country."""
        self.market_filter.blockSignals(True)
        self.market_filter.clear()
        self.market_filter.addItem("All countries", (None, False))
        for code in markets or []:
            self.market_filter.addItem(f"Found in {code}", (code, False))
        for code in markets or []:
            self.market_filter.addItem(f"Only in {code}", (code, True))
        self.market_filter.setCurrentIndex(0)
        self.market_filter.blockSignals(False)
        self.market_filter.setVisible(bool(markets))
        self.proxy.set_market_filter(None)

    def _market_filter_changed(self, _index: int) -> None:
        market, only = self.market_filter.currentData() or (None, False)
        self.proxy.set_market_filter(market, only)
        self._update_shown()

    def set_stale(self, stale: bool) -> None:
        """Another image is in the preview: say these results belong to the previous one."""
        self.stale_label.setVisible(stale)
        self.view.set_dimmed(stale)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange_bar(wide=event.size().width() >= WIDE_BAR)

    def _arrange_bar(self, *, wide: bool) -> None:
        """One row when there is room; the filter on a row of its own when narrow, so it
        never shrinks to "Fi…"."""
        if wide == self._bar_wide:
            return
        self._bar_wide = wide
        bar = self._bar
        for widget in (self.filter_edit, self.shown_label, self.sort_combo, self.starred_only,
                       self.changed_only, self.market_filter):
            bar.removeWidget(widget)
        bar.addWidget(self.filter_edit, 0, 0, 1, 1 if wide else 5)
        row, col = (0, 1) if wide else (1, 0)
        for widget in (self.shown_label, self.sort_combo, self.market_filter, self.starred_only,
                       self.changed_only):
            bar.addWidget(widget, row, col)
            col += 1
        for column in range(7):
            bar.setColumnStretch(column, 0)
        bar.setColumnStretch(0 if wide else 3, 1)

    def show_fill(self, text: str, complete: bool, can_load: bool) -> None:
        """The quiet line under the grid: "Keeping pictures 87 of 150…"."""
        self.filling = not complete and not can_load
        self.fill_label.setText(text)
        self.load_missing.setVisible(can_load)

    def show_empty(self, text: str = NO_SEARCH_YET) -> None:
        self.empty_label.setText(text)
        self.stack.setCurrentWidget(self.empty_label)

    def current_item(self) -> ResultItem | None:
        return self.view.current_item()

    def selected_items(self) -> list[ResultItem]:
        """The selected results, or the current one when none is selected."""
        chosen = self.view.selected_items()
        current = self.current_item()
        return chosen or ([current] if current is not None else [])

    def source_index_of_current(self) -> QModelIndex:
        return self.proxy.mapToSource(self.view.currentIndex())

    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_shown()

    def _starred_only(self, on: bool) -> None:
        self.proxy.set_starred_only(on)
        self._update_shown()

    def _changed_only(self, on: bool) -> None:
        self.proxy.set_gone_or_changed_only(on)
        self._update_shown()

    def show_links(self, links: dict[int, LinkState], checked: bool) -> None:
        self.model.set_links(links)
        self.changed_only.setVisible(checked)
        if not checked:
            self.changed_only.setChecked(False)
        self.proxy.invalidate()
        self._update_shown()

    def clear_filters(self) -> None:
        self.filter_edit.clear()
        self.starred_only.setChecked(False)
        self.changed_only.setChecked(False)
        self.market_filter.setCurrentIndex(0)

    def _update_shown(self) -> None:
        """ "3 of 35 shown", and a way back when a filter hides everything."""
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        filtered = (bool(self.filter_edit.text().strip()) or self.starred_only.isChecked()
                    or self.changed_only.isChecked() or self.market_filter.currentIndex() > 0)
        self.shown_label.setText(f"{shown} of {total} shown" if filtered and total else "")
        if total == 0 or self.stack.currentWidget() is self.empty_label:
            return
        if shown == 0:
            what = (f"\u201c{self.filter_edit.text().strip()}\u201d"
                    if self.filter_edit.text().strip() else "your filter")
            extra = " among the starred results" if self.starred_only.isChecked() else ""
            if self.changed_only.isChecked():
                extra += " that were gone or changed at the last check"
            self.no_match_label.setText(f"No results match {what}{extra}.")
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentWidget(self.view)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.selectionChanged.emit(current.data(ItemRole) if current.isValid() else None)

    def _open_default(self, item: ResultItem) -> None:
        target = item.source or item.image_url
        if target:
            self.openRequested.emit(target)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        item: ResultItem = index.data(ItemRole)
        self.view.setCurrentIndex(index)  # star and note act on this one
        menu = self.build_menu(item, starred=bool(index.data(StarRole)))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))  # no nested event loop

    def build_menu(self, item: ResultItem, *, starred: bool = False) -> QMenu:
        menu = QMenu(self)
        clipboard = QGuiApplication.clipboard()

        def add(text: str, enabled: bool, slot: object, key: str = "") -> None:
            action = menu.addAction(text)
            action.setEnabled(enabled)
            action.triggered.connect(slot)
            if key:  # shown in the menu; the grid itself handles the key
                action.setShortcut(QKeySequence(key))

        add("Remove the star" if starred else "Star (important)", True, self.starRequested,
            "S")
        add("Write a note\u2026", True, self.noteRequested, "N")
        menu.addSeparator()

        add("Open page", item.source is not None, lambda: self.openRequested.emit(item.source))
        add("Open image", item.image_url is not None,
            lambda: self.openRequested.emit(item.image_url))
        add("Open in Bing", item.link is not None, lambda: self.openRequested.emit(item.link))
        menu.addSeparator()
        add("Copy page address", item.source is not None,
            lambda: clipboard.setText(item.source or ""))
        add("Copy image address", item.image_url is not None,
            lambda: clipboard.setText(item.image_url or ""))
        add("Save image\u2026", item.image_url is not None, lambda: self.saveRequested.emit(item))
        add("Keep a full-size copy in the case", item.image_url is not None,
            lambda: self.keepRequested.emit(item))
        menu.addSeparator()
        add("Search with this image", item.image_url is not None,
            lambda: self.pivotRequested.emit(item))
        return menu
