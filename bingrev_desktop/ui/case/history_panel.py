"""The case's trail: every search in order, pivots indented under their origin."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.case import Case, SearchRecord, plural
from ..common.message_banner import plain_label
from ..results.results_model import plain_tooltip

IdRole = Qt.ItemDataRole.UserRole + 20


def _time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%d %b %H:%M UTC")
    except ValueError:
        return iso


def describe_record(case: Case, number: int, record: SearchRecord) -> str:
    name = record.image_url.rsplit("/", 1)[-1].split("?")[0] or record.image_url
    count = len(record.response.results)
    parts = [f"{number}. {name[:40]}", f"{count} results", record.market, _time(record.created_at)]
    if record.crop_fractions():
        parts.insert(2, "part of image")
    text = " \u00b7 ".join(parts)
    if record.parent_id is not None:
        origin = next((i for i, s in enumerate(case.searches, 1) if s.id == record.parent_id), "?")
        text = "\u21b3 " + text + f"  (from result #{record.parent_position} of search {origin})"
    return text


class HistoryPanel(QWidget):
    searchChosen = Signal(int)
    caseNoteEdited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 4, 0)
        self.summary = plain_label("")
        self.summary.setObjectName("hint")
        layout.addWidget(self.summary)
        self.list = QListWidget()
        self.list.setAccessibleName("Searches in this case")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        # One signal for click, arrow keys and double-click alike: a double-click used to
        # run the action twice (itemClicked and itemActivated).
        self.list.currentItemChanged.connect(self._current_changed)
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel("Case note"))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)  # Tab moves on, as everywhere else
        self.note.setAccessibleName("Case note")
        self.note.setPlaceholderText("What is this investigation about? Findings, next steps\u2026")
        self.note.setMaximumHeight(110)
        self.note.textChanged.connect(self._note_changed)
        layout.addWidget(self.note)
        self._updating = False

    def show_case(self, case: Case, current: SearchRecord | None) -> None:
        self._updating = True
        self.list.clear()
        for number, record in enumerate(case.searches, 1):
            item = QListWidgetItem(describe_record(case, number, record))
            item.setData(IdRole, record.id)
            item.setToolTip(plain_tooltip(record.image_url))
            self.list.addItem(item)
            if current is not None and record.id == current.id:
                self.list.setCurrentItem(item)
        for check in case.checks:
            state = " (cancelled)" if check.cancelled else ""
            item = QListWidgetItem(f"\u2713 Link check {check.id}{state} \u00b7 "
                                   f"{_time(check.started_at)} \u00b7 {check.summary()}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a record of the case, not a search
            item.setToolTip(plain_tooltip(
                "Every result page and image was visited again. Results found gone or "
                "changed carry a badge in the grid; tick \u201cGone or changed\u201d to see "
                "only those."))
            self.list.addItem(item)
        self.summary.setText(
            f"{plural(len(case.searches), 'search', 'searches')} in this case. Click a search "
            "to see it again."
            if case.searches else
            "Every search you make is kept here, so you can go back to it and save the case.")
        if self.note.toPlainText() != case.note:
            self.note.setPlainText(case.note)
        self._updating = False

    def _current_changed(self, item: QListWidgetItem | None,
                         _previous: QListWidgetItem | None) -> None:
        if self._updating or item is None:
            return
        record_id = item.data(IdRole)
        if record_id is not None:
            self.searchChosen.emit(int(record_id))

    def _note_changed(self) -> None:
        if not self._updating:
            self.caseNoteEdited.emit(self.note.toPlainText())
