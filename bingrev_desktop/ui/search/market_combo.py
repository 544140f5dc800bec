"""A searchable market picker: type "Deutsch", "germany" or "de-DE"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from ...core.markets import MARKETS, find_market

SearchRole = Qt.ItemDataRole.UserRole + 10


class MarketComboBox(QComboBox):
    """Editable combo whose completer matches anywhere in English, native name or code."""

    marketChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(14)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(22)
        for market in MARKETS:
            self.addItem(market.label, market.code)
            row = self.count() - 1
            self.setItemData(row, f"{market.label}  \u00b7  {market.native}", SearchRole)
            self.setItemData(row, market.native, Qt.ItemDataRole.ToolTipRole)
        completer = QCompleter(self.model(), self)
        completer.setCompletionRole(SearchRole)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.activated[str].connect(self._on_completed)  # type: ignore[index]
        self.setCompleter(completer)
        edit = self.lineEdit()
        assert edit is not None  # an editable combo box always has one
        self._edit: QLineEdit = edit
        self._edit.setPlaceholderText("Type a country or language")
        self._edit.setAccessibleName("Market")
        self.setAccessibleName("Market")
        self._edit.editingFinished.connect(self._restore_text)
        self.currentIndexChanged.connect(self._emit)
        self.setToolTip("Bing market: the country and language Bing searches in. "
                        "Type to search, e.g. \u201cGermany\u201d or \u201cde-DE\u201d.")

    def market(self) -> str:
        return str(self.currentData())

    def set_market(self, code: str) -> None:
        market = find_market(code)
        if market is not None:
            self.setCurrentIndex(self.findData(market.code))

    def _on_completed(self, text: str) -> None:
        for row in range(self.count()):
            if self.itemData(row, SearchRole) == text:
                self.setCurrentIndex(row)
                break
        self._restore_text()

    def _restore_text(self) -> None:
        """Typing that matched nothing falls back to the chosen market's label."""
        typed = find_market(self._edit.text())
        if typed is not None:
            self.set_market(typed.code)
        # currentText() would echo what was typed: take the chosen item's label.
        self._edit.setText(self.itemText(self.currentIndex()))

    def _emit(self, _row: int) -> None:
        self.marketChanged.emit(self.market())
