"""Left side of the window: image address, preview with crop, market, count, Search."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.request import COUNT_DEFAULT, COUNT_MAX, COUNT_MIN, Crop, ValidationError
from ...core.sizes import human_size
from ..common.accessibility import name_clear_button
from ..common.message_banner import field_error_label, plain_label
from .crop_view import CropView
from .market_combo import MarketComboBox
from .preview import Preview

EMPTY_HINT = ("No image yet.\n\nDrag an image here from your web browser, paste its web "
              "address with Ctrl+V, or type it above and press Enter.")
EDGES = (("Left", "cal"), ("Top", "cat"), ("Right", "car"), ("Bottom", "cab"))
EDGE_TIPS = {"cal": "How far the left edge is from the image's left side, in % of its width",
             "cat": "How far the top edge is from the image's top, in % of its height",
             "car": "How far the right edge is from the image's left side, in % of its width",
             "cab": "How far the bottom edge is from the image's top, in % of its height"}
FULL_FROM_LINK = "Using the full-size image from the link, not the small picture shown."


class SearchPanel(QWidget):
    loadRequested = Signal(str)
    searchRequested = Signal()
    cancelRequested = Signal()
    cropValidityChanged = Signal(bool)
    sweepRequested = Signal()  # "Several countries…"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        self.full_size_url: str | None = None  # a linked thumbnail's full image, when dropped
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)

        heading = QLabel("1. Image to search for")
        heading.setObjectName("stepHeading")
        layout.addWidget(heading)
        url_row = QHBoxLayout()
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("Paste or drop an image address (https://\u2026)")
        name_clear_button(self.url_edit, "Clear the address")
        self.url_edit.returnPressed.connect(self._emit_load)
        self.url_edit.textEdited.connect(self._address_edited)
        self.url_edit.setAccessibleName("Image address")
        self.recent_button = QToolButton()
        self.recent_button.setText("Recent \u25be")
        self.recent_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")
        self.recent_button.setToolTip("Images you searched for recently")
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_menu = QMenu(self.recent_button)
        self.recent_button.setMenu(self.recent_menu)
        self.load_button = QPushButton("Show")
        self.load_button.setToolTip("Load and show this image")
        self.load_button.clicked.connect(self._emit_load)
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.load_button)
        url_row.addWidget(self.recent_button)
        layout.addLayout(url_row)

        self.crop_view = CropView()
        self.crop_view.set_message(EMPTY_HINT)
        self.crop_view.cropChanged.connect(self._show_crop)
        layout.addWidget(self.crop_view, 1)
        self.progress = QProgressBar()
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.image_info = plain_label("", wrap=False)
        self.image_info.setObjectName("imageInfo")
        layout.addWidget(self.image_info)
        self.source_note = plain_label(FULL_FROM_LINK)  # a linked thumbnail was dropped
        self.source_note.setObjectName("hint")
        self.source_note.hide()
        layout.addWidget(self.source_note)

        layout.addWidget(self._build_crop_box())
        layout.addWidget(self._build_options_box())

        # Search/Cancel live in their own widget: the window pins it below the
        # scrollable form so it is always reachable.
        self.action_area = QWidget()
        actions = QVBoxLayout(self.action_area)
        actions.setContentsMargins(0, 6, 0, 0)
        buttons = QHBoxLayout()
        self.search_button = QPushButton("Search")
        self.search_button.setObjectName("primaryButton")
        self.search_button.setDefault(True)
        self.search_button.setToolTip("Find this image on the web (Ctrl+Enter)")
        self.search_button.clicked.connect(self.searchRequested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running search")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.cancel_button.hide()
        buttons.addWidget(self.search_button, 1)
        buttons.addWidget(self.cancel_button)
        actions.addLayout(buttons)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setTextVisible(False)
        self.busy_label = plain_label("")
        # Hidden, they keep their room: the pinned area never changes height, so starting
        # and finishing a search does not re-lay out and repaint the whole left column
        # (the picture included) in the same frame as the new grid.
        for quiet in (self.busy_bar, self.busy_label):
            policy = quiet.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            quiet.setSizePolicy(policy)
            quiet.hide()
        actions.addWidget(self.busy_bar)
        actions.addWidget(self.busy_label)

    def _build_crop_box(self) -> QGroupBox:
        box = QGroupBox("2. Part of the image (optional)")
        grid = QGridLayout(box)
        hint = plain_label("Drag on the picture to search only part of it, or type the edges "
                           "in percent. Keyboard: press C on the picture, then arrows move "
                           "the frame and Ctrl+arrows resize it.")
        hint.setObjectName("hint")
        grid.addWidget(hint, 0, 0, 1, 4)
        self.crop_fields: dict[str, QDoubleSpinBox] = {}
        for i, (label, key) in enumerate(EDGES):
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 100.0)  # percent for people; the API gets fractions
            spin.setDecimals(2)  # 0.01 % is the API's 4 decimals of a fraction
            spin.setSingleStep(1.0)
            spin.setSuffix(" %")
            spin.setValue(100.0 if key in ("car", "cab") else 0.0)
            spin.setAccessibleName(f"Crop {label.lower()} edge, percent")
            spin.setToolTip(EDGE_TIPS[key])
            spin.editingFinished.connect(self._crop_from_fields)
            spin.valueChanged.connect(self._crop_from_fields)
            self.crop_fields[key] = spin
            grid.addWidget(QLabel(label), 1 + i // 2, (i % 2) * 2)
            grid.addWidget(spin, 1 + i // 2, (i % 2) * 2 + 1)
        self.crop_error = field_error_label()
        grid.addWidget(self.crop_error, 3, 0, 1, 3)
        self.whole_button = QPushButton("Whole image")
        self.whole_button.setToolTip("Search the whole image (Esc on the picture)")
        self.whole_button.clicked.connect(self.crop_view.clear_crop)
        self.whole_button.clicked.connect(lambda: self._show_crop(None))
        grid.addWidget(self.whole_button, 3, 3)
        return box

    def _build_options_box(self) -> QGroupBox:
        box = QGroupBox("3. Where and how many")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("Market"), 0, 0)
        self.market_combo = MarketComboBox()
        grid.addWidget(self.market_combo, 0, 1)
        self.sweep_button = QPushButton("Several countries\u2026")
        self.sweep_button.setToolTip("Search this image in several Bing markets at once and "
                                     "see what each country finds")
        self.sweep_button.clicked.connect(self.sweepRequested)
        grid.addWidget(self.sweep_button, 2, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(QLabel("Results"), 1, 0)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(COUNT_MIN, COUNT_MAX)
        self.count_spin.setValue(COUNT_DEFAULT)
        self.count_spin.setToolTip(f"How many results to ask for ({COUNT_MIN}\u2013{COUNT_MAX})")
        self.count_spin.setAccessibleName("Number of results")
        grid.addWidget(self.count_spin, 1, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        return box

    # -- address & recent ---------------------------------------------------------
    def _emit_load(self) -> None:
        self.loadRequested.emit(self.url_edit.text().strip())

    def _address_edited(self, _text: str) -> None:
        """A new address makes the picture (and a crop drawn on it) stale."""
        if self.crop_view.image() is not None:
            self.crop_view.set_image(None)
            self.crop_view.set_message("Press Enter (or Show) to see this image.")
            self.image_info.setText("")
            self._show_crop(None)

    def set_recent(self, urls: list[str]) -> None:
        self.recent_menu.clear()
        metrics = QFontMetrics(self.font())
        for url in urls:
            shown = metrics.elidedText(url, Qt.TextElideMode.ElideMiddle, 460)
            # "&" marks a mnemonic in menu text: "?w=4000&h=3000" would lose it.
            action = QAction(shown.replace("&", "&&"), self.recent_menu)
            action.setToolTip(url)
            action.triggered.connect(lambda _=False, u=url: self.loadRequested.emit(u))
            self.recent_menu.addAction(action)
        self.recent_button.setEnabled(bool(urls))

    # -- preview ------------------------------------------------------------------
    def show_loading(self, url: str) -> None:
        # "Using the full-size image from the link" only for the drop that said so.
        self.source_note.setVisible(bool(url) and url == self.full_size_url)
        self.url_edit.setText(url)
        self.url_edit.setCursorPosition(0)  # show the site name, not the file name's tail
        self.crop_view.set_image(None)
        self.crop_view.set_message("Loading the image\u2026")
        self.image_info.setText("")
        self.progress.setRange(0, 0)
        self.progress.show()
        self._show_crop(None)

    def show_progress(self, received: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(received)
        self.crop_view.set_message(f"Loading the image\u2026 {human_size(received)}")

    def show_preview(self, preview: Preview) -> None:
        self.progress.hide()
        self.crop_view.set_image(preview.image)
        self.image_info.setText(f"{preview.width} \u00d7 {preview.height} pixels \u00b7 "
                                f"{preview.format.upper()} \u00b7 {human_size(len(preview.data))}")
        self._show_crop(None)

    def show_preview_error(self, message: str) -> None:
        self.progress.hide()
        self.crop_view.set_image(None)
        self.crop_view.set_message(f"The image cannot be shown.\n\n{message}")
        self.image_info.setText("")

    def show_empty(self) -> None:
        """A fresh start: no address, no picture, no crop."""
        self.url_edit.clear()
        self.source_note.hide()
        self.image_info.setText("")
        self.progress.hide()
        self.crop_view.set_image(None)
        self.crop_view.set_message(EMPTY_HINT)
        self._show_crop(None)

    # -- crop fields <-> crop view ------------------------------------------------
    def crop(self) -> Crop | None:
        """The crop the fields show (what a search sends); ValidationError while they
        describe an impossible rectangle (right of the left edge, and so on)."""
        values = [self.crop_fields[key].value() / 100 for _, key in EDGES]
        crop = Crop(*values)
        return None if crop.is_whole_image else crop

    def crop_is_valid(self) -> bool:
        try:
            self.crop()
        except ValidationError:
            return False
        return True

    def set_crop(self, crop: Crop | None) -> None:
        self.crop_view.set_crop(crop)
        self._show_crop(crop)

    def _show_crop(self, crop: Crop | None) -> None:
        values = (crop.left, crop.top, crop.right, crop.bottom) if crop else (0.0, 0.0, 1.0, 1.0)
        for (_, key), value in zip(EDGES, values, strict=True):
            spin = self.crop_fields[key]
            spin.blockSignals(True)
            spin.setValue(value * 100)
            spin.blockSignals(False)
        self._crop_checked(valid=True)

    def _crop_from_fields(self) -> None:
        try:
            crop = self.crop()
        except ValidationError as exc:
            self.crop_error.setText(str(exc).split(",")[0] + ". Search waits until it is fixed.")
            self._crop_checked(valid=False)
            return
        self._crop_checked(valid=True)
        self.crop_view.set_crop(crop)

    def _crop_checked(self, *, valid: bool) -> None:
        """An impossible crop blocks Search (button and Ctrl+Enter) until it is fixed."""
        self.crop_error.setVisible(not valid)
        self.search_button.setEnabled(valid and not self._busy)
        self.cropValidityChanged.emit(valid)

    # -- busy state -----------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self.cancel_button.setVisible(busy)
        self.busy_bar.setVisible(busy)
        self.busy_label.setVisible(busy)
        self.search_button.setText("Searching\u2026" if busy else "Search")
        self._busy = busy
        self.search_button.setEnabled(not busy and self.crop_is_valid())  # Cancel is beside it
        # Cleared when idle, so a hidden label never holds a stale "Searching… 12 s".
        self.busy_label.setText("Searching\u2026 0 s" if busy else "")

    def show_elapsed(self, seconds: float) -> None:
        self.busy_label.setText(
            f"Searching\u2026 {seconds:.0f} s (searches usually take 10\u201330 seconds)")
