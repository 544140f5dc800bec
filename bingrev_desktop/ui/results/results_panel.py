"""Centre of the window: filter/sort bar, the result grid, and teaching empty states."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..common.accessibility import follow_in_focus_chain
from ..common.message_banner import plain_label
from .keys import CopyRole, ItemRole, plain_tooltip
from .results_bar import ResultsBar

if TYPE_CHECKING:  # the grid's parts load in attach_grid, after the first paint
    from ...core.case_records import LinkState
    from ...core.duplicates import CopyInfo
    from ...core.response import ResultItem
    from .results_model import ResultsModel
    from .results_proxy import ResultsProxyModel
    from .results_view import ResultsView
    from .thumbnails import ThumbnailLoader

STALE_TEXT = ("These results are for the previous image. Press Search to search the image "
              "shown on the left.")

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
    copiesChanged = Signal()  # groups found, folded or opened: the details say it again

    # Set by attach_grid().
    model: ResultsModel
    proxy: ResultsProxyModel
    view: ResultsView

    def __init__(self, loader: ThumbnailLoader | None = None,
                 parent: QWidget | None = None) -> None:
        """The bar and the empty state; with ``loader``, the grid too (else
        ``attach_grid`` adds it: the window's first paint shows no grid)."""
        super().__init__(parent)
        # Explicit, so the one-row bar's width never sets the window's minimum: below
        # WIDE_BAR the bar takes two rows, below ROOMY_BAR three (1024-pixel screens).
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = ResultsBar()
        bar = self.bar  # its controls, by the names the window and the tests use
        self.filter_edit, self.sort_combo, self.market_filter = (
            bar.filter_edit, bar.sort_combo, bar.market_filter)
        self.starred_only, self.changed_only, self.group_copies, self.shown_label = (
            bar.starred_only, bar.changed_only, bar.group_copies, bar.shown_label)
        layout.addWidget(bar)
        self.stale_label = plain_label(STALE_TEXT)  # a new image is shown above old results
        self.stale_label.setObjectName("staleNotice")
        self.stale_label.hide()
        layout.addWidget(self.stale_label)

        self.stack = QStackedWidget()
        self.empty_label = plain_label(NO_SEARCH_YET)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setObjectName("emptyState")
        self.stack.addWidget(self.empty_label)
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
        if loader is not None:
            self.attach_grid(loader)

    def attach_grid(self, loader: ThumbnailLoader) -> None:
        """The grid, its models and the page shown when a filter hides every result;
        then the bar works. Its modules (the response's types, copy groups, the tiles)
        load here, after the window's first paint; the bar's state, set meanwhile
        (group copies, as last time), is taken over."""
        from .result_menu import popup_result_menu
        from .results_model import ResultsModel
        from .results_proxy import ResultsProxyModel
        from .results_view import ResultsView

        self.model = ResultsModel(self)
        self.proxy = ResultsProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = ResultsView(loader)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Search results")
        self.view.activatedItem.connect(self._open_default)
        self.view.customContextMenuRequested.connect(lambda pos: popup_result_menu(self, pos))
        self.view.starRequested.connect(self.starRequested)
        self.view.noteRequested.connect(self.noteRequested)
        self.view.foldClicked.connect(self.toggle_group)
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
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.no_match)
        # In the Tab order where they were when the grid came with the panel: after the
        # bar, not at the end of the window.
        follow_in_focus_chain(self.bar, self.view)
        follow_in_focus_chain(self.view, self.no_match)
        self.proxy.set_filter_text(self.filter_edit.text())
        self.proxy.set_sort_key(self.sort_combo.currentData())
        self.proxy.set_starred_only(self.starred_only.isChecked())
        self.proxy.set_gone_or_changed_only(self.changed_only.isChecked())
        self.proxy.set_grouped(self.group_copies.isChecked())
        self.filter_edit.textChanged.connect(self._filter)
        self.sort_combo.currentIndexChanged.connect(
            lambda _: self.proxy.set_sort_key(self.sort_combo.currentData()))
        self.starred_only.toggled.connect(self._starred_only)
        self.changed_only.toggled.connect(self._changed_only)
        self.group_copies.toggled.connect(self._group_copies)
        self.market_filter.currentIndexChanged.connect(self._market_filter_changed)

    def show_results(self, items: list[ResultItem], stars: set[int] | None = None,
                     notes: dict[int, str] | None = None) -> None:
        self.view.paint_next_turn()
        self.model.set_results(items, stars, notes)
        self.proxy.forget_opened()
        self.set_sweep_markets(None)  # a sweep's view sets its own afterwards
        self.show_gone([])  # a later run of a search sets its own afterwards
        self.set_stale(False)  # whoever shows results says whose they are
        self.proxy.apply_sort()
        if items:
            self.stack.setCurrentWidget(self.view)
            self._update_shown()
            self.view.request_first_screen()
        else:
            self.show_empty("No similar images were found.\n\nTry the whole image instead of a "
                            "crop, another market, or a larger version of the picture.")
        self.selectionChanged.emit(None)

    def repaint_picture(self, url: str) -> None:
        """A thumbnail arrived: repaint the tiles on screen that show it."""
        self.view.repaint_rows([self.proxy.mapFromSource(self.model.index(row))
                                for row in self.model.rows_of_picture(url)])

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

    def show_copies(self, copies: dict[int, CopyInfo]) -> None:
        """Copy groups by position, as the fingerprints of the pictures come in."""
        if not copies and not self.model.has_copies:
            return
        self.model.set_copies(copies)
        if self.proxy.grouped:
            self.proxy.invalidate()
            self.proxy.apply_sort()
            self._update_shown()
        self.copiesChanged.emit()

    def _group_copies(self, on: bool) -> None:
        current = self.view.currentIndex().data(ItemRole)
        self.proxy.set_grouped(on)
        self._update_shown()
        self._keep_current(current)
        self.copiesChanged.emit()

    def toggle_group(self, position: int) -> None:
        """Open the folded group of the result at ``position`` (every copy shown after
        its tile), or fold it again; ungrouped, group the copies with this one open."""
        current = self.view.currentIndex().data(ItemRole)
        if not self.proxy.grouped:
            self.group_copies.blockSignals(True)  # one change, not two
            self.group_copies.setChecked(True)
            self.group_copies.blockSignals(False)
            self.proxy.set_grouped(True)
        self.proxy.toggle_group(position)
        self._update_shown()
        self._keep_current(current)
        self.copiesChanged.emit()

    def _keep_current(self, item: ResultItem | None) -> None:
        """The keyboard stays on the same result, or on its group's tile once folded."""
        if item is None:
            return
        rows = {self.proxy.index(r, 0).data(ItemRole).position: r
                for r in range(self.proxy.rowCount())}
        row = rows.get(item.position)
        source_row = self.model.row_of(item.position)
        if row is None and source_row is not None:  # folded away: its group's tile
            info = self.model.copy_info(source_row)
            lead = self.proxy.lead_row(info.group) if info is not None else None
            row = rows.get(self.model.item(lead).position) if lead is not None else None
        if row is not None:
            index = self.proxy.index(row, 0)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def current_copies(self) -> tuple[CopyInfo | None, bool]:
        """The current result's copy group, and whether its copies are folded."""
        info: CopyInfo | None = self.view.currentIndex().data(CopyRole)
        folded = (info is not None and self.proxy.grouped
                  and not self.proxy.is_unfolded(info.group))
        return info, folded

    def set_stale(self, stale: bool) -> None:
        """Another image is in the preview: say these results belong to the previous one."""
        self.stale_label.setVisible(stale)
        self.view.set_dimmed(stale)

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
        if self.proxy.grouped and total:
            text = f"{self.model.picture_count()} pictures in {total} results"
            self.shown_label.setText(f"{shown} shown \u00b7 {text}" if filtered else text)
        else:
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

    def build_menu(self, item: ResultItem, *, starred: bool = False) -> QMenu:
        from .result_menu import build_result_menu

        return build_result_menu(self, item, starred=starred)
