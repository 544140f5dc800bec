"""About: version, Qt version, and the licences of what the app is built on."""

from __future__ import annotations

import html
import platform
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ... import APP_DISPLAY_NAME, __version__

COMPONENTS = (
    ("Qt", "LGPL-3.0 (The Qt Company)"),
    ("PySide6", "LGPL-3.0 (The Qt Company)"),
    ("httpx", "BSD-3-Clause"),
    ("httpcore", "BSD-3-Clause"),
    ("qasync", "BSD-2-Clause"),
    ("keyring", "MIT"),
    ("certifi", "MPL-2.0"),
)


def _version(dist: str) -> str:
    if dist == "Qt":
        return qVersion()
    if dist == "PySide6":
        return PySide6.__version__
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_DISPLAY_NAME}")
        layout = QVBoxLayout(self)
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{html.escape(_version(name))}</td>"
            f"<td>{html.escape(licence)}</td></tr>" for name, licence in COMPONENTS)
        # Rich text is opted into here only: every piece is our own or escaped.
        label = QLabel(
            f"<h2>{html.escape(APP_DISPLAY_NAME)}</h2>"
            f"<p>Version {html.escape(__version__)} \u00b7 Python "
            f"{html.escape(platform.python_version())}</p>"
            "<p>Reverse image search on Bing through the xcrawl SERP API.<br>"
            "Licensed under the MIT licence.</p>"
            "<p><b>Built with</b></p>"
            f"<table cellspacing='6'><tr><th align='left'>Component</th><th align='left'>"
            f"Version</th><th align='left'>Licence</th></tr>{rows}</table>"
            "<p>Qt and PySide6 are used under the GNU LGPL v3; their source is available "
            "from qt.io.</p>")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
