"""Right side: everything about the selected result, and about the searched image."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.sizes import human_size
from ..common.message_banner import plain_label
from ..common.next_turn import NextTurn
from .keys import plain_tooltip

if TYPE_CHECKING:  # the window's first paint shows this pane empty: no result types yet
    from ...core.case_records import KeptCopy, LinkResult
    from ...core.duplicates import CopyInfo
    from ...core.response import ImageInfo, ResultItem


def readable_date(text: str) -> str:
    """ "2022-04-12T05:40:15Z" -> "12 Apr 2022, 05:40 UTC"; other text is kept as is."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if when.tzinfo is None:
            return when.strftime("%d %b %Y, %H:%M")
        return when.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")
    except (ValueError, OverflowError):
        return text


def _url_field() -> QLineEdit:
    """URLs in a read-only line: always one line, scrollable, selectable, never rich text."""
    edit = QLineEdit()
    edit.setReadOnly(True)
    edit.setFrame(False)
    edit.setStyleSheet("background: transparent;")
    return edit


def _field(text: str = "") -> QLabel:
    label = plain_label(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class DetailsPane(QScrollArea):
    openRequested = Signal(str)
    pivotRequested = Signal(object)
    starToggled = Signal(bool)
    keepRequested = Signal(object)
    noteEdited = Signal(str)
    foldRequested = Signal(int)  # open or fold the group of the result at this position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 4, 0)
        self._item: ResultItem | None = None

        self.result_box = QGroupBox("Selected result")
        form = QFormLayout(self.result_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.title = _field()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        form.addRow(self.title)
        self.site, self.size_text, self.date = _field(), _field(), _field()
        self.page, self.image = _url_field(), _url_field()
        self.markets = _field()  # a sweep: the countries that found it
        self.markets_label = QLabel("Found in")
        for label, widget in (("Site", self.site), ("Size", self.size_text), ("Date", self.date),
                              ("Page", self.page), ("Image", self.image)):
            form.addRow(label, widget)
        form.addRow(self.markets_label, self.markets)
        # Copies of the same picture: the group, why this one is the likely original,
        # and how close it is to the searched image.
        self.copies_label, self.copies = QLabel("Copies"), _field()
        form.addRow(self.copies_label, self.copies)
        self.closeness_label, self.closeness = QLabel("Your image"), _field()
        form.addRow(self.closeness_label, self.closeness)
        self.fold_button = QPushButton()
        self.fold_button.setToolTip("Show every copy of this picture in the grid, or fold "
                                    "them into one tile again")
        self.fold_button.clicked.connect(self._fold)
        form.addRow(self.fold_button)
        self._fold_position: int | None = None
        buttons = QHBoxLayout()
        self.open_page = QPushButton("Open page")
        self.open_page.setToolTip("Open the page that uses this image in your web browser")
        self.open_page.clicked.connect(lambda: self._open(self._item.source if self._item else None))
        self.open_image = QPushButton("Open image")
        self.open_image.setToolTip("Open the full-size image in your web browser")
        self.open_image.clicked.connect(
            lambda: self._open(self._item.image_url if self._item else None))
        buttons.addWidget(self.open_page)
        buttons.addWidget(self.open_image)
        form.addRow(buttons)
        self.pivot = QPushButton("Search with this image")
        self.pivot.setToolTip("Start a new search from this result's image")
        self.pivot.clicked.connect(lambda: self._item and self.pivotRequested.emit(self._item))
        form.addRow(self.pivot)
        self.star = QCheckBox("Starred (important)")
        self.star.setToolTip("Mark this result as important (S in the grid); starring keeps "
                             "a full-size copy in the case")
        self.star.toggled.connect(self._star_toggled)
        form.addRow(self.star)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)  # Tab moves on; a note never needs tab characters
        self.note.setAccessibleName("Note on this result")
        self.note.setPlaceholderText("Your note on this result")
        self.note.setMaximumHeight(80)
        self.note.textChanged.connect(self._note_changed)
        form.addRow(self.note)
        # Evidence kept in the case: the full-size copy and what link checks found.
        self.keep_button = QPushButton("Keep a full-size copy")
        self.keep_button.setToolTip("Download the full-size image from the site that hosts it "
                                    "and keep it in the case")
        self.keep_button.clicked.connect(lambda: self._item and self.keepRequested.emit(self._item))
        form.addRow(self.keep_button)
        self.copy_image = QLabel()
        self.copy_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copy_label = QLabel("Full-size copy")
        self.copy_info = _field()
        self.copy_hash = _url_field()
        self.copy_hash.setAccessibleName("SHA-256 of the full-size copy")
        form.addRow(self.copy_image)
        form.addRow(self.copy_label, self.copy_info)
        self.copy_hash_label = QLabel("SHA-256")
        form.addRow(self.copy_hash_label, self.copy_hash)
        self.links_label = QLabel("Last check")
        self.links_info = _field()
        form.addRow(self.links_label, self.links_info)
        self.empty = plain_label("Click a result to see its details here.")
        self.empty.setObjectName("hint")
        layout.addWidget(self.empty)
        layout.addWidget(self.result_box)

        self.query_box = QGroupBox("Your image, as Bing saw it")
        query_form = QFormLayout(self.query_box)
        self.q_site, self.q_size, self.q_link = _field(), _field(), _url_field()
        for label, widget in (("Site", self.q_site), ("Image", self.q_size),
                              ("Address", self.q_link)):
            query_form.addRow(label, widget)
        layout.addWidget(self.query_box)
        layout.addStretch(1)
        self.setWidget(body)
        self._updating = False
        # Drawn a turn after the grid's new results (see NextTurn).
        self._image_info = NextTurn(self._draw_image_info, self)
        self.show_item(None)
        self.show_copies(None, folded=False)
        self.show_markets(None)
        self._draw_image_info(None)

    def show_copies(self, info: CopyInfo | None, *, folded: bool, grouped: bool = False,
                    position: int | None = None, looking: bool = False) -> None:
        """The selected result's copies: "1 of 7 copies · likely original — largest:
        4000 × 3000, earliest date: 3 Mar 2019", and its closeness to the searched image."""
        several = info is not None and info.size > 1
        self._fold_position = position if info is not None else None
        for widget in (self.copies_label, self.copies):
            widget.setVisible(info is not None)
        if info is not None:
            if several:
                text = f"{info.size} copies of this picture in the results"
                if info.likely_original:
                    text += ("\nThis one is the likely original (a guess from the sizes "
                             "and dates the search reported)")
                reasons = [r for r in info.reasons if r != "likely original"]
                if reasons:
                    text += "\n" + "\n".join(r[0].upper() + r[1:] for r in reasons)
            elif looking:
                text = "No other copy found yet (still comparing the pictures\u2026)"
            else:
                text = "No other copy of this picture among the results"
            self.copies.setText(text)
        known = info is not None and info.closeness is not None
        for widget in (self.closeness_label, self.closeness):
            widget.setVisible(known)
        if info is not None and info.closeness is not None:
            self.closeness.setText({"same picture": "The same picture as yours",
                                    "edited copy": "An edited copy of yours (cropped, marked "
                                                   "or recoloured)",
                                    }.get(info.closeness, "Only similar to yours"))
        self.fold_button.setVisible(several and grouped)
        if info is not None:
            self.fold_button.setText(f"Show all {info.size} copies" if folded
                                     else "Fold the copies into one tile")

    def _fold(self) -> None:
        if self._fold_position is not None:
            self.foldRequested.emit(self._fold_position)

    def show_markets(self, markets: list[str] | None) -> None:
        """A sweep's merged view: which countries found it. Stars and notes belong to one
        country's search, so they wait until one is opened from the Case history."""
        shown = markets is not None
        self.markets_label.setVisible(shown)
        self.markets.setVisible(shown)
        self.markets.setText(", ".join(markets or []))
        for mark in (self.star, self.note, self.keep_button):
            mark.setEnabled(not shown)
        hint = ("Open one country's search in the Case history to star or write notes."
                if shown else "")
        self.star.setToolTip(hint or "Mark this result as important (S in the grid); "
                             "starring keeps a full-size copy in the case")
        self.note.setToolTip(hint)

    def toggle_star(self) -> None:
        """S in the grid: only where stars can be set (not in a sweep's merged view)."""
        if self.star.isEnabled():
            self.star.toggle()

    def edit_note(self) -> None:
        """N in the grid: straight into the note of the current result."""
        if self.note.isEnabled():
            self.note.setFocus()
            self.note.moveCursor(QTextCursor.MoveOperation.End)

    def show_item(self, item: ResultItem | None, starred: bool = False, note: str = "") -> None:
        self._item = item
        self.result_box.setVisible(item is not None)
        self.empty.setVisible(item is None)
        if item is None:
            return
        self._updating = True
        try:
            self.title.setText(item.display_title)
            self.site.setText(item.domain or "unknown")
            size = item.size_label + (f" \u00b7 {item.format.upper()}" if item.format else "")
            if item.file_size:
                size += f" \u00b7 {human_size(item.file_size)}"
            self.size_text.setText(size)
            self.date.setText(readable_date(item.date) if item.date else "not given")
            self.date.setToolTip(plain_tooltip(item.date or ""))
            for edit, url, missing in ((self.page, item.source, "not given"),
                                       (self.image, item.image_url, "no image address")):
                edit.setText(url or missing)
                edit.setCursorPosition(0)
                edit.setToolTip(plain_tooltip(url or missing))
            self.open_page.setEnabled(item.source is not None)
            self.open_image.setEnabled(item.image_url is not None)
            self.pivot.setEnabled(item.image_url is not None)
            self.star.setChecked(starred)
            self.note.setPlainText(note)
        finally:
            self._updating = False

    def show_evidence(self, copy: KeptCopy | None, links: list[LinkResult]) -> None:
        """The kept full-size copy (hash, time, size) and the latest link check."""
        from ...core.case_records import LinkState

        has_copy = copy is not None and copy.ok
        self.keep_button.setVisible(self._item is not None and self._item.image_url is not None
                                    and not has_copy)
        self.copy_image.clear()
        self.copy_image.setVisible(has_copy)
        for shown in (self.copy_label, self.copy_info):
            shown.setVisible(copy is not None)
        for hashed in (self.copy_hash_label, self.copy_hash):
            hashed.setVisible(has_copy)
        if copy is not None:
            when = readable_date(copy.fetched_at)
            if copy.ok:
                parts = [f"kept {when}", human_size(copy.size)]
                if copy.content_type:
                    parts.append(copy.content_type.split(";")[0])
                if copy.final_url and copy.final_url != copy.url:
                    parts.append(f"from {copy.final_url}")
                self.copy_info.setText(" \u00b7 ".join(parts))
                self.copy_hash.setText(copy.sha256 or "")
                self.copy_hash.setCursorPosition(0)
            else:
                self.copy_info.setText(f"could not be kept ({when}): {copy.error}")
        self.links_label.setVisible(bool(links))
        self.links_info.setVisible(bool(links))
        if links:
            lines = [f"{'Page' if r.kind == 'page' else 'Image'}: {r.state.value}"
                     + (f" (error {r.status})" if r.status and r.state in (
                         LinkState.GONE, LinkState.UNREACHABLE) else "")
                     + f" \u00b7 {readable_date(r.checked_at)}"
                     for r in sorted(links, key=lambda r: r.kind != "page")]
            self.links_info.setText("\n".join(lines))

    def show_copy_image(self, image: QImage) -> None:
        self.copy_image.setPixmap(QPixmap.fromImage(image).scaled(
            240, 180, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    def show_image_info(self, info: ImageInfo | None) -> None:
        """What Bing said of the searched image, drawn in the next turn."""
        self._image_info(info)

    def _draw_image_info(self, info: ImageInfo | None) -> None:
        self.query_box.setVisible(info is not None and any(
            (info.domain, info.format, info.original)))
        if info is None:
            return
        self.q_site.setText(info.domain or "unknown")
        size = f"{info.width} \u00d7 {info.height}" if info.width and info.height else ""
        self.q_size.setText(" \u00b7 ".join(p for p in (size, (info.format or "").upper()) if p)
                            or "not given")
        self.q_link.setText(info.original or info.source or "not given")
        self.q_link.setCursorPosition(0)

    def _open(self, url: str | None) -> None:
        if url:
            self.openRequested.emit(url)

    def _star_toggled(self, on: bool) -> None:
        if not self._updating:
            self.starToggled.emit(on)

    def _note_changed(self) -> None:
        if not self._updating:
            self.noteEdited.emit(self.note.toPlainText())
