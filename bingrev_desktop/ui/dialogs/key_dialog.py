"""First-run dialog: explains the API key and hands it to the keyring (via the window)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..common.message_banner import field_error_label, plain_label

EXPLANATION = (
    "This app finds where an image appears on the web by asking Bing through the xcrawl "
    "search service. For real searches it needs your xcrawl API key.\n\n"
    "Where to get it: sign in to your xcrawl account, open the API keys page, and copy "
    "your key. Paste it below.\n\n"
)
KEPT_IN_STORE = ("The key is kept in your computer's password store (the same place your "
                 "browser keeps passwords). It is never written into a file or a case file.")
NO_STORE = ("This computer has no password store the app can use, so the key is only used "
            "until you close the app. It is never written into a file or a case file.")


class ApiKeyDialog(QDialog):
    """Emits ``submitted(mode, key)``; mode is "save" or "session". The caller stores the
    key off the GUI thread, then calls :meth:`accept` or :meth:`show_error`."""

    submitted = Signal(str, str)
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, keyring_available: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your xcrawl API key")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        heading = plain_label("Connect to the search service")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        layout.addWidget(plain_label(
            EXPLANATION + (KEPT_IN_STORE if keyring_available else NO_STORE)))
        row = QHBoxLayout()
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste your API key here")
        self.key_edit.setAccessibleName("API key")
        self.key_edit.textChanged.connect(self._text_changed)
        show = QCheckBox("Show")
        show.toggled.connect(lambda on: self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        row.addWidget(self.key_edit, 1)
        row.addWidget(show)
        layout.addLayout(row)
        self.status = field_error_label()
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.demo_button = QPushButton("Try the demo instead")
        self.demo_button.setToolTip("Open a sample case and search made-up sample data in this "
                                    "window; no key needed, nothing is sent to Bing")
        self.demo_button.clicked.connect(self.demoRequested)
        self.later_button = QPushButton("Not now")
        self.later_button.clicked.connect(self.reject)
        self.session_button = QPushButton("Use for this session only")
        self.session_button.clicked.connect(lambda: self._submit("session"))
        self.save_button = QPushButton("Save key")
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)
        self.save_button.setVisible(keyring_available)
        self.save_button.clicked.connect(lambda: self._submit("save"))
        self.session_button.setEnabled(False)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.session_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def _text_changed(self, text: str) -> None:
        ok = bool(text.strip())
        self.save_button.setEnabled(ok)
        self.session_button.setEnabled(ok)

    def _submit(self, mode: str) -> None:
        self.status.hide()
        self.save_button.setEnabled(False)
        self.session_button.setEnabled(False)
        self.submitted.emit(mode, self.key_edit.text())

    def show_error(self, message: str) -> None:
        self.status.setText(message)
        self.status.show()
        self._text_changed(self.key_edit.text())
