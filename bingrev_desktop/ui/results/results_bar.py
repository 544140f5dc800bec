"""The bar above the result grid: filter, sort order, check boxes and "3 of 35 shown".
One row when there is room; else the filter gets a row of its own, so it never shrinks
to "Fi…"; on a 1024-pixel screen the check boxes get a third row."""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ..common.accessibility import name_clear_button
from ..common.message_banner import plain_label
from .keys import SortKey

WIDE_BAR = 760  # narrower than this, the filter gets a row of its own
ROOMY_BAR = 520  # narrower still, the check boxes get a third row


class ResultsBar(QWidget):
    """Only the controls and their rows: ``ResultsPanel`` wires them to the grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QVBoxLayout(self)  # up to three rows, filled by _arrange
        bar.setContentsMargins(0, 0, 0, 0)
        self._lines = [QHBoxLayout() for _ in range(3)]
        for line in self._lines:
            bar.addLayout(line)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by site or title")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(150)
        self.filter_edit.setAccessibleName("Filter results by site or title")
        self.filter_edit.setToolTip("Show only results whose site or title contains this text")
        name_clear_button(self.filter_edit, "Clear the filter")
        self.sort_combo = QComboBox()
        for key in SortKey:
            self.sort_combo.addItem(f"Sort: {key.value}", key)
        self.sort_combo.setAccessibleName("Sort results")
        self.sort_combo.setToolTip("The order of the results")
        self.starred_only = QCheckBox("Starred only")
        self.starred_only.setToolTip("Show only the results you starred (S on a result)")
        self.changed_only = QCheckBox("Gone or changed")
        self.changed_only.setToolTip("Show only results whose page or image was gone or had "
                                     "changed at the last link check")
        self.changed_only.hide()  # shown once the case has a link check
        self.group_copies = QCheckBox("Group copies")
        self.group_copies.setToolTip("Show each picture once, with the number of copies "
                                     "found (\u00d77); click that number to see them all")
        self.market_filter = QComboBox()  # a sweep: results of one country
        self.market_filter.setAccessibleName("Filter by country")
        self.market_filter.setToolTip("Show the results one country found, or found only")
        self.market_filter.hide()
        self.shown_label = plain_label("", wrap=False)
        self.shown_label.setObjectName("hint")
        self._rows: int | None = None
        self._arrange(rows=1)
        # The rows follow the width, not the one-row layout's: the panel sets the minimum.
        self.setMinimumWidth(self.filter_edit.minimumWidth())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = event.size().width()
        self._arrange(rows=1 if width >= WIDE_BAR else 2 if width >= ROOMY_BAR else 3)

    def _arrange(self, *, rows: int) -> None:
        if rows == self._rows:
            return
        self._rows = rows
        for line in self._lines:
            while line.count():
                line.takeAt(0)  # widgets stay children of the bar; spacers go
        first, second, third = self._lines
        sort = (self.sort_combo, self.market_filter)
        boxes = (self.group_copies, self.starred_only, self.changed_only)
        first.addWidget(self.filter_edit, 1)
        if rows == 1:
            for widget in (*sort, self.shown_label, *boxes):
                first.addWidget(widget)
            return
        for widget in (*sort, *(boxes if rows == 2 else ())):
            second.addWidget(widget)
        second.addStretch(1)
        second.addWidget(self.shown_label)
        if rows == 3:
            for widget in boxes:
                third.addWidget(widget)
            third.addStretch(1)
