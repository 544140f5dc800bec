"""The case's trail: every search in order, pivots indented under their origin."""

from __future__ import annotations

import functools
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.case import Case, SearchRecord, plural
from ...core.series import series_texts
from ..common.message_banner import plain_label
from ..common.next_turn import NextTurn
from ..results.keys import plain_tooltip

IdRole = Qt.ItemDataRole.UserRole + 20


@functools.lru_cache(maxsize=1024)  # the history redraws every entry on each change
def _time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%d %b %H:%M UTC")
    except ValueError:
        return iso


def describe_record(case: Case, number: int, record: SearchRecord) -> str:
    name = record.image_url.rsplit("/", 1)[-1].split("?")[0] or record.image_url
    count = record.result_count  # a search still being read is not parsed here
    parts = [f"{number}. {name[:40]}", f"{count} results", record.market, _time(record.created_at)]
    if record.crop_fractions():
        parts.insert(2, "part of image")
    text = " \u00b7 ".join(parts)
    if record.parent_id is not None:
        origin = next((i for i, s in enumerate(case.searches, 1) if s.id == record.parent_id), "?")
        text = "\u21b3 " + text + f"  (from result #{record.parent_position} of search {origin})"
    return text


def describe_sweep(case: Case, number: int) -> str:
    searches = case.sweep_searches(number)
    first = searches[0]
    name = first.image_url.rsplit("/", 1)[-1].split("?")[0] or first.image_url
    return (f"\u25a6 Sweep of {plural(len(searches), 'country', 'countries')} \u00b7 "
            f"{name[:40]} \u00b7 {_time(first.created_at)}")


class HistoryPanel(QWidget):
    searchChosen = Signal(int)
    searchAgainRequested = Signal(int)  # a search's id, or minus a sweep's number
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
        self.again_button = QPushButton("Search again")
        self.again_button.setToolTip("Run the selected search (or sweep) again now and see "
                                     "what is new and what is gone since the earlier runs")
        self.again_button.clicked.connect(self._again)
        self.again_button.setEnabled(False)
        layout.addWidget(self.again_button)
        layout.addWidget(QLabel("Case note"))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)  # Tab moves on, as everywhere else
        self.note.setAccessibleName("Case note")
        self.note.setPlaceholderText("What is this investigation about? Findings, next steps\u2026")
        self.note.setMaximumHeight(110)
        self.note.textChanged.connect(self._note_changed)
        layout.addWidget(self.note)
        self._updating = False
        # Drawn a turn after the grid it sits beside, once however often it is asked for.
        self._redraw = NextTurn(self._draw, self)
        self._drawn: Case | None = None  # the case the list shows ...
        self._next: Case | None = None  # ... and the one it is about to show

    def show_case(self, case: Case, current: SearchRecord | None,
                  sweep: int | None = None) -> None:
        """Every search in order; a sweep is one entry (its id is minus its number) with
        its countries under it; runs of the same search say what changed. Drawn in the
        next turn of the event loop (``settle`` draws it now)."""
        self._next = case
        self._redraw(case, current, sweep)

    def _stale(self) -> bool:
        """Another case is open and the list still shows the one before."""
        return self._redraw.pending and self._next is not self._drawn

    def settle(self) -> None:
        """Draw a pending change now."""
        self._redraw.flush()

    def _draw(self, case: Case, current: SearchRecord | None, sweep: int | None) -> None:
        self._drawn = case
        self._updating = True
        self.list.clear()
        series = {} if case.unparsed() else series_texts(case)  # redrawn once all are read
        for number, record in enumerate(case.searches, 1):
            if record.sweep is not None and record is case.sweep_searches(record.sweep)[0]:
                header = QListWidgetItem(describe_sweep(case, record.sweep))
                header.setData(IdRole, -record.sweep)
                header.setToolTip(plain_tooltip(record.image_url))
                self.list.addItem(header)
                if sweep == record.sweep:
                    self.list.setCurrentItem(header)
            text = describe_record(case, number, record)
            if record.id in series:
                text += f" \u00b7 {series[record.id]}"
            item = QListWidgetItem(("      " if record.sweep is not None else "") + text)
            item.setData(IdRole, record.id)
            item.setToolTip(plain_tooltip(record.image_url))
            self.list.addItem(item)
            if sweep is None and current is not None and record.id == current.id:
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

    def _again(self) -> None:
        self.settle()
        item = self.list.currentItem()
        if item is not None and item.data(IdRole) is not None:
            self.searchAgainRequested.emit(int(item.data(IdRole)))

    def _current_changed(self, item: QListWidgetItem | None,
                         _previous: QListWidgetItem | None) -> None:
        if self._stale() and not self._updating:
            self.settle()  # a click on the list of a case just replaced: not taken
            return
        self.again_button.setEnabled(item is not None and item.data(IdRole) is not None)
        if self._updating or item is None:
            return
        record_id = item.data(IdRole)
        if record_id is not None:
            self.searchChosen.emit(int(record_id))

    def _note_changed(self) -> None:
        if self._stale():  # typed into the note of a case just replaced: not the new one's
            self.settle()
            return
        if not self._updating:
            self.caseNoteEdited.emit(self.note.toPlainText())
