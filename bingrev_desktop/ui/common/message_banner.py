"""An inline message with the technical detail one click away (never a modal storm)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import BingrevError

AUTO_HIDE_MS = 8000
_STYLES = {
    "error": ("#fdecea", "#b3261e", "\u26a0"),
    "warning": ("#fff4e5", "#8a5300", "\u26a0"),
    "info": ("#e8f1fb", "#0b57d0", "\u2139"),
}


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """A QLabel that never interprets its text as HTML (remote text is plain text)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    return label


def field_error_label(parent: QWidget | None = None) -> QLabel:
    """A hidden red line under a field, shown when what was typed cannot be used."""
    label = plain_label("", parent)
    label.setObjectName("fieldError")
    label.hide()
    return label


class MessageBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self._action: Callable[[], object] | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 8, 8)
        row = QHBoxLayout()
        self._icon = QLabel()
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        text_box = QVBoxLayout()
        self.title_label = plain_label()
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.message_label = plain_label()
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text_box.addWidget(self.title_label)
        text_box.addWidget(self.message_label)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self._run_action)
        self.details_button = QPushButton("Show details")
        self.details_button.setToolTip("The technical details, for your IT contact")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._toggle_details)
        close = QPushButton("\u2715")
        close.setFlat(True)
        close.setToolTip("Dismiss")
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        row.addWidget(self._icon)
        row.addLayout(text_box, 1)
        row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(row)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(84)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Copy the technical details, to paste into an e-mail")
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.details.toPlainText()))
        details_row = QHBoxLayout()
        details_row.addWidget(self.details, 1)
        details_row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        self._details_box = QWidget()
        self._details_box.setLayout(details_row)
        details_row.setContentsMargins(0, 4, 0, 0)
        outer.addWidget(self._details_box)
        self._details_box.hide()
        self.hide()
        self._auto_hide = QTimer(self)
        self._auto_hide.setSingleShot(True)
        self._auto_hide.setInterval(AUTO_HIDE_MS)
        self._auto_hide.timeout.connect(self.hide)

    def show_message(self, title: str, message: str, *, level: str = "info",
                     details: str = "", action: tuple[str, Callable[[], object]] | None = None
                     ) -> None:
        background, accent, icon = _STYLES[level]
        self.setStyleSheet(
            f"#messageBanner {{ background: {background}; border: 1px solid {accent};"
            f" border-radius: 6px; }} #messageBanner QLabel {{ color: #1f1f1f; }}")
        self._icon.setText(icon)
        self._icon.setStyleSheet(f"color: {accent}; font-size: 18px;")
        self.title_label.setText(title)
        self.message_label.setText(message)
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.details_button.setChecked(False)
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setToolTip(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.show()
        # Good news fades on its own; problems stay until dismissed or solved.
        if level == "info" and action is None:
            self._auto_hide.start()
        else:
            self._auto_hide.stop()

    def show_error(self, error: BingrevError,
                   action: tuple[str, Callable[[], object]] | None = None) -> None:
        self.show_message(error.title, str(error), level="error",
                          details=error.technical_text(), action=action)

    def _toggle_details(self, on: bool) -> None:
        self._details_box.setVisible(on)
        self.details_button.setText("Hide details" if on else "Show details")

    def _run_action(self) -> None:
        if self._action is not None:
            self._action()
